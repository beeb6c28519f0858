import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, startEmbeddedPostgres, startTemporalDevServer } from '../../scripts/services.js';
import { initORM, migrate } from '../../db/orm.js';
import { seedDevelopment } from '../../db/seed.js';
import { TEST_ENV } from './test-env.js';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/interceptors.js';
import { configuredChain, startDevChain } from '../../providers/chain/dev-chain.js';
import { loadConfig } from '../../core/config.js';

/**
 * Starts what the suite needs, once: a real Postgres (embedded, unless TEST_DATABASE_URL) and a
 * real Temporal dev server, migrated and seeded, plus the workflow bundle every test worker uses.
 */
export async function startTestStack(): Promise<void> {
  const root = join(process.cwd(), '.data', 'test', String(process.pid));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  let databaseUrl = process.env.TEST_DATABASE_URL;
  let stopPostgres: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), port: await freePort(), persistent: false });
    await pg.createDatabase('platform_test');
    databaseUrl = pg.url('platform_test');
    stopPostgres = () => pg.stop();
  }
  const temporal = await startTemporalDevServer({ dbFile: join(root, 'temporal.db'), port: await freePort(), headless: true });
  await waitForNamespace(temporal.address);

  // Xclera's chain: anvil on a free port unless RPC_URL, with a freshly deployed matrix contract.
  const chainConfig = loadConfig({ ...process.env, ...TEST_ENV, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.address });
  const chain = await startDevChain({
    ...configuredChain(chainConfig),
    anvilPort: await freePort(),
  });
  process.env.XCLERA_ROOT_WALLET = chain.rootWallet;

  const orm = await initORM(databaseUrl);
  await migrate(orm);
  await seedDevelopment(orm.em.fork(), { adminPassword: TEST_ENV.SEED_ADMIN_PASSWORD });
  await orm.close();

  const bundle = await bundleWorkflowCode({
    workflowsPath: join(process.cwd(), 'workflows', 'index.ts'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const bundlePath = join(root, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, TEST_ENV, {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TEST_DATA_DIR: root,
    // Backups made by any test file land in this run's directory, removed with it.
    GENCHARGE_BACKUP_STORAGE_DIR: join(root, 'backups'),
    RPC_URL: chain.rpcUrl,
    XCLERA_CONTRACT_ADDRESS: chain.contractAddress,
  });
  (globalThis as Record<string, unknown>).__PLATFORM_TEST__ = {
    stop: async () => {
      await temporal.stop();
      await chain.stop();
      await stopPostgres?.();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function waitForNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } catch (err) {
        if (attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await connection.close();
  }
}

export async function stopTestStack(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__PLATFORM_TEST__ as { stop(): Promise<void> } | undefined;
  await state?.stop();
}
