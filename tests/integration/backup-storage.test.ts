import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, loadConfig } from '../../core/config.js';
import { createDirectoryBackupStorage, type BackupStorage } from '../../providers/backup-storage.js';
import { createBackupStorage } from '../../providers/configured-backup-storage.js';
import { createObjectBackupStorage, SHA256_METADATA } from '../../providers/object-backup-storage.js';
import { createObjectStorageSandbox, type ObjectStorageSandbox } from '../../providers/sandbox/object-storage-sandbox.js';

const MiB = 1024 * 1024;
const BUCKET = 'gencharge-backups';
const ACCESS_KEY_ID = 'sandbox-access-key';
const SECRET_ACCESS_KEY = 'sandbox-secret-access-key';
const PREFIX = 'tests/';

let workDir: string;
let sandbox: ObjectStorageSandbox;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'backup-storage-'));
  sandbox = createObjectStorageSandbox({ root: join(workDir, 's3'), buckets: [BUCKET], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
  await sandbox.start(0);
});
afterAll(async () => {
  await sandbox.stop();
  await rm(workDir, { recursive: true, force: true });
});

let keys = 0;
const freshKey = () => `gencharge-${Date.now()}-${++keys}.dump`;

/** `sizeBytes` of pseudo-random bytes in 64 KiB chunks, and their SHA-256 computed apart from storage. */
function artifact(sizeBytes: number, failAfterBytes?: number): { source: Readable; sha256: string } {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < sizeBytes; offset += 64 * 1024) chunks.push(randomBytes(Math.min(64 * 1024, sizeBytes - offset)));
  const sha256 = createHash('sha256');
  for (const chunk of chunks) sha256.update(chunk);
  async function* produce() {
    let sent = 0;
    for (const chunk of chunks) {
      if (failAfterBytes !== undefined && sent >= failAfterBytes) throw new Error('pg_dump exited with code 1');
      sent += chunk.length;
      yield chunk;
    }
  }
  return { source: Readable.from(produce()), sha256: sha256.digest('hex') };
}

async function hashOf(stream: Readable): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

interface Subject {
  storage: BackupStorage;
  /** What a storage keeps of unfinished writes (temporary files, multipart uploads). */
  leftovers(): Promise<number>;
}

const subjects: Record<string, () => Subject> = {
  directory: () => {
    const root = join(workDir, 'directory');
    return {
      storage: createDirectoryBackupStorage(root),
      leftovers: async () => (await readdir(root).catch(() => [])).filter((name) => name.endsWith('.partial')).length,
    };
  },
  's3 (sandbox)': () => ({
    storage: createObjectBackupStorage({
      bucket: BUCKET,
      region: 'ap-south-1',
      endpoint: sandbox.endpoint(),
      prefix: PREFIX,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      // S3's smallest part, so a 12 MB artifact goes up in three parts.
      partSizeBytes: 5 * MiB,
    }),
    leftovers: () => sandbox.openUploads(),
  }),
};

