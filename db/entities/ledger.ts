import { defineEntity, p } from '@mikro-orm/core';

/**
 * Balances follow TigerBeetle's account model: posted and pending totals per side. A wallet is a
 * liability (credit-normal) whose debits may never exceed its credits; pending debits (holds)
 * count against it at once.
 */
export const LedgerAccount = defineEntity({
  name: 'LedgerAccount',
  tableName: 'ledger_accounts',
  uniques: [{ properties: ['tenant', 'code'] }],
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.string().length(32),
    currency: p.string().length(3),
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

/** Immutable; a correction is a new entry that reverses this one. */
export const JournalEntry = defineEntity({
  name: 'JournalEntry',
  tableName: 'journal_entries',
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.string().length(32),
    idempotencyKey: p.string().unique(),
    fingerprint: p.string().length(64),
    description: p.string(),
    reversesEntryId: p.bigint('bigint').nullable().unique(),
    holdId: p.bigint('bigint').nullable(),
    metadata: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const JournalLine = defineEntity({
  name: 'JournalLine',
  tableName: 'journal_lines',
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    entryId: p.bigint('bigint').index(),
    accountId: p.bigint('bigint').index(),
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
  properties: {
    id: p.bigint('bigint').primary().autoincrement(),
    tenant: p.string().length(32),
    idempotencyKey: p.string().unique(),
    debitAccountId: p.bigint('bigint'),
    creditAccountId: p.bigint('bigint'),
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
