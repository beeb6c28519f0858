import { FailureType, publicError } from '../../../core/errors.js';
import { GenChargeBackup } from '../../../db/entities/gencharge-backups.js';
import { createBackupStorage } from '../../../providers/configured-backup-storage.js';
import { FlowType, type BackupFlowOutcome } from '../../../workflows/contracts.js';
import { backUpDatabase, restoreBackup } from '../../../workflows/index.js';
import { requireUser } from '../../auth.js';
import { resultWithin, startFlow } from '../../flows.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import * as backups from './backup.js';
import { DocumentId } from './document-id.js';
import { LIST_HEADERS_NOTE, listQuery, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, Empty, ERRORS, noNul, NUL } from './schemas.js';
import { GENCHARGE } from './tenant.js';

const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-11-10T01:01:01Z' });
const Day = z.iso.date().openapi({ example: '2025-11-01' });
const Name = z.string().refine(noNul, NUL).trim().min(1).max(63);

const TableSelection = z
  .object({
    table_name: Name.openapi({ example: 'Users', description: 'A table of the database, matched case-insensitively' }),
    date_column: Name.openapi({ example: 'created_at', description: 'A date or timestamp column of that table' }),
    start_date: Day,
    end_date: Day.openapi({ example: '2025-11-10' }),
  })
  .superRefine((t, ctx) => {
    if (t.start_date > t.end_date) ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'Value error, end_date must not be before start_date' });
  });

const CreateBody = z
  .object({
    backup_data: z.string().refine(noNul, NUL).trim().min(1).max(100).default('manual').openapi({ example: 'daily_snapshot', description: 'A label; `manual` when absent' }),
    description: z.string().refine(noNul, NUL).trim().max(1000).nullable().optional().openapi({ example: 'Nightly backup' }),
    tables: z.array(TableSelection).max(50).nullable().optional().openapi({ description: 'Only these rows; absent, null or empty: the whole database' }),
  })
  .openapi('GenChargeBackupRequest');

const Created = z
  .object({
    backup_file: z.string().openapi({ example: 'backup_20251110_010101_6912f0a5c0ffee0000000001.dump' }),
    backup_path: z.string().openapi({ example: '/backups/backup_20251110_010101_6912f0a5c0ffee0000000001.dump' }),
    size_mb: z.string().openapi({ example: '12.3' }),
    message: z.string().openapi({ example: 'Backup completed successfully' }),
  })
  .openapi('GenChargeBackupCreated');

const Progress = z.object({ step: z.string().optional(), bytes: z.number().optional(), done: z.number().optional(), total: z.number().optional() });
const Status = z.enum(['running', 'success', 'failed']);

const RestoreView = z.object({
  restore_id: z.number().int(),
  status: Status,
  target_db: z.string(),
  clean: z.boolean(),
  reason: z.string().nullable(),
  progress: Progress,
  created_at: Timestamp,
  finished_at: Timestamp.nullable(),
  requested_by: z.number().int().nullable(),
});

const BackupView = z
  .object({
    backup_id: DocumentId,
    backup_data: z.string(),
    snapshot_name: z.string(),
    storage_url: z.string().nullable().openapi({ description: 'Where the artifact is (`/backups/<file>`, `s3://...`); null until it is stored' }),
    backup_status: Status,
    size_mb: z.string().nullable().openapi({ example: '12.3' }),
    description: z.string().nullable(),
    tables: z.array(z.object({ table_name: z.string(), date_column: z.string(), start_date: z.string(), end_date: z.string() })).nullable().openapi({ description: 'The selection; null for the whole database' }),
    checksum: z.string().nullable().openapi({ description: 'SHA-256 of the artifact, checked before every restore' }),
    reason: z.string().nullable().openapi({ description: 'Why it failed' }),
    progress: Progress,
    details: z.array(RestoreView).openapi({ description: 'Its restores, newest first' }),
    created_at: Timestamp,
    finished_at: Timestamp.nullable(),
    created_by: z.number().int().nullable(),
  })
  .openapi('GenChargeBackup');

