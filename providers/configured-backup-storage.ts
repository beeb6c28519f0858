import type { Config } from '../core/config.js';
import { createDirectoryBackupStorage, type BackupStorage } from './backup-storage.js';
import { createObjectBackupStorage } from './object-backup-storage.js';

/** The settings that choose and configure backup storage. */
export type BackupStorageConfig = Pick<
  Config,
  | 'GENCHARGE_BACKUP_STORAGE'
  | 'GENCHARGE_BACKUP_STORAGE_DIR'
  | 'GENCHARGE_BACKUP_S3_BUCKET'
  | 'GENCHARGE_BACKUP_S3_REGION'
  | 'GENCHARGE_BACKUP_S3_ENDPOINT'
  | 'GENCHARGE_BACKUP_S3_PREFIX'
  | 'GENCHARGE_BACKUP_S3_ACCESS_KEY_ID'
  | 'GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY'
>;

/** The backup storage configuration names. */
export function createBackupStorage(config: BackupStorageConfig): BackupStorage {
  if (config.GENCHARGE_BACKUP_STORAGE === 'directory') return createDirectoryBackupStorage(config.GENCHARGE_BACKUP_STORAGE_DIR);
  // The configuration refuses s3 without a bucket; this guards callers that build a config by hand.
  if (!config.GENCHARGE_BACKUP_S3_BUCKET) throw new Error('GENCHARGE_BACKUP_S3_BUCKET is required when GENCHARGE_BACKUP_STORAGE is s3');
  const accessKeyId = config.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID;
  const secretAccessKey = config.GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY;
  return createObjectBackupStorage({
    bucket: config.GENCHARGE_BACKUP_S3_BUCKET,
    region: config.GENCHARGE_BACKUP_S3_REGION,
    endpoint: config.GENCHARGE_BACKUP_S3_ENDPOINT,
    prefix: config.GENCHARGE_BACKUP_S3_PREFIX,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  });
}
