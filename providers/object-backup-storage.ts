import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBackupKey, measuring, type BackupStorage } from './backup-storage.js';

export interface ObjectBackupStorageOptions {
  bucket: string;
  region: string;
  /** Prepended to every key, e.g. `gencharge/backups/` (a missing trailing `/` is added). */
  prefix?: string;
  /** An S3-compatible store (MinIO, the sandbox); addressed path style. Unset: AWS S3 itself. */
  endpoint?: string;
  /** Unset: the AWS default credential chain (environment, profile, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Bytes per multipart part (at least 5 MiB). A dump's length is unknown up front, so this fixes the
   * largest object too: 10,000 parts, i.e. 160 GB at the default 16 MiB.
   */
  partSizeBytes?: number;
}

/** The metadata key (`x-amz-meta-sha256`) that carries the artifact's SHA-256 beside its bytes. */
export const SHA256_METADATA = 'sha256';

const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
/** CopyObject's limit: larger artifacts keep their checksum only in the backup record. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

function isMissingObject(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  // A missing bucket is also a 404, and is a configuration fault, not an absent backup.
  if (error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

/**
 * Backups as objects in one S3 bucket (or an S3-compatible store). A write streams through a
 * multipart upload, so a dump is never held whole in memory, and is measured as it passes; a
 * failed write aborts its upload, so nothing becomes readable under the key.
 */
export function createObjectBackupStorage(options: ObjectBackupStorageOptions): BackupStorage {
  const prefix = options.prefix ? options.prefix.replace(/\/?$/, '/') : '';
  const partSize = options.partSizeBytes ?? DEFAULT_PART_BYTES;
  const client = new S3Client({
    region: options.region,
    // Idle limits, not totals: a large part may take long, a silent store must not hang a backup.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const { bucket } = options;
  const objectKey = (key: string) => (assertBackupKey(key), `${prefix}${key}`);

  return {
    async write(key, source) {
      const Key = objectKey(key);
      const meter = measuring();
      const body = new PassThrough();
      const upload = new Upload({
        client,
        partSize,
        queueSize: 2,
        params: { Bucket: bucket, Key, Body: body, ContentType: 'application/octet-stream' },
      });
      const streaming = pipeline(source, meter, body);
      const uploading = upload.done();
      // A failing source destroys the body, which fails the upload (and aborts it, so no part stays
      // behind); a refused upload destroys the body in turn, so the source is not left waiting.
      const [streamed, uploaded] = await Promise.allSettled([
        streaming,
        uploading.catch((error: unknown) => {
          body.destroy(error as Error);
          throw error;
        }),
      ]);
      if (streamed.status === 'rejected') throw streamed.reason;
      if (uploaded.status === 'rejected') throw uploaded.reason;
      const artifact = meter.measured();
      // The checksum is known only once the last byte has passed, after the upload began, so it is
      // attached by copying the object onto itself with new metadata.
      if (artifact.sizeBytes <= MAX_COPY_BYTES) {
        await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key,
            CopySource: `${bucket}/${Key.split('/').map(encodeURIComponent).join('/')}`,
            MetadataDirective: 'REPLACE',
            ContentType: 'application/octet-stream',
            Metadata: { [SHA256_METADATA]: artifact.sha256 },
          }),
        );
      }
      return artifact;
    },
    async read(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        if (!(object.Body instanceof Readable)) throw new Error(`object storage answered no stream for ${key}`);
        return object.Body;
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
    },
    async remove(key) {
      // S3 answers 204 for a key that holds nothing, so a retried removal succeeds.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },
    locationOf: (key) => `s3://${bucket}/${objectKey(key)}`,
  };
}
