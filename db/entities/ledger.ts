import { defineEntity, p } from '@mikro-orm/core';
import { Currency } from './currency.js';
import { Tenant } from './tenant.js';

/**
 * Balances follow TigerBeetle's account model: posted and pending totals per side. A wallet is a
 * liability (credit-normal) whose debits may never exceed its credits; pending debits (holds)
 * count against it at once.
 */
export const LedgerAccount = defineEntity({
  name: 'LedgerAccount',
  tableName: 'ledger_accounts',
  uniques: [{ properties: ['tenant', 'code'] }],
  checks: [
    {
      name: 'ledger_accounts_totals_check',
      expression: 'debits_posted >= 0 and credits_posted >= 0 and debits_pending >= 0 and credits_pending >= 0',
    },
    {
      name: 'ledger_accounts_no_overdraft_check',
      expression: 'not debits_must_not_exceed_credits or debits_posted + debits_pending <= credits_posted',
    },
  ],
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.manyToOne(Tenant).mapToPk().fieldName('tenant').foreignKeyName('ledger_accounts_tenant_fk'),
    currency: p.manyToOne(Currency).mapToPk().fieldName('currency').foreignKeyName('ledger_accounts_currency_fk'),
    code: p.string(),
    userId: p.bigint('number').nullable().index(),
    debitsMustNotExceedCredits: p.boolean().default(false),
    debitsPosted: p.bigint('bigint').default(0),
    creditsPosted: p.bigint('bigint').default(0),
    debitsPending: p.bigint('bigint').default(0),
    creditsPending: p.bigint('bigint').default(0),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/**
 * The books keep their own invariants, whatever code writes to them: an entry balances (checked at
 * commit, once all its lines are in), and posted entries and lines are never changed or removed.
 * Declared here so the schema diff knows them; the migrations hold the same DDL.
 */
const BALANCE_CHECK_FN = `create or replace function journal_entry_must_balance() returns trigger language plpgsql as $$
declare
  checked_entry bigint;
  line_count int;
  debits numeric;
  credits numeric;
begin
  if tg_table_name = 'journal_entries' then
    checked_entry := new.id;
  else
    checked_entry := new.entry_id;
  end if;
  select count(*), coalesce(sum(amount) filter (where direction = 'debit'), 0), coalesce(sum(amount) filter (where direction = 'credit'), 0)
    into line_count, debits, credits
    from journal_lines where entry_id = checked_entry;
  if line_count < 2 or debits <> credits then
    raise exception 'journal entry % does not balance (% lines, debits %, credits %)', checked_entry, line_count, debits, credits
      using errcode = 'check_violation', constraint = 'journal_entries_balanced';
  end if;
  return null;
end $$`;

const IMMUTABLE_FN = `create or replace function journal_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% are immutable: correct a posting with a reversing entry', tg_table_name
    using errcode = 'integrity_constraint_violation';
end $$`;

// The migrations also refuse TRUNCATE; Postgres does not list truncate triggers where the schema
// diff looks, so they are not declared here.
const immutable = (table: string) => ({
  name: `${table}_immutable`,
  timing: 'before' as const,
  events: ['update' as const, 'delete' as const],
  expression: `${IMMUTABLE_FN};\ncreate trigger ${table}_immutable before update or delete on ${table} for each row execute function journal_refuse_change()`,
});

const balanced = (table: string) => ({
  name: `${table}_balanced`,
  timing: 'after' as const,
  events: ['insert' as const],
  expression: `${BALANCE_CHECK_FN};\ncreate constraint trigger ${table}_balanced after insert on ${table} deferrable initially deferred for each row execute function journal_entry_must_balance()`,
});

/** The entity is still being defined where it references itself, so that reference goes by name. */
const JOURNAL_ENTRY_BY_NAME = 'JournalEntry' as unknown as { '~entity': { id: bigint } };

/** Immutable; a correction is a new entry that reverses this one. */
export const JournalEntry = defineEntity({
  name: 'JournalEntry',
  tableName: 'journal_entries',
  triggers: [balanced('journal_entries'), immutable('journal_entries')],
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.string().length(32),
    idempotencyKey: p.string().unique(),
    fingerprint: p.string().length(64),
    description: p.string(),
    reversesEntryId: p
      .manyToOne(JOURNAL_ENTRY_BY_NAME)
      .mapToPk()
      .fieldName('reverses_entry_id')
      .foreignKeyName('journal_entries_reverses_fk')
      .deleteRule('no action')
      .nullable()
      .unique(),
    holdId: p.bigint('bigint').nullable(),
    metadata: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const JournalLine = defineEntity({
  name: 'JournalLine',
  tableName: 'journal_lines',
  checks: [{ name: 'journal_lines_amount_check', expression: 'amount > 0' }],
  triggers: [balanced('journal_lines'), immutable('journal_lines')],
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    entryId: p.manyToOne(JournalEntry).mapToPk().fieldName('entry_id').foreignKeyName('journal_lines_entry_fk').index(),
    accountId: p.manyToOne(LedgerAccount).mapToPk().fieldName('account_id').foreignKeyName('journal_lines_account_fk').index(),
    direction: p.enum(['debit', 'credit'] as const),
    amount: p.bigint('bigint'),
  },
});

export const HOLD_STATUSES = ['pending', 'posted', 'voided', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/** A two-phase transfer: reserved now, later posted (in full or part) or voided, exactly once. */
export const LedgerHold = defineEntity({
  name: 'LedgerHold',
  tableName: 'ledger_holds',
  indexes: [{ properties: ['status', 'expiresAt'] }],
  checks: [
    {
      name: 'ledger_holds_amount_check',
      expression: 'amount > 0 and (posted_amount is null or (posted_amount > 0 and posted_amount <= amount))',
    },
  ],
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.string().length(32),
    idempotencyKey: p.string().unique(),
    debitAccountId: p.manyToOne(LedgerAccount).mapToPk().fieldName('debit_account_id').foreignKeyName('ledger_holds_debit_fk'),
    creditAccountId: p.manyToOne(LedgerAccount).mapToPk().fieldName('credit_account_id').foreignKeyName('ledger_holds_credit_fk'),
    amount: p.bigint('bigint'),
    postedAmount: p.bigint('bigint').nullable(),
    status: p.enum(HOLD_STATUSES).default('pending'),
    description: p.string(),
    expiresAt: p.datetime(),
    postingEntryId: p.bigint('bigint').nullable(),
    resolvedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
