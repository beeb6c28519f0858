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

export const GENCHARGE_RECIPIENT_TYPES = ['all_users', 'user'] as const;
export type GenChargeRecipientType = (typeof GENCHARGE_RECIPIENT_TYPES)[number];
export const GENCHARGE_ANNOUNCEMENT_STATUSES = ['scheduled', 'delivered', 'cancelled'] as const;
export type GenChargeAnnouncementStatus = (typeof GENCHARGE_ANNOUNCEMENT_STATUSES)[number];

/**
 * An admin's announcement, to every live mobile user or to one. Its flow (`deliverAnnouncement`)
 * waits for `scheduledAt`, then stores a copy in each recipient's notifications and turns it
 * `delivered`. The `id` is the spec's 24-hex `_id`.
 */
export const GenChargeAnnouncement = defineEntity({
  name: 'GenChargeAnnouncement',
  tableName: 'gencharge_announcements',
  indexes: [{ properties: ['createdAt'] }],
  checks: [
    {
      name: 'gencharge_announcements_recipient_check',
      expression: "(recipient_type = 'user') = (recipient_id is not null)",
    },
  ],
  properties: {
    id: p.string().length(24).primary(),
    senderType: p.enum(GENCHARGE_SENDER_TYPES).default('admin'),
    type: p.enum(GENCHARGE_NOTIFICATION_TYPES).default('announcement'),
    description: p.text(),
    attachments: p.json<Record<string, unknown>>().default('{}'),
    recipientType: p.enum(GENCHARGE_RECIPIENT_TYPES),
    recipient: p.manyToOne(User).mapToPk().fieldName('recipient_id').foreignKeyName('gencharge_announcements_recipient_fk').deleteRule('no action').nullable(),
    status: p.enum(GENCHARGE_ANNOUNCEMENT_STATUSES).default('scheduled'),
    /** The admin who published it. */
    createdBy: p.manyToOne(User).mapToPk().fieldName('created_by').foreignKeyName('gencharge_announcements_created_by_fk').deleteRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Null: delivered as soon as it was published. */
    scheduledAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
  },
});
