import { randomBytes } from 'node:crypto';
import { z } from '../../openapi.js';

/**
 * The spec's `_id` of content, contact messages and announcements: 24 hex digits, like a MongoDB
 * ObjectId. Made like one too: the creation second, a tag of this process, a counter. Ids made
 * by one process in one second keep their order, so rows created in the same instant still list
 * in order.
 */
const PROCESS_TAG = randomBytes(5).toString('hex');
let idCounter = randomBytes(3).readUIntBE(0, 3);

/** A new `_id` that sorts by creation time. */
export function newDocumentId(now = new Date()): string {
  idCounter = (idCounter + 1) % 0x1000000;
  const seconds = Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0');
  return `${seconds}${PROCESS_TAG}${idCounter.toString(16).padStart(6, '0')}`;
}

/** An `_id` in a path or a body. */
export const DocumentId = z.string().regex(/^[0-9a-f]{24}$/, 'Value error, must be a 24-character hex id').openapi({ example: '507f1f77bcf86cd799439011' });
