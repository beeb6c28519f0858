import type { EntityManager } from '@mikro-orm/postgresql';
import { publicError, FailureType } from './errors.js';

/**
 * The Xclera matrix's rules and its tree, shared by the API (phase 1 answers at once) and the
 * register/upgrade activities (which check again before anything is prepared). The recursive
 * tree reads are SQL here, the data layer, and never in routes.
 */

export const XCLERA_TENANT = { slug: 'xclera', currency: 'USDT' } as const;
export const XCLERA_LEVEL_COUNT = 10;
/** Recursive reads stop here whatever the data says, so a bad row can never loop a query. */
const MAX_TREE_DEPTH = 64;

export interface LevelRule {
  levelNumber: number;
  /** USDT minor units (6 decimals). */
  price: bigint;
  serviceFee: bigint;
  minDirectReferrals: number;
  minReferralDepth: number;
  requiresCompleteProfile: boolean;
}

const usdt = (major: number) => BigInt(major) * 1_000_000n;

/**
 * The spec's level requirements: level 1 costs 100 USDT plus a 15 USDT service fee and needs a
 * complete profile; level 2 costs 150 and needs 3 direct referrals; every further level costs 50
 * more and needs a referral depth of level - 1.
 */
export const LEVEL_RULES: readonly LevelRule[] = Array.from({ length: XCLERA_LEVEL_COUNT }, (_, i) => {
  const level = i + 1;
  return {
    levelNumber: level,
    price: usdt(50 + 50 * level),
    serviceFee: level === 1 ? usdt(15) : 0n,
    minDirectReferrals: level === 2 ? 3 : 0,
    minReferralDepth: level >= 3 ? level - 1 : 0,
    requiresCompleteProfile: true,
  };
});

/** Wei for a USDT minor amount at the configured rate (wei per whole USDT). */
export function usdtMinorToWei(minor: bigint, weiPerUsdt: bigint): bigint {
  return (minor * weiPerUsdt) / 1_000_000n;
}

export function weiToUsdtMinor(wei: bigint, weiPerUsdt: bigint): bigint {
  return (wei * 1_000_000n) / weiPerUsdt;
}

export interface ProfileFacts {
  userId: number;
  address: string;
  username: string | null;
  country: string | null;
  phoneNumber: string | null;
  email: string | null;
  referrerId: number | null;
  currentLevel: number;
  isRegisteredOnChain: boolean;
  dateRegistered: Date | null;
}

export const isProfileComplete = (p: Pick<ProfileFacts, 'username' | 'country' | 'phoneNumber'>) =>
  Boolean(p.username && p.country && p.phoneNumber);

/** Addresses are stored lowercase; the API shows them checksummed. */
export const storedAddress = (address: string) => address.toLowerCase();

type Row = {
  user_id: string;
  address: string;
  username: string | null;
  country: string | null;
  phone_number: string | null;
  email: string | null;
  referrer_id: string | null;
  current_level: number;
  is_registered_on_chain: boolean;
  date_registered: Date | string | null;
};

const PROFILE_COLUMNS = `p.user_id, w.address, p.username, p.country, p.phone_number, p.email, p.referrer_id, p.current_level,
  p.is_registered_on_chain, p.date_registered`;

function toFacts(row: Row): ProfileFacts {
  return {
    userId: Number(row.user_id),
    address: row.address,
    username: row.username,
    country: row.country,
    phoneNumber: row.phone_number,
    email: row.email,
    referrerId: row.referrer_id === null ? null : Number(row.referrer_id),
    currentLevel: row.current_level,
    isRegisteredOnChain: row.is_registered_on_chain,
    dateRegistered: row.date_registered === null ? null : new Date(row.date_registered),
  };
}

export async function findProfile(em: EntityManager, by: { userId: number } | { address: string }): Promise<ProfileFacts | null> {
  const [where, param] = 'userId' in by ? ['p.user_id = ?', by.userId] : ['w.address = ?', storedAddress(by.address)];
  const [row] = await em.execute<Row[]>(`select ${PROFILE_COLUMNS} from xclera_profiles p join xclera_wallets w on w.user_id = p.user_id where ${where}`, [param]);
  return row ? toFacts(row) : null;
}

export async function findWalletUser(em: EntityManager, address: string): Promise<number | null> {
  const [row] = await em.execute<{ user_id: string }[]>('select user_id from xclera_wallets where address = ?', [storedAddress(address)]);
  return row ? Number(row.user_id) : null;
}

/** The user a wallet signs in as, created on its first sign-in. Runs in the caller's transaction. */
export async function ensureWalletUser(tx: EntityManager, address: string): Promise<number> {
  const stored = storedAddress(address);
  // Two first sign-ins of one wallet at once must not make two users.
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`xclera-wallet:${stored}`]);
  const existing = await findWalletUser(tx, stored);
  if (existing !== null) return existing;
  const [user] = await tx.execute<{ id: string }[]>(`insert into users (tenant, role) values (?, 'user') returning id`, [XCLERA_TENANT.slug]);
  const id = Number(user!.id);
  await tx.execute('insert into xclera_wallets (user_id, address) values (?, ?)', [id, stored]);
  return id;
}

/** A level-0 profile for the user unless one exists; true when it was created now. */
export async function ensureProfile(tx: EntityManager, userId: number, referrerId: number | null): Promise<boolean> {
  const created = await tx.execute<{ user_id: string }[]>(
    'insert into xclera_profiles (user_id, referrer_id) values (?, ?) on conflict (user_id) do nothing returning user_id',
    [userId, referrerId],
  );
  return created.length > 0;
}

