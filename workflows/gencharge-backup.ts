import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { BackupArtifact, BackupFailureStep, BackupFlowOutcome, BackupRestoreRun, BackupRun, GenChargeBackupActivities } from './contracts.js';

/** Bookkeeping: a database write, retried until it lands (the record must not stay `running`). */
const records = proxyActivities<GenChargeBackupActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The tool check: a wrong tool is final; a database that does not answer is retried a few times. */
const tools = proxyActivities<GenChargeBackupActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

/**
 * Dumps, checksum reads and loads stream a whole database: hours for a large one. They heartbeat
 * while the tool runs, so a lost worker is noticed within the heartbeat timeout and the step runs
 * again (a dump replaces its artifact; a load is one transaction).
 */
const heavy = proxyActivities<GenChargeBackupActivities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The words a failed step leaves on the record: the activity's own message, not Temporal's wrapper. */
function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.message) return cause.message;
  if (cause instanceof TimeoutFailure) return `the step timed out (${cause.timeoutType}); the worker may have stopped`;
  return cause instanceof Error ? cause.message : String(cause);
}

interface StepFailure {
  failedStep: BackupFailureStep;
  reason: string;
}

/** Runs the steps in order and stops at the first that fails, answering which and why. */
async function firstFailure(steps: Array<[BackupFailureStep, () => Promise<unknown>]>): Promise<StepFailure | undefined> {
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return { failedStep: name, reason: reasonOf(err) };
    }
  }
  return undefined;
}

/**
 * A database backup: checks that pg_dump (and psql for a table selection) can dump this server,
 * streams the dump into backup storage, then records success (key, size, SHA-256) or the reason
 * it failed. The flow ends with that outcome either way; it never fails itself.
 */
export async function backUpDatabase(input: BackupRun): Promise<BackupFlowOutcome> {
  let artifact: BackupArtifact | undefined;
  const failure = await firstFailure([
    ['tools', () => tools.checkPostgresTools({ tools: input.wholeDatabase ? ['pg_dump'] : ['pg_dump', 'psql'] })],
    ['dump', async () => (artifact = await heavy.dumpBackup({ backupId: input.backupId }))],
  ]);
  if (failure || !artifact) {
    const reason = failure?.reason ?? 'the dump answered no artifact';
    await records.recordBackupOutcome({ backupId: input.backupId, status: 'failed', reason });
    return { status: 'failed', failedStep: failure?.failedStep ?? 'dump', reason };
  }
  await records.recordBackupOutcome({ backupId: input.backupId, status: 'success', artifact });
  return { status: 'success' };
}

/**
 * A restore: checks the tools, reads the artifact through and refuses it unless its size and
 * SHA-256 match the record (the target is not touched then), creates the target database when it
 * does not exist, loads the artifact in one transaction, then records the outcome.
 */
export async function restoreBackup(input: BackupRestoreRun): Promise<BackupFlowOutcome> {
  const failure = await firstFailure([
    ['tools', () => tools.checkPostgresTools({ tools: [input.wholeDatabase ? 'pg_restore' : 'psql'] })],
    ['artifact', () => heavy.verifyBackupArtifact({ backupId: input.backupId })],
    ['restore', () => records.prepareRestoreDatabase({ restoreId: input.restoreId })],
    ['restore', () => heavy.loadBackupIntoDatabase({ restoreId: input.restoreId })],
  ]);
  if (failure) {
    await records.recordRestoreOutcome({ restoreId: input.restoreId, status: 'failed', reason: failure.reason });
    return { status: 'failed', ...failure };
  }
  await records.recordRestoreOutcome({ restoreId: input.restoreId, status: 'success' });
  return { status: 'success' };
}
