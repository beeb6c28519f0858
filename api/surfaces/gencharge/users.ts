import { randomInt } from 'node:crypto';
import type { FilterQuery, InferEntity } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { walletAccountCode } from '../../../core/accounts.js';
import { FailureType, publicError } from '../../../core/errors.js';
import { availableBalances } from '../../../core/ledger.js';
import { createVerifiedUser, findLiveUserByIdentifier, type VerifiedIdentifier } from '../../../core/identity.js';
import { toMajorNumber } from '../../../core/money.js';
import { revokeAllSessions } from '../../../core/tokens.js';
import {
  GenChargePendingSignup,
  GenChargePreferences,
  GenChargeProfile,
  User,
  type GenChargeUserStatus,
  type GenChargeUserType,
} from '../../../db/entities/index.js';
import { contains, pageOptions, type ListPage } from './listing.js';
import { GENCHARGE, fromE164 } from './tenant.js';

/**
 * GenCharge's mobile users: sign-up, the profile beside the platform user row, the wallet balance
 * read from the ledger, blocking, archiving and preferences. Routes validate and authorize; these
 * functions hold the rules.
 */

type Profile = InferEntity<typeof GenChargeProfile>;
type Preferences = InferEntity<typeof GenChargePreferences>;
type ProfileFilter = FilterQuery<Profile>;

const PHONE_TAKEN = 'An account with this phone number already exists. Log in instead.';
const EMAIL_TAKEN = 'An account with this email already exists.';
const USER_NOT_FOUND = 'User not found';

/** Referral codes avoid letters and digits that read alike (0/O, 1/I/L). */
const REFERRAL_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const REFERRAL_LENGTH = 8;

export const PREFERENCE_FLAGS = [
  'email_notification',
  'sms_notification',
  'marketing_communication',
  'recharge_remainders',
  'promotional_offers',
  'transactional_alerts',
  'data_analytics',
  'third_party_integrations',
] as const;
export type PreferenceFlags = Record<(typeof PREFERENCE_FLAGS)[number], boolean>;

const PREFERENCE_PROPERTIES = {
  email_notification: 'emailNotification',
  sms_notification: 'smsNotification',
  marketing_communication: 'marketingCommunication',
  recharge_remainders: 'rechargeRemainders',
  promotional_offers: 'promotionalOffers',
  transactional_alerts: 'transactionalAlerts',
  data_analytics: 'dataAnalytics',
  third_party_integrations: 'thirdPartyIntegrations',
} as const satisfies Record<keyof PreferenceFlags, keyof Preferences>;

/** A user's profile and account, as every user view is built from. */
export interface UserRecordView {
  user_id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  referral_code: string;
  referee_code: string | null;
  user_type: GenChargeUserType;
  status: GenChargeUserStatus;
  /** Rupees, as the app shows them; the ledger holds paise. */
  wallet_balance: number;
  created_at: string;
  deleted_at: string | null;
}

function view(profile: Profile, balancePaise: bigint): UserRecordView {
  const user = profile.user;
  return {
    user_id: user.id,
    name: profile.name,
    email: user.email ?? null,
    phone_number: fromE164(user.phone),
    referral_code: profile.referralCode,
    referee_code: profile.refereeCode ?? null,
    user_type: profile.userType,
    status: profile.status,
    wallet_balance: toMajorNumber(balancePaise, GENCHARGE.currency),
    created_at: user.createdAt.toISOString(),
    deleted_at: user.deletedAt?.toISOString() ?? null,
  };
}

/** Available wallet balances in paise, one query for a whole page. */
async function walletBalances(em: EntityManager, userIds: number[]): Promise<Map<number, bigint>> {
  const byCode = await availableBalances(em, GENCHARGE.slug, userIds.map(walletAccountCode));
  return new Map(userIds.map((id) => [id, byCode.get(walletAccountCode(id)) ?? 0n]));
}

async function views(em: EntityManager, profiles: Profile[]): Promise<UserRecordView[]> {
  const balances = await walletBalances(em, profiles.map((p) => p.user.id));
  return profiles.map((p) => view(p, balances.get(p.user.id) ?? 0n));
}

async function liveProfile(em: EntityManager, userId: number): Promise<Profile> {
  const profile = await em.findOne(GenChargeProfile, { user: { id: userId, tenant: GENCHARGE.slug, deletedAt: null } }, { populate: ['user'] });
  if (!profile) throw publicError(FailureType.NotFound, USER_NOT_FOUND);
  return profile;
}

/** One live user's view, with the balance as the ledger has it now. */
export async function userView(em: EntityManager, userId: number): Promise<UserRecordView> {
  const [one] = await views(em, [await liveProfile(em.fork(), userId)]);
  return one!;
}