/** Referrals count once they are registered on chain: a level-0 profile costs nothing to make. */
export async function directReferralsCount(em: EntityManager, userId: number): Promise<number> {
  const [row] = await em.execute<{ n: string }[]>(
    'select count(*) as n from xclera_profiles where referrer_id = ? and is_registered_on_chain',
    [userId],
  );
  return Number(row!.n);
}

/** How many generations of registered members stand below the user (0: none). */
export async function maxReferralDepth(em: EntityManager, userId: number): Promise<number> {
  const [row] = await em.execute<{ depth: number | null }[]>(
    `with recursive tree (user_id, depth) as (
       select user_id, 1 from xclera_profiles where referrer_id = ? and is_registered_on_chain
       union all
       select p.user_id, t.depth + 1 from xclera_profiles p join tree t on p.referrer_id = t.user_id
       where p.is_registered_on_chain and t.depth < ${MAX_TREE_DEPTH}
     ) select max(depth)::int as depth from tree`,
    [userId],
  );
  return row?.depth ?? 0;
}

export interface TreeMember extends ProfileFacts {
  depth: number;
}

/** From the direct referrer up to the root, nearest first. */
export async function uplines(em: EntityManager, userId: number): Promise<TreeMember[]> {
  const rows = await em.execute<(Row & { depth: number })[]>(
    `with recursive up (user_id, depth) as (
       select referrer_id, 1 from xclera_profiles where user_id = ? and referrer_id is not null
       union all
       select p.referrer_id, u.depth + 1 from xclera_profiles p join up u on p.user_id = u.user_id
       where p.referrer_id is not null and u.depth < ${MAX_TREE_DEPTH}
     )
     select ${PROFILE_COLUMNS}, u.depth from up u
     join xclera_profiles p on p.user_id = u.user_id join xclera_wallets w on w.user_id = p.user_id
     order by u.depth`,
    [userId],
  );
  return rows.map((r) => ({ ...toFacts(r), depth: r.depth }));
}

/** Everyone referred below the user down to `maxDepth` generations, level by level, one page. */
export async function downlines(
  em: EntityManager,
  userId: number,
  opts: { maxDepth: number; limit: number; offset: number },
): Promise<{ total: number; members: TreeMember[] }> {
  const rows = await em.execute<(Row & { depth: number; total: string })[]>(
    `with recursive down (user_id, depth) as (
       select user_id, 1 from xclera_profiles where referrer_id = ?
       union all
       select p.user_id, d.depth + 1 from xclera_profiles p join down d on p.referrer_id = d.user_id where d.depth < ?
     )
     select ${PROFILE_COLUMNS}, d.depth, count(*) over () as total from down d
     join xclera_profiles p on p.user_id = d.user_id join xclera_wallets w on w.user_id = p.user_id
     order by d.depth, p.user_id limit ? offset ?`,
    [userId, Math.min(opts.maxDepth, MAX_TREE_DEPTH), opts.limit, opts.offset],
  );
  return { total: rows[0] ? Number(rows[0].total) : 0, members: rows.map((r) => ({ ...toFacts(r), depth: r.depth })) };
}

export async function levelRule(em: EntityManager, level: number): Promise<LevelRule | null> {
  const [row] = await em.execute<
    { level_number: number; price: string; service_fee: string; min_direct_referrals: number; min_referral_depth: number; requires_complete_profile: boolean }[]
  >('select * from xclera_levels where level_number = ?', [level]);
  if (!row) return null;
  return {
    levelNumber: row.level_number,
    price: BigInt(row.price),
    serviceFee: BigInt(row.service_fee),
    minDirectReferrals: row.min_direct_referrals,
    minReferralDepth: row.min_referral_depth,
    requiresCompleteProfile: row.requires_complete_profile,
  };
}

/** What the member would look like at phase 1: the stored profile with the request's details over it. */
export interface Candidate {
  userId: number | null;
  currentLevel: number;
  username: string | null;
  country: string | null;
  phoneNumber: string | null;
}

/**
 * Refuses a level the member may not take now, with a message the app can show; returns the
 * level's price. The chain enforces order and price again, so a race cannot skip a level.
 */
export async function assertLevelAllowed(em: EntityManager, candidate: Candidate, target: number): Promise<LevelRule> {
  const refuse = (message: string) => publicError(FailureType.Validation, message, undefined, { publicDetails: { level: target } });
  const next = candidate.currentLevel + 1;
  if (target === 1 && candidate.currentLevel >= 1) throw refuse('This wallet is already registered.');
  if (target > 1 && candidate.currentLevel === 0) throw refuse('Register (level 1) before upgrading.');
  const rule = await levelRule(em, target);
  if (!rule) throw refuse(`There is no level ${target}; the highest level is reached.`);
  if (target !== next) throw refuse(`Levels cannot be skipped: the next level for this wallet is ${next}.`);
  if (rule.requiresCompleteProfile && !isProfileComplete(candidate)) {
    throw refuse(`Level ${target} requires a complete profile: username, country and phone_number.`);
  }
  if (rule.minDirectReferrals > 0) {
    const have = candidate.userId === null ? 0 : await directReferralsCount(em, candidate.userId);
    if (have < rule.minDirectReferrals) {
      throw refuse(`Level ${target} requires at least ${rule.minDirectReferrals} direct referrals registered on chain; this wallet has ${have}.`);
    }
  }
  if (rule.minReferralDepth > 0) {
    const depth = candidate.userId === null ? 0 : await maxReferralDepth(em, candidate.userId);
    if (depth < rule.minReferralDepth) {
      throw refuse(`Level ${target} requires a referral depth of ${rule.minReferralDepth}; this wallet's is ${depth}.`);
    }
  }
  return rule;
}
