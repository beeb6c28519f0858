import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What storage measured of an artifact as it went in. */
export interface StoredArtifact {
  sizeBytes: number;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
}

/**
 * Where database backups are kept: a directory in development, object storage by configuration.
 * Artifacts are streamed in and out (a dump can be larger than memory), and storage measures
 * size and checksum itself, so a record never claims what was not written. Keys are made by the
 * platform (`<snapshot name>`), never by a client.
 */
export interface BackupStorage {
  /** Stores the stream under `key` (replacing what was there) and answers its size and SHA-256. */
  write(key: string, source: Readable): Promise<StoredArtifact>;
  /** The stored artifact as a stream; null when nothing is stored under the key. */
  read(key: string): Promise<Readable | null>;
  /** Removing a key that holds nothing is not an error: a deletion may be retried. */
  remove(key: string): Promise<void>;
  /** How an admin finds the artifact (`/backups/<key>`, `s3://bucket/<key>`); never a server path. */
  locationOf(key: string): string;
}

/** Backup keys are one file name: letters, digits, `_`, `-`, `.`; no directories. */
const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;

export function assertBackupKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.includes('..')) throw new Error(`not a backup key: ${key}`);
}

/** Counts bytes and hashes them as they pass. */
export function measuring(): Transform & { measured(): StoredArtifact } {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  let digest: string | undefined;
  return Object.assign(transform, { measured: () => ({ sizeBytes, sha256: (digest ??= hash.digest('hex')) }) });
}

/** Backups as files in one directory; a write lands under a temporary name and is renamed when complete. */
export function createDirectoryBackupStorage(root: string): BackupStorage {
  const base = resolve(root);
  const pathOf = (key: string) => (assertBackupKey(key), join(base, key));
  return {
    async write(key, source) {
      const path = pathOf(key);
      const partial = `${path}.partial`;
      await mkdir(base, { recursive: true, mode: 0o700 });
      const meter = measuring();
      try {
        await pipeline(source, meter, createWriteStream(partial, { mode: 0o600 }));
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      return meter.measured();
    },
    async read(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      return createReadStream(path);
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    locationOf: (key) => `/backups/${key}`,
  };
}
