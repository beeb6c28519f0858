import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const DOCUMENT_CONTENT_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' } as const;
export type DocumentContentType = keyof typeof DOCUMENT_CONTENT_TYPES;

export interface StoredDocument {
  bytes: Buffer;
  contentType: DocumentContentType;
}

/**
 * Where uploaded images are kept (ChargeGhar's KYC documents, GenCharge's content images): on
 * disk in development, object storage behind the same interface in production. Keys are made by
 * the platform, never by a client.
 */
export interface DocumentStorage {
  put(key: string, document: StoredDocument): Promise<void>;
  /** Null when nothing is stored under the key (erased, or never stored). */
  get(key: string): Promise<StoredDocument | null>;
  /** Removing a key that holds nothing is not an error: account deletion may run twice. */
  remove(key: string): Promise<void>;
}

/** Keys look like `chargeghar/kyc/42/3f1c...-front.jpg`: segments of safe characters, an image extension. */
const KEY_PATTERN = /^[a-z0-9-]+(?:\/[A-Za-z0-9_-]+)+\.(jpg|png|webp)$/;
const TYPE_BY_EXTENSION: Record<string, DocumentContentType> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** A document key for its content type: the extension tells the type back when the file is read. */
export function documentKey(prefix: string, name: string, contentType: DocumentContentType): string {
  return `${prefix}/${name}.${DOCUMENT_CONTENT_TYPES[contentType]}`;
}

export function createDiskDocumentStorage(root: string): DocumentStorage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`not a document key: ${key}`);
    return join(base, key);
  };
  return {
    async put(key, document) {
      const path = pathOf(key);
      if (TYPE_BY_EXTENSION[path.split('.').pop()!] !== document.contentType) throw new Error(`key ${key} does not match ${document.contentType}`);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, document.bytes, { mode: 0o600 });
    },
    async get(key) {
      const path = pathOf(key);
      try {
        return { bytes: await readFile(path), contentType: TYPE_BY_EXTENSION[path.split('.').pop()!]! };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}

/** The image type a file really is, from its first bytes; a client's declared type is not trusted. */
export function sniffImageType(bytes: Buffer): DocumentContentType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}
