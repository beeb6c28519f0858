import { GC, gencharge } from '../../support/gencharge.js';
import type { RecordingSession } from './session.js';

/**
 * A whole-database backup, its restore into a new database, and a selection's backup with a
 * restore that fails (the target already holds the table) to record the failure branch.
 */
export async function recordGenChargeBackupHistories({ platform, record }: RecordingSession): Promise<void> {
  const gc = gencharge(platform);
  const admin = await gc.superAdmin();
  const create = async (body: object) => {
    const res = await gc.api().post(`${GC}/backup/backup/create`).set(admin.auth).send(body);
    if (res.status !== 200) throw new Error(`backup failed: ${res.status} ${res.text}`);
    return /_([0-9a-f]{24})\.(dump|sql)$/.exec(res.body.backup_file as string)![1]!;
  };
  const restore = async (backupId: string, body: object) => {
    const res = await gc.api().post(`${GC}/backup/backup/${backupId}/restore`).set(admin.auth).send(body);
    if (res.status !== 202) throw new Error(`restore failed: ${res.status} ${res.text}`);
    const [row] = await platform.orm.em
      .fork()
      .execute<{ workflow_id: string }[]>('select workflow_id from gencharge_backup_restores where backup_id = ? order by id desc limit 1', [backupId]);
    return row!.workflow_id;
  };

  const whole = await create({ backup_data: 'replay' });
  await record('gencharge-backup', `gencharge:backup:${whole}`);
  await record('gencharge-backup-restore', await restore(whole, {}));

  const today = new Date(Date.now() + 5.5 * 3600_000).toISOString().slice(0, 10);
  const selection = await create({ tables: [{ table_name: 'users', date_column: 'created_at', start_date: today, end_date: today }] });
  // The whole database restored above holds a users table: a selection without clean cannot create it again.
  await record('gencharge-backup-restore-failed', await restore(selection, { target_db: `gencharge_restore_${whole}` }));
}
