import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../core/config.js';
import { migrateAndSeed } from '../db/migrate.js';
import { startEmbeddedPostgres, startTemporalDevServer, type RunningPostgres, type RunningTemporal } from './services.js';
import { configuredChain, startDevChain, type DevChain } from '../providers/chain/dev-chain.js';
import { createObjectStorageSandbox } from '../providers/sandbox/object-storage-sandbox.js';

/**
 * `npm start`: the whole platform on one machine with no configuration. Postgres (embedded,
 * unless DATABASE_URL), the Temporal dev server with its UI (unless TEMPORAL_ADDRESS), migrations
 * and dev seeds, then the worker and the API as child processes. Ctrl-C stops everything; data
 * stays under .data/ for the next start.
 */
const DATA_DIR = join(process.cwd(), '.data');
const PG_PORT = Number(process.env.DEV_POSTGRES_PORT ?? 54329);
const TEMPORAL_PORT = Number(process.env.DEV_TEMPORAL_PORT ?? 7233);
const TEMPORAL_UI_PORT = Number(process.env.DEV_TEMPORAL_UI_PORT ?? 8233);
const CHAIN_PORT = Number(process.env.DEV_CHAIN_PORT ?? 8545);
const OBJECT_STORAGE_PORT = Number(process.env.DEV_OBJECT_STORAGE_PORT ?? 9400);

const say = (msg: string) => process.stdout.write(`[platform] ${msg}\n`);

async function main(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const children: ChildProcess[] = [];

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await Promise.all(children.map((c) => stopChild(c)));
    for (const stop of stops.reverse()) await stop().catch(() => {});
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const nodeEnv = process.env.NODE_ENV ?? 'development';
  // The sandbox is on only because this launcher says so; configuration never infers it.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: nodeEnv,
    SANDBOX: process.env.SANDBOX ?? (nodeEnv === 'production' ? 'false' : 'true'),
  };

  if (!env.DATABASE_URL) {
    say(`starting embedded Postgres on 127.0.0.1:${PG_PORT} (data in .data/postgres)`);
    const pg: RunningPostgres = await startEmbeddedPostgres({ dataDir: join(DATA_DIR, 'postgres'), port: PG_PORT, persistent: true });
    stops.push(() => pg.stop());
    await pg.createDatabase('platform');
    env.DATABASE_URL = pg.url('platform');
  }

  let temporal: RunningTemporal | undefined;
  if (!env.TEMPORAL_ADDRESS) {
    say(`starting the Temporal dev server on 127.0.0.1:${TEMPORAL_PORT} (history in .data/temporal.db)`);
    temporal = await startTemporalDevServer({
      dbFile: join(DATA_DIR, 'temporal.db'),
      port: TEMPORAL_PORT,
      uiPort: TEMPORAL_UI_PORT,
      log: say,
    });
    stops.push(() => temporal!.stop());
    temporal.process.once('exit', () => void shutdown(1));
    env.TEMPORAL_ADDRESS = temporal.address;
  }

  // Backups in S3 with no endpoint, in the sandbox: the local S3 imitation stands in for AWS, as
  // the other sandbox providers do for theirs. Outside the sandbox, no endpoint means AWS itself.
  // Before any configuration is read: the bucket and keys it fills in make s3 a valid setting.
  let objectStorage: string | undefined;
  if (env.SANDBOX === 'true' && env.GENCHARGE_BACKUP_STORAGE === 's3' && !env.GENCHARGE_BACKUP_S3_ENDPOINT) {
    env.GENCHARGE_BACKUP_S3_BUCKET ||= 'gencharge-backups';
    env.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID ||= 'sandbox-backup-access-key';
    env.GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY ||= 'sandbox-backup-secret-key';
    say(`starting the object storage sandbox on 127.0.0.1:${OBJECT_STORAGE_PORT} (objects in .data/object-storage)`);
    const sandbox = createObjectStorageSandbox({
      root: join(DATA_DIR, 'object-storage'),
      buckets: [env.GENCHARGE_BACKUP_S3_BUCKET],
      accessKeyId: env.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID,
      secretAccessKey: env.GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY,
    });
    await sandbox.start(OBJECT_STORAGE_PORT);
    stops.push(() => sandbox.stop());
    env.GENCHARGE_BACKUP_S3_ENDPOINT = sandbox.endpoint();
    objectStorage = `${sandbox.endpoint()}/${env.GENCHARGE_BACKUP_S3_BUCKET}  (S3 sandbox, key ${env.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID})`;
  }

  // Xclera's chain: anvil unless RPC_URL, the matrix contract deployed unless its address is set.
  const chainConfig = loadConfig(env);
  if (!env.RPC_URL) say(`starting anvil on 127.0.0.1:${CHAIN_PORT} (chain in .data/anvil-state.json)`);
  const chain: DevChain = await startDevChain({
    ...configuredChain(chainConfig),
    anvilPort: CHAIN_PORT,
    anvilStateFile: join(DATA_DIR, 'anvil-state.json'),
    addressFile: chainConfig.RPC_URL ? undefined : join(DATA_DIR, 'xclera-contract.txt'),
  });
  stops.push(() => chain.stop());
  Object.assign(env, { RPC_URL: chain.rpcUrl, XCLERA_CONTRACT_ADDRESS: chain.contractAddress, XCLERA_ROOT_WALLET: chain.rootWallet });

  Object.assign(process.env, env);
  const config = loadConfig(env);
  await migrateAndSeed();
  say('migrations and development seeds applied');

  for (const [name, entry] of [
    ['worker', 'worker/main.ts'],
    ['api', 'api/main.ts'],
  ] as const) {
    // node with tsx as a loader: one process per service, so signals reach it directly.
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: 'inherit' });
    child.once('exit', (code) => {
      if (!stopping) {
        say(`${name} exited (${code}); stopping the platform`);
        void shutdown(1);
      }
    });
    children.push(child);
  }

  const apiUrl = config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`;
  await waitForReady(`${apiUrl}/health/ready`);
  say('ready');
  say(`  API:          ${apiUrl}  (apps at /maxtera, /mymoolah, /chargeghar, /xclera, /gencharge)`);
  say(`  API docs:     ${apiUrl}/docs  (OpenAPI at ${apiUrl}/openapi.json)`);
  say(`  Temporal UI:  ${temporal?.uiUrl ?? `(external Temporal at ${env.TEMPORAL_ADDRESS})`}`);
  say(`  Chain (RPC):  ${chain.rpcUrl}  (${chain.startedAnvil ? 'anvil, chain id 31337' : 'RPC_URL'}; Xclera at ${apiUrl}/xclera/api/)`);
  say(`  Contract:     XcleraMatrix at ${chain.contractAddress} (root ${chain.rootWallet})`);
  say(`  Sandbox:      ${apiUrl}/sandbox  (payments/{ref}/complete, faults, outbox)`);
  if (objectStorage) say(`  Backups:      ${objectStorage}`);
  say(`  Operations:   ${apiUrl}/ops/<tenant>/reviews  (as a tenant admin)`);
  say(`  Admins:       admin@<tenant>.local / ${config.SEED_ADMIN_PASSWORD ?? '(SEED_ADMIN_PASSWORD)'}`);
  say('Ctrl-C stops everything; data stays in .data/');
}

async function waitForReady(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000}s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

main().catch((err) => {
  process.stderr.write(`[platform] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
