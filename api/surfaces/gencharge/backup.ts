import { LockMode, UniqueConstraintViolationException, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError, type ValidationIssue } from '../../../core/errors.js';
import { GenChargeBackup, GenChargeBackupRestore, type BackupTableSelection } from '../../../db/entities/gencharge-backups.js';
import type { BackupStorage } from '../../../providers/backup-storage.js';
import { BACKUP_DATE_COLUMN_TYPES, FlowType, flowWorkflowId } from '../../../workflows/contracts.js';
import { newDocumentId } from './document-id.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge's database backups: the records the backup and restore flows fill in, the checks a
 * selection must pass before anything is written, and the answers' shapes.
 */

type Backup = InferEntity<typeof GenChargeBackup>;
type Restore = InferEntity<typeof GenChargeBackupRestore>;

export const BACKUP_NOT_FOUND = 'Backup not found';

/** The file name and storage key of a backup: when it was taken (UTC) and its id, so it is unique. */
export function snapshotNameOf(backupId: string, createdAt: Date, wholeDatabase: boolean): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `backup_${stamp}_${backupId}.${wholeDatabase ? 'dump' : 'sql'}`;
}

/** The database a restore creates when the admin names none: never the live one. */
export const defaultRestoreDatabase = (backupId: string) => `gencharge_restore_${backupId}`;

/** Megabytes with one decimal, as the spec shows sizes ("12.3"); null until the artifact is stored. */
export const sizeMb = (bytes: number | null | undefined) => (bytes == null ? null : (bytes / (1024 * 1024)).toFixed(1));

export const restoreView = (r: Restore) => ({
  restore_id: r.id,
  status: r.status,
  target_db: r.targetDb,
  clean: r.clean,
  reason: r.failureReason ?? null,
  progress: r.progress,
  created_at: r.createdAt.toISOString(),
  finished_at: r.finishedAt?.toISOString() ?? null,
  requested_by: r.requestedBy ?? null,
});

/** The spec's backup record; `details` are its restores, newest first. */
export const backupView = (b: Backup, restores: Restore[], storage: BackupStorage) => ({
  backup_id: b.id,
  backup_data: b.backupData,
  snapshot_name: b.snapshotName,
  storage_url: b.storageKey ? storage.locationOf(b.storageKey) : null,
  backup_status: b.status,
  size_mb: sizeMb(b.sizeBytes),
  description: b.description ?? null,
  tables: b.selection ?? null,
  checksum: b.checksum ?? null,
  reason: b.failureReason ?? null,
  progress: b.progress,
  details: restores.map(restoreView),
  created_at: b.createdAt.toISOString(),
  finished_at: b.finishedAt?.toISOString() ?? null,
  created_by: b.createdBy ?? null,
});

const issue = (path: (string | number)[], message: string): ValidationIssue => ({ path, message: `Value error, ${message}`, code: 'custom', location: 'body' });

/**
 * Checks a selection against the database's own tables (public schema): a table name matches
 * case-insensitively (the spec's "Users" is `users`), its `date_column` must be a date or timestamp
 * column of it. Answers the selection with the tables' real names; any mismatch is a 422 naming
 * each wrong field. Nothing reaches SQL but through these names, quoted.
 */
export async function resolveSelection(em: EntityManager, tables: BackupTableSelection[]): Promise<BackupTableSelection[]> {
  const columns = await em.fork().execute<{ table_name: string; column_name: string; data_type: string }[]>(
    `select c.table_name, c.column_name, c.data_type from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
     where c.table_schema = 'public' and lower(c.table_name) in (${tables.map(() => '?').join(', ')})`,
    tables.map((t) => t.table_name.toLowerCase()),
  );
  const issues: ValidationIssue[] = [];
  const resolved = tables.map((wanted, index) => {
    const candidates = [...new Set(columns.filter((c) => c.table_name.toLowerCase() === wanted.table_name.toLowerCase()).map((c) => c.table_name))];
    const table = candidates.find((name) => name === wanted.table_name) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!table) {
      issues.push(issue(['tables', index, 'table_name'], candidates.length ? `${wanted.table_name} names several tables; write it exactly` : `${wanted.table_name} is not a table of this database`));
      return wanted;
    }
    const column = columns.find((c) => c.table_name === table && c.column_name === wanted.date_column) ??
      columns.find((c) => c.table_name === table && c.column_name.toLowerCase() === wanted.date_column.toLowerCase());
    if (!column) issues.push(issue(['tables', index, 'date_column'], `${wanted.date_column} is not a column of ${table}`));
    else if (!(BACKUP_DATE_COLUMN_TYPES as readonly string[]).includes(column.data_type)) {
      issues.push(issue(['tables', index, 'date_column'], `${table}.${column.column_name} is ${column.data_type}, not a date or timestamp`));
    }
    return { ...wanted, table_name: table, date_column: column?.column_name ?? wanted.date_column };
  });
  resolved.forEach((t, index) => {
    if (resolved.findIndex((other) => other.table_name === t.table_name) !== index) issues.push(issue(['tables', index, 'table_name'], `${t.table_name} is selected twice`));
  });
  if (issues.length) throw new DomainError(FailureType.Validation, issues.map((i) => i.message).join('; '), { issues });
  return resolved;
}

