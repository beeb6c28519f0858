import type { InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType, publicError } from '../../../core/errors.js';
import { GenChargeAnnouncement, GenChargeNotification, type GenChargeRecipientType } from '../../../db/entities/index.js';
import { newDocumentId } from './document-id.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge's in-app notifications and admins' announcements. Announcements are delivered by
 * their flow (`deliverAnnouncement`); these functions store them and read users' lists.
 */

type Announcement = InferEntity<typeof GenChargeAnnouncement>;
type Notification = InferEntity<typeof GenChargeNotification>;

const NOTIFICATION_NOT_FOUND = 'Notification not found';

export interface NewAnnouncement {
  description: string;
  attachments: Record<string, unknown>;
  scheduledAt: Date | null;
  recipientType: GenChargeRecipientType;
  recipientId: number | null;
  createdBy: number;
}

export const announcementView = (a: Announcement) => ({
  _id: a.id,
  sender_type: a.senderType,
  description: a.description,
  recipient_type: a.recipientType,
  recipient_id: a.recipient ?? null,
  status: a.status,
  type: a.type,
  attachments: a.attachments,
  created_at: a.createdAt.toISOString(),
  scheduled_at: a.scheduledAt?.toISOString() ?? null,
});

/** Stores an announcement as `scheduled`; a `user` announcement must name a live GenCharge mobile user (404 otherwise). */
export async function createAnnouncement(em: EntityManager, input: NewAnnouncement): Promise<Announcement> {
  const fork = em.fork();
  if (input.recipientId !== null) {
    const [recipient] = await fork.execute<{ id: string }[]>(
      'select u.id from users u join gencharge_profiles p on p.user_id = u.id where u.id = ? and u.tenant = ? and u.deleted_at is null',
      [input.recipientId, GENCHARGE.slug],
    );
    if (!recipient) throw publicError(FailureType.NotFound, 'User not found');
  }
  const announcement = fork.create(GenChargeAnnouncement, {
    id: newDocumentId(),
    description: input.description,
    attachments: input.attachments,
    recipientType: input.recipientType,
    recipient: input.recipientId,
    createdBy: input.createdBy,
    scheduledAt: input.scheduledAt,
    createdAt: new Date(),
  });
  await fork.flush();
  return announcement;
}

/** Takes back an announcement whose flow could not be started, so no `scheduled` row is left that nothing delivers. */
export async function discardAnnouncement(em: EntityManager, id: string): Promise<void> {
  await em.fork().nativeDelete(GenChargeAnnouncement, { id, status: 'scheduled' });
}

/**
 * A user's notifications, newest first. A platform notice is addressed to the user; an
 * announcement's copy shows the announcement's own recipients (`all_users`, or this user).
 */
export async function listMyNotifications(em: EntityManager, userId: number, page: { skip: number; limit: number }) {
  const fork = em.fork();
  const [rows, total] = await fork.findAndCount(
    GenChargeNotification,
    { user: userId },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: page.limit, offset: page.skip },
  );
  const announcementIds = [...new Set(rows.map((n) => n.announcementId).filter((id): id is string => id !== null && id !== undefined))];
  const announcements = new Map(
    announcementIds.length ? (await fork.find(GenChargeAnnouncement, { id: { $in: announcementIds } })).map((a) => [a.id, a] as const) : [],
  );
  const view = (n: Notification) => {
    const announcement = n.announcementId ? announcements.get(n.announcementId) : undefined;
    return {
      _id: n.id,
      sender_type: n.senderType,
      description: n.description,
      recipient_type: announcement?.recipientType ?? 'user',
      recipient_id: announcement ? (announcement.recipient ?? null) : userId,
      // A row exists only once it reached the user's list.
      status: 'delivered' as const,
      type: n.type,
      attachments: n.attachments,
      created_at: n.createdAt.toISOString(),
      scheduled_at: n.scheduledAt?.toISOString() ?? null,
    };
  };
  return { items: rows.map(view), total };
}

/** Deletes the user's own notifications; if any id is not theirs (or does not exist), nothing is deleted (404). */
export async function deleteMyNotifications(em: EntityManager, userId: number, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  await em.fork().transactional(async (tx) => {
    const deleted = await tx.nativeDelete(GenChargeNotification, { id: { $in: unique }, user: userId });
    // Rolls the delete back: the request names a notification this user does not have.
    if (deleted !== unique.length) throw publicError(FailureType.NotFound, NOTIFICATION_NOT_FOUND);
  });
}
