/**
 * `npm run bench:reports`: the peak memory of one GenCharge report (transactions, 100,000 rows by
 * default) answered as CSV, as XLSX and as JSON (limit 0). A scratch embedded Postgres is seeded
 * once; each format is served by a fresh child process (the report route's engine and exporter
 * behind a bare Express app) while this process downloads the answer, so peaks never mix. The
 * child samples RSS and heap used every few milliseconds and also reports the kernel's max RSS.
 * Prints a table and writes bench/reports-results.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { freePort, startEmbeddedPostgres } from '../scripts/services.js';
import { initORM, migrate } from '../db/orm.js';
import { createLogger } from '../core/logger.js';
import { reportBody, reportRows } from '../api/surfaces/gencharge/report-engine.js';
import { sendReport } from '../api/surfaces/gencharge/report-export.js';
import { ADMIN_REPORTS } from '../api/surfaces/gencharge/reports.js';

const REPORT = 'transactions-report';
const FORMATS = ['csv', 'xlsx', 'none'] as const;
type Format = (typeof FORMATS)[number];

interface Run {
  format: Format;
  /** The body's `limit` (0: every row). */
  limit: number;
  /** The child's `--max-old-space-size`, when the run caps the heap. */
  heapCapMb?: number;
}

interface Peak extends Run {
  /** False when the child died (out of memory under a heap cap). */
  completed: boolean;
  rows: number;
  bytes: number;
  seconds: number;
  /** Before the request, after start-up (MB). */
  baselineRssMb: number;
  baselineHeapMb: number;
  /** Highest sample during the request (MB). */
  peakRssMb: number;
  peakHeapMb: number;
  /** The kernel's high-water mark of the child's RSS (MB), start-up included. */
  maxRssMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// The child: one report route, sampled while it answers one request.
async function serve(databaseUrl: string): Promise<void> {
  const definition = ADMIN_REPORTS.find((report) => report.name === REPORT)!;
  const schema = reportBody(definition);
  const orm = await initORM(databaseUrl, { pool: { max: 2 } });
  const logger = createLogger('silent', 'bench');
  const app = express();
  app.use(express.json());
  app.post('/report', async (req, res) => {
    const filters = schema.parse(req.body);
    await sendReport({ res, logger, report: definition.name, columns: definition.columns, rows: reportRows(orm.em, definition, filters, { id: 0 }), exportType: filters.export_type });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  process.on('message', (message: { done?: boolean }) => {
    if (!message.done) return;
    clearInterval(sampler);
    process.send!({
      baselineRssMb: mb(baseline.rss),
      baselineHeapMb: mb(baseline.heapUsed),
      peakRssMb: mb(peakRss),
      peakHeapMb: mb(peakHeap),
      maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    });
    server.close();
    void orm.close().then(() => process.exit(0));
  });
  process.send!({ port: (server.address() as { port: number }).port });
}

/** Downloads the report, counting bytes; JSON is parsed to count its rows. */
function download(port: number, { format, limit }: Run): Promise<{ bytes: number; body?: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/report', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`report answered ${res.statusCode}`));
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (format !== 'xlsx') chunks.push(chunk);
      });
      res.on('end', () => resolve({ bytes, body: format === 'xlsx' ? undefined : Buffer.concat(chunks) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the answer broke off')));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ limit, export_type: format }));
  });
}

async function measure(databaseUrl: string, run: Run): Promise<Peak> {
  const cap = run.heapCapMb ? [`--max-old-space-size=${run.heapCapMb}`] : [];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve', databaseUrl], { execArgv: [...process.execArgv, '--expose-gc', ...cap], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const exited = once(child, 'exit');
  const next = () =>
    new Promise<Record<string, number>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, number>));
      void exited.then(([code]) => reject(new Error(`the child exited (${String(code)})`)));
    });
  const { port } = await next();
  const began = performance.now();
  let answer: { bytes: number; body?: Buffer };
  try {
    answer = await download(port!, run);
  } catch {
    child.kill();
    await exited;
    return { ...run, completed: false, rows: 0, bytes: 0, seconds: 0, baselineRssMb: 0, baselineHeapMb: 0, peakRssMb: 0, peakHeapMb: 0, maxRssMb: 0 };
  }
  const seconds = (performance.now() - began) / 1000;
  child.send({ done: true });
  const peaks = await next();
  await exited;
  const { bytes, body } = answer;
  const rows = run.format === 'none' ? (JSON.parse(body!.toString()) as { data: unknown[] }).data.length : run.format === 'csv' ? body!.toString().split('\n').filter(Boolean).length - 1 : NaN;
  return { ...run, completed: true, rows, bytes, seconds: Math.round(seconds * 100) / 100, ...(peaks as Omit<Peak, keyof Run | 'completed' | 'rows' | 'bytes' | 'seconds'>) };
}