export interface NewBackup {
  backupData: string;
  description: string | null;
  /** Null: the whole database. */
  selection: BackupTableSelection[] | null;
  createdBy: number;
}

/** Stores a backup as `running`, before its flow starts (the flow's ID is the record's). */
export async function createBackupRecord(em: EntityManager, input: NewBackup): Promise<Backup> {
  const fork = em.fork();
  const id = newDocumentId();
  const createdAt = new Date();
  const backup = fork.create(GenChargeBackup, {
    id,
    backupData: input.backupData,
    description: input.description,
    selection: input.selection,
    snapshotName: snapshotNameOf(id, createdAt, input.selection === null),
    workflowId: backupWorkflowId(id),
    createdBy: input.createdBy,
    createdAt,
  });
  await fork.flush();
  return backup;
}

export const backupWorkflowId = (backupId: string) => flowWorkflowId(GENCHARGE.slug, FlowType.Backup, backupId);
export const restoreWorkflowId = (restoreId: number) => flowWorkflowId(GENCHARGE.slug, FlowType.BackupRestore, String(restoreId));

/** Takes back a record whose flow could not be started, so no `running` row is left that nothing finishes. */
export async function discardBackup(em: EntityManager, id: string): Promise<void> {
  await em.fork().nativeDelete(GenChargeBackup, { id, status: 'running' });
}

export async function findBackup(em: EntityManager, id: string): Promise<Backup> {
  const backup = await em.fork().findOne(GenChargeBackup, { id });
  if (!backup) throw publicError(FailureType.NotFound, BACKUP_NOT_FOUND);
  return backup;
}

/** A page of backups, newest first, each with its restores. */
export async function listBackups(em: EntityManager, storage: BackupStorage, page: { skip: number; limit: number; status?: Backup['status'] }) {
  const fork = em.fork();
  const [rows, total] = await fork.findAndCount(
    GenChargeBackup,
    page.status ? { status: page.status } : {},
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: page.limit, offset: page.skip },
  );
  const restores = rows.length ? await fork.find(GenChargeBackupRestore, { backup: { $in: rows.map((b) => b.id) } }, { orderBy: [{ id: 'desc' }] }) : [];
  return { items: rows.map((b) => backupView(b, restores.filter((r) => r.backup === b.id), storage)), total };
}

export async function backupWithRestores(em: EntityManager, storage: BackupStorage, id: string) {
  const fork = em.fork();
  const backup = await findBackup(fork, id);
  return backupView(backup, await fork.find(GenChargeBackupRestore, { backup: id }, { orderBy: [{ id: 'desc' }] }), storage);
}

/**
 * Deletes a finished backup: its artifact first, then the record (and its restores' history). A
 * running backup, or one being restored, is refused: its flow still owns the artifact. The row is
 * locked meanwhile, so no restore of it can start in between.
 */
export async function deleteBackup(em: EntityManager, storage: BackupStorage, id: string): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const backup = await tx.findOne(GenChargeBackup, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!backup) throw publicError(FailureType.NotFound, BACKUP_NOT_FOUND);
    if (backup.status === 'running') throw publicError(FailureType.Conflict, 'The backup is still running; delete it once it has finished');
    const restoring = await tx.count(GenChargeBackupRestore, { backup: id, status: 'running' });
    if (restoring) throw publicError(FailureType.Conflict, 'The backup is being restored; delete it once the restore has finished');
    if (backup.storageKey) await storage.remove(backup.storageKey);
    await tx.nativeDelete(GenChargeBackup, { id });
  });
}

export interface NewRestore {
  backupId: string;
  targetDb: string;
  clean: boolean;
  requestedBy: number;
}

/**
 * Stores a restore as `running`. Only a successful backup can be restored; one restore runs at a
 * time (the partial unique index refuses a second running row): both are 409. The backup's row is
 * share-locked meanwhile, so it cannot be deleted under the new restore.
 */
export async function createRestoreRecord(em: EntityManager, input: NewRestore): Promise<{ restore: Restore; backup: Backup }> {
  try {
    return await em.fork().transactional(async (tx) => {
      const backup = await tx.findOne(GenChargeBackup, { id: input.backupId }, { lockMode: LockMode.PESSIMISTIC_READ });
      if (!backup) throw publicError(FailureType.NotFound, BACKUP_NOT_FOUND);
      if (backup.status !== 'success') throw publicError(FailureType.Conflict, `The backup is ${backup.status}; only a successful backup can be restored`);
      const restore = tx.create(GenChargeBackupRestore, {
        backup: input.backupId,
        targetDb: input.targetDb,
        clean: input.clean,
        requestedBy: input.requestedBy,
        // The column is required; the restore's own ID follows once the row has its id.
        workflowId: backup.workflowId,
        createdAt: new Date(),
      });
      await tx.flush();
      restore.workflowId = restoreWorkflowId(restore.id);
      return { restore, backup };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException && /gencharge_backup_restores_one_running/.test(err.message)) {
      throw publicError(FailureType.Conflict, 'A restore is already running; try again once it has finished', undefined, { cause: err });
    }
    throw err;
  }
}

/** Takes back a restore whose flow could not be started (it would hold the one running slot forever). */
export async function discardRestore(em: EntityManager, id: number): Promise<void> {
  await em.fork().nativeDelete(GenChargeBackupRestore, { id, status: 'running' });
}
