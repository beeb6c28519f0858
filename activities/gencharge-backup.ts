import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType } from '../core/errors.js';
import { INDIA_UTC_OFFSET } from '../core/india-calendar.js';
import { GenChargeBackup, GenChargeBackupRestore, type BackupProgress, type BackupTableSelection } from '../db/entities/gencharge-backups.js';
import type { Orm } from '../db/orm.js';
import type { BackupStorage, StoredArtifact } from '../providers/backup-storage.js';
import { BACKUP_DATE_COLUMN_TYPES, type BackupArtifact, type BackupOutcomeRecord, type GenChargeBackupActivities, type PostgresTool } from '../workflows/contracts.js';

/** What the backup activities need besides the database: where artifacts go, and the tools. */
export interface BackupSettings {
  storage: BackupStorage;
  /** The database backed up (DATABASE_URL); restores go to other databases of the same server. */
  databaseUrl: string;
  /** POSTGRES_BIN_DIR: where pg_dump, pg_restore and psql are; absent, they are looked up on PATH. */
  postgresBinDir?: string;
}

export interface GenChargeBackupActivityDeps {
  orm: Orm;
  /** Absent where a worker makes no backups (some tests); the activities then refuse clearly. */
  backups?: BackupSettings;
}

/** How often progress reaches the record at most: it is for an admin watching, not an audit trail. */
const PROGRESS_SAVE_EVERY_MS = 2000;
/** Tools can be quiet for long stretches (a big table, a lock wait); the heartbeat must not be. */
const HEARTBEAT_EVERY_MS = 10_000;
const STDERR_TAIL_CHARS = 2000;

/** An SQL identifier, quoted: the only way a name reaches a statement or a tool. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

// --- connection --------------------------------------------------------------------------------

/**
 * The tools' connection: a connection string without the password (argv is visible to every user
 * of the machine), the password in PGPASSWORD. UTC, so timestamps without a zone read as stored.
 */
