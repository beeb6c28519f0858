import { createHash } from 'node:crypto';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType } from './errors.js';

/**
 * The double-entry ledger. Every function here runs inside the caller's transaction (`tx`), so an
 * activity can record its business row and its posting atomically. Balance checks are part of the
 * UPDATE that moves the money, and accounts are always locked in id order, so concurrent postings
 * neither overdraw nor deadlock.
 */

export type Direction = 'debit' | 'credit';

export interface PostingLine {
  accountId: bigint;
  direction: Direction;
  amount: bigint;
}

export interface JournalEntryInput {
  tenant: string;
  idempotencyKey: string;
  description: string;
  lines: PostingLine[];
  metadata?: Record<string, unknown>;
}

export interface PostedEntry {
  entryId: bigint;
  /** True when the key had already been posted and nothing new was written. */
  replayed: boolean;
}

export interface HoldInput {
  tenant: string;
  idempotencyKey: string;
  debitAccountId: bigint;
  creditAccountId: bigint;
  amount: bigint;
  description: string;
  expiresAt: Date;
}

export interface Hold {
  id: bigint;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  amount: bigint;
  postedAmount: bigint | null;
  postingEntryId: bigint | null;
}

export interface AccountBalances {
  accountId: bigint;
  currency: string;
  /** Credits minus debits posted (a wallet's balance). */
  ledger: bigint;
  /** Ledger balance less funds reserved by pending holds. */
  available: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

export interface AccountSpec {
  tenant: string;
  currency: string;
  code: string;
  userId?: number;
  /** Wallets: the holder can never spend more than was credited. */
  debitsMustNotExceedCredits: boolean;
}

type Tx = EntityManager;

export async function ensureAccount(tx: Tx, spec: AccountSpec): Promise<bigint> {
  const inserted = await tx.execute<{ id: string }[]>(
    `insert into ledger_accounts (tenant, currency, code, user_id, debits_must_not_exceed_credits)
     values (?, ?, ?, ?, ?) on conflict (tenant, code) do nothing returning id`,
    [spec.tenant, spec.currency, spec.code, spec.userId ?? null, spec.debitsMustNotExceedCredits],
  );
  if (inserted[0]) return BigInt(inserted[0].id);
  const [row] = await tx.execute<{ id: string; currency: string }[]>(
    'select id, currency from ledger_accounts where tenant = ? and code = ?',
    [spec.tenant, spec.code],
  );
  if (!row) throw new Error(`ledger account ${spec.tenant}/${spec.code} vanished`);
  if (row.currency !== spec.currency) {
    throw new DomainError(FailureType.Conflict, `account ${spec.code} is in ${row.currency}, not ${spec.currency}`);
  }
  return BigInt(row.id);
}

export async function findAccountId(tx: Tx, tenant: string, code: string): Promise<bigint | null> {
  const [row] = await tx.execute<{ id: string }[]>('select id from ledger_accounts where tenant = ? and code = ?', [
    tenant,
    code,
  ]);
  return row ? BigInt(row.id) : null;
}

export async function postJournalEntry(tx: Tx, input: JournalEntryInput): Promise<PostedEntry> {
  return insertEntry(tx, input, { holdId: null, reversesEntryId: null, applyToAccounts: true });
}

export async function placeHold(tx: Tx, input: HoldInput): Promise<Hold> {
  if (input.amount <= 0n) throw new DomainError(FailureType.Validation, 'a hold must be for a positive amount');
  if (input.debitAccountId === input.creditAccountId) {
    throw new DomainError(FailureType.Validation, 'a hold needs two different accounts');
  }
  const inserted = await tx.execute<{ id: string }[]>(
    `insert into ledger_holds (tenant, idempotency_key, debit_account_id, credit_account_id, amount, description, expires_at)
     values (?, ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing returning id`,
    [
      input.tenant,
      input.idempotencyKey,
      input.debitAccountId.toString(),
      input.creditAccountId.toString(),
      input.amount.toString(),
      input.description,
      input.expiresAt,
    ],
  );
  if (!inserted[0]) {
    const existing = await lockHoldByKey(tx, input.idempotencyKey);
    if (existing.amount !== input.amount) {
      throw new DomainError(FailureType.IdempotencyKeyReused, `hold key ${input.idempotencyKey} was used for another amount`);
    }
    return existing;
  }
  const id = BigInt(inserted[0].id);
  await applyDeltas(tx, input.tenant, [
    { accountId: input.debitAccountId, debitsPending: input.amount },
    { accountId: input.creditAccountId, creditsPending: input.amount },
  ]);
  return { id, status: 'pending', amount: input.amount, postedAmount: null, postingEntryId: null };
}

/**
 * Posts a pending hold, in full or in part; posting it again returns the first posting.
 * `byOwner`: the flow that placed the hold may post it after its expiry, since expiry only tells
 * the sweeper when an abandoned hold may go, and the sweeper leaves a live flow's hold alone.
 */
export async function postHold(tx: Tx, holdId: bigint, amount?: bigint, opts: { byOwner?: boolean } = {}): Promise<PostedEntry> {
  const hold = await lockHold(tx, holdId);
  const toPost = amount ?? hold.amount;
  if (hold.status === 'posted' && hold.postingEntryId !== null && hold.postedAmount === toPost) {
    return { entryId: hold.postingEntryId, replayed: true };
  }
  if (hold.status !== 'pending') {
    throw new DomainError(FailureType.HoldNotPending, `hold ${holdId} is ${hold.status}`);
  }
  if (!opts.byOwner && hold.expiresAt.getTime() <= Date.now()) {
    throw new DomainError(FailureType.HoldExpired, `hold ${holdId} expired at ${hold.expiresAt.toISOString()}`);
  }
  if (toPost <= 0n || toPost > hold.amount) {
    throw new DomainError(FailureType.HoldExceeded, `hold ${holdId} reserved ${hold.amount}; cannot post ${toPost}`);
  }
  await applyDeltas(tx, hold.tenant, [
    { accountId: hold.debitAccountId, debitsPending: -hold.amount, debitsPosted: toPost },
    { accountId: hold.creditAccountId, creditsPending: -hold.amount, creditsPosted: toPost },
  ]);
  const entry = await insertEntry(
    tx,
    {
      tenant: hold.tenant,
      idempotencyKey: `hold:${holdId}:post`,
      description: hold.description,
      lines: [
        { accountId: hold.debitAccountId, direction: 'debit', amount: toPost },
        { accountId: hold.creditAccountId, direction: 'credit', amount: toPost },
      ],
    },
    { holdId, reversesEntryId: null, applyToAccounts: false },
  );
  await tx.execute(
    `update ledger_holds set status = 'posted', posted_amount = ?, posting_entry_id = ?, resolved_at = now() where id = ?`,
    [toPost.toString(), entry.entryId.toString(), holdId.toString()],
  );
  return entry;
}

/** Releases a pending hold; voiding an already voided or expired hold is a no-op. */
export async function voidHold(tx: Tx, holdId: bigint, reason: 'voided' | 'expired' = 'voided'): Promise<Hold> {
  const hold = await lockHold(tx, holdId);
  if (hold.status === 'voided' || hold.status === 'expired') return toHold(hold);
  // The sweeper may find a hold that was posted meanwhile; that is not an error for it.
  if (reason === 'expired' && hold.status === 'posted') return toHold(hold);
  if (hold.status !== 'pending') {
    throw new DomainError(FailureType.HoldNotPending, `hold ${holdId} is ${hold.status}`);
  }
  await applyDeltas(tx, hold.tenant, [
    { accountId: hold.debitAccountId, debitsPending: -hold.amount },
    { accountId: hold.creditAccountId, creditsPending: -hold.amount },
  ]);
  await tx.execute(`update ledger_holds set status = ?, resolved_at = now() where id = ?`, [reason, holdId.toString()]);
  return { ...toHold(hold), status: reason };
}

/**
 * A correction: a new entry with every line's side swapped. An entry can be reversed once; the
 * entry's row lock makes a second, racing reversal wait and then see the first.
 */
export async function reverseJournalEntry(tx: Tx, entryId: bigint, idempotencyKey: string): Promise<PostedEntry> {
  const [entry] = await tx.execute<{ tenant: string; description: string }[]>(
    'select tenant, description from journal_entries where id = ? for update',
    [entryId.toString()],
  );
  if (!entry) throw new DomainError(FailureType.NotFound, `journal entry ${entryId} not found`);
  const [already] = await tx.execute<{ id: string; idempotency_key: string }[]>(
    'select id, idempotency_key from journal_entries where reverses_entry_id = ?',
    [entryId.toString()],
  );
  if (already) {
    if (already.idempotency_key === idempotencyKey) return { entryId: BigInt(already.id), replayed: true };
    throw new DomainError(FailureType.AlreadyReversed, `journal entry ${entryId} was already reversed`);
  }
  const lines = await tx.execute<{ account_id: string; direction: Direction; amount: string }[]>(
    'select account_id, direction, amount from journal_lines where entry_id = ? order by id',
    [entryId.toString()],
  );
  return insertEntry(
    tx,
    {
      tenant: entry.tenant,
      idempotencyKey,
      description: `reversal of ${entryId}: ${entry.description}`,
      lines: lines.map((l) => ({
        accountId: BigInt(l.account_id),
        direction: l.direction === 'debit' ? 'credit' : 'debit',
        amount: BigInt(l.amount),
      })),
    },
    { holdId: null, reversesEntryId: entryId, applyToAccounts: true },
  );
}

export async function getBalances(tx: Tx, accountId: bigint): Promise<AccountBalances> {
  const [row] = await tx.execute<
    {
      currency: string;
      debits_posted: string;
      credits_posted: string;
      debits_pending: string;
      credits_pending: string;
    }[]
  >(
    'select currency, debits_posted, credits_posted, debits_pending, credits_pending from ledger_accounts where id = ?',
    [accountId.toString()],
  );
  if (!row) throw new DomainError(FailureType.NotFound, `ledger account ${accountId} not found`);
  const ledger = BigInt(row.credits_posted) - BigInt(row.debits_posted);
  return {
    accountId,
    currency: row.currency,
    ledger,
    available: availableOf(row),
    pendingDebits: BigInt(row.debits_pending),
    pendingCredits: BigInt(row.credits_pending),
  };
}

/** What an owner may spend: posted credits less posted debits and debits held for pending purchases. */
function availableOf(row: { credits_posted: string; debits_posted: string; debits_pending: string }): bigint {
  return BigInt(row.credits_posted) - BigInt(row.debits_posted) - BigInt(row.debits_pending);
}

/** Available balances of many accounts of one tenant by code, in one query (a list page of wallets); unknown codes are absent. */
export async function availableBalances(tx: Tx, tenant: string, codes: string[]): Promise<Map<string, bigint>> {
  if (!codes.length) return new Map();
  const rows = await tx.execute<{ code: string; credits_posted: string; debits_posted: string; debits_pending: string }[]>(
    'select code, credits_posted, debits_posted, debits_pending from ledger_accounts where tenant = ? and code in (?)',
    [tenant, codes],
  );
  return new Map(rows.map((row) => [row.code, availableOf(row)]));
}

export interface TrialBalance {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  /** Sums over journal lines, which must agree with the account totals. */
  lineDebits: bigint;
  lineCredits: bigint;
}

/** Account totals and journal lines from one statement, so both come from one snapshot. */
export async function trialBalance(tx: Tx, tenant?: string): Promise<TrialBalance> {
  const [row] = await tx.execute<Record<'dp' | 'cp' | 'dq' | 'cq' | 'd' | 'c', string>[]>(
    `select a.dp, a.cp, a.dq, a.cq, l.d, l.c
     from (select coalesce(sum(debits_posted), 0) as dp, coalesce(sum(credits_posted), 0) as cp,
                  coalesce(sum(debits_pending), 0) as dq, coalesce(sum(credits_pending), 0) as cq
           from ledger_accounts ${tenant ? 'where tenant = ?' : ''}) a,
          (select coalesce(sum(l.amount) filter (where l.direction = 'debit'), 0) as d,
                  coalesce(sum(l.amount) filter (where l.direction = 'credit'), 0) as c
           from journal_lines l join journal_entries e on e.id = l.entry_id ${tenant ? 'where e.tenant = ?' : ''}) l`,
    tenant ? [tenant, tenant] : [],
  );
  return {
    debitsPosted: BigInt(row!.dp),
    creditsPosted: BigInt(row!.cp),
    debitsPending: BigInt(row!.dq),
    creditsPending: BigInt(row!.cq),
    lineDebits: BigInt(row!.d),
    lineCredits: BigInt(row!.c),
  };
}

// ---------------------------------------------------------------------------------------------

interface AccountDelta {
  accountId: bigint;
  debitsPosted?: bigint;
  creditsPosted?: bigint;
  debitsPending?: bigint;
  creditsPending?: bigint;
}

interface LockedHold {
  id: bigint;
  tenant: string;
  status: Hold['status'];
  amount: bigint;
  postedAmount: bigint | null;
  postingEntryId: bigint | null;
  debitAccountId: bigint;
  creditAccountId: bigint;
  description: string;
  expiresAt: Date;
}

async function insertEntry(
  tx: Tx,
  input: JournalEntryInput,
  opts: { holdId: bigint | null; reversesEntryId: bigint | null; applyToAccounts: boolean },
): Promise<PostedEntry> {
  validateLines(input.lines);
  const fingerprint = fingerprintOf(input.lines);
  // Entry and lines in one statement: a conflicting key inserts neither.
  const inserted = await tx
    .execute<{ id: string }[]>(
    `with entry as (
       insert into journal_entries (tenant, idempotency_key, fingerprint, description, metadata, hold_id, reverses_entry_id)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing returning id
     ), lines as (
       insert into journal_lines (entry_id, account_id, direction, amount)
       select entry.id, l.account_id, l.direction, l.amount
       from entry, unnest(?::bigint[], ?::text[], ?::bigint[]) as l(account_id, direction, amount)
     )
     select id from entry`,
    [
      input.tenant,
      input.idempotencyKey,
      fingerprint,
      input.description,
      JSON.stringify(input.metadata ?? {}),
      opts.holdId?.toString() ?? null,
      opts.reversesEntryId?.toString() ?? null,
      pgArray(input.lines.map((l) => l.accountId)),
      pgArray(input.lines.map((l) => l.direction)),
      pgArray(input.lines.map((l) => l.amount)),
    ],
    )
    .catch((err: unknown) => {
      if (err instanceof ForeignKeyConstraintViolationException) {
        throw new DomainError(FailureType.NotFound, 'a ledger account of this entry does not exist', undefined, { cause: err });
      }
      // Reversals lock the entry first, so this only meets a reversal that bypassed that lock.
      if (err instanceof UniqueConstraintViolationException && /journal_entries_reverses_entry_id_unique/.test(err.message)) {
        throw new DomainError(FailureType.AlreadyReversed, `journal entry ${opts.reversesEntryId} was already reversed`, undefined, {
          cause: err,
        });
      }
      throw err;
    });
  if (!inserted[0]) {
    const [existing] = await tx.execute<{ id: string; fingerprint: string }[]>(
      'select id, fingerprint from journal_entries where idempotency_key = ?',
      [input.idempotencyKey],
    );
    if (!existing) throw new Error(`journal entry ${input.idempotencyKey} conflicted but cannot be read`);
    if (existing.fingerprint !== fingerprint) {
      throw new DomainError(
        FailureType.IdempotencyKeyReused,
        `posting key ${input.idempotencyKey} was already used for different lines`,
      );
    }
    return { entryId: BigInt(existing.id), replayed: true };
  }
  const entryId = BigInt(inserted[0].id);
  if (opts.applyToAccounts) {
    const deltas = new Map<bigint, AccountDelta>();
    for (const line of input.lines) {
      const d = deltas.get(line.accountId) ?? { accountId: line.accountId, debitsPosted: 0n, creditsPosted: 0n };
      if (line.direction === 'debit') d.debitsPosted = (d.debitsPosted ?? 0n) + line.amount;
      else d.creditsPosted = (d.creditsPosted ?? 0n) + line.amount;
      deltas.set(line.accountId, d);
    }
    await applyDeltas(tx, input.tenant, [...deltas.values()]);
  }
  return { entryId, replayed: false };
}

/**
 * Moves the totals of each account, in id order, checking the no-overdraft rule in the same
 * statement. The row lock taken by the UPDATE serializes concurrent spenders of one wallet.
 */
async function applyDeltas(tx: Tx, tenant: string, deltas: AccountDelta[]): Promise<void> {
  const ordered = [...deltas].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const currencies = new Set<string>();
  for (const d of ordered) {
    const dp = d.debitsPosted ?? 0n;
    const cp = d.creditsPosted ?? 0n;
    const dq = d.debitsPending ?? 0n;
    const cq = d.creditsPending ?? 0n;
    const rows = await tx.execute<{ currency: string }[]>(
      `update ledger_accounts
       set debits_posted = debits_posted + ?, credits_posted = credits_posted + ?,
           debits_pending = debits_pending + ?, credits_pending = credits_pending + ?
       where id = ? and tenant = ?
         and (not debits_must_not_exceed_credits
              or debits_posted + ? + debits_pending + ? <= credits_posted + ?)
       returning currency`,
      [dp, cp, dq, cq, d.accountId, tenant, dp, dq, cp].map((v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    if (!rows[0]) {
      const [exists] = await tx.execute<{ id: string }[]>('select id from ledger_accounts where id = ? and tenant = ?', [
        d.accountId.toString(),
        tenant,
      ]);
      if (!exists) throw new DomainError(FailureType.NotFound, `ledger account ${d.accountId} not found in ${tenant}`);
      throw new DomainError(FailureType.InsufficientFunds, 'insufficient funds', { accountId: d.accountId.toString() });
    }
    currencies.add(rows[0].currency);
  }
  if (currencies.size > 1) {
    throw new DomainError(FailureType.UnbalancedEntry, `an entry cannot mix currencies (${[...currencies].join(', ')})`);
  }
}

function validateLines(lines: PostingLine[]): void {
  if (lines.length < 2) throw new DomainError(FailureType.UnbalancedEntry, 'an entry needs at least two lines');
  let debits = 0n;
  let credits = 0n;
  for (const line of lines) {
    if (line.amount <= 0n) throw new DomainError(FailureType.UnbalancedEntry, 'every line amount must be positive');
    if (line.direction === 'debit') debits += line.amount;
    else credits += line.amount;
  }
  if (debits !== credits) {
    throw new DomainError(FailureType.UnbalancedEntry, `debits ${debits} do not equal credits ${credits}`);
  }
}

/** The ORM expands JS arrays into lists, so arrays go to Postgres as literals of plain tokens. */
function pgArray(values: Array<bigint | string>): string {
  return `{${values.join(',')}}`;
}

function fingerprintOf(lines: PostingLine[]): string {
  const canonical = lines
    .map((l) => `${l.accountId}:${l.direction}:${l.amount}`)
    .sort()
    .join('|');
  return createHash('sha256').update(canonical).digest('hex');
}

async function lockHold(tx: Tx, holdId: bigint): Promise<LockedHold> {
  const rows = await tx.execute<HoldRow[]>('select * from ledger_holds where id = ? for update', [holdId.toString()]);
  if (!rows[0]) throw new DomainError(FailureType.NotFound, `hold ${holdId} not found`);
  return fromRow(rows[0]);
}

async function lockHoldByKey(tx: Tx, key: string): Promise<Hold> {
  const rows = await tx.execute<HoldRow[]>('select * from ledger_holds where idempotency_key = ? for update', [key]);
  if (!rows[0]) throw new Error(`hold ${key} conflicted but cannot be read`);
  return toHold(fromRow(rows[0]));
}

interface HoldRow {
  id: string;
  tenant: string;
  status: Hold['status'];
  amount: string;
  posted_amount: string | null;
  posting_entry_id: string | null;
  debit_account_id: string;
  credit_account_id: string;
  description: string;
  expires_at: Date | string;
}

function fromRow(r: HoldRow): LockedHold {
  return {
    id: BigInt(r.id),
    tenant: r.tenant,
    status: r.status,
    amount: BigInt(r.amount),
    postedAmount: r.posted_amount === null ? null : BigInt(r.posted_amount),
    postingEntryId: r.posting_entry_id === null ? null : BigInt(r.posting_entry_id),
    debitAccountId: BigInt(r.debit_account_id),
    creditAccountId: BigInt(r.credit_account_id),
    description: r.description,
    expiresAt: new Date(r.expires_at),
  };
}

function toHold(h: LockedHold): Hold {
  return { id: h.id, status: h.status, amount: h.amount, postedAmount: h.postedAmount, postingEntryId: h.postingEntryId };
}

/**
 * Moves a pending hold's expiry out, so that the flow that owns it (a purchase under review) can
 * still post or void it after the usual expiry; the sweeper leaves it alone meanwhile.
 */
export async function keepHoldForReview(tx: Tx, holdId: bigint, until: Date): Promise<void> {
  await tx.execute(`update ledger_holds set expires_at = greatest(expires_at, ?) where id = ? and status = 'pending'`, [
    until,
    holdId.toString(),
  ]);
}
