import type { Config } from '../../../core/config.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import { dashboardHeadline, resolveRange } from './analytics.js';
import { analyticsQuery, DashboardSample } from './analytics-schemas.js';
import * as content from './content.js';
import * as S from './content-schemas.js';
import { contentUploads, fieldError } from './content-uploads.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, Empty, ERRORS } from './schemas.js';

/** Demo content is content of this type; only it can be deleted without signing in. */
export const DEMO_CONTENT_TYPE = 'demo';
/** Demo content as stored: its type and no author, so an admin's content of the same type is not demo content. */
const DEMO_CONTENT = { contentType: DEMO_CONTENT_TYPE, createdBy: null } as const;

const StatsQuery = analyticsQuery('day');
const DemoFields = S.ContentCreateFields.pick({ title: true, body: true });
const DemoBody = DemoFields.extend({
  image: z.any().openapi({ type: 'string', format: 'binary', description: 'Required. PNG, JPEG or WebP (checked from its content), at most GENCHARGE_CONTENT_MAX_IMAGE_BYTES' }),
}).openapi('GenChargeDemoContentRequest');

const NOT_IN_PRODUCTION = 'A testing utility: not served when NODE_ENV is production (the path is then unknown, 404, like the sandbox).';

/**
 * The testing utilities are for development and test platforms only. Like the sandbox, which is
 * not mounted at all unless enabled (and refused in production), they are not registered in
 * production: no route, no documentation, so every path answers the surface's 404.
 */
export const testUtilitiesServed = (config: Pick<Config, 'NODE_ENV'>) => config.NODE_ENV !== 'production';

/** The spec's "Testing (Utilities)": a sample admin dashboard, and demo content with an image created and deleted without signing in. */
export function registerTestRoutes({ deps, route, adminRoute }: GenChargeRoutes): void {
  if (!testUtilitiesServed(deps.config)) return;
  const { notFound, invalid } = ERRORS;
  const { store, maxImageMb, multipart, uploadedImage, imageBase, tooLarge } = contentUploads(deps);

  adminRoute(
    'Analytics',
    {
      method: 'get',
      path: '/test/admin/stats',
      summary: 'Admin dashboard (sample)',
      description: `${NOT_IN_PRODUCTION} A few headline numbers of the analytics (the same reads as /analytics/*): live users, sign-ups, active plans, transactions and what the successful ones moved, referral rewards, and transactions per period. Takes the analytics query (\`from\`, \`to\`, \`granularity\`; the last 30 days by default).`,
      query: StatsQuery,
      responses: { 200: { description: 'The sample dashboard', schema: DashboardSample }, 422: invalid },
    },
    async (req, res) => {
      res.json(await dashboardHeadline(deps.em.fork(), resolveRange(query(req, StatsQuery))));
    },
  );

  route(
    {
      method: 'post',
      path: '/test/api/content',
      summary: 'Create content with image (sample)',
      description: `${NOT_IN_PRODUCTION} No sign-in needed. multipart/form-data: \`title\`, \`body\` and \`image\` (all required). Stored as content of type \`${DEMO_CONTENT_TYPE}\` with no author, through the same path as admin content: the image must be PNG, JPEG or WebP by its bytes (else 422 at \`["body", "image"]\`), at most ${maxImageMb} MB (413). The spec shows \`{}\`; the created content is answered instead (201), so its \`_id\` can be deleted and its \`image_url\` fetched.`,
      secured: false,
      body: DemoBody,
      bodyType: 'multipart/form-data',
      responses: { 201: { description: 'The demo content', schema: S.Content }, 400: { description: 'The form could not be read', schema: Detail }, 413: tooLarge, 422: invalid },
    },
    multipart,
    async (req, res) => {
      const fields = body(req, DemoFields);
      const image = uploadedImage(req);
      if (!image) throw fieldError('image', 'Field required', { code: 'missing' });
      const row = await content.createContent(store, null, { content_type: DEMO_CONTENT_TYPE, ...fields }, image);
      res.status(201).json(content.contentView(row, imageBase(req)));
    },
  );

  route(
    {
      method: 'delete',
      path: '/test/api/content/:content_id',
      summary: 'Delete content (sample)',
      description: `${NOT_IN_PRODUCTION} No sign-in needed. Deletes demo content (type \`${DEMO_CONTENT_TYPE}\`, made here without an author) and its image; any other content, an admin's of that type included, is not found (404).`,
      secured: false,
      params: S.ContentIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { content_id } = params(req, S.ContentIdParams);
      await content.deleteContent(store, content_id, DEMO_CONTENT);
      res.json({});
    },
  );
}
