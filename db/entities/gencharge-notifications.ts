import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/** `system`: a platform event (top-up credited, plan expiring...); `admin`: an announcement. */
export const GENCHARGE_SENDER_TYPES = ['system', 'admin'] as const;
export const GENCHARGE_NOTIFICATION_TYPES = ['in-app', 'announcement'] as const;

/**
 * One notification in one user's in-app list. The `id` is the spec's 24-hex `_id`, derived from
 * `noticeKey` (unique per event and recipient), so a retried delivery stores it once. SMS and
 * email go out at most once per row: `smsSentAt`/`emailSentAt` record that they did.
 */
export const GenChargeNotification = defineEntity({
  name: 'GenChargeNotification',
  tableName: 'gencharge_notifications',
  indexes: [{ name: 'gencharge_notifications_user_created_index', expression: 'create index "gencharge_notifications_user_created_index" on "gencharge_notifications" ("user_id", "created_at" desc, "id" desc)' }],
  properties: {
    id: p.string().length(24).primary(),
    noticeKey: p.string().length(200).unique(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('gencharge_notifications_user_fk').deleteRule('cascade'),
    senderType: p.enum(GENCHARGE_SENDER_TYPES),
    type: p.enum(GENCHARGE_NOTIFICATION_TYPES),
    /** The platform event it tells of (`topup_credited`...); null for announcements. */
    kind: p.string().length(32).nullable(),
    description: p.text(),
    attachments: p.json<Record<string, unknown>>().default('{}'),
    /** The announcement this copy was delivered from, when it is one. */
    announcementId: p.string().length(24).nullable(),
    scheduledAt: p.datetime().nullable(),
    smsSentAt: p.datetime().nullable(),
    emailSentAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
