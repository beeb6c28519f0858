import type { RequestHandler } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACCOUNTS, walletAccountCode } from '../../../core/accounts.js';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { ensureAccount, findAccountId, postJournalEntry } from '../../../core/ledger.js';
import { toMajorNumber } from '../../../core/money.js';
import { MYMOOLAH_ACCOUNTS } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { body } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH, userIdOfWalletId, walletIdOf } from './tenant.js';

/** Names, types and normal sides of the platform's own accounts, as the Ledger API shows them. */
const PLATFORM_ACCOUNTS: Record<string, { name: string; type: string; normalSide: 'debit' | 'credit' }> = {
  [MYMOOLAH_ACCOUNTS.voucherFloat]: { name: 'Voucher float', type: 'liability', normalSide: 'credit' },
  [MYMOOLAH_ACCOUNTS.voucherRedemptions]: { name: 'Voucher redemptions payable to merchants', type: 'liability', normalSide: 'credit' },
  [SYSTEM_ACCOUNTS.paymentsClearing]: { name: 'Payments clearing (Peach)', type: 'asset', normalSide: 'debit' },
  [SYSTEM_ACCOUNTS.vtuClearing]: { name: 'VAS clearing (Flash, MobileMart)', type: 'liability', normalSide: 'credit' },
  [SYSTEM_ACCOUNTS.fees]: { name: 'Fee revenue', type: 'revenue', normalSide: 'credit' },
  [SYSTEM_ACCOUNTS.suspense]: { name: 'Suspense', type: 'liability', normalSide: 'credit' },
};

