import { ipKeyGenerator } from 'express-rate-limit';
import { FailureType, publicError } from '../../../core/errors.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import * as content from './content.js';
import * as S from './content-schemas.js';
import { contentUploads, IMAGES_PATH } from './content-uploads.js';
import { LIST_HEADERS_NOTE, pageOf, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, Empty, ERRORS } from './schemas.js';

/** Served image names never show other bytes, but a deleted image should not linger in caches for long. */
const IMAGE_CACHE_CONTROL = 'public, max-age=86400';

const CREATED_NOTE = 'The spec shows no status code for creation; new content answers 201 Created.';

/**
 * Content (admin CRUD with an image, Content permission), the public content list, the images
 * themselves, and the contact form (public create, admin list and resolve with the Contact permission).
 */
export function registerContentRoutes({ deps, route, adminRoute }: GenChargeRoutes): void {
  const { notFound, invalid, throttled } = ERRORS;
  const { store, maxImageMb, multipart, uploadedImage, imageBase, tooLarge } = contentUploads(deps);
  const IMAGE_NOTE = `\`image\` is optional: PNG, JPEG or WebP, checked from its bytes (a name or declared type does not count; anything else is 422 at \`["body", "image"]\`), at most ${maxImageMb} MB (413). A refused request stores nothing. The answer's \`image_url\` serves the image (GET, no sign-in) for as long as the content shows it.`;

  // --- admin content ---------------------------------------------------------------------------

  adminRoute(
    'Content',
    {
      method: 'post',
      path: '/content/admin',
      summary: 'Create content',
      description: `multipart/form-data: \`content_type\`, \`title\`, \`body\` (required) and \`image\`. ${IMAGE_NOTE} ${CREATED_NOTE}`,
      body: S.ContentCreateBody,
      bodyType: 'multipart/form-data',
      responses: { 201: { description: 'The new content', schema: S.Content }, 400: { description: 'The form could not be read', schema: Detail }, 413: tooLarge, 422: invalid },
    },
    multipart,
    async (req, res) => {
      const fields = body(req, S.ContentCreateFields);
      const image = uploadedImage(req);
      const row = await content.createContent(store, requireUser(req).id, fields, image);
      res.status(201).json(content.contentView(row, imageBase(req)));
    },
  );

  adminRoute(
    'Content',
    {
      method: 'get',
      path: '/content/admin',
      summary: 'List content (admin)',
      description:
        'Newest first. Filters: `content_type` (exactly), `title` (part of it), `start_date`/`end_date` (creation; a day such as 2025-11-10 is the whole IST day, or give an ISO date-time). Paged with `page` (from 1) and `size` (10 by default).',
      query: S.ContentQuery,
      responses: { 200: { description: 'A page of content', schema: S.ContentPage }, 422: invalid },
    },
    async (req, res) => {
      const filters = query(req, S.ContentQuery);
      const { rows, total } = await content.listContent(deps.em.fork(), filters);
      res.json(pageOf('items', rows.map((row) => content.contentView(row, imageBase(req))), total, filters));
    },
  );

  adminRoute(
    'Content',
    {
      method: 'put',
      path: '/content/admin/:content_id',
      summary: 'Edit content',
      description: `multipart/form-data; every field is optional and only the fields sent change. ${IMAGE_NOTE} A new image replaces the old one: the old file is removed and its URL answers 404.`,
      params: S.ContentIdParams,
      body: S.ContentUpdateBody,
      bodyType: 'multipart/form-data',
      responses: { 200: { description: 'The content as it is now', schema: S.Content }, 400: { description: 'The form could not be read', schema: Detail }, 404: notFound, 413: tooLarge, 422: invalid },
    },
    multipart,
    async (req, res) => {
      const { content_id } = params(req, S.ContentIdParams);
      const fields = body(req, S.ContentUpdateFields);
      const image = uploadedImage(req);
      const row = await content.updateContent(store, content_id, requireUser(req).id, fields, image);
      res.json(content.contentView(row, imageBase(req)));
    },
  );

  adminRoute(
    'Content',
    {
      method: 'delete',
      path: '/content/admin/:content_id',
      summary: 'Delete content',
      description: 'Deletes the content and its image file (its URL answers 404 from then on).',
      params: S.ContentIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { content_id } = params(req, S.ContentIdParams);
      await content.deleteContent(store, content_id);
      res.json({});
    },
  );

  // --- public content and images ---------------------------------------------------------------

  route(
    {
      method: 'get',
      path: '/content',
      summary: 'Content (public)',
      description:
        'No sign-in needed. Newest first, filtered by `content_type` (exactly); paged with `page` (from 1) and `size` (10 by default). Each item is the spec\'s `title`, `body`, `image_url`, with its `_id` and `content_type`.',
      secured: false,
      query: S.PublicContentQuery,
      responses: { 200: { description: 'A page of content', schema: S.PublicContentPage }, 422: invalid },
    },
    async (req, res) => {
      const filters = query(req, S.PublicContentQuery);
      const { rows, total } = await content.listContent(deps.em.fork(), filters);
      res.json(pageOf('items', rows.map((row) => content.publicContentView(row, imageBase(req))), total, filters));
    },
  );

  route(
    {
      method: 'get',
      path: `${IMAGES_PATH}/:filename`,
      summary: 'A content image',
      description: `Not a spec row: the public asset behind content's \`image_url\`. Answers the image's bytes with its type (image/png, image/jpeg or image/webp) and \`Cache-Control: ${IMAGE_CACHE_CONTROL}\`; an image no content shows (never uploaded, replaced, or deleted) is 404.`,
      secured: false,
      params: z.object({ filename: z.string().openapi({ example: '507f1f77bcf86cd799439011-3f1c2a9b7d4e.png' }) }),
      responses: { 200: { description: 'The image bytes (image/png, image/jpeg or image/webp)' }, 404: notFound },
    },
    async (req, res) => {
      const image = await content.shownImage(store, String(req.params.filename));
      if (!image) throw publicError(FailureType.NotFound, 'Not Found');
      res.set({ 'Content-Type': image.contentType, 'Cache-Control': IMAGE_CACHE_CONTROL, 'X-Content-Type-Options': 'nosniff' }).send(image.bytes);
    },
  );

  // --- contact form ----------------------------------------------------------------------------

  const contactLimit = deps.rateLimits.keyed(
    'gencharge:contact:client',
    {
      limit: deps.config.GENCHARGE_CONTACT_RATE_LIMIT_PER_CLIENT,
      windowMs: deps.config.GENCHARGE_CONTACT_RATE_LIMIT_WINDOW_SECONDS * 1000,
      message: 'Too many messages from this network. Please try again later.',
    },
    (req) => ipKeyGenerator(req.ip ?? ''),
  );

  route(
    {
      method: 'post',
      path: '/contact-from/contacts/',
      summary: 'Send a contact-form message (public)',
      description: `No sign-in needed. \`name\` (1-100 characters), \`email\` (a valid address, kept in lower case), \`description\` (1-2000 characters). Each client address may send ${deps.config.GENCHARGE_CONTACT_RATE_LIMIT_PER_CLIENT} requests per ${deps.config.GENCHARGE_CONTACT_RATE_LIMIT_WINDOW_SECONDS} s (GENCHARGE_CONTACT_RATE_LIMIT_*), refused ones included; more are 429. The spec shows no status code for creation; a new message answers 201 Created.`,
      secured: false,
      body: S.ContactBody,
      responses: { 201: { description: 'The message as stored', schema: S.Contact }, 422: invalid, 429: throttled },
    },
    contactLimit,
    async (req, res) => {
      const row = await content.createContact(deps.em.fork(), body(req, S.ContactBody));
      res.status(201).json(content.contactView(row));
    },
  );

  adminRoute(
    'Contact',
    {
      method: 'get',
      path: '/contact-from/contacts/',
      summary: 'List contact-form messages',
      description: `Filters: \`resolved\` (true/false), \`email\` (part of it); sorted by \`sort_by\` (created_at, name, email, resolved)/\`sort_order\`, paged with \`skip\`/\`limit\`. Each message also carries \`resolved_at\` and \`resolved_by\` (the admin). ${LIST_HEADERS_NOTE}`,
      query: S.ContactsQuery,
      responses: { 200: { description: 'Messages', schema: z.array(S.AdminContact) }, 422: invalid },
    },
    async (req, res) => {
      const { rows, total } = await content.listContacts(deps.em.fork(), query(req, S.ContactsQuery));
      sendList(res, rows.map(content.adminContactView), total);
    },
  );

  adminRoute(
    'Contact',
    {
      method: 'patch',
      path: '/contact-from/contacts/:contact_id/resolved',
      summary: 'Mark a contact-form message resolved (or open again)',
      description: '`resolved: true` records who resolved it and when (resolving it again keeps the first); `false` reopens it and clears both.',
      params: S.ContactIdParams,
      body: S.ResolvedBody,
      responses: { 200: { description: 'The message as it is now', schema: S.AdminContact }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { contact_id } = params(req, S.ContactIdParams);
      const { resolved } = body(req, S.ResolvedBody);
      const row = await content.setContactResolved(deps.em.fork(), contact_id, resolved, requireUser(req).id);
      res.json(content.adminContactView(row));
    },
  );
}
