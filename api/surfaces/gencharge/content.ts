import { randomBytes } from 'node:crypto';
import { LockMode, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType, publicError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { GenChargeContact, GenChargeContent } from '../../../db/entities/index.js';
import { documentKey, type DocumentContentType, type DocumentStorage } from '../../../providers/storage.js';
import type { ContactCreate, ContactFilters, ContentCreate, ContentFilters, ContentUpdate } from './content-schemas.js';
import { newDocumentId } from './document-id.js';
import { contains, pageOptions, pageWindow, withinDates, type PageRequest } from './listing.js';

/**
 * GenCharge's content (admin-written pages with an optional image) and contact-form messages.
 * Images live in content storage under names the platform makes; the database says which name
 * each content row shows, and only those names are served.
 */

type ContentRow = InferEntity<typeof GenChargeContent>;
type ContactRow = InferEntity<typeof GenChargeContact>;

export interface ContentImage {
  bytes: Buffer;
  contentType: DocumentContentType;
}

/** Where content images sit in storage; a stored name is the key's last segment. */
const IMAGE_PREFIX = 'gencharge/content';
/** The names this module makes: the content's id, a random tag (new per upload), the type's extension. */
const IMAGE_FILENAME = /^[0-9a-f]{24}-[0-9a-f]{12}\.(png|jpg|webp)$/;
const imageKey = (filename: string) => `${IMAGE_PREFIX}/${filename}`;


const notFound = (what: string) => publicError(FailureType.NotFound, `${what} not found`);

/** Content as the spec shows it; `imageBase` is where the router serves images (`/gencharge/static/uploads`). */
export function contentView(row: ContentRow, imageBase: string) {
  return {
    _id: row.id,
    content_type: row.contentType,
    title: row.title,
    body: row.body,
    image_url: row.imageFilename ? `${imageBase}/${row.imageFilename}` : null,
    image_filename: row.imageFilename ?? null,
    created_by: row.createdBy === null || row.createdBy === undefined ? null : Number(row.createdBy),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    updated_by: row.updatedBy === null || row.updatedBy === undefined ? null : Number(row.updatedBy),
  };
}

export const publicContentView = (row: ContentRow, imageBase: string) => {
  const { _id, content_type, title, body, image_url } = contentView(row, imageBase);
  return { _id, content_type, title, body, image_url };
};

export interface ContentStore {
  em: EntityManager;
  images: DocumentStorage;
  logger: Logger;
}

/** Stores an image under a fresh name for the content; the name is returned. */
async function storeImage(images: DocumentStorage, contentId: string, image: ContentImage): Promise<string> {
  const key = documentKey(IMAGE_PREFIX, `${contentId}-${randomBytes(6).toString('hex')}`, image.contentType);
  await images.put(key, image);
  return key.slice(IMAGE_PREFIX.length + 1);
}

/**
 * Removes an image no row shows any more. The database change is already committed, so a storage
 * failure here is logged rather than answered: the file is unreachable (only names a row shows are
 * served) and only takes space.
 */
async function discardImage({ images, logger }: ContentStore, filename: string): Promise<void> {
  try {
    await images.remove(imageKey(filename));
  } catch (err) {
    logger.warn({ err, filename }, 'content image could not be removed');
  }
}

/** Runs a write that refers to a newly stored image; if the write fails, the image goes again. */
async function withNewImage<T>(store: ContentStore, filename: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (filename) await discardImage(store, filename);
    throw err;
  }
}

