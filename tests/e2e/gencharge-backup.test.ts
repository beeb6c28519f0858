import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { createGenChargeBackupActivities } from '../../activities/gencharge-backup.js';
import { createDirectoryBackupStorage, type BackupStorage } from '../../providers/backup-storage.js';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { eventually } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const dataDir = process.env.TEST_DATA_DIR ?? '.data/test';
const storageDir = join(dataDir, `backups-${randomUUID()}`);

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;
/** Databases the restores made, dropped at the end. */
const madeDatabases = new Set<string>();

const BACKUPS = `${GC}/backup/backup`;

beforeAll(async () => {
  platform = await startTestPlatform({ GENCHARGE_BACKUP_STORAGE_DIR: storageDir, GENCHARGE_BACKUP_WAIT_MS: '60000' });
  gc = gencharge(platform);
  admin = await gc.superAdmin();
});
afterAll(async () => {
  for (const name of madeDatabases) await platform.orm.em.fork().execute(`drop database if exists "${name}" with (force)`);
  await platform.stop();
});

/** A client on another database of the suite's server (a restore's target). */
async function onDatabase<T>(database: string, run: (db: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const live = <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => onDatabase(new URL(process.env.DATABASE_URL!).pathname.slice(1), async (db) => (await db.query<T>(sql, values)).rows);

interface BackupRecord {
  backup_id: string;
  backup_data: string;
  snapshot_name: string;
  storage_url: string | null;
  backup_status: 'running' | 'success' | 'failed';
  size_mb: string | null;
  description: string | null;
  tables: Array<Record<string, string>> | null;
  checksum: string | null;
  reason: string | null;
  progress: { step?: string; bytes?: number };
  details: Array<{ restore_id: number; status: string; target_db: string; clean: boolean; reason: string | null; created_at: string; finished_at: string | null }>;
  created_at: string;
  created_by: number | null;
}

async function listed(id: string, session: GenChargeSession = admin): Promise<BackupRecord> {
  // Only this file makes backups, so its newest few are on the first page.
  const res = await gc.api().get(BACKUPS + '/').query({ limit: 500 }).set(session.auth);
  expect(res.status).toBe(200);
  const found = (res.body as BackupRecord[]).find((b) => b.backup_id === id);
  if (!found) throw new Error(`backup ${id} is not listed`);
  return found;
}

async function createBackup(body: Record<string, unknown>): Promise<{ id: string; file: string }> {
  const res = await gc.api().post(`${BACKUPS}/create`).set(admin.auth).send(body);
  expect(res.status).toBe(200);
  const file = res.body.backup_file as string;
  return { id: /_([0-9a-f]{24})\.(dump|sql)$/.exec(file)![1]!, file };
}

/** Starts a restore and waits until it has finished, answering the backup's restore entry. */
async function restore(id: string, body: Record<string, unknown>) {
  const target = (body.target_db as string | undefined) ?? `gencharge_restore_${id}`;
  madeDatabases.add(target);
  const res = await gc.api().post(`${BACKUPS}/${id}/restore`).set(admin.auth).send(body);
  expect(res.status).toBe(202);
  expect(res.body).toEqual({});
  const record = await eventually(
    () => listed(id),
    (b) => b.details.length > 0 && b.details[0]!.status !== 'running',
    120_000,
  );
  return record.details[0]!;
}

async function wallet(userId: number) {
  return live<{ id: string; debits_posted: string; credits_posted: string; debits_pending: string; credits_pending: string }>(
    'select id, debits_posted, credits_posted, debits_pending, credits_pending from ledger_accounts where user_id = $1 order by id',
    [userId],
  );
}

describe('a whole-database backup', () => {
  let users: GenChargeUser[];
  let backup: { id: string; file: string };

  beforeAll(async () => {
    users = [await gc.signUp(), await gc.signUp()];
    await gc.credit(users[0]!, 123_45n);
    await gc.credit(users[1]!, 5_00n);
    await gc.credit(users[0]!, 1_00n);
    backup = await createBackup({ backup_data: 'daily_snapshot', description: 'Nightly backup' });
  });

  it('when created, then it answers the stored file and lists as a success with its checksum', async () => {
    expect(backup.file).toMatch(/^backup_\d{8}_\d{6}_[0-9a-f]{24}\.dump$/);
    const record = await listed(backup.id);
    const bytes = readFileSync(join(storageDir, backup.file));
    expect(bytes.length).toBeGreaterThan(0);
    // pg_dump's custom format.
    expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
    expect(record).toEqual({
      backup_id: backup.id,
      backup_data: 'daily_snapshot',
      snapshot_name: backup.file,
      storage_url: `/backups/${backup.file}`,
      backup_status: 'success',
      size_mb: (bytes.length / 1024 / 1024).toFixed(1),
      description: 'Nightly backup',
      tables: null,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      reason: null,
      progress: { step: 'done', bytes: bytes.length },
      details: [],
      created_at: ISO,
      finished_at: ISO,
      created_by: admin.id,
    });
  });

  it('when restored into a fresh database, then its books balance and match the live rows it holds', async () => {
    const restored = await restore(backup.id, {});
    expect(restored).toMatchObject({ status: 'success', target_db: `gencharge_restore_${backup.id}`, clean: false, reason: null, finished_at: ISO });
    await onDatabase(restored.target_db, async (db) => {
      // The trial balance, per currency: every entry balances.
      const books = (
        await db.query<{ currency: string; debits: string; credits: string }>(
          `select a.currency, sum(l.amount) filter (where l.direction = 'debit') as debits, sum(l.amount) filter (where l.direction = 'credit') as credits
           from journal_lines l join ledger_accounts a on a.id = l.account_id group by a.currency order by a.currency`,
        )
      ).rows;
      expect(books.length).toBeGreaterThan(0);
      for (const row of books) expect(row.debits).toBe(row.credits);
      // Lines are immutable: the live database holds each restored line as it is.
      const lineIds = (await db.query<{ id: string }>('select id from journal_lines')).rows.map((r) => r.id);
      const liveBooks = await live<{ currency: string; debits: string; credits: string }>(
        `select a.currency, sum(l.amount) filter (where l.direction = 'debit') as debits, sum(l.amount) filter (where l.direction = 'credit') as credits
         from journal_lines l join ledger_accounts a on a.id = l.account_id where l.id = any($1::bigint[]) group by a.currency order by a.currency`,
        [lineIds],
      );
      expect(liveBooks).toEqual(books);
      // Each account's totals are the sum of its lines, as in the live books.
      const drifted = await db.query(
        `select a.id from ledger_accounts a
         left join (select account_id, sum(amount) filter (where direction = 'debit') as d, sum(amount) filter (where direction = 'credit') as c from journal_lines group by account_id) l on l.account_id = a.id
         where a.debits_posted <> coalesce(l.d, 0) or a.credits_posted <> coalesce(l.c, 0)`,
      );
      expect(drifted.rows).toEqual([]);
      // The test's own wallets (nobody else moves them) hold what the live ones hold.
      for (const user of users) {
        const restoredWallet = (await db.query('select id, debits_posted, credits_posted, debits_pending, credits_pending from ledger_accounts where user_id = $1 order by id', [user.id])).rows;
        expect(restoredWallet).toEqual(await wallet(user.id));
      }
      expect((await wallet(users[0]!.id))[0]!.credits_posted).toBe('12445');
      // Users: every restored user exists live (other test files may edit their profiles since, not
      // their ids or sign-up times), and the test's own are there as they are live.
      const restoredUsers = (await db.query<{ id: string; created_at: Date }>('select id, created_at from users order by id')).rows;
      const liveUsers = await live<{ id: string; created_at: Date }>('select id, created_at from users where id = any($1::bigint[]) order by id', [restoredUsers.map((u) => u.id)]);
      expect(liveUsers).toEqual(restoredUsers);
      const mine = users.map((u) => u.id);
      const profile = 'select id, tenant, email, phone, role, created_at, deleted_at from users where id = any($1::bigint[]) order by id';
      expect((await db.query(profile, [mine])).rows).toEqual(await live(profile, [mine]));
      expect((await db.query(profile, [mine])).rows).toHaveLength(2);
      // Triggers came back: the restored books still refuse changes.
      await expect(db.query('update journal_lines set amount = amount + 1 where id = $1', [lineIds[0]])).rejects.toThrow(/immutable/);
    });
    const again = await listed(backup.id);
    expect(again.details).toEqual([expect.objectContaining({ status: 'success', target_db: restored.target_db })]);
  });

  it('when restored again with clean into the same database, then it replaces what is there', async () => {
    const target = `gencharge_restore_${backup.id}`;
    await onDatabase(target, (db) => db.query('delete from refresh_tokens'));
    const restored = await restore(backup.id, { target_db: target, clean: true });
    expect(restored).toMatchObject({ status: 'success', clean: true });
    const [count] = await onDatabase(target, async (db) => (await db.query<{ n: string }>('select count(*) as n from users')).rows);
    expect(Number(count!.n)).toBeGreaterThan(0);
  });

  it('when restored without clean into a database that already holds it, then the restore fails with the tool\'s reason and changes nothing', async () => {
    const target = `gencharge_restore_${backup.id}`;
    const before = await onDatabase(target, async (db) => (await db.query<{ n: string }>('select count(*) as n from journal_lines')).rows[0]!.n);
    const restored = await restore(backup.id, { target_db: target });
    expect(restored.status).toBe('failed');
    expect(restored.reason).toMatch(/^pg_restore exited with status 1: .*already exists/s);
    const after = await onDatabase(target, async (db) => (await db.query<{ n: string }>('select count(*) as n from journal_lines')).rows[0]!.n);
    expect(after).toBe(before);
  });
});

describe('a backup of some tables by date', () => {
  const day = (iso: string) => new Date(iso);
  /** Users the test dates itself, around an Indian day's edges (no other test makes users in 2020). */
  const placed: Array<{ at: Date; inside: boolean }> = [
    { at: day('2020-02-29T23:50:00+05:30'), inside: false },
    { at: day('2020-03-01T00:00:00+05:30'), inside: true },
    { at: day('2020-03-02T23:30:00+05:30'), inside: true },
    { at: day('2020-03-03T00:10:00+05:30'), inside: false },
  ];
  let userIds: number[];
  let backup: { id: string; file: string };

  beforeAll(async () => {
    userIds = [];
    for (const { at } of placed) {
      const user = await gc.signUp();
      await live('update users set created_at = $1 where id = $2', [at, user.id]);
      userIds.push(user.id);
    }
    backup = await createBackup({
      backup_data: 'users_march',
      tables: [
        { table_name: 'Users', date_column: 'created_at', start_date: '2020-03-01', end_date: '2020-03-02' },
        // The last day there is: the day after it is past what ISO text from JS can say.
        { table_name: 'gencharge_backups', date_column: 'created_at', start_date: '2020-01-01', end_date: '9999-12-31' },
      ],
    });
  });

  it('when restored into a fresh database, then it holds exactly the rows of those days, without foreign keys', async () => {
    expect(backup.file).toMatch(/\.sql$/);
    const record = await listed(backup.id);
    expect(record.tables).toEqual([
      { table_name: 'users', date_column: 'created_at', start_date: '2020-03-01', end_date: '2020-03-02' },
      { table_name: 'gencharge_backups', date_column: 'created_at', start_date: '2020-01-01', end_date: '9999-12-31' },
    ]);
    const target = `gc_selection_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const restored = await restore(backup.id, { target_db: target });
    expect(restored).toMatchObject({ status: 'success', target_db: target, reason: null });
    const inRange = await live<{ id: string }>(
      `select id from users where created_at >= '2020-03-01T00:00:00+05:30' and created_at < '2020-03-03T00:00:00+05:30' order by id`,
    );
    expect(inRange.map((u) => Number(u.id))).toEqual(userIds.filter((_, i) => placed[i]!.inside));
    // Backups are made by this file only, one after another: those before this one, and itself.
    const backupsBefore = await live<{ id: string }>('select id from gencharge_backups where created_at <= (select created_at from gencharge_backups where id = $1) order by id', [backup.id]);
    await onDatabase(target, async (db) => {
      expect((await db.query<{ id: string }>('select id from users order by id')).rows).toEqual(inRange);
      expect((await db.query<{ id: string }>('select id from gencharge_backups order by id')).rows).toEqual(backupsBefore);
      expect((await db.query<{ status: string }>('select status from gencharge_backups where id = $1', [backup.id])).rows).toEqual([{ status: 'running' }]);
      const foreignKeys = await db.query("select constraint_name from information_schema.table_constraints where constraint_type = 'FOREIGN KEY'");
      expect(foreignKeys.rows).toEqual([]);
      const keys = await db.query("select table_name from information_schema.table_constraints where constraint_type = 'PRIMARY KEY' and table_schema = 'public' order by table_name");
      expect(keys.rows).toEqual([{ table_name: 'gencharge_backups' }, { table_name: 'users' }]);
      // Ids continue after the restored rows.
      const [next] = (await db.query<{ n: string }>("select nextval(pg_get_serial_sequence('users', 'id')) as n")).rows;
      expect(Number(next!.n)).toBeGreaterThan(Math.max(...inRange.map((u) => Number(u.id))));
    });
  });

  it('when its artifact was tampered with, then the restore is refused and the target is never created', async () => {
    const path = join(storageDir, backup.file);
    const original = readFileSync(path);
    writeFileSync(path, Buffer.concat([original, Buffer.from('-- changed\n')]));
    try {
      const target = `gc_tampered_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const restored = await restore(backup.id, { target_db: target });
      expect(restored.status).toBe('failed');
      expect(restored.reason).toMatch(/does not match its record .*restore refused, nothing was changed/);
      expect(await live('select 1 from pg_database where datname = $1', [target])).toEqual([]);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('when the artifact changes between its check and its load, then the load stops before anything commits', async () => {
    const target = `gc_changed_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    madeDatabases.add(target);
    await live(`create database ${target}`);
    const files = createDirectoryBackupStorage(storageDir);
    // The same bytes, then a line more: only the end of the stream shows the change.
    const changing: BackupStorage = {
      ...files,
      async read(key) {
        return Readable.from([readFileSync(join(storageDir, key)), Buffer.from('-- changed\n')]);
      },
    };
    const activities = createGenChargeBackupActivities({ orm: platform.orm, backups: { storage: changing, databaseUrl: platform.config.DATABASE_URL } });
    const [row] = await live<{ id: string }>("insert into gencharge_backup_restores (backup_id, target_db, workflow_id) values ($1, $2, 'test') returning id", [backup.id, target]);
    try {
      await expect(new MockActivityEnvironment().run(activities.loadBackupIntoDatabase, { restoreId: Number(row!.id) })).rejects.toMatchObject({
        type: 'CONFLICT',
        message: expect.stringMatching(/changed after it was verified/),
      });
      const [table] = await onDatabase(target, async (db) => (await db.query<{ users: string | null }>("select to_regclass('public.users')::text as users")).rows);
      expect(table).toEqual({ users: null });
    } finally {
      await live("update gencharge_backup_restores set status = 'failed' where id = $1", [row!.id]);
    }
  });

  it('when deleted, then its artifact and record are gone', async () => {
    const path = join(storageDir, backup.file);
    expect(existsSync(path)).toBe(true);
    const res = await gc.api().delete(`${BACKUPS}/${backup.id}`).set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(existsSync(path)).toBe(false);
    await expect(listed(backup.id)).rejects.toThrow(/not listed/);
    expect(await live('select 1 from gencharge_backup_restores where backup_id = $1', [backup.id])).toEqual([]);
    const again = await gc.api().delete(`${BACKUPS}/${backup.id}`).set(admin.auth);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'Backup not found' });
  });
});

describe('refusals', () => {
  /** A record as a flow would leave it; no flow runs for it. */
  async function recordIn(status: 'running' | 'success' | 'failed'): Promise<string> {
    const id = randomUUID().replaceAll('-', '').slice(0, 24);
    await live(
      `insert into gencharge_backups (id, backup_data, status, snapshot_name, storage_key, size_bytes, checksum, workflow_id, created_by)
       values ($1, 'test', $2, $3, $4, $5, $6, $7, $8)`,
      [id, status, `backup_test_${id}.dump`, status === 'success' ? `backup_test_${id}.dump` : null, status === 'success' ? 1 : null, status === 'success' ? '0'.repeat(64) : null, `test:${id}`, admin.id],
    );
    return id;
  }

  it('when the selection names no table, no date column, or days the wrong way round, then it is 422 and nothing is written', async () => {
    const [before] = await live<{ n: string }>('select count(*) as n from gencharge_backups');
    const send = (body: unknown) => gc.api().post(`${BACKUPS}/create`).set(admin.auth).send(body as object);
    const table = { table_name: 'users', date_column: 'created_at', start_date: '2025-11-01', end_date: '2025-11-10' };
    const cases: Array<[unknown, Array<string | number>]> = [
      [{ tables: [{ ...table, table_name: 'no_such_table' }] }, ['body', 'tables', 0, 'table_name']],
      [{ tables: [{ ...table, table_name: 'users"; drop table users; --' }] }, ['body', 'tables', 0, 'table_name']],
      [{ tables: [{ ...table, date_column: 'email' }] }, ['body', 'tables', 0, 'date_column']],
      [{ tables: [{ ...table, date_column: 'no_such_column' }] }, ['body', 'tables', 0, 'date_column']],
      [{ tables: [{ ...table, start_date: '2025-11-11' }] }, ['body', 'tables', 0, 'end_date']],
      [{ tables: [{ ...table, start_date: '2025-13-01' }] }, ['body', 'tables', 0, 'start_date']],
      [{ tables: [table, { ...table, table_name: 'USERS' }] }, ['body', 'tables', 1, 'table_name']],
      [{ tables: [{ table_name: 'users' }] }, ['body', 'tables', 0, 'date_column']],
      [{ backup_data: 'x'.repeat(101) }, ['body', 'backup_data']],
      [{ tables: 'users' }, ['body', 'tables']],
    ];
    for (const [body, loc] of cases) {
      const res = await send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc })]));
    }
    const [after] = await live<{ n: string }>('select count(*) as n from gencharge_backups');
    expect(after).toEqual(before);
  });

  it('when a backup is running or failed, then it cannot be restored, and a running one cannot be deleted', async () => {
    const running = await recordIn('running');
    const failed = await recordIn('failed');
    expect((await gc.api().post(`${BACKUPS}/${running}/restore`).set(admin.auth).send({})).status).toBe(409);
    const refused = await gc.api().post(`${BACKUPS}/${failed}/restore`).set(admin.auth).send({});
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'The backup is failed; only a successful backup can be restored' });
    expect((await gc.api().delete(`${BACKUPS}/${running}`).set(admin.auth)).status).toBe(409);
    expect((await gc.api().delete(`${BACKUPS}/${failed}`).set(admin.auth)).status).toBe(200);
    await live("update gencharge_backups set status = 'failed' where id = $1", [running]);
    expect((await gc.api().delete(`${BACKUPS}/${running}`).set(admin.auth)).status).toBe(200);
  });

  it('when a restore is running, then a second one is 409 and the backup cannot be deleted', async () => {
    const ready = await recordIn('success');
    const [first] = await live<{ id: string }>(
      "insert into gencharge_backup_restores (backup_id, target_db, workflow_id) values ($1, 'gc_never', 'test') returning id",
      [ready],
    );
    try {
      const second = await gc.api().post(`${BACKUPS}/${ready}/restore`).set(admin.auth).send({ target_db: 'gc_other' });
      expect(second.status).toBe(409);
      expect(second.body).toEqual({ detail: 'A restore is already running; try again once it has finished' });
      expect((await gc.api().delete(`${BACKUPS}/${ready}`).set(admin.auth)).status).toBe(409);
      expect(await live("select 1 from gencharge_backup_restores where backup_id = $1 and target_db = 'gc_other'", [ready])).toEqual([]);
    } finally {
      await live("update gencharge_backup_restores set status = 'failed' where id = $1", [first!.id]);
    }
    expect((await gc.api().delete(`${BACKUPS}/${ready}`).set(admin.auth)).status).toBe(200);
  });

  it('when the backup or the target is not valid, then it is 404 or 422', async () => {
    const ready = await recordIn('success');
    expect((await gc.api().post(`${BACKUPS}/${'f'.repeat(24)}/restore`).set(admin.auth).send({})).status).toBe(404);
    expect((await gc.api().delete(`${BACKUPS}/${'f'.repeat(24)}`).set(admin.auth)).status).toBe(404);
    expect((await gc.api().delete(`${BACKUPS}/not-an-id`).set(admin.auth)).status).toBe(422);
    for (const target_db of ['1abc', 'drop database x', 'template1', 'a'.repeat(64), 'a"b']) {
      const res = await gc.api().post(`${BACKUPS}/${ready}/restore`).set(admin.auth).send({ target_db });
      expect({ target_db, status: res.status }).toEqual({ target_db, status: 422 });
      expect(res.body.detail[0].loc).toEqual(['body', 'target_db']);
    }
    expect((await gc.api().post(`${BACKUPS}/${ready}/restore`).set(admin.auth).send({ clean: 'yes' })).status).toBe(422);
    expect(await live('select 1 from gencharge_backup_restores where backup_id = $1', [ready])).toEqual([]);
    expect((await gc.api().delete(`${BACKUPS}/${ready}`).set(admin.auth)).status).toBe(200);
  });

  it('when the target is the live database, then it is refused (it holds every tenant\'s books) and nothing is recorded', async () => {
    const ready = await recordIn('success');
    const liveDb = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    const res = await gc.api().post(`${BACKUPS}/${ready}/restore`).set(admin.auth).send({ target_db: liveDb, clean: true });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Restoring over the live database is switched off; restore into another database (GENCHARGE_BACKUP_LIVE_RESTORE)' });
    expect(await live('select 1 from gencharge_backup_restores where backup_id = $1', [ready])).toEqual([]);
    expect((await gc.api().delete(`${BACKUPS}/${ready}`).set(admin.auth)).status).toBe(200);
  });

  it('when listing, then it is a bare array, newest first, paged with X-Total-Count and filtered by status', async () => {
    const older = await recordIn('failed');
    await live("update gencharge_backups set created_at = now() - interval '1 minute' where id = $1", [older]);
    const newer = await recordIn('failed');
    const page = await gc.api().get(`${BACKUPS}/`).query({ status: 'failed', limit: 1 }).set(admin.auth);
    expect(page.status).toBe(200);
    expect(Array.isArray(page.body)).toBe(true);
    expect(page.body.map((b: BackupRecord) => b.backup_id)).toEqual([newer]);
    const [failedCount] = await live<{ n: string }>("select count(*) as n from gencharge_backups where status = 'failed'");
    expect(page.headers['x-total-count']).toBe(failedCount!.n);
    const next = await gc.api().get(`${BACKUPS}/`).query({ status: 'failed', limit: 500 }).set(admin.auth);
    const ids = next.body.map((b: BackupRecord) => b.backup_id);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    expect(next.body.every((b: BackupRecord) => b.backup_status === 'failed')).toBe(true);
    expect((await gc.api().get(`${BACKUPS}/`).query({ status: 'lost' }).set(admin.auth)).status).toBe(422);
    expect((await gc.api().get(`${BACKUPS}/`).query({ skip: -1 }).set(admin.auth)).status).toBe(422);
    for (const id of [older, newer]) expect((await gc.api().delete(`${BACKUPS}/${id}`).set(admin.auth)).status).toBe(200);
  });

  it('when nobody, a mobile user, or an admin without the permission calls, then it is 401 or 403', async () => {
    const admins = genchargeAdmins(platform);
    const user = await admins.mobileUser();
    const reader = await admins.adminWith([['Backup', 'read']]);
    const id = 'a'.repeat(24);
    const calls = [
      () => gc.api().post(`${BACKUPS}/create`).send({}),
      () => gc.api().get(`${BACKUPS}/`),
      () => gc.api().delete(`${BACKUPS}/${id}`),
      () => gc.api().post(`${BACKUPS}/${id}/restore`).send({}),
    ];
    for (const call of calls) {
      expect((await call()).status).toBe(401);
      expect((await call().set(user.auth)).status).toBe(403);
    }
    expect((await gc.api().get(`${BACKUPS}/`).set(reader.auth)).status).toBe(200);
    expect((await gc.api().post(`${BACKUPS}/create`).set(reader.auth).send({})).status).toBe(403);
    expect((await gc.api().delete(`${BACKUPS}/${id}`).set(reader.auth)).status).toBe(403);
    expect((await gc.api().post(`${BACKUPS}/${id}/restore`).set(reader.auth).send({})).status).toBe(403);
  });
});

describe('a server without usable Postgres tools', () => {
  let toolless: TestPlatform;
  let binDir: string;

  beforeAll(async () => {
    binDir = join(dataDir, `no-tools-${randomUUID()}`);
    mkdirSync(binDir, { recursive: true });
    toolless = await startTestPlatform({ GENCHARGE_BACKUP_STORAGE_DIR: storageDir, GENCHARGE_BACKUP_WAIT_MS: '60000', POSTGRES_BIN_DIR: binDir });
  });
  afterAll(async () => {
    await toolless.stop();
  });

  const create = () => gencharge(toolless).api().post(`${BACKUPS}/create`).set(admin.auth).send({ backup_data: uniqueId('tools') });

  it('when pg_dump is missing, then the backup fails at once with a message saying what to install', async () => {
    const res = await create();
    expect(res.status).toBe(503);
    expect(res.body.detail).toBe(`Backup failed: pg_dump was not found in ${binDir} (POSTGRES_BIN_DIR); install postgresql-client-15 or set POSTGRES_BIN_DIR`);
    const [record] = await live<{ status: string; failure_reason: string }>("select status, failure_reason from gencharge_backups where backup_data like 'tools-%' order by created_at desc limit 1");
    expect(record).toEqual({ status: 'failed', failure_reason: `pg_dump was not found in ${binDir} (POSTGRES_BIN_DIR); install postgresql-client-15 or set POSTGRES_BIN_DIR` });
  });

  it('when pg_dump is older than the server, then the backup fails saying so', async () => {
    for (const tool of ['pg_dump', 'psql']) {
      writeFileSync(join(binDir, tool), `#!/bin/sh\necho "${tool} (PostgreSQL) 9.6.24"\n`);
      chmodSync(join(binDir, tool), 0o755);
    }
    const res = await create();
    expect(res.status).toBe(503);
    expect(res.body.detail).toBe('Backup failed: pg_dump 9 cannot dump a PostgreSQL 15 server; install postgresql-client-15 or set POSTGRES_BIN_DIR');
  });

  /** A pg_dump of the server's version that does `body` when asked to dump. */
  function fakePgDump(body: string): void {
    writeFileSync(join(binDir, 'pg_dump'), `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.4"; exit 0; fi\n${body}\n`);
    chmodSync(join(binDir, 'pg_dump'), 0o755);
  }

  it('when pg_dump fails, then the backup fails with its stderr, and the password was never on its command line', async () => {
    fakePgDump('echo "args: $*" >&2; echo "password given: ${PGPASSWORD:+yes}" >&2; echo "pg_dump: error: connection refused" >&2; exit 1');
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^Backup failed: pg_dump exited with status 1: args: --no-password --format=custom --dbname=postgres(ql)?:\/\/\S+\npassword given: yes\npg_dump: error: connection refused$/);
    const password = new URL(process.env.DATABASE_URL!).password;
    if (password) expect(res.body.detail).not.toContain(`:${password}@`);
  });

  it('when pg_dump writes nothing, then the backup fails as empty and leaves no artifact', async () => {
    fakePgDump('exit 0');
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.detail).toBe('Backup failed: the dump is empty');
    const [record] = await live<{ snapshot_name: string; storage_key: string | null }>("select snapshot_name, storage_key from gencharge_backups where backup_data like 'tools-%' order by created_at desc limit 1");
    expect(record!.storage_key).toBeNull();
    expect(existsSync(join(storageDir, record!.snapshot_name))).toBe(false);
  });
});

describe('a backup that takes longer than the answer waits', () => {
  let idle: TestPlatform;

  beforeAll(async () => {
    // No worker: the flow waits, the record stays running.
    idle = await startTestPlatform({ GENCHARGE_BACKUP_STORAGE_DIR: storageDir, GENCHARGE_BACKUP_WAIT_MS: '300' }, { inProcessWorker: false });
  });
  afterAll(async () => {
    await idle.stop();
  });

  it('when the wait ends first, then it is 202 with the running record, which cannot be restored or deleted yet', async () => {
    const api = gencharge(idle).api;
    const res = await api().post(`${BACKUPS}/create`).set(admin.auth).send({ description: 'slow' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ backup_data: 'manual', description: 'slow', backup_status: 'running', size_mb: null, storage_url: null, details: [], created_by: admin.id });
    const id = res.body.backup_id as string;
    expect((await api().post(`${BACKUPS}/${id}/restore`).set(admin.auth).send({})).status).toBe(409);
    expect((await api().delete(`${BACKUPS}/${id}`).set(admin.auth)).status).toBe(409);
    const [row] = await live<{ workflow_id: string }>('select workflow_id from gencharge_backups where id = $1', [id]);
    await idle.temporal.workflow.getHandle(row!.workflow_id).terminate('test over');
    await live("update gencharge_backups set status = 'failed', failure_reason = 'terminated by the test' where id = $1", [id]);
    expect((await api().delete(`${BACKUPS}/${id}`).set(admin.auth)).status).toBe(200);
  });
});