/** 100,000 GenCharge history rows over 1,000 users: top-ups and recharges, with details like the flows write. */
async function seed(databaseUrl: string, rows: number): Promise<void> {
  const orm = await initORM(databaseUrl);
  try {
    await migrate(orm);
    const em = orm.em.fork();
    await em.execute(`insert into users (tenant, phone, role) select 'gencharge', '+9190' || lpad(g::text, 8, '0'), 'user' from generate_series(1, 1000) g`);
    await em.execute(
      `insert into wallet_transactions (tenant, user_id, kind, status, amount, currency, reference, workflow_id, details, created_at)
       select 'gencharge', u.id, case when g % 3 = 0 then 'funding' else 'recharge' end, 'success', 19900 + (g % 500) * 100, 'INR',
         'bench-ref-' || g, 'bench-wf-' || g,
         case when g % 3 = 0 then '{"method":"UPI"}'::jsonb
           else jsonb_build_object('source', 'recharge', 'plan_id', 1 + g % 40, 'recipient', '98765' || lpad((g % 100000)::text, 5, '0'), 'payment_method', 'wallet', 'service_type', 'prepaid') end,
         now() - (g || ' seconds')::interval
       from generate_series(1, ?) g join (select id, row_number() over (order by id) as n from users where tenant = 'gencharge') u on u.n = 1 + g % 1000`,
      [rows],
    );
    await em.execute('analyze wallet_transactions');
  } finally {
    await orm.close();
  }
}

/** A Markdown table of the runs, as bench/README.md records them. */
function table(results: Array<Peak & Record<string, unknown>>): string {
  const head = ['format', 'rows asked', 'heap cap', 'completed', 'file MB', 's', 'peak RSS MB', 'RSS growth MB', 'peak heap MB', 'heap growth MB', 'peak RSS / JSON', 'RSS growth / JSON', 'peak heap / JSON'];
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  const lines = results.map((r) =>
    [r.format === 'none' ? 'json' : r.format, r.limit || 'all', r.heapCapMb ? `${r.heapCapMb} MB` : '', r.completed ? 'yes' : 'no (out of memory)', mb(r.bytes), r.seconds, r.peakRssMb, r.rssGrowthMb, r.peakHeapMb, r.heapGrowthMb, r.peakRssVsJson, r.rssGrowthVsJson, r.peakHeapVsJson].map(cell),
  );
  return [head, head.map(() => '---'), ...lines].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_REPORT_ROWS ?? 100_000);
  process.env.LOG_LEVEL = 'silent';
  const root = join(process.cwd(), '.data', 'bench-reports', String(process.pid));
  rmSync(root, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), port: await freePort(), persistent: false });
  try {
    await pg.createDatabase('bench_reports');
    const url = pg.url('bench_reports');
    const seeding = performance.now();
    await seed(url, rows);
    process.stdout.write(`seeded ${rows} rows of ${REPORT} in ${Math.round((performance.now() - seeding) / 100) / 10}s\n`);
    const small = Math.max(1, Math.floor(rows / 10));
    const heapCapMb = Number(process.env.BENCH_HEAP_CAP_MB ?? 64);
    // Every format at a tenth of the rows and at all of them, then all of them under a small heap.
    const runs: Run[] = [...FORMATS.map((format) => ({ format, limit: small })), ...FORMATS.map((format) => ({ format, limit: 0 })), ...FORMATS.map((format) => ({ format, limit: 0, heapCapMb }))];
    const results: Peak[] = [];
    for (const run of runs) results.push(await measure(url, run));
    const json = results.find((r) => r.format === 'none' && r.limit === 0 && !r.heapCapMb)!;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const report = {
      report: REPORT,
      rows,
      machine: { cpus: cpus().length, node: process.version },
      results: results.map((r) => ({
        ...r,
        rssGrowthMb: Math.round((r.peakRssMb - r.baselineRssMb) * 10) / 10,
        heapGrowthMb: Math.round((r.peakHeapMb - r.baselineHeapMb) * 10) / 10,
        ...(r.limit === 0 && !r.heapCapMb && {
          peakRssVsJson: ratio(r.peakRssMb, json.peakRssMb),
          peakHeapVsJson: ratio(r.peakHeapMb, json.peakHeapMb),
          rssGrowthVsJson: ratio(r.peakRssMb - r.baselineRssMb, json.peakRssMb - json.baselineRssMb),
        }),
      })),
    };
    process.stdout.write(`${table(report.results)}\n`);
    writeFileSync(join(process.cwd(), 'bench', 'reports-results.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3]!).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