function connectionOf(databaseUrl: string, database?: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  if (database !== undefined) url.pathname = `/${encodeURIComponent(database)}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PGTZ: 'UTC', PGCLIENTENCODING: 'UTF8', PGCONNECT_TIMEOUT: '15' };
  if (password) env.PGPASSWORD = password;
  else delete env.PGPASSWORD;
  return { dbname: url.toString(), env };
}

// --- tools -------------------------------------------------------------------------------------

const execFileAsync = promisify(execFile);

function toolsUnavailable(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.Unavailable, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
}

async function findTool(name: PostgresTool, binDir: string | undefined): Promise<string | undefined> {
  const dirs = binDir ? [binDir] : (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** A tool's major version from its `--version` line, e.g. "pg_dump (PostgreSQL) 15.20 (Debian ...)". */
async function toolMajor(path: string): Promise<number | undefined> {
  const { stdout } = await execFileAsync(path, ['--version'], { timeout: 15_000 });
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout) ?? /(\d+)(?:\.\d+)+/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** The tool's path, checked: present and not older than the server (pg_dump refuses newer servers). */
async function resolveTool(name: PostgresTool, settings: BackupSettings, serverMajor: number): Promise<{ path: string; major: number }> {
  const where = settings.postgresBinDir ? `in ${settings.postgresBinDir} (POSTGRES_BIN_DIR)` : 'on PATH';
  const fix = `install postgresql-client-${serverMajor} or set POSTGRES_BIN_DIR`;
  const path = await findTool(name, settings.postgresBinDir);
  if (!path) throw toolsUnavailable(`${name} was not found ${where}; ${fix}`);
  let major: number | undefined;
  try {
    major = await toolMajor(path);
  } catch (err) {
    throw toolsUnavailable(`${name} ${where} did not run: ${(err as Error).message}; ${fix}`, err);
  }
  if (major === undefined) throw toolsUnavailable(`${name} ${where} did not say its version; ${fix}`);
  if (major < serverMajor) {
    const verb = name === 'pg_dump' ? 'dump' : 'restore into';
    throw toolsUnavailable(`${name} ${major} cannot ${verb} a PostgreSQL ${serverMajor} server; ${fix}`);
  }
  return { path, major };
}

async function serverMajorOf(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ server_version_num: string }[]>('show server_version_num');
  return Math.floor(Number(row!.server_version_num) / 10000);
}

/** A tool that exited badly: its stderr's tail is the reason (the password is never in it: see connectionOf). */
class ToolFailed extends Error {
  constructor(tool: string, code: number | null, signal: NodeJS.Signals | null, stderr: string) {
    const how = code === null ? `was stopped (${signal})` : `exited with status ${code}`;
    const tail = stderr.trim().slice(-STDERR_TAIL_CHARS);
    super(`${tool} ${how}${tail ? `: ${tail}` : ''}`);
    this.name = 'ToolFailed';
  }
}

interface RunningTool {
  name: string;
  stdin: Writable;
  stdout: Readable;
  /** Settles when the process has exited: rejects with ToolFailed unless it exited 0. */
  finished: Promise<void>;
  kill(): void;
}

function startTool(name: string, path: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'pipe' | 'ignore' = 'ignore'): RunningTool {
  // A cancelled activity (its flow ended, the worker shuts down) stops its tool with it.
  let cancelled: AbortSignal | undefined;
  try {
    cancelled = Context.current().cancellationSignal;
  } catch {
    // Not inside an activity.
  }
  const child = spawn(path, args, { env, stdio: [stdin, 'pipe', 'pipe'], ...(cancelled && { signal: cancelled, killSignal: 'SIGKILL' as const }) });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4 * STDERR_TAIL_CHARS);
  });
  const finished = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new ToolFailed(name, code, signal, stderr))));
  });
  // Awaited by the caller; this only keeps an early failure from counting as unhandled.
  finished.catch(() => undefined);
  return {
    name,
    stdin: child.stdin!,
    stdout: child.stdout!,
    finished,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The tool's stdout as it comes, then its exit: a failed tool fails the stream that carries its output. */
async function* outputOf(tool: RunningTool): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of tool.stdout) yield chunk as Buffer;
    await tool.finished;
  } finally {
    tool.kill();
  }
}

async function collect(tool: RunningTool): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of outputOf(tool)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A tool failure as the flow records it: final, the record says why. */
function asFailure(err: unknown, type: FailureType = FailureType.ProviderRejected): unknown {
  if (err instanceof ToolFailed) return ApplicationFailure.create({ type, message: err.message, nonRetryable: true, cause: err });
  return err;
}

// --- progress ----------------------------------------------------------------------------------

/** Heartbeats progress (also while the tool is silent) and saves it to the record, throttled. */
function progressOf(save: (progress: BackupProgress) => Promise<unknown>) {
  const context = Context.current();
  let current: BackupProgress = {};
  let savedAt = 0;
  let saving: Promise<unknown> = Promise.resolve();
  const persist = () => {
    savedAt = Date.now();
    const snapshot = { ...current };
    saving = saving.then(() => save(snapshot)).catch((err: unknown) => context.log.warn('backup progress not saved', { error: (err as Error).message }));
  };
  const update = (change: BackupProgress) => {
    current = { ...current, ...change };
    context.heartbeat(current);
    if (Date.now() - savedAt >= PROGRESS_SAVE_EVERY_MS) persist();
  };
  const timer = setInterval(() => context.heartbeat(current), HEARTBEAT_EVERY_MS);
  return {
    update,
    /** The chunks as bytes, counted as they pass; an error of the source goes on to the reader. */
    async *counted(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
      let bytes = current.bytes ?? 0;
      for await (const chunk of source) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        bytes += buffer.length;
        update({ bytes });
        yield buffer;
      }
    },
    async finish() {
      clearInterval(timer);
      persist();
      await saving;
    },
  };
}

type Progress = ReturnType<typeof progressOf>;

/** The artifact read for a restore is not the one that was verified. */
class ArtifactChanged extends Error {}

// --- what a selection dumps --------------------------------------------------------------------

interface ColumnInfo {
  column_name: string;
  is_generated: string;
  is_identity: string;
  column_default: string | null;
}


/** The rows of one selected table: its days are whole days in India, as GenCharge's lists read them. */
function rowsQuery(table: string, selection: BackupTableSelection, columns: string[], dateType: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(selection.start_date) || !day.test(selection.end_date)) throw new Error(`not a day: ${selection.start_date}..${selection.end_date}`);
  const column = quoteIdent(selection.date_column);
  // The day after the last is Postgres's arithmetic: it reaches past 9999-12-31, which ISO text from JS cannot.
  const bounds =
    dateType === 'date'
      ? `${column} >= date '${selection.start_date}' and ${column} <= date '${selection.end_date}'`
      : `${column} >= timestamptz '${selection.start_date}T00:00:00${INDIA_UTC_OFFSET}' and ${column} < timestamptz '${selection.end_date}T00:00:00${INDIA_UTC_OFFSET}' + interval '1 day'`;
  return `copy (select ${columns.map(quoteIdent).join(', ')} from ${table} where ${bounds}) to stdout`;
}

/**
 * Post-data DDL of the selected tables without foreign keys and triggers: the rows are a date range
 * each, not a closed set (a row may point at one left out), and triggers call functions the file
 * does not hold. Primary keys, unique constraints and indexes stay.
 */
export function withoutForeignKeysAndTriggers(postData: string): string {
  // Each object starts with its `-- Name:` header; the dump's closing lines (and \unrestrict) are a block of their own.
  const blocks = postData.split(/(?=^--\n-- (?:Name: |PostgreSQL database dump complete))/m);
  return blocks.filter((block) => !/^-- Name: .*; Type: (FK CONSTRAINT|TRIGGER);/m.test(block)).join('');
}

// --- the activities ----------------------------------------------------------------------------

export function createGenChargeBackupActivities({ orm, backups }: GenChargeBackupActivityDeps) {
  function settings(): BackupSettings {
    if (!backups) throw toolsUnavailable('this worker is not configured for backups');
    return backups;
  }

  async function backupRecord(em: EntityManager, backupId: string) {
    const backup = await em.findOne(GenChargeBackup, { id: backupId });
    if (!backup) throw ApplicationFailure.create({ type: FailureType.NotFound, message: `backup ${backupId} does not exist`, nonRetryable: true });
    return backup;
  }

  async function restoreRecord(em: EntityManager, restoreId: number) {
    const restore = await em.findOne(GenChargeBackupRestore, { id: restoreId });
    if (!restore) throw ApplicationFailure.create({ type: FailureType.NotFound, message: `restore ${restoreId} does not exist`, nonRetryable: true });
    return restore;
  }

  /** Both the tool and the server are asked each time: either may have been upgraded since. */
  async function tool(name: PostgresTool): Promise<string> {
    return (await resolveTool(name, settings(), await serverMajorOf(orm.em.fork()))).path;
  }

  /** The selection file: pre-data DDL, one COPY block per table, sequence positions, then filtered post-data DDL. */
  /**
   * `snapshot` is exported by the transaction `em` runs in: every tool run reads the database as of
   * that one instant, so the tables' rows agree with each other as a single pg_dump's would.
   */
  async function* selectionDump(em: EntityManager, snapshot: string, backupId: string, selection: BackupTableSelection[], progress: Progress): AsyncGenerator<Buffer | string> {
    if (!/^[0-9A-Fa-f-]+$/.test(snapshot)) throw new Error(`not a snapshot id: ${snapshot}`);
    const [pgDump, psql] = [await tool('pg_dump'), await tool('psql')];
    const { dbname, env } = connectionOf(settings().databaseUrl);
    const tables = selection.map((s) => `${quoteIdent('public')}.${quoteIdent(s.table_name)}`);
    const schemaArgs = ['--no-password', '--schema-only', '--no-owner', '--no-privileges', '--strict-names', `--snapshot=${snapshot}`, ...tables.flatMap((t) => ['-t', t]), `--dbname=${dbname}`];
    const inSnapshot = ['-c', 'begin isolation level repeatable read read only', '-c', `set transaction snapshot '${snapshot}'`];
    yield `--\n-- GenCharge backup ${backupId}: rows of ${selection.length} table(s) by date (whole days in India)\n`;
    for (const s of selection) yield `--   ${s.table_name}.${s.date_column} from ${s.start_date} to ${s.end_date}\n`;
    yield '-- Foreign keys and triggers are left out: the rows are ranges, not a closed set.\n-- Restore with: psql -v ON_ERROR_STOP=1 --single-transaction -f <file>\n--\n\n';
    yield* outputOf(startTool('pg_dump', pgDump, [...schemaArgs, '--section=pre-data'], env));
    progress.update({ step: 'rows', done: 0, total: selection.length });
    for (const [index, s] of selection.entries()) {
      const table = tables[index]!;
      const columns = await em.execute<ColumnInfo[]>(
        `select column_name, is_generated, is_identity, column_default from information_schema.columns
         where table_schema = 'public' and table_name = ? order by ordinal_position`,
        [s.table_name],
      );
      const [dateColumn] = await em.execute<{ data_type: string }[]>(
        `select data_type from information_schema.columns where table_schema = 'public' and table_name = ? and column_name = ?`,
        [s.table_name, s.date_column],
      );
      if (!dateColumn || !(BACKUP_DATE_COLUMN_TYPES as readonly string[]).includes(dateColumn.data_type)) {
        throw ApplicationFailure.create({ type: FailureType.Validation, message: `${s.table_name}.${s.date_column} is no longer a date column`, nonRetryable: true });
      }
      const stored = columns.filter((c) => c.is_generated !== 'ALWAYS').map((c) => c.column_name);
      yield `\nCOPY ${table} (${stored.map(quoteIdent).join(', ')}) FROM stdin;\n`;
      const copy = ['-c', rowsQuery(table, s, stored, dateColumn.data_type), '-c', 'commit'];
      yield* outputOf(startTool('psql', psql, ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1', '-d', dbname, ...inSnapshot, ...copy], env));
      yield '\\.\n\n';
      // A restored table's sequences continue after its highest id, not at 1.
      for (const c of columns.filter((c) => c.is_identity === 'YES' || c.column_default?.startsWith('nextval('))) {
        const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
        yield `SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(${literal(table)}, ${literal(c.column_name)}), m) FROM (SELECT max(${quoteIdent(c.column_name)}) AS m FROM ${table}) s WHERE m IS NOT NULL;\n`;
      }
      progress.update({ done: index + 1 });
    }
    yield withoutForeignKeysAndTriggers(await collect(startTool('pg_dump', pgDump, [...schemaArgs, '--section=post-data'], env)));
  }

  const activities: GenChargeBackupActivities = {
    async checkPostgresTools({ tools }) {
      const serverMajor = await serverMajorOf(orm.em.fork());
      const found: Partial<Record<PostgresTool, number>> = {};
      for (const name of tools) found[name] = (await resolveTool(name, settings(), serverMajor)).major;
      return { serverMajor, tools: found };
    },

    /**
     * The whole database as pg_dump's custom format (compressed; pg_restore can then `--clean`), or
     * a selection as a plain SQL file with COPY blocks. Either streams from the tool into storage; a
     * retried attempt writes the same key again.
     */
    async dumpBackup({ backupId }): Promise<BackupArtifact> {
      const em = orm.em.fork();
      const backup = await backupRecord(em, backupId);
      const { storage, databaseUrl } = settings();
      const key = backup.snapshotName;
      const progress = progressOf((p) => orm.em.fork().nativeUpdate(GenChargeBackup, { id: backupId, status: 'running' }, { progress: p }));
      const store = (source: AsyncIterable<Buffer | string>) => storage.write(key, Readable.from(progress.counted(source), { objectMode: false }));
      try {
        progress.update({ step: 'dump', bytes: 0 });
        const selection = backup.selection?.length ? backup.selection : null;
        let stored: StoredArtifact;
        if (selection) {
          // The transaction only holds the snapshot the tools share; it reads, and ends with the dump.
          stored = await orm.em.fork().transactional(
            async (tx) => {
              const [{ snapshot }] = (await tx.execute<{ snapshot: string }[]>('select pg_export_snapshot() as snapshot')) as [{ snapshot: string }];
              return store(selectionDump(tx, snapshot, backupId, selection, progress));
            },
            { isolationLevel: IsolationLevel.REPEATABLE_READ },
          );
        } else {
          const { dbname, env } = connectionOf(databaseUrl);
          stored = await store(outputOf(startTool('pg_dump', await tool('pg_dump'), ['--no-password', '--format=custom', `--dbname=${dbname}`], env)));
        }
        if (stored.sizeBytes === 0) {
          await storage.remove(key);
          throw ApplicationFailure.create({ type: FailureType.ProviderRejected, message: 'the dump is empty', nonRetryable: true });
        }
        progress.update({ step: 'stored', bytes: stored.sizeBytes });
        return { storageKey: key, sizeBytes: stored.sizeBytes, sha256: stored.sha256 };
      } catch (err) {
        throw asFailure(err);
      } finally {
        await progress.finish();
      }
    },

    async recordBackupOutcome(outcome: BackupOutcomeRecord) {
      const em = orm.em.fork();
      const finishedAt = new Date();
      // Only a running record changes: a retried call finds it already final and leaves it.
      if (outcome.status === 'success') {
        const { storageKey, sizeBytes, sha256 } = outcome.artifact;
        await em.nativeUpdate(GenChargeBackup, { id: outcome.backupId, status: 'running' }, { status: 'success', storageKey, sizeBytes, checksum: sha256, finishedAt, progress: { step: 'done', bytes: sizeBytes } });
      } else {
        await em.nativeUpdate(GenChargeBackup, { id: outcome.backupId, status: 'running' }, { status: 'failed', failureReason: outcome.reason, finishedAt });
      }
    },

    async verifyBackupArtifact({ backupId }) {
      const backup = await backupRecord(orm.em.fork(), backupId);
      const refuse = (message: string, type = FailureType.Conflict) => ApplicationFailure.create({ type, message, nonRetryable: true });
      if (backup.status !== 'success' || !backup.storageKey || !backup.checksum) throw refuse(`backup ${backupId} is ${backup.status}, not a finished backup`);
      const source = await settings().storage.read(backup.storageKey);
      if (!source) throw refuse(`the artifact ${backup.snapshotName} is missing from backup storage`, FailureType.NotFound);
      const hash = createHash('sha256');
      let bytes = 0;
      const context = Context.current();
      for await (const chunk of source) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
        context.heartbeat({ step: 'verify', bytes });
      }
      const digest = hash.digest('hex');
      if (bytes !== backup.sizeBytes || digest !== backup.checksum) {
        throw refuse(`the artifact ${backup.snapshotName} does not match its record (SHA-256 ${digest}, ${bytes} bytes; recorded ${backup.checksum}, ${backup.sizeBytes} bytes): restore refused, nothing was changed`);
      }
    },

    async prepareRestoreDatabase({ restoreId }) {
      const em = orm.em.fork();
      const restore = await restoreRecord(em, restoreId);
      const [exists] = await em.execute<unknown[]>('select 1 from pg_database where datname = ?', [restore.targetDb]);
      if (exists) return { created: false };
      try {
        await em.execute(`create database ${quoteIdent(restore.targetDb)}`);
      } catch (err) {
        // Another attempt created it first.
        if ((err as { code?: string }).code === '42P04') return { created: false };
        throw err;
      }
      return { created: true };
    },

    /**
     * pg_restore (whole database) or psql (a selection), in one transaction: a failed load leaves
     * the target as it was. The artifact is hashed again as it streams in; if it changed since it
     * was verified, the tool is killed before the end of its input, so nothing commits.
     */
    async loadBackupIntoDatabase({ restoreId }) {
      const em = orm.em.fork();
      const restore = await restoreRecord(em, restoreId);
      const backup = await backupRecord(em, restore.backup);
      const { storage, databaseUrl } = settings();
      const { dbname, env } = connectionOf(databaseUrl, restore.targetDb);
      const selection = backup.selection?.length ? backup.selection : null;
      // psql gets its transaction from the input itself: COMMIT is the input's last line, sent only
      // once the whole artifact has passed its checksum. (With --single-transaction psql would
      // commit at any end of input, a cut-off one included.)
      const running = selection
        ? startTool('psql', await tool('psql'), ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1', '-d', dbname, '-f', '-'], env, 'pipe')
        : startTool('pg_restore', await tool('pg_restore'), ['--no-password', '--no-owner', '--single-transaction', '--exit-on-error', ...(restore.clean ? ['--clean', '--if-exists'] : []), `--dbname=${dbname}`], env, 'pipe');
      const source = backup.storageKey ? await storage.read(backup.storageKey) : null;
      if (!source) {
        running.kill();
        throw ApplicationFailure.create({ type: FailureType.NotFound, message: `the artifact ${backup.snapshotName} is missing from backup storage`, nonRetryable: true });
      }
      const progress = progressOf((p) => orm.em.fork().nativeUpdate(GenChargeBackupRestore, { id: restoreId, status: 'running' }, { progress: p }));
      progress.update({ step: 'load', bytes: 0 });
      // A clean restore of a selection drops the selected tables first, in the same transaction.
      const drops = selection && restore.clean ? selection.map((s) => `DROP TABLE IF EXISTS ${quoteIdent('public')}.${quoteIdent(s.table_name)} CASCADE;\n`).join('') : '';
      /**
       * The artifact, hashed as it goes, its last chunk held back until the hash is known: neither
       * tool can finish a changed artifact, so nothing of it commits.
       */
      async function* input(): AsyncGenerator<Buffer | string> {
        if (selection) yield `BEGIN;\n${drops}`;
        const hash = createHash('sha256');
        let held: Buffer | undefined;
        for await (const chunk of source!) {
          hash.update(chunk as Buffer);
          if (held) yield held;
          held = chunk as Buffer;
        }
        if (hash.digest('hex') !== backup.checksum) {
          running.kill();
          throw new ArtifactChanged(`the artifact ${backup.snapshotName} changed after it was verified: the restore was stopped before it committed`);
        }
        if (held) yield held;
        if (selection) yield '\nCOMMIT;\n';
      }
      const fed = pipeline(Readable.from(progress.counted(input()), { objectMode: false }), running.stdin).then(
        () => undefined,
        (err: unknown) => err,
      );
      const exited = running.finished.then(
        () => undefined,
        (err: unknown) => err,
      );
      try {
        const [feedError, exitError] = await Promise.all([fed, exited]);
        if (feedError instanceof ArtifactChanged) throw ApplicationFailure.create({ type: FailureType.Conflict, message: feedError.message, nonRetryable: true });
        // The tool's own words first: a broken pipe is only how its exit looked from here.
        if (exitError) throw exitError;
        if (feedError) throw feedError;
      } catch (err) {
        throw asFailure(err);
      } finally {
        await progress.finish();
      }
    },

    async recordRestoreOutcome({ restoreId, status, reason }) {
      await orm.em
        .fork()
        .nativeUpdate(GenChargeBackupRestore, { id: restoreId, status: 'running' }, { status, failureReason: reason ?? null, finishedAt: new Date(), ...(status === 'success' && { progress: { step: 'done' } }) });
    },
  };
  return { ...activities };
}
