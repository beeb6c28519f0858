import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString, type LogEntry, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../core/config.js';
import { createProviderRegistry, loadTenantProviderSettings } from '../../providers/registry.js';
import { startApi, type RunningApi } from '../../api/main.js';
import { initORM, type Orm } from '../../db/orm.js';
import { backupSettings, createPlatformWorker } from '../../worker/create-worker.js';
import { requireEnv } from './db.js';
import { otpKeyFrom } from '../../core/otp.js';
import { createDiskDocumentStorage } from '../../providers/storage.js';

export interface TestPlatform {
  config: Config;
  api: RunningApi;
  url: string;
  orm: Orm;
  temporal: Client;
  /** Absent when the test runs its workers itself (for example in child processes). */
  worker: Worker | undefined;
  sandbox: NonNullable<RunningApi['sandbox']>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Worker log lines of this test process (warnings and above), for tests that check what is logged. */
export const workerLogs: LogEntry[] = [];

/**
 * The real API on an ephemeral port and a real worker on a task queue of this test file's own,
 * both on the suite's Postgres and Temporal server. Providers are the real HTTP adapters talking
 * to the API's sandbox.
 */
export async function startTestPlatform(
  overrides: Record<string, string> = {},
  opts: { inProcessWorker?: boolean } = {},
): Promise<TestPlatform> {
  if (!runtimeInstalled) {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        workerLogs.push(entry);
      }),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
    runtimeInstalled = true;
  }
  const loaded = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX_SMTP_PORT: '0',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    ...overrides,
  });
  const api = await startApi(loaded);
  // The sandbox SMTP server took a free port; the worker's SMTP adapter must send there.
  const config = { ...loaded, SANDBOX_SMTP_PORT: api.sandbox?.smtp.port() ?? loaded.SANDBOX_SMTP_PORT };
  const orm = await initORM(config.DATABASE_URL, { pool: { max: 20 } });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker =
    opts.inProcessWorker === false
      ? undefined
      : await createPlatformWorker({
          connection: nativeConnection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          orm,
          providers: createProviderRegistry(config, await loadTenantProviderSettings(orm.em.fork()), api.url),
          otpKey: otpKeyFrom(config.JWT_SECRET),
          documents: createDiskDocumentStorage(config.KYC_STORAGE_DIR),
          genchargeReferralRewardMinor: config.GENCHARGE_REFERRAL_REWARD_MINOR,
          backups: backupSettings(config),
          workflowBundlePath: requireEnv('WORKFLOW_BUNDLE_PATH'),
        });
  const running = worker?.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  if (!api.sandbox) throw new Error('tests need the sandbox');
  return {
    config,
    api,
    url: api.url,
    orm,
    temporal,
    worker,
    sandbox: api.sandbox,
    async stop() {
      worker?.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await api.stop();
      await orm.close();
    },
  };
}
