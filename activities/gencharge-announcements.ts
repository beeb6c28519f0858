import { Context } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { AnnouncementBatchRequest, AnnouncementBatchResult, GenChargeAnnouncementActivities } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';
import { deliverNotificationCopy } from './gencharge-notices.js';

export interface GenChargeAnnouncementActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
  /** Recipients per batch; tests make it small to see batches continue. */
  announcementBatchSize?: number;
}

/** Recipients per activity call: small enough to finish well inside its timeout, with a heartbeat per recipient. */
export const ANNOUNCEMENT_BATCH_SIZE = 100;

interface Announcement {
  description: string;
  attachments: Record<string, unknown>;
  recipient_type: 'all_users' | 'user';
  recipient_id: string | null;
  /** Raw rows carry timestamps as Postgres prints them. */
  scheduled_at: string | Date | null;
  status: string;
}

/** One copy per announcement and user, whatever retries and continued runs do. */
export const announcementNoticeKey = (announcementId: string, userId: number) => `announcement:${announcementId}:user:${userId}`;

export function createGenChargeAnnouncementActivities({ orm, providers, announcementBatchSize = ANNOUNCEMENT_BATCH_SIZE }: GenChargeAnnouncementActivityDeps) {
  return withTypedFailures({
    /**
     * Delivers the announcement to the next recipients after `afterUserId`: every live mobile user
     * of the tenant, or the one user it names. Each gets an in-app copy, and SMS/email where that
     * channel's own switch is on (announcements are service messages: no other preference gates
     * them). A retried attempt resumes after the last user it reported by heartbeat; copies
     * already stored or sent are not repeated.
     */
    async deliverAnnouncementBatch(request: AnnouncementBatchRequest): Promise<AnnouncementBatchResult> {
      const em = orm.em.fork();
      const [announcement] = await em.execute<Announcement[]>(
        'select description, attachments, recipient_type, recipient_id, scheduled_at, status from gencharge_announcements where id = ?',
        [request.announcementId],
      );
      if (announcement?.status !== 'scheduled') return { scheduled: false, recipients: 0, lastUserId: null };
      const resumedAfter = Number(Context.current().info.heartbeatDetails ?? 0);
      const after = Math.max(request.afterUserId, Number.isSafeInteger(resumedAfter) ? resumedAfter : 0);
      const upTo = request.upToUserId ?? (await newestUserId(em, request.tenant));
      const recipients = await em.execute<{ id: string }[]>(
        `select u.id from users u join gencharge_profiles p on p.user_id = u.id
         where u.tenant = ? and u.deleted_at is null and u.id > ? and u.id <= ? and (?::bigint is null or u.id = ?::bigint)
         order by u.id limit ?`,
        [request.tenant, after, upTo, announcement.recipient_id, announcement.recipient_id, announcementBatchSize],
      );
      for (const { id } of recipients) {
        const userId = Number(id);
        await deliverNotificationCopy(em, providers, {
          tenant: request.tenant,
          userId,
          noticeKey: announcementNoticeKey(request.announcementId, userId),
          senderType: 'admin',
          type: 'announcement',
          kind: null,
          description: announcement.description,
          attachments: announcement.attachments,
          announcementId: request.announcementId,
          scheduledAt: announcement.scheduled_at === null ? null : new Date(announcement.scheduled_at).toISOString(),
          subject: 'announcement',
          preference: null,
        });
        Context.current().heartbeat(userId);
      }
      const last = recipients.at(-1);
      return {
        scheduled: true,
        recipients: recipients.length,
        lastUserId: recipients.length === announcementBatchSize && last ? Number(last.id) : null,
        upToUserId: upTo,
      };
    },

    /** The announcement turns `delivered` once every recipient has their copy. */
    async markAnnouncementDelivered({ announcementId }: { tenant: string; announcementId: string }): Promise<void> {
      await orm.em.fork().execute(
        "update gencharge_announcements set status = 'delivered', delivered_at = now() where id = ? and status = 'scheduled'",
        [announcementId],
      );
    },
  } satisfies GenChargeAnnouncementActivities);
}

/** The newest user of the tenant: a delivery that begins now reaches nobody who signs up later. */
async function newestUserId(em: EntityManager, tenant: string): Promise<number> {
  const [row] = await em.execute<{ id: string | null }[]>('select max(id) as id from users where tenant = ?', [tenant]);
  return Number(row?.id ?? 0);
}
