import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { initORM, migrate, type Orm } from '../../db/orm.js';
import { ensureAccount, postJournalEntry, trialBalance, type PostingLine } from '../../core/ledger.js';

export async function openTestOrm(): Promise<Orm> {
  return initORM(requireEnv('DATABASE_URL'), { pool: { max: 20 } });
}

/**
 * An ORM on a database of the caller's own, migrated, in the suite's Postgres: for tests whose
 * flows run on another Temporal server, so that no other file's housekeeping sweeps their holds
 * (nor theirs the others').
 */
export async function openIsolatedTestOrm(): Promise<Orm> {
  const name = `isolated_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = await openTestOrm();
  try {
    await admin.em.fork().execute(`create database ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(requireEnv('DATABASE_URL'));
  url.pathname = `/${name}`;
  const orm = await initORM(url.toString(), { pool: { max: 20 } });
  await migrate(orm);
  return orm;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through \`npm test\``);
  return value;
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A fresh pair of accounts in the Maxtera tenant: a wallet that cannot overdraw, and a source. */
export async function freshAccounts(em: EntityManager): Promise<{ wallet: bigint; source: bigint }> {
  return em.fork().transactional(async (tx) => ({
    wallet: await ensureAccount(tx, {
      tenant: 'maxtera',
      currency: 'NGN',
      code: uniqueId('wallet'),
      debitsMustNotExceedCredits: true,
    }),
    source: await ensureAccount(tx, {
      tenant: 'maxtera',
      currency: 'NGN',
      code: uniqueId('source'),
      debitsMustNotExceedCredits: false,
    }),
  }));
}

/** Every posting and every hold in the database, across all tenants, must net to zero. */
export async function expectTrialBalanceZero(em: EntityManager): Promise<void> {
  const tb = await trialBalance(em.fork());
  expect(tb.debitsPosted).toBe(tb.creditsPosted);
  expect(tb.debitsPending).toBe(tb.creditsPending);
  expect(tb.lineDebits).toBe(tb.debitsPosted);
  expect(tb.lineCredits).toBe(tb.creditsPosted);
}

export const transfer = (from: bigint, to: bigint, amount: bigint): PostingLine[] => [
  { accountId: from, direction: 'debit', amount },
  { accountId: to, direction: 'credit', amount },
];

/** Moves money between two Maxtera accounts in its own posting. */
export async function fundAccount(em: EntityManager, from: bigint, to: bigint, amount: bigint): Promise<void> {
  await em.fork().transactional((tx) =>
    postJournalEntry(tx, { tenant: 'maxtera', idempotencyKey: uniqueId('fund'), description: 'fund', lines: transfer(from, to, amount) }),
  );
}
