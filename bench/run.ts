/**
 * `npm run bench`: in one run on one machine, the ledger's posting rate against pgbench TPC-B on
 * the same Postgres server, and the purchase flow's rate against a one-activity flow on the same
 * Temporal server. Prints a short report and writes bench/results.json.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, startEmbeddedPostgres } from '../scripts/services.js';
import { initORM } from '../db/orm.js';
import { startTestStack, stopTestStack } from '../tests/support/stack.js';
import { startTestPlatform, type TestPlatform } from '../tests/support/platform.js';
import { initialisePgbench, measurePgbench, measurePostings, type PgbenchTarget, type PostingBenchResult } from './ledger.js';
import { measurePurchases, measureTrivialFlows } from './flows.js';

const settings = {
  seconds: positiveInteger('BENCH_SECONDS', 10),
  concurrency: positiveInteger('BENCH_CONCURRENCY', 8),
  flows: positiveInteger('BENCH_FLOWS', 200),
  flowConcurrency: positiveInteger('BENCH_FLOW_CONCURRENCY', 20),
  wallets: positiveInteger('BENCH_WALLETS', 1000),
  pgbenchScale: 10,
  merchants: 10,
};

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const began = performance.now();
  process.env.LOG_LEVEL = 'silent';
  const root = join(process.cwd(), '.data', 'bench', String(process.pid));
  rmSync(root, { recursive: true, force: true });

  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), port, persistent: false });
  let stackStarted = false;
  let platform: TestPlatform | undefined;
  let results: Results;
  try {
    await pg.createDatabase('bench_ledger');
    await pg.createDatabase('bench_pgbench');
    process.env.TEST_DATABASE_URL = pg.url('bench_ledger');
    await startTestStack();
    stackStarted = true;

    // Flows first, while Postgres has no pgbench tables to vacuum in the background.
    platform = await startTestPlatform();
    const flowOptions = { flows: settings.flows, concurrency: settings.flowConcurrency, warmupFlows: settings.flowConcurrency };
    const trivial = await measureTrivialFlows(platform, flowOptions);
    const purchases = await measurePurchases(platform, flowOptions);
    await platform.stop();
    platform = undefined;

    const target: PgbenchTarget = { host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'bench_pgbench' };
    await initialisePgbench(target, settings.pgbenchScale);

    const orm = await initORM(pg.url('bench_ledger'), { pool: { max: settings.concurrency } });
    let postgresVersion: string;
    let postings: PostingBenchResult;
    try {
      const [row] = await orm.em.fork().execute<{ server_version: string }[]>('show server_version');
      postgresVersion = row?.server_version ?? 'unknown';
      postings = await measurePostings(orm, {
        seconds: settings.seconds,
        concurrency: settings.concurrency,
        wallets: settings.wallets,
        merchants: settings.merchants,
        warmupSeconds: 1,
      });
      await orm.em.fork().execute('checkpoint');
    } finally {
      await orm.close();
    }
    const tpcb = await measurePgbench(target, { seconds: settings.seconds, concurrency: settings.concurrency });


    results = {
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: postgresVersion, pgbench: tpcb.version },
      ledger: {
        clients: settings.concurrency,
        seconds: settings.seconds,
        wallets: settings.wallets,
        merchants: settings.merchants,
        pgbenchScale: settings.pgbenchScale,
        postings: postings.postings,
        postingsPerSecond: round(postings.postingsPerSecond),
        pgbenchTransactions: tpcb.transactions,
        pgbenchTps: round(tpcb.tps),
        ratio: round(postings.postingsPerSecond / tpcb.tps, 3),
      },
      flows: {
        concurrentStarters: settings.flowConcurrency,
        flowsEach: settings.flows,
        purchaseSeconds: round(purchases.seconds, 2),
        purchaseFailed: purchases.failed,
        purchasesPerSecond: round(purchases.flowsPerSecond),
        trivialSeconds: round(trivial.seconds, 2),
        trivialFailed: trivial.failed,
        trivialPerSecond: round(trivial.flowsPerSecond),
        ratio: round(purchases.flowsPerSecond / trivial.flowsPerSecond, 3),
      },
      totalSeconds: 0,
    };
  } finally {
    await platform?.stop();
    if (stackStarted) await stopTestStack();
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  }
  results.totalSeconds = round((performance.now() - began) / 1000, 1);
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(report(results));
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

interface Results {
  ranAt: string;
  machine: { cpus: number; cpuModel: string; node: string; postgres: string; pgbench: string };
  ledger: {
    clients: number;
    seconds: number;
    wallets: number;
    merchants: number;
    pgbenchScale: number;
    postings: number;
    postingsPerSecond: number;
    pgbenchTransactions: number;
    pgbenchTps: number;
    ratio: number;
  };
  flows: {
    concurrentStarters: number;
    flowsEach: number;
    purchaseSeconds: number;
    purchaseFailed: number;
    purchasesPerSecond: number;
    trivialSeconds: number;
    trivialFailed: number;
    trivialPerSecond: number;
    ratio: number;
  };
  totalSeconds: number;
}

function report(r: Results): string {
  const l = r.ledger;
  const f = r.flows;
  const failures = f.purchaseFailed + f.trivialFailed > 0 ? ` (failed: ${f.purchaseFailed} purchases, ${f.trivialFailed} trivial)` : '';
  return [
    `Ledger on Postgres ${r.machine.postgres}, ${l.clients} clients, ${l.seconds}s each, ${r.machine.cpus} CPUs shared with the server`,
    `  postJournalEntry  ${l.postingsPerSecond.toFixed(1)} postings/s  (${l.wallets} wallets -> ${l.merchants} merchants)`,
    `  pgbench TPC-B     ${l.pgbenchTps.toFixed(1)} tps  (scale ${l.pgbenchScale})`,
    `  ratio             ${l.ratio.toFixed(3)} postings per pgbench transaction`,
    `Flows on one Temporal dev server, ${f.concurrentStarters} concurrent starters, ${f.flowsEach} flows each`,
    `  purchase          ${f.purchasesPerSecond.toFixed(1)} flows/s`,
    `  trivial           ${f.trivialPerSecond.toFixed(1)} flows/s`,
    `  ratio             ${f.ratio.toFixed(3)} purchases per trivial flow${failures}`,
    `Total ${r.totalSeconds}s; figures in bench/results.json`,
    '',
  ].join('\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
