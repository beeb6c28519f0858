import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { DomainError, FailureType, type ValidationIssue } from '../../../core/errors.js';
import { createDiskDocumentStorage, sniffImageType } from '../../../providers/storage.js';
import type { SurfaceDeps } from '../types.js';
import type { ContentImage, ContentStore } from './content.js';
import { Detail } from './schemas.js';

/**
 * What every route that takes content with an image shares (admin content, the demo content of the
 * test utilities): the store, multipart parsing in FastAPI's terms, the image checked by its bytes,
 * and where images are served.
 */

/** Where the router serves content images, below its mount path. */
export const IMAGES_PATH = '/static/uploads';

/** A 422 about one multipart field, in the shape request validation gives. */
export function fieldError(field: string, message: string, rule: Pick<ValidationIssue, 'code' | 'origin'> = { code: 'custom' }): DomainError {
  const issue: ValidationIssue = { path: [field], message, location: 'body', ...rule };
  return new DomainError(FailureType.Validation, `${field}: ${message}`, { issues: [issue] });
}

export interface ContentUploads {
  store: ContentStore;
  maxImageMb: number;
  /** Parses a multipart body with at most one file, in `image`. */
  multipart: RequestHandler;
  /** The uploaded image, checked by its bytes; undefined when none was sent (an empty file part counts as none). */
  uploadedImage(req: Request): ContentImage | undefined;
  /** Where this mount serves images (`/gencharge/static/uploads`). */
  imageBase(req: Request): string;
  /** The OpenAPI answer to an image over the size limit. */
  tooLarge: { description: string; schema: typeof Detail };
}

export function contentUploads(deps: Pick<SurfaceDeps, 'config' | 'em' | 'logger'>): ContentUploads {
  const maxImageBytes = deps.config.GENCHARGE_CONTENT_MAX_IMAGE_BYTES;
  const maxImageMb = Math.round((maxImageBytes / (1024 * 1024)) * 100) / 100;
  // Disk in development; an object store would come in behind the same interface.
  const store: ContentStore = { em: deps.em, images: createDiskDocumentStorage(deps.config.GENCHARGE_CONTENT_STORAGE_DIR), logger: deps.logger };

  // Text fields are bounded by their schemas; this only stops a multipart body from growing without end.
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxImageBytes, files: 1, fields: 10, fieldSize: 128 * 1024, parts: 12 },
  }).single('image');

  /** Multipart parsing in FastAPI's terms: an image too large is 413, a misplaced part is 422, a broken body 400. */
  const multipart: RequestHandler = (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        const field = err.field ?? 'image';
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(new DomainError(FailureType.Validation, `The image is larger than ${maxImageMb} MB.`, { reason: 'body-too-large' }));
        }
        if (err.code === 'LIMIT_FIELD_VALUE') return next(fieldError(field, 'String should have fewer characters', { code: 'too_big', origin: 'string' }));
        if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT') {
          return next(fieldError(field, 'Value error, send at most one file, in the image field'));
        }
        return next(new DomainError(FailureType.Validation, `Too many parts in the form: ${err.message}`));
      }
      // FastAPI's answer to a form it cannot read.
      next(new DomainError(FailureType.Validation, 'There was an error parsing the body', undefined, { cause: err }));
    });
  };

  function uploadedImage(req: Request): ContentImage | undefined {
    const sentAsText = (req.body as Record<string, unknown> | undefined)?.image;
    if (typeof sentAsText === 'string' && sentAsText !== '') throw fieldError('image', 'Value error, expected an uploaded file');
    const file = req.file;
    if (!file || (file.size === 0 && !file.originalname)) return undefined;
    const contentType = sniffImageType(file.buffer);
    if (!contentType) throw fieldError('image', 'Value error, the image must be a PNG, JPEG or WebP file');
    return { bytes: file.buffer, contentType };
  }

  return {
    store,
    maxImageMb,
    multipart,
    uploadedImage,
    imageBase: (req) => `${req.baseUrl}${IMAGES_PATH}`,
    tooLarge: { description: `The image is larger than ${maxImageMb} MB (GENCHARGE_CONTENT_MAX_IMAGE_BYTES)`, schema: Detail },
  };
}