describe.each(Object.keys(subjects))('backup storage contract: %s', (name) => {
  let subject: Subject;
  beforeAll(() => {
    subject = subjects[name]!();
  });

  it('when a multi-megabyte artifact is written, then it reads back byte for byte with the size and SHA-256 measured independently', async () => {
    const key = freshKey();
    const { source, sha256 } = artifact(12 * MiB + 12345);
    const stored = await subject.storage.write(key, source);
    expect(stored).toEqual({ sizeBytes: 12 * MiB + 12345, sha256 });
    const stream = await subject.storage.read(key);
    expect(stream).not.toBeNull();
    expect(await hashOf(stream!)).toEqual({ sizeBytes: 12 * MiB + 12345, sha256 });
  });

  it('when a small artifact replaces what a key held, then the key reads the new bytes', async () => {
    const key = freshKey();
    await subject.storage.write(key, artifact(1000).source);
    const { source, sha256 } = artifact(2000);
    expect(await subject.storage.write(key, source)).toEqual({ sizeBytes: 2000, sha256 });
    expect(await hashOf((await subject.storage.read(key))!)).toEqual({ sizeBytes: 2000, sha256 });
  });

  it('when an empty artifact is written, then it reads back empty', async () => {
    const key = freshKey();
    const empty = createHash('sha256').digest('hex');
    expect(await subject.storage.write(key, Readable.from([]))).toEqual({ sizeBytes: 0, sha256: empty });
    expect(await hashOf((await subject.storage.read(key))!)).toEqual({ sizeBytes: 0, sha256: empty });
  });

  it('when nothing is stored under a key, then reading it answers null', async () => {
    await expect(subject.storage.read(freshKey())).resolves.toBeNull();
  });

  it('when a key is removed twice, then both succeed and the key reads null', async () => {
    const key = freshKey();
    await subject.storage.write(key, artifact(4096).source);
    await subject.storage.remove(key);
    await subject.storage.remove(key);
    await expect(subject.storage.read(key)).resolves.toBeNull();
  });

  it.each(['../escape.dump', 'nested/key.dump', '', '.hidden', 'a b.dump', 'x'.repeat(201)])(
    'when the key is %j, then every operation refuses it',
    async (key) => {
      await expect(subject.storage.write(key, artifact(10).source)).rejects.toThrow(/not a backup key/);
      await expect(subject.storage.read(key)).rejects.toThrow(/not a backup key/);
      await expect(subject.storage.remove(key)).rejects.toThrow(/not a backup key/);
    },
  );

  it.each([
    ['after several megabytes (some parts already stored)', 11 * MiB],
    ['before the first part', 64 * 1024],
  ])('when the source stream fails %s, then the write fails and nothing is readable or left behind under the key', async (_when, failAfterBytes) => {
    const key = freshKey();
    await expect(subject.storage.write(key, artifact(16 * MiB, failAfterBytes).source)).rejects.toThrow('pg_dump exited with code 1');
    await expect(subject.storage.read(key)).resolves.toBeNull();
    expect(await subject.leftovers()).toBe(0);
  });
});

