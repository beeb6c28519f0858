import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Orm } from '../db/orm.js';
import { createActivities } from '../activities/index.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { DocumentStorage } from '../providers/storage.js';
import type { BackupSettings } from '../activities/gencharge-backup.js';
import type { Config } from '../core/config.js';
import { createBackupStorage } from '../providers/configured-backup-storage.js';
import { requestIdInActivityLogs, WORKFLOW_INTERCEPTOR_MODULES } from './interceptors.js';

export interface PlatformWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  orm: Orm;
  providers: ProviderRegistry;
  /** The key one-time codes are derived and hashed with (`otpKeyFrom(JWT_SECRET)`), the API's too. */
  otpKey?: string;
  /** Where KYC images are kept, the store the API writes to. */
  documents?: DocumentStorage;
  /** GENCHARGE_REFERRAL_REWARD_MINOR: what a GenCharge referrer earns, in paise. */
  genchargeReferralRewardMinor?: number;
  /** Backup storage, the database backed up and where the Postgres tools are (`backupSettings(config)`). */
  backups?: BackupSettings;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>;
}

export async function createPlatformWorker(deps: PlatformWorkerDeps): Promise<Worker> {
  // Housekeeping asks Temporal whether a hold's flow still runs, over the worker's own connection.
  const temporal = new Client({ connection: deps.connection, namespace: deps.namespace });
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: createActivities({ orm: deps.orm, providers: deps.providers, temporal, otpKey: deps.otpKey, documents: deps.documents, genchargeReferralRewardMinor: deps.genchargeReferralRewardMinor, backups: deps.backups }),
    // With a prebuilt bundle the workflow interceptors are already inside it.
    interceptors: { activity: [requestIdInActivityLogs], workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
    ...(deps.workflowBundlePath
      ? { workflowBundle: { codePath: deps.workflowBundlePath } }
      : { workflowsPath: new URL('../workflows/index.ts', import.meta.url).pathname }),
    ...deps.tuning,
  });
}

/** What the backup activities work with, from configuration. */
export function backupSettings(config: Config): BackupSettings {
  return { storage: createBackupStorage(config), databaseUrl: config.DATABASE_URL, postgresBinDir: config.POSTGRES_BIN_DIR };
}