interface AccountRow {
  id: string;
  code: string;
  user_id: string | null;
  debits_posted: string;
  credits_posted: string;
  name: string | null;
  type: string | null;
  normal_side: 'debit' | 'credit' | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

const ACCOUNTS_SQL = `select a.id, a.code, a.user_id, a.debits_posted, a.credits_posted, m.name, m.type, m.normal_side, p.first_name, p.last_name, u.email
  from ledger_accounts a
  left join mymoolah_ledger_accounts m on m.account_id = a.id
  left join users u on u.id = a.user_id
  left join mymoolah_profiles p on p.user_id = a.user_id
  where a.tenant = ?`;

/** An account as the Ledger API shows it: code and name, and for a wallet its walletId. */
function describe(row: AccountRow) {
  const userId = row.user_id === null ? undefined : Number(row.user_id);
  const holder = [row.first_name, row.last_name].filter(Boolean).join(' ') || row.email || `user ${userId}`;
  const known = row.name
    ? { name: row.name, type: row.type!, normalSide: row.normal_side! }
    : userId !== undefined
      ? { name: `Wallet: ${holder}`, type: 'liability', normalSide: 'credit' as const }
      : (PLATFORM_ACCOUNTS[row.code] ?? { name: row.code, type: 'asset', normalSide: 'debit' as const });
  return { id: Number(row.id), code: row.code, ...known, currency: MYMOOLAH.currency, ...(userId !== undefined && { walletId: walletIdOf(userId) }) };
}

const requireAdmin: RequestHandler = (req, _res, next) => {
  if (requireUser(req).role !== 'admin') return next(publicError(FailureType.Forbidden, 'Only a MyMoolah admin may use the Ledger API'));
  next();
};

/**
 * The Ledger API: admin views onto the platform's one ledger for MyMoolah. Every wallet, the
 * voucher float, clearing and suspense are accounts here by their code; an entry that moves a
 * wallet shows in that wallet's balance and history at once.
 */
export function registerLedgerRoutes({ deps, route, authenticated }: SurfaceRoutes): void {
  const { invalid, unauthorized, forbidden, conflict } = S.ERRORS;

  route(
    {
      method: 'post',
      path: '/api/v1/ledger/accounts',
      summary: 'Open a ledger account (admin)',
      description: 'Codes of 1-32 letters, digits, dots, dashes or underscores; the platform\'s own codes (wallet:<id>, voucher:float, clearing:..., suspense) already exist. 409 ACCOUNT_EXISTS for a taken code.',
      secured: true,
      body: S.AccountBody,
      responses: { 201: { description: 'Opened', schema: S.AccountCreated }, 400: invalid, 401: unauthorized, 403: forbidden, 409: conflict },
    },
    authenticated,
    requireAdmin,
    async (req, res) => {
      const input = body(req, S.AccountBody);
      const created = await deps.em.fork().transactional(async (tx) => {
        if (await findAccountId(tx, MYMOOLAH.slug, input.code)) {
          throw publicError(FailureType.Conflict, `Account ${input.code} already exists`, undefined, { publicDetails: { code: 'ACCOUNT_EXISTS' } });
        }
        const id = await ensureAccount(tx, { tenant: MYMOOLAH.slug, currency: MYMOOLAH.currency, code: input.code, debitsMustNotExceedCredits: false });
        // A racing request for the same code reaches this insert second and fails on its unique account id.
        await tx.execute('insert into mymoolah_ledger_accounts (account_id, name, type, normal_side) values (?, ?, ?, ?)', [id.toString(), input.name, input.type, input.normalSide]);
        return id;
      }).catch((err: unknown) => {
        if (err instanceof DomainError) throw err;
        throw publicError(FailureType.Conflict, `Account ${input.code} already exists`, undefined, { cause: err, publicDetails: { code: 'ACCOUNT_EXISTS' } });
      });
      res.status(201).json({
        success: true,
        message: 'Ledger account created',
        data: { id: Number(created), code: input.code, name: input.name, type: input.type, normalSide: input.normalSide, currency: MYMOOLAH.currency },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/ledger/journal-entries',
      summary: 'Post a balanced journal entry (admin)',
      description:
        'Lines name accounts by code (a wallet also by its walletId); amounts in rand, positive, at most two decimals; debits must equal credits. `reference` is the idempotency key: the same reference with the same lines answers with the first entry (200), with other lines 409 DUPLICATE_REFERENCE. An entry that credits a wallet shows in its balance and transactions at once; one that would overdraw a wallet is refused (INSUFFICIENT_BALANCE).',
      secured: true,
      body: S.JournalBody,
      responses: {
        201: { description: 'Posted', schema: S.JournalPosted },
        200: { description: 'Already posted under this reference', schema: S.JournalPosted },
        400: invalid,
        401: unauthorized,
        403: forbidden,
        409: conflict,
      },
    },
    authenticated,
    requireAdmin,
    async (req, res) => {
      const input = body(req, S.JournalBody);
      const admin = requireUser(req);
      const result = await deps.em.fork().transactional(async (tx) => {
        const accounts = await tx.execute<AccountRow[]>(`${ACCOUNTS_SQL} and a.code in (?)`, [MYMOOLAH.slug, input.lines.map((l) => codeOf(l.accountCode))]);
        const byCode = new Map(accounts.map((a) => [a.code, a]));
        const lines = input.lines.map((l) => {
          const account = byCode.get(codeOf(l.accountCode));
          if (!account) throw publicError(FailureType.Validation, `Unknown account code ${l.accountCode}`, undefined, { publicDetails: { code: 'ACCOUNT_NOT_FOUND' } });
          return { account, direction: l.dc, amount: l.amount };
        });
        const posted = await postJournalEntry(tx, {
          tenant: MYMOOLAH.slug,
          idempotencyKey: `mymoolah:ledger-api:${input.reference}`,
          description: input.description,
          lines: lines.map((l) => ({ accountId: BigInt(l.account.id), direction: l.direction, amount: l.amount })),
          metadata: { reference: input.reference, source: 'ledger-api', postedBy: admin.id },
        }).catch((err: unknown) => {
          if (err instanceof DomainError && err.type === FailureType.IdempotencyKeyReused) {
            throw publicError(FailureType.Conflict, `Reference ${input.reference} was already used for a different entry`, undefined, { cause: err, publicDetails: { code: 'DUPLICATE_REFERENCE' } });
          }
          throw err;
        });
        if (!posted.replayed) await recordWalletMovements(tx, posted.entryId, input.reference, input.description, lines);
        const [entry] = await tx.execute<{ created_at: Date }[]>('select created_at from journal_entries where id = ?', [posted.entryId.toString()]);
        return { posted, createdAt: new Date(entry!.created_at).toISOString(), lines };
      });
      res.status(result.posted.replayed ? 200 : 201).json({
        success: true,
        message: result.posted.replayed ? 'Journal entry already posted under this reference' : 'Journal entry posted',
        data: {
          id: Number(result.posted.entryId),
          reference: input.reference,
          description: input.description,
          lines: result.lines.map((l) => ({ accountCode: l.account.code, accountName: describe(l.account).name, dc: l.direction, amount: toMajorNumber(l.amount, MYMOOLAH.currency) })),
          createdAt: result.createdAt,
        },
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/ledger/trial-balance',
      summary: 'Trial balance of every MyMoolah account (admin)',
      description:
        'Posted totals per account (every wallet with its walletId, the voucher float, clearing and suspense accounts, and accounts opened here), each account\'s balance on its normal side, and its debit or credit balance column; the two columns total the same. Read in one snapshot.',
      secured: true,
      responses: { 200: { description: 'Trial balance', schema: S.TrialBalance }, 401: unauthorized, 403: forbidden },
    },
    authenticated,
    requireAdmin,
    async (_req, res) => {
      const rows = await deps.em.fork().execute<AccountRow[]>(`${ACCOUNTS_SQL} order by a.user_id nulls first, a.code`, [MYMOOLAH.slug]);
      const major = (minor: bigint) => toMajorNumber(minor, MYMOOLAH.currency);
      let debitTotal = 0n;
      let creditTotal = 0n;
      const balances = rows.map((row) => {
        const account = describe(row);
        const debits = BigInt(row.debits_posted);
        const credits = BigInt(row.credits_posted);
        const net = debits - credits;
        if (net > 0n) debitTotal += net;
        else creditTotal -= net;
        return {
          ...account,
          debits: major(debits),
          credits: major(credits),
          balance: major(account.normalSide === 'debit' ? net : -net),
          debitBalance: major(net > 0n ? net : 0n),
          creditBalance: major(net < 0n ? -net : 0n),
        };
      });
      res.json({
        success: true,
        message: 'Trial balance retrieved',
        data: { balances, totals: { debits: major(debitTotal), credits: major(creditTotal), balanced: debitTotal === creditTotal }, currency: MYMOOLAH.currency, asOf: new Date().toISOString() },
      });
    },
  );
}

/** A walletId (WAL-00000042) names that user's wallet account; any other code is the ledger's own. */
function codeOf(accountCode: string): string {
  const userId = userIdOfWalletId(accountCode);
  return userId === undefined ? accountCode : walletAccountCode(userId);
}

/** Each wallet the entry moved gets a history row with its net movement, in the entry's transaction. */
async function recordWalletMovements(
  tx: EntityManager,
  entryId: bigint,
  reference: string,
  description: string,
  lines: Array<{ account: AccountRow; direction: 'debit' | 'credit'; amount: bigint }>,
): Promise<void> {
  const net = new Map<string, bigint>();
  for (const l of lines) {
    if (l.account.user_id === null) continue;
    net.set(l.account.user_id, (net.get(l.account.user_id) ?? 0n) + (l.direction === 'credit' ? l.amount : -l.amount));
  }
  for (const [userId, amount] of net) {
    if (amount === 0n) continue;
    await tx.execute(
      `insert into wallet_transactions (tenant, user_id, kind, status, amount, currency, reference, workflow_id, details)
       values (?, ?, 'adjustment', 'success', ?, 'ZAR', ?, ?, ?)`,
      [
        MYMOOLAH.slug,
        userId,
        (amount < 0n ? -amount : amount).toString(),
        `JE-${entryId}-${userId}`,
        `mymoolah:ledger-entry:${entryId}:wallet:${userId}`,
        JSON.stringify({ entryId: Number(entryId), reference, description, direction: amount < 0n ? 'debit' : 'credit' }),
      ],
    );
  }
}
