import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createProviderRegistry, loadTenantProviderSettings } from '../providers/registry.js';
import { initORM } from '../db/orm.js';
import { otpKeyFrom } from '../core/otp.js';
import { createDiskDocumentStorage } from '../providers/storage.js';
import { backupSettings, createPlatformWorker } from './create-worker.js';
import { ensureSchedules } from './schedules.js';
import { temporalLoggerFrom } from './logging.js';

/** Runs the Temporal worker until SIGINT/SIGTERM, then drains in-flight tasks and exits. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  Runtime.install({
    logger: temporalLoggerFrom(logger),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
  const orm = await initORM(config.DATABASE_URL, { pool: { max: config.DB_POOL_MAX } });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const tenants = await loadTenantProviderSettings(orm.em.fork());
  const worker = await createPlatformWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    orm,
    providers: createProviderRegistry(config, tenants),
    otpKey: otpKeyFrom(config.JWT_SECRET),
    documents: createDiskDocumentStorage(config.KYC_STORAGE_DIR),
    genchargeReferralRewardMinor: config.GENCHARGE_REFERRAL_REWARD_MINOR,
    backups: backupSettings(config),
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
  });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  await ensureSchedules(new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE }), {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    reconciledTenants: tenants.filter((t) => t.settings.providers?.payments).map((t) => t.slug),
    reconciliationEvery: config.RECONCILIATION_EVERY,
    housekeepingEvery: config.HOUSEKEEPING_EVERY,
  });
  await clientConnection.close();
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  try {
    await worker.run();
  } finally {
    await connection.close();
    await orm.close();
    logger.info('worker stopped');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWorker().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