const phoneIdentity = (phone: string): VerifiedIdentifier => ({ identifier: phone, channel: 'sms' });

/**
 * Step one of sign-up: remembers the account type chosen for the phone until `/auth/register`.
 * A phone that a live account holds is refused, so the code is never sent for it.
 */
export async function startSignup(em: EntityManager, phone: string, userType: GenChargeUserType): Promise<void> {
  await em.fork().transactional(async (tx) => {
    if (await findLiveUserByIdentifier(tx, GENCHARGE.slug, phoneIdentity(phone))) throw publicError(FailureType.Conflict, PHONE_TAKEN);
    await tx.upsert(GenChargePendingSignup, { phone, userType, requestedAt: new Date() });
  });
}

export interface Registration {
  name: string;
  email: string;
  refereeCode?: string | null;
}

/**
 * Creates the user of a verified phone: the platform user (role user), a zero INR wallet, the
 * profile with its own referral code and the default preferences, in one transaction with the
 * spending of the verification token, so a refused registration writes nothing and leaves the
 * token unspent.
 */
export async function registerUser(
  em: EntityManager,
  spendVerification: (tx: EntityManager) => Promise<VerifiedIdentifier>,
  input: Registration,
): Promise<UserRecordView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await registerOnce(em, spendVerification, input);
    } catch (err) {
      // Two registrations drew one referral code at once: the loser's transaction rolled back
      // whole (its token unspent), so it simply runs again with a new draw.
      if (attempt < 3 && err instanceof UniqueConstraintViolationException && /gencharge_profiles_referral_code_unique/.test(err.message)) continue;
      throw emailConflict(err);
    }
  }
}

async function registerOnce(
  em: EntityManager,
  spendVerification: (tx: EntityManager) => Promise<VerifiedIdentifier>,
  input: Registration,
): Promise<UserRecordView> {
  const userId = await em.fork().transactional(async (tx) => {
    const identity = await spendVerification(tx);
    if (input.refereeCode && !(await tx.count(GenChargeProfile, { referralCode: input.refereeCode, user: { deletedAt: null } }))) {
      const message = 'Value error, referee_code is not a valid referral code';
      throw publicError(FailureType.Validation, message, { fields: { referee_code: [message] } });
    }
    await assertEmailFree(tx, input.email);
    const outcome = await createVerifiedUser(tx, { tenant: GENCHARGE.slug, currency: GENCHARGE.currency }, identity);
    if ('existing' in outcome) throw publicError(FailureType.Conflict, PHONE_TAKEN);
    const id = outcome.created.id;
    const pending = await tx.findOne(GenChargePendingSignup, { phone: identity.identifier });
    if (!pending) throw publicError(FailureType.Validation, 'No sign-up is in progress for this phone number. Start again at /auth/signup.');
    await tx.nativeUpdate(User, { id }, { email: input.email });
    tx.create(GenChargeProfile, {
      user: id,
      name: input.name,
      userType: pending.userType,
      status: 'active',
      referralCode: await freeReferralCode(tx),
      refereeCode: input.refereeCode ?? null,
    });
    tx.create(GenChargePreferences, { user: id });
    tx.remove(pending);
    await tx.flush();
    return id;
  });
  return await userView(em, userId);
}

/** A unique violation on the live-email index (a racing registration or update) is the same 409 as the check. */
function emailConflict(err: unknown): unknown {
  if (err instanceof UniqueConstraintViolationException && /users_tenant_email_unique/.test(err.message)) {
    return publicError(FailureType.Conflict, EMAIL_TAKEN, undefined, { cause: err });
  }
  return err;
}

async function assertEmailFree(tx: EntityManager, email: string, exceptUserId?: number): Promise<void> {
  const taken = await tx.count(User, { tenant: GENCHARGE.slug, email, deletedAt: null, ...(exceptUserId !== undefined && { id: { $ne: exceptUserId } }) });
  if (taken) throw publicError(FailureType.Conflict, EMAIL_TAKEN);
}

/** 31^8 codes: a clash is rare, and the unique index has the last word on a race. */
async function freeReferralCode(tx: EntityManager): Promise<string> {
  for (;;) {
    const code = Array.from({ length: REFERRAL_LENGTH }, () => REFERRAL_ALPHABET[randomInt(REFERRAL_ALPHABET.length)]).join('');
    if (!(await tx.count(GenChargeProfile, { referralCode: code }))) return code;
  }
}

export interface UserFilters {
  name?: string;
  email?: string;
  phone?: string;
  status?: GenChargeUserStatus;
  user_type?: GenChargeUserType;
}