/** `adminId` is the author; null for content nobody signed in wrote (the test utilities' demo content). */
export async function createContent(store: ContentStore, adminId: number | null, input: ContentCreate, image: ContentImage | undefined): Promise<ContentRow> {
  const now = new Date();
  const id = newDocumentId(now);
  const filename = image ? await storeImage(store.images, id, image) : undefined;
  return withNewImage(store, filename, async () => {
    const em = store.em.fork();
    const row = em.create(GenChargeContent, {
      id,
      contentType: input.content_type,
      title: input.title,
      body: input.body,
      imageFilename: filename ?? null,
      createdBy: adminId,
      updatedBy: adminId,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    return row;
  });
}

/** Changes the fields sent; a new image replaces the old one, whose file is removed once the change is committed. */
export async function updateContent(store: ContentStore, id: string, adminId: number, input: ContentUpdate, image: ContentImage | undefined): Promise<ContentRow> {
  const filename = image ? await storeImage(store.images, id, image) : undefined;
  let replaced: string | null = null;
  const row = await withNewImage(store, filename, () =>
    store.em.fork().transactional(async (tx) => {
      // Locked, so two edits that both replace the image each remove the one they replaced.
      const row = await tx.findOne(GenChargeContent, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound('Content');
      if (input.content_type !== undefined) row.contentType = input.content_type;
      if (input.title !== undefined) row.title = input.title;
      if (input.body !== undefined) row.body = input.body;
      if (filename) {
        replaced = row.imageFilename ?? null;
        row.imageFilename = filename;
      }
      row.updatedAt = new Date();
      row.updatedBy = adminId;
      return row;
    }),
  );
  if (replaced) await discardImage(store, replaced);
  return row;
}

/** Deletes the content, then its image. With `only`, content that differs in those fields is not found. */
export async function deleteContent(store: ContentStore, id: string, only: { contentType?: string; createdBy?: null } = {}): Promise<void> {
  const filename = await store.em.fork().transactional(async (tx) => {
    const where: FilterQuery<ContentRow> = { id, ...only };
    const row = await tx.findOne(GenChargeContent, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw notFound('Content');
    tx.remove(row);
    return row.imageFilename ?? null;
  });
  if (filename) await discardImage(store, filename);
}

/** Newest first; rows created in the same instant keep one order from page to page. */
const NEWEST_FIRST = [{ createdAt: 'desc' }, { id: 'desc' }] as const;

export async function listContent(em: EntityManager, filters: Partial<ContentFilters> & PageRequest) {
  const where: FilterQuery<ContentRow> = {};
  if (filters.content_type) where.contentType = filters.content_type;
  if (filters.title) where.title = contains(filters.title);
  const created = withinDates(filters.start_date, filters.end_date);
  if (created) where.createdAt = created;
  const [rows, total] = await em.findAndCount(GenChargeContent, where, { orderBy: [...NEWEST_FIRST], ...pageWindow(filters) } as never);
  return { rows, total };
}

/** The bytes of an image that a content row shows; null for any other name (unknown, replaced, deleted). */
export async function shownImage({ em, images }: ContentStore, filename: string) {
  if (!IMAGE_FILENAME.test(filename)) return null;
  const row = await em.fork().findOne(GenChargeContent, { imageFilename: filename }, { fields: ['id'] });
  if (!row) return null;
  return images.get(imageKey(filename));
}

// Contact form

export const contactView = (row: ContactRow) => ({
  name: row.name,
  email: row.email,
  description: row.description,
  _id: row.id,
  created_at: row.createdAt.toISOString(),
  resolved: row.resolved,
});

export const adminContactView = (row: ContactRow) => ({
  ...contactView(row),
  resolved_at: row.resolvedAt?.toISOString() ?? null,
  resolved_by: row.resolvedBy === null || row.resolvedBy === undefined ? null : Number(row.resolvedBy),
});

export async function createContact(em: EntityManager, input: ContactCreate): Promise<ContactRow> {
  const now = new Date();
  const row = em.create(GenChargeContact, { id: newDocumentId(now), name: input.name, email: input.email, description: input.description, resolved: false, createdAt: now });
  await em.flush();
  return row;
}

const CONTACT_COLUMNS = { created_at: 'createdAt', name: 'name', email: 'email', resolved: 'resolved' };

export async function listContacts(em: EntityManager, filters: ContactFilters) {
  const where: FilterQuery<ContactRow> = {};
  if (filters.resolved !== undefined) where.resolved = filters.resolved;
  if (filters.email) where.email = contains(filters.email);
  const [rows, total] = await em.findAndCount(GenChargeContact, where, pageOptions(filters, CONTACT_COLUMNS) as never);
  return { rows, total };
}

/** Marks a message resolved (recording who and when) or open again (clearing both). */
export async function setContactResolved(em: EntityManager, id: string, resolved: boolean, adminId: number): Promise<ContactRow> {
  return em.transactional(async (tx) => {
    const row = await tx.findOne(GenChargeContact, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw notFound('Contact');
    // Resolving twice keeps the first resolution's who and when.
    if (resolved && !row.resolved) {
      row.resolvedAt = new Date();
      row.resolvedBy = adminId;
    } else if (!resolved) {
      row.resolvedAt = null;
      row.resolvedBy = null;
    }
    row.resolved = resolved;
    return row;
  });
}