const ListQuery = listQuery({ status: Status.optional().openapi({ description: 'Only backups in this status' }) }, ['created_at'], 'created_at').pick({ skip: true, limit: true, status: true });

const BackupIdParams = z.object({ backup_id: DocumentId });

const RESERVED_DATABASES = ['template0', 'template1'];
const RestoreBody = z
  .object({
    target_db: z
      .string()
      .max(63)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Value error, target_db must be a database name: letters, digits and _, not starting with a digit')
      .refine((name) => !RESERVED_DATABASES.includes(name.toLowerCase()), 'Value error, template databases cannot be restored into')
      .nullable()
      .optional()
      .openapi({ example: 'gencharge_copy', description: 'Created when it does not exist; absent: a new database `gencharge_restore_<backup_id>`' }),
    clean: z.boolean().default(false).openapi({ description: 'Drop the objects the backup holds before restoring them' }),
  })
  .openapi('GenChargeBackupRestoreRequest');

/** Backups of the database and their restores (admin, Backup permission), each done by a flow. */
export function registerBackupRoutes({ deps, adminRoute }: GenChargeRoutes): void {
  const { em, config } = deps;
  const storage = createBackupStorage(config);
  /** The database the platform runs on (every tenant's books). */
  const liveDatabase = decodeURIComponent(new URL(config.DATABASE_URL).pathname.slice(1));
  const { notFound, invalid, conflict } = ERRORS;
  const waitSeconds = Math.round(config.GENCHARGE_BACKUP_WAIT_MS / 100) / 10;

  adminRoute(
    'Backup',
    {
      method: 'post',
      path: '/backup/backup/create',
      summary: 'Create a backup',
      description:
        `Backs up the database with pg_dump, in a flow: the whole database (pg_dump's custom format, \`.dump\`), or with \`tables\` only the rows of each table whose \`date_column\` falls in \`start_date\`..\`end_date\` (whole days in India), as a \`.sql\` file (schema, then COPY blocks; foreign keys and triggers left out). Table names must be tables of the database (case-insensitive), the column a date or timestamp column of it: otherwise 422 and nothing is written. ` +
        `The answer waits up to ${waitSeconds} s (GENCHARGE_BACKUP_WAIT_MS): finished, 200 with the file; still running, 202 with the record (\`backup_status\` running; follow it in the list). ` +
        'A failed backup is recorded with its reason and answered as 503 when the server cannot back up (pg_dump missing or older than the database server: install a matching postgresql-client or set POSTGRES_BIN_DIR) or 502 when the dump itself failed.',
      body: CreateBody,
      responses: {
        200: { description: 'The backup is stored', schema: Created },
        202: { description: 'Still running: the record', schema: BackupView },
        422: invalid,
        502: { description: 'The dump failed (its reason)', schema: Detail },
        503: { description: 'This server cannot back up: the Postgres tools are missing or too old (the reason says which)', schema: Detail },
      },
    },
    async (req, res) => {
      const b = body(req, CreateBody);
      const selection = b.tables?.length ? await backups.resolveSelection(em, b.tables) : null;
      const backup = await backups.createBackupRecord(em, { backupData: b.backup_data, description: b.description ?? null, selection, createdBy: requireUser(req).id });
      let handle;
      try {
        handle = await startFlow(deps.temporal, config.TEMPORAL_TASK_QUEUE, {
          workflow: backUpDatabase,
          workflowId: backup.workflowId,
          args: [{ tenant: GENCHARGE.slug, backupId: backup.id, wholeDatabase: selection === null }],
          tenant: GENCHARGE.slug,
          flowType: FlowType.Backup,
          requestId: String(req.id),
          memo: { snapshotName: backup.snapshotName },
        });
      } catch (err) {
        await backups.discardBackup(em, backup.id);
        throw err;
      }
      const outcome = await resultWithin<BackupFlowOutcome>(deps.temporal, handle, config.GENCHARGE_BACKUP_WAIT_MS);
      if (!outcome) {
        res.status(202).json(await backups.backupWithRestores(em, storage, backup.id));
        return;
      }
      if (outcome.status === 'failed') {
        throw publicError(outcome.failedStep === 'tools' ? FailureType.Unavailable : FailureType.ProviderRejected, `Backup failed: ${outcome.reason ?? 'unknown reason'}`);
      }
      const done = await em.fork().findOneOrFail(GenChargeBackup, { id: backup.id });
      res.json({ backup_file: done.snapshotName, backup_path: storage.locationOf(done.storageKey!), size_mb: backups.sizeMb(done.sizeBytes)!, message: 'Backup completed successfully' });
    },
  );

  adminRoute(
    'Backup',
    {
      method: 'get',
      path: '/backup/backup/',
      summary: 'List backups',
      description: `Newest first, each with its restores in \`details\`. Paged with \`skip\`/\`limit\`; \`status\` filters. ${LIST_HEADERS_NOTE}`,
      query: ListQuery,
      responses: { 200: { description: 'Backups', schema: z.array(BackupView) }, 422: invalid },
    },
    async (req, res) => {
      const page = query(req, ListQuery);
      const { items, total } = await backups.listBackups(em, storage, page);
      sendList(res, items, total);
    },
  );

  adminRoute(
    'Backup',
    {
      method: 'delete',
      path: '/backup/backup/:backup_id',
      summary: 'Delete a backup',
      description: 'Removes the artifact from backup storage, then the record and its restores. A running backup, or one being restored, is 409.',
      params: BackupIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { backup_id } = params(req, BackupIdParams);
      await backups.deleteBackup(em, storage, backup_id);
      res.json({});
    },
  );

  adminRoute(
    'Backup',
    {
      method: 'post',
      path: '/backup/backup/:backup_id/restore',
      summary: 'Restore a backup',
      description:
        'Restores a successful backup in the background (202): its artifact is read through first and refused unless its SHA-256 matches the record (the target is not touched then); `target_db` is created when it does not exist (absent: a new database `gencharge_restore_<backup_id>`, never the live one unless named), then loaded in one transaction (`clean` drops the backed-up objects first). Follow it in the backup\'s `details`. ' +
        'A backup that is not `success` is 409; one restore runs at a time, so a second while one runs is 409. ' +
        'The live database (every tenant\'s books) is refused (403) unless `GENCHARGE_BACKUP_LIVE_RESTORE=true`.',
      params: BackupIdParams,
      body: RestoreBody,
      responses: { 202: { description: 'Started', schema: Empty }, 403: { description: 'No Backup permission, or the target is the live database while GENCHARGE_BACKUP_LIVE_RESTORE is off', schema: Detail }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { backup_id } = params(req, BackupIdParams);
      const b = body(req, RestoreBody);
      const targetDb = b.target_db ?? backups.defaultRestoreDatabase(backup_id);
      if (targetDb === liveDatabase && !config.GENCHARGE_BACKUP_LIVE_RESTORE) {
        throw publicError(FailureType.Forbidden, 'Restoring over the live database is switched off; restore into another database (GENCHARGE_BACKUP_LIVE_RESTORE)');
      }
      const { restore, backup } = await backups.createRestoreRecord(em, {
        backupId: backup_id,
        targetDb,
        clean: b.clean,
        requestedBy: requireUser(req).id,
      });
      try {
        await startFlow(deps.temporal, config.TEMPORAL_TASK_QUEUE, {
          workflow: restoreBackup,
          workflowId: restore.workflowId,
          args: [{ tenant: GENCHARGE.slug, backupId: backup_id, restoreId: restore.id, wholeDatabase: !backup.selection?.length }],
          tenant: GENCHARGE.slug,
          flowType: FlowType.BackupRestore,
          requestId: String(req.id),
          memo: { targetDb: restore.targetDb, clean: restore.clean },
        });
      } catch (err) {
        await backups.discardRestore(em, restore.id);
        throw err;
      }
      res.status(202).json({});
    },
  );
}
