import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Orm } from '../db/orm.js';
import { ensureAccount, postJournalEntry } from '../core/ledger.js';

const TENANT = 'maxtera';
const CURRENCY = 'NGN';

export interface PostingBenchOptions {
  seconds: number;
  concurrency: number;
  wallets: number;
  merchants: number;
  warmupSeconds: number;
}

export interface PostingBenchResult {
  postings: number;
  seconds: number;
  postingsPerSecond: number;
}

interface BenchAccounts {
  wallets: bigint[];
  merchants: bigint[];
}

/**
 * Wallet-to-merchant transfers through `postJournalEntry`, one transaction each, exactly as an
 * activity posts them. Random wallets and a few merchants give row contention comparable to the
 * branches of pgbench's TPC-B.
 */
export async function measurePostings(orm: Orm, opts: PostingBenchOptions): Promise<PostingBenchResult> {
  const run = randomUUID().slice(0, 8);
  const accounts = await openFundedWallets(orm, run, opts);
  let sequence = 0;
  const postTransfer = () => {
    const key = `bench:${run}:transfer:${sequence++}`;
    const wallet = pick(accounts.wallets);
    const merchant = pick(accounts.merchants);
    const amount = BigInt(1 + Math.floor(Math.random() * 1000));
    return orm.em.fork().transactional((tx) =>
      postJournalEntry(tx, {
        tenant: TENANT,
        idempotencyKey: key,
        description: 'Bench wallet payment',
        lines: [
          { accountId: wallet, direction: 'debit', amount },
          { accountId: merchant, direction: 'credit', amount },
        ],
        metadata: { reference: key },
      }),
    );
  };

  await forDuration(opts.warmupSeconds, opts.concurrency, postTransfer);
  await orm.em.fork().execute('checkpoint');
  const { completed, seconds } = await forDuration(opts.seconds, opts.concurrency, postTransfer);
  return { postings: completed, seconds, postingsPerSecond: completed / seconds };
}

async function openFundedWallets(orm: Orm, run: string, opts: PostingBenchOptions): Promise<BenchAccounts> {
  return orm.em.fork().transactional(async (tx) => {
    const account = (code: string, debitsMustNotExceedCredits: boolean) =>
      ensureAccount(tx, { tenant: TENANT, currency: CURRENCY, code: `bench:${run}:${code}`, debitsMustNotExceedCredits });
    const source = await account('source', false);
    const merchants: bigint[] = [];
    for (let i = 0; i < opts.merchants; i++) merchants.push(await account(`merchant:${i}`, false));
    const wallets: bigint[] = [];
    for (let i = 0; i < opts.wallets; i++) wallets.push(await account(`wallet:${i}`, true));
    const funding = 1_000_000_000n;
    await postJournalEntry(tx, {
      tenant: TENANT,
      idempotencyKey: `bench:${run}:fund-wallets`,
      description: 'Bench wallet funding',
      lines: [
        { accountId: source, direction: 'debit', amount: funding * BigInt(wallets.length) },
        ...wallets.map((accountId) => ({ accountId, direction: 'credit' as const, amount: funding })),
      ],
    });
    return { wallets, merchants };
  });
}

/** Keeps `concurrency` calls in flight until the time is up; the last ones are allowed to finish. */
async function forDuration(
  seconds: number,
  concurrency: number,
  call: () => Promise<unknown>,
): Promise<{ completed: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await call();
        completed++;
      }
    }),
  );
  return { completed, seconds: (performance.now() - started) / 1000 };
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

export interface PgbenchTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface PgbenchResult {
  transactions: number;
  tps: number;
  version: string;
}

const PGBENCH = process.env.PGBENCH_PATH ?? '/usr/bin/pgbench';

export async function initialisePgbench(target: PgbenchTarget, scale: number): Promise<void> {
  await pgbench(target, ['-i', '-q', '-s', String(scale)]);
}

/** The built-in TPC-B-like script: five statements per transaction on accounts, tellers, branches. */
export async function measurePgbench(
  target: PgbenchTarget,
  opts: { seconds: number; concurrency: number },
): Promise<PgbenchResult> {
  const threads = Math.min(2, opts.concurrency);
  const out = await pgbench(target, ['-c', String(opts.concurrency), '-j', String(threads), '-T', String(opts.seconds)]);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(out)?.[1];
  if (!tps || !transactions) throw new Error(`unexpected pgbench output:\n${out}`);
  const version = (await runProcess(PGBENCH, ['--version'], process.env)).trim();
  return { transactions: Number(transactions), tps: Number(tps), version };
}

function pgbench(target: PgbenchTarget, args: string[]): Promise<string> {
  return runProcess(
    PGBENCH,
    ['-h', target.host, '-p', String(target.port), '-U', target.user, ...args, target.database],
    { ...process.env, PGPASSWORD: target.password },
  );
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}
