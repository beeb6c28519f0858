import { GENCHARGE_ANNOUNCEMENT_STATUSES, GENCHARGE_NOTIFICATION_TYPES, GENCHARGE_RECIPIENT_TYPES, GENCHARGE_SENDER_TYPES } from '../../../db/entities/index.js';
import { FlowType, flowWorkflowId } from '../../../workflows/contracts.js';
import { deliverAnnouncement } from '../../../workflows/index.js';
import { requireUser } from '../../auth.js';
import { startFlow } from '../../flows.js';
import { z } from '../../openapi.js';
import { body, query } from '../../validation.js';
import { DocumentId } from './document-id.js';
import { LIST_HEADERS_NOTE, listQuery, sendList } from './listing.js';
import { announcementView, createAnnouncement, deleteMyNotifications, discardAnnouncement, listMyNotifications } from './notifications.js';
import type { GenChargeRoutes } from './router.js';
import { Empty, ERRORS, PlainText, PositiveId } from './schemas.js';
import { GENCHARGE } from './tenant.js';

const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-11-12T22:00:00Z' });

/** Attachments are the client's own JSON object, kept as sent; Postgres' jsonb refuses NUL in strings. */
const Attachments = z
  .record(z.string(), z.unknown())
  .refine((value) => !JSON.stringify(value).includes('\\u0000'), 'Value error, attachments must not contain NUL characters')
  .refine((value) => JSON.stringify(value).length <= 16_384, 'Value error, attachments must be at most 16 KB of JSON')
  .openapi({ type: 'object', example: {} });

const AnnouncementBody = z
  .object({
    description: PlainText(1000),
    attachments: Attachments.default({}),
    scheduled_at: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: 'When to deliver (ISO 8601 with a zone); absent, null or past: now' }),
    recipient_type: z.enum(GENCHARGE_RECIPIENT_TYPES),
    recipient_id: PositiveId.nullable().optional().openapi({ description: 'The user, when `recipient_type` is `user`; absent for `all_users`' }),
  })
  .superRefine((b, ctx) => {
    if (b.recipient_type === 'user' && b.recipient_id == null) {
      ctx.addIssue({ code: 'custom', path: ['recipient_id'], message: 'Value error, recipient_id is required when recipient_type is user' });
    }
    if (b.recipient_type === 'all_users' && b.recipient_id != null) {
      ctx.addIssue({ code: 'custom', path: ['recipient_id'], message: 'Value error, recipient_id must be absent when recipient_type is all_users' });
    }
  })
  .openapi('GenChargeAnnouncementRequest');

const AnnouncementView = z
  .object({
    _id: DocumentId,
    sender_type: z.enum(GENCHARGE_SENDER_TYPES),
    description: z.string(),
    recipient_type: z.enum(GENCHARGE_RECIPIENT_TYPES),
    recipient_id: z.number().int().nullable(),
    status: z.enum(GENCHARGE_ANNOUNCEMENT_STATUSES),
    type: z.enum(GENCHARGE_NOTIFICATION_TYPES),
    attachments: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    scheduled_at: Timestamp.nullable(),
  })
  .openapi('GenChargeAnnouncement');

const MyNotification = AnnouncementView.extend({
  recipient_type: z.enum(['user', ...GENCHARGE_RECIPIENT_TYPES]),
  status: z.literal('delivered'),
}).openapi('GenChargeNotification');

const MyNotificationsQuery = listQuery({}, ['created_at'], 'created_at').pick({ skip: true, limit: true });

const DeleteBody = z
  .object({
    id: DocumentId.optional(),
    ids: z.array(DocumentId).min(1).max(100).optional().openapi({ description: 'Several at once, instead of `id`' }),
  })
  .superRefine((b, ctx) => {
    if ((b.id === undefined) === (b.ids === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'Value error, give either id or ids' });
    }
  })
  .openapi('GenChargeNotificationDelete');

/** Announcements (admin, Notifications permission) and each user's own notifications. */
export function registerNotificationRoutes({ deps, route, adminRoute, userOnly, idempotency }: GenChargeRoutes): void {
  const { em } = deps;

  adminRoute(
    'Notifications',
    {
      method: 'post',
      path: '/notification/announcement',
      summary: 'Publish an announcement (admin)',
      description:
        'Stored as `scheduled` and delivered at `scheduled_at` (now when absent or past) by a durable timer: every live mobile user (`all_users`) or the one user (`user` with `recipient_id`; 404 when that is not a live mobile user) gets it in their notifications, and by SMS and email where that channel is switched on in their preferences (`sms_notification`, `email_notification`; no other switch applies to announcements). It turns `delivered` once everyone has it. A new announcement answers 201 Created. An `Idempotency-Key` header makes a retried request answer the first announcement instead of publishing twice.',
      body: AnnouncementBody,
      responses: { 201: { description: 'The announcement', schema: AnnouncementView }, 404: ERRORS.notFound, 422: ERRORS.invalid },
    },
    idempotency,
    async (req, res) => {
      const b = body(req, AnnouncementBody);
      const announcement = await createAnnouncement(em, {
        description: b.description,
        attachments: b.attachments,
        scheduledAt: b.scheduled_at ? new Date(b.scheduled_at) : null,
        recipientType: b.recipient_type,
        recipientId: b.recipient_id ?? null,
        createdBy: requireUser(req).id,
      });
      try {
        await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
          workflow: deliverAnnouncement,
          workflowId: flowWorkflowId(GENCHARGE.slug, FlowType.Announcement, announcement.id),
          args: [{ tenant: GENCHARGE.slug, announcementId: announcement.id, scheduledAt: announcement.scheduledAt?.toISOString() ?? null }],
          tenant: GENCHARGE.slug,
          ...(announcement.recipient && { userId: announcement.recipient }),
          flowType: FlowType.Announcement,
          requestId: String(req.id),
          memo: { recipientType: announcement.recipientType, scheduledAt: announcement.scheduledAt?.toISOString() ?? null },
        });
      } catch (err) {
        await discardAnnouncement(em, announcement.id);
        throw err;
      }
      res.status(201).json(announcementView(announcement));
    },
  );

  route(
    {
      method: 'get',
      path: '/notification/my',
      summary: 'My notifications',
      description: `Platform notices (\`sender_type\` system, \`type\` in-app) and announcements delivered to me (\`sender_type\` admin, \`type\` announcement), newest first, paged with \`skip\`/\`limit\`. ${LIST_HEADERS_NOTE}`,
      secured: true,
      query: MyNotificationsQuery,
      responses: { 200: { description: 'My notifications', schema: z.array(MyNotification) }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      const { items, total } = await listMyNotifications(em, requireUser(req).id, query(req, MyNotificationsQuery));
      sendList(res, items, total);
    },
  );

  route(
    {
      method: 'delete',
      path: '/notification/delete',
      summary: 'Delete my notification(s)',
      description: 'Deletes one (`id`) or several (`ids`) of my notifications. An id that is not one of mine is 404, and then nothing is deleted.',
      secured: true,
      body: DeleteBody,
      responses: { 200: { description: 'Deleted', schema: Empty }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 404: ERRORS.notFound, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      const { id, ids } = body(req, DeleteBody);
      await deleteMyNotifications(em, requireUser(req).id, ids ?? [id!]);
      res.json({});
    },
  );
}