/** The API's sort names and the properties they order by. */
export const USER_SORT_COLUMNS = {
  user_id: 'user',
  name: 'name',
  email: 'user.email',
  phone_number: 'user.phone',
  user_type: 'userType',
  status: 'status',
  created_at: 'user.createdAt',
  deleted_at: 'user.deletedAt',
} as const;

/** Live users (archived ones when `archived`), filtered, one page, and how many match. */
export async function listUsers(em: EntityManager, filters: UserFilters, page: ListPage, archived = false): Promise<{ items: UserRecordView[]; total: number }> {
  const where: ProfileFilter = {
    user: {
      tenant: GENCHARGE.slug,
      deletedAt: archived ? { $ne: null } : null,
      ...(filters.email && { email: contains(filters.email) }),
      ...(filters.phone && { phone: contains(filters.phone) }),
    },
    ...(filters.name && { name: contains(filters.name) }),
    ...(filters.status && { status: filters.status }),
    ...(filters.user_type && { userType: filters.user_type }),
  };
  const fork = em.fork();
  const [profiles, total] = await fork.findAndCount(GenChargeProfile, where, { populate: ['user'], ...pageOptions(page, USER_SORT_COLUMNS, 'user') } as never);
  return { items: await views(fork, profiles as Profile[]), total };
}

/**
 * Blocking ends every login of the user at once; unblocking makes a blocked account active (an
 * account the user deactivated themselves stays inactive).
 */
export async function setBlocked(em: EntityManager, userId: number, blocked: boolean): Promise<UserRecordView> {
  await em.fork().transactional(async (tx) => {
    const profile = await liveProfile(tx, userId);
    if (blocked) profile.status = 'blocked';
    else if (profile.status === 'blocked') profile.status = 'active';
    profile.updatedAt = new Date();
    await tx.flush();
    if (blocked) await revokeAllSessions(tx, GENCHARGE.slug, userId);
  });
  return userView(em, userId);
}

/**
 * Archives a user: the row, profile and ledger stay (the archived list shows them), every login
 * ends, and the phone and email are free to sign up again.
 */
export async function archiveUser(em: EntityManager, userId: number): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const profile = await liveProfile(tx, userId);
    profile.user.deletedAt = new Date();
    await tx.flush();
    await revokeAllSessions(tx, GENCHARGE.slug, userId);
  });
}

export async function updateEmail(em: EntityManager, userId: number, email: string): Promise<UserRecordView> {
  try {
    await em.fork().transactional(async (tx) => {
      const profile = await liveProfile(tx, userId);
      await assertEmailFree(tx, email, userId);
      profile.user.email = email;
      await tx.flush();
    });
  } catch (err) {
    throw emailConflict(err);
  }
  return userView(em, userId);
}

/** The user's own changes: account type, and deactivating or reactivating (a blocked account stays blocked). */
export async function updateProfile(em: EntityManager, userId: number, change: { userType?: GenChargeUserType; status?: 'active' | 'inactive' }): Promise<UserRecordView> {
  await em.fork().transactional(async (tx) => {
    const profile = await liveProfile(tx, userId);
    if (change.status && profile.status === 'blocked') throw publicError(FailureType.Forbidden, 'This account is blocked. Contact GenCharge support.');
    if (change.userType) profile.userType = change.userType;
    if (change.status) profile.status = change.status;
    profile.updatedAt = new Date();
    await tx.flush();
  });
  return userView(em, userId);
}

function preferenceFlags(row: Preferences): PreferenceFlags {
  return Object.fromEntries(PREFERENCE_FLAGS.map((flag) => [flag, row[PREFERENCE_PROPERTIES[flag]]])) as PreferenceFlags;
}

async function preferencesRow(tx: EntityManager, userId: number): Promise<Preferences> {
  return (await tx.findOne(GenChargePreferences, { user: userId })) ?? tx.create(GenChargePreferences, { user: userId });
}

/** The user's eight switches; a user without a row yet has the defaults. */
export async function getPreferences(em: EntityManager, userId: number): Promise<PreferenceFlags & { user_id: number }> {
  const fork = em.fork();
  const row = await preferencesRow(fork, userId);
  await fork.flush();
  return { user_id: userId, ...preferenceFlags(row) };
}

/** Replaces all eight switches. */
export async function putPreferences(em: EntityManager, userId: number, flags: PreferenceFlags): Promise<PreferenceFlags & { user_id: number }> {
  const fork = em.fork();
  const row = await preferencesRow(fork, userId);
  for (const flag of PREFERENCE_FLAGS) row[PREFERENCE_PROPERTIES[flag]] = flags[flag];
  row.updatedAt = new Date();
  await fork.flush();
  return { user_id: userId, ...preferenceFlags(row) };
}
