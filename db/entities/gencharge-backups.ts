import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/** What a backup holds: the whole database (null) or these tables' rows in a date range each. */
export interface BackupTableSelection {
  table_name: string;
  date_column: string;
  /** Calendar days, inclusive. */
  start_date: string;
  end_date: string;
}

/** Progress a running backup or restore reports (from its activity's heartbeats). */
export interface BackupProgress {
  step?: string;
  done?: number;
  total?: number;
  bytes?: number;
}

/**
 * A database backup made by the backup workflow. `id` is the spec's `backup_id` (24-hex, like
 * GenCharge's other document ids). The artifact sits in backup storage under `storageKey`, with
 * its size and SHA-256, which a restore checks before it runs. `status` moves running → success or
 * failed (with `failureReason`).
 */
export const GenChargeBackup = defineEntity({
  name: 'GenChargeBackup',
  tableName: 'gencharge_backups',
  indexes: [{ name: 'gencharge_backups_status_created_index', expression: 'create index "gencharge_backups_status_created_index" on "gencharge_backups" ("status", "created_at" desc)' }],
  properties: {
    id: p.string().length(24).primary(),
    backupData: p.string().length(100),
    description: p.text().nullable(),
    selection: p.json<BackupTableSelection[]>().nullable(),
    status: p.enum(['running', 'success', 'failed'] as const).default('running'),
    snapshotName: p.string().length(200).unique(),
    storageKey: p.string().length(300).nullable(),
    sizeBytes: p.bigint('number').nullable(),
    checksum: p.string().length(64).nullable(),
    failureReason: p.text().nullable(),
    progress: p.json<BackupProgress>().default('{}'),
    workflowId: p.string().length(255),
    createdBy: p.manyToOne(User).mapToPk().fieldName('created_by').foreignKeyName('gencharge_backups_created_by_fk').deleteRule('set null').nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
  },
});

/**
 * A restore of a backup into `targetDb` (created when it does not exist; `clean` drops objects
 * first). One runs at a time: the partial unique index `gencharge_backup_restores_one_running`
 * refuses a second running row.
 */
export const GenChargeBackupRestore = defineEntity({
  name: 'GenChargeBackupRestore',
  tableName: 'gencharge_backup_restores',
  indexes: [{ name: 'gencharge_backup_restores_one_running', expression: `create unique index "gencharge_backup_restores_one_running" on "gencharge_backup_restores" ((true)) where status = 'running'` }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    backup: p.manyToOne(GenChargeBackup).mapToPk().fieldName('backup_id').foreignKeyName('gencharge_backup_restores_backup_fk').deleteRule('cascade').index('gencharge_backup_restores_backup_id_index'),
    targetDb: p.string().length(63),
    clean: p.boolean().default(false),
    status: p.enum(['running', 'success', 'failed'] as const).default('running'),
    failureReason: p.text().nullable(),
    progress: p.json<BackupProgress>().default('{}'),
    workflowId: p.string().length(255),
    requestedBy: p.manyToOne(User).mapToPk().fieldName('requested_by').foreignKeyName('gencharge_backup_restores_requested_by_fk').deleteRule('set null').nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    finishedAt: p.datetime().nullable(),
  },
});