describe('object backup storage (S3 adapter against the sandbox)', () => {
  const storage = (overrides: Partial<Parameters<typeof createObjectBackupStorage>[0]> = {}) =>
    createObjectBackupStorage({
      bucket: BUCKET,
      region: 'ap-south-1',
      endpoint: sandbox.endpoint(),
      prefix: PREFIX,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      ...overrides,
    });

  it('when an artifact is written, then the object carries its SHA-256 as metadata and its location names bucket and prefix', async () => {
    const key = freshKey();
    const { source, sha256 } = artifact(7 * MiB);
    await storage({ partSizeBytes: 5 * MiB }).write(key, source);
    const client = new S3Client({ region: 'ap-south-1', endpoint: sandbox.endpoint(), forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } });
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}` }));
    expect(head).toMatchObject({ ContentLength: 7 * MiB, Metadata: { [SHA256_METADATA]: sha256 } });
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(storage().locationOf(key)).toBe(`s3://${BUCKET}/${PREFIX}${key}`);
    expect(storage({ prefix: 'gencharge/backups' }).locationOf(key)).toBe(`s3://${BUCKET}/gencharge/backups/${key}`);
    client.destroy();
  });

  it('when the source fails after parts were stored, then the multipart upload is aborted; a complete one is completed', async () => {
    const before = sandbox.multipartCounts();
    await expect(storage({ partSizeBytes: 5 * MiB }).write(freshKey(), artifact(16 * MiB, 11 * MiB).source)).rejects.toThrow('pg_dump exited with code 1');
    expect(sandbox.multipartCounts()).toEqual({ ...before, begun: before.begun + 1, aborted: before.aborted + 1 });
    await storage({ partSizeBytes: 5 * MiB }).write(freshKey(), artifact(11 * MiB).source);
    expect(sandbox.multipartCounts()).toEqual({ begun: before.begun + 2, completed: before.completed + 1, aborted: before.aborted + 1 });
    expect(await sandbox.openUploads()).toBe(0);
  });

  it.each([
    ['an unknown access key id', { accessKeyId: 'someone-else', secretAccessKey: SECRET_ACCESS_KEY }, 'AccessDenied'],
    ['a wrong secret', { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' }, 'SignatureDoesNotMatch'],
  ])('when the credentials are %s, then writing, reading and removing fail (a read is not taken for a missing backup)', async (_what, credentials, code) => {
    const key = freshKey();
    const refused = storage({ credentials, partSizeBytes: 5 * MiB });
    // One PutObject whose body is refused, then a multipart upload refused at its start.
    await expect(refused.write(key, artifact(4 * MiB).source)).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: 403 } });
    await expect(refused.write(key, artifact(8 * MiB).source)).rejects.toMatchObject({ name: code });
    await expect(refused.read(key)).rejects.toMatchObject({ name: code });
    await expect(refused.remove(key)).rejects.toMatchObject({ name: code });
    await expect(storage().read(key)).resolves.toBeNull();
  });

  it('when the bucket does not exist, then reading fails with NoSuchBucket rather than answering null', async () => {
    const missing = storage({ bucket: 'no-such-bucket' });
    await expect(missing.read(freshKey())).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    await expect(missing.write(freshKey(), artifact(1000).source)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('backup storage configuration', () => {
  const SERVICES = { NODE_ENV: 'test', DATABASE_URL: 'postgres://platform@db:5432/platform', TEMPORAL_ADDRESS: 'temporal:7233' };

  function configError(env: NodeJS.ProcessEnv): string {
    try {
      loadConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('the configuration was accepted');
  }

  it('when nothing is configured, then backups go to the development directory', () => {
    const config = loadConfig(SERVICES);
    expect(config.GENCHARGE_BACKUP_STORAGE).toBe('directory');
    expect(createBackupStorage(config).locationOf('a.dump')).toBe('/backups/a.dump');
  });

  it('when s3 is chosen without a bucket, then start-up is refused and says what is missing', () => {
    expect(configError({ ...SERVICES, GENCHARGE_BACKUP_STORAGE: 's3' })).toContain('GENCHARGE_BACKUP_S3_BUCKET: is required when GENCHARGE_BACKUP_STORAGE is s3');
    expect(configError({ ...SERVICES, GENCHARGE_BACKUP_STORAGE: 's3', GENCHARGE_BACKUP_S3_BUCKET: '' })).toContain('GENCHARGE_BACKUP_S3_BUCKET: is required');
  });

  it('when an S3 setting is malformed or half given, then start-up is refused', () => {
    const s3 = { ...SERVICES, GENCHARGE_BACKUP_STORAGE: 's3', GENCHARGE_BACKUP_S3_BUCKET: BUCKET };
    expect(configError({ ...SERVICES, GENCHARGE_BACKUP_STORAGE: 'ftp' })).toContain('GENCHARGE_BACKUP_STORAGE');
    expect(configError({ ...s3, GENCHARGE_BACKUP_S3_BUCKET: 'Not_A_Bucket' })).toContain('GENCHARGE_BACKUP_S3_BUCKET: must be an S3 bucket name');
    expect(configError({ ...s3, GENCHARGE_BACKUP_S3_ENDPOINT: 'minio:9000' })).toContain('GENCHARGE_BACKUP_S3_ENDPOINT: must be an http(s) URL');
    expect(configError({ ...s3, GENCHARGE_BACKUP_S3_PREFIX: '/backups/' })).toContain('GENCHARGE_BACKUP_S3_PREFIX');
    expect(configError({ ...s3, GENCHARGE_BACKUP_S3_ACCESS_KEY_ID: ACCESS_KEY_ID })).toContain('GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY: is required with the other S3 key');
  });

  it('when s3 is configured with an endpoint, then createBackupStorage stores there', async () => {
    const config = loadConfig({
      ...SERVICES,
      GENCHARGE_BACKUP_STORAGE: 's3',
      GENCHARGE_BACKUP_S3_BUCKET: BUCKET,
      GENCHARGE_BACKUP_S3_ENDPOINT: sandbox.endpoint(),
      GENCHARGE_BACKUP_S3_PREFIX: 'configured/',
      GENCHARGE_BACKUP_S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
      GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    });
    const storage = createBackupStorage(config);
    const key = freshKey();
    const { source, sha256 } = artifact(3000);
    expect(await storage.write(key, source)).toEqual({ sizeBytes: 3000, sha256 });
    expect(storage.locationOf(key)).toBe(`s3://${BUCKET}/configured/${key}`);
    expect(await hashOf((await storage.read(key))!)).toEqual({ sizeBytes: 3000, sha256 });
  });
});
