import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { GenChargeNotice, GenChargeNoticeActivities } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface GenChargeNoticeActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

const APP_NAME = 'GenCharge';

/** The spec's 24-hex `_id`, derived from the notice's key so a retry finds the same row. */
export function notificationIdFor(noticeKey: string): string {
  return createHash('sha256').update(noticeKey).digest('hex').slice(0, 24);
}

/** One user's copy of a notification: a platform notice or an announcement. */
export interface NotificationCopy {
  tenant: string;
  userId: number;
  /** Unique per event and recipient: the copy is stored, and each channel sent, once. */
  noticeKey: string;
  senderType: 'system' | 'admin';
  type: 'in-app' | 'announcement';
  kind: string | null;
  description: string;
  attachments: Record<string, unknown>;
  announcementId: string | null;
  scheduledAt: string | null;
  /** The email's subject, after the app's name. */
  subject: string;
  /** The preference that, besides the channel's own switch, must be on for SMS/email; null: the channel's alone. */
  preference: 'recharge_remainders' | 'transactional_alerts' | null;
}

export type DeliveredCopy = Awaited<ReturnType<GenChargeNoticeActivities['notifyGenChargeUser']>>;

interface Recipient {
  phone: string | null;
  email: string | null;
  sms_ok: boolean;
  email_ok: boolean;
  sms_sent_at: Date | null;
  email_sent_at: Date | null;
}

/**
 * Stores the copy in the user's in-app list (once per key), then sends it by SMS and email where
 * the user's switches allow. A channel already sent for this row is not sent again when the
 * caller is retried. Every notice and every announcement reaches a user through this.
 */
export async function deliverNotificationCopy(em: EntityManager, providers: ProviderRegistry, copy: NotificationCopy): Promise<DeliveredCopy> {
  const id = notificationIdFor(copy.noticeKey);
  const inserted = await em.execute<{ id: string }[]>(
    `insert into gencharge_notifications (id, notice_key, user_id, sender_type, type, kind, description, attachments, announcement_id, scheduled_at)
     select ?, ?, u.id, ?, ?, ?, ?, ?::jsonb, ?, ? from users u where u.id = ? and u.tenant = ?
     on conflict (notice_key) do nothing returning id`,
    [
      id,
      copy.noticeKey,
      copy.senderType,
      copy.type,
      copy.kind,
      copy.description,
      JSON.stringify(copy.attachments),
      copy.announcementId,
      copy.scheduledAt,
      copy.userId,
      copy.tenant,
    ],
  );
  // The preference column is one of two fixed names, never client input.
  const gate = copy.preference === 'recharge_remainders' ? ' and p.recharge_remainders' : copy.preference === 'transactional_alerts' ? ' and p.transactional_alerts' : '';
  const [recipient] = await em.execute<Recipient[]>(
    `select u.phone, u.email,
            coalesce(p.sms_notification${gate}, false) as sms_ok,
            coalesce(p.email_notification${gate}, false) as email_ok,
            n.sms_sent_at, n.email_sent_at
     from gencharge_notifications n join users u on u.id = n.user_id
     left join gencharge_preferences p on p.user_id = u.id
     where n.id = ? and u.deleted_at is null`,
    [id],
  );
  if (!recipient) return { stored: inserted.length > 0, channels: [] };
  const channels: Array<'sms' | 'email'> = [];
  if (recipient.sms_ok && recipient.phone) {
    if (!recipient.sms_sent_at) {
      await providers.get(copy.tenant, 'sms').sendSms({ to: recipient.phone, body: `${APP_NAME}: ${copy.description}` });
      await em.execute('update gencharge_notifications set sms_sent_at = now() where id = ?', [id]);
    }
    channels.push('sms');
  }
  if (recipient.email_ok && recipient.email) {
    if (!recipient.email_sent_at) {
      await providers.get(copy.tenant, 'email').sendEmail({ to: recipient.email, fromName: APP_NAME, subject: `${APP_NAME}: ${copy.subject}`, text: copy.description });
      await em.execute('update gencharge_notifications set email_sent_at = now() where id = ?', [id]);
    }
    channels.push('email');
  }
  return { stored: inserted.length > 0, channels };
}

export function createGenChargeNoticeActivities({ orm, providers }: GenChargeNoticeActivityDeps) {
  return withTypedFailures({
    /**
     * Stores the notice in the user's in-app list (once per key), then sends it by SMS and email
     * where the user's switches allow: the channel's own and the notice's preference.
     */
    async notifyGenChargeUser(notice: GenChargeNotice): ReturnType<GenChargeNoticeActivities['notifyGenChargeUser']> {
      return deliverNotificationCopy(orm.em.fork(), providers, {
        tenant: notice.tenant,
        userId: notice.userId,
        noticeKey: notice.noticeKey,
        senderType: 'system',
        type: 'in-app',
        kind: notice.kind,
        description: notice.description,
        attachments: notice.attachments ?? {},
        announcementId: null,
        scheduledAt: null,
        subject: subjectOf(notice),
        preference: notice.preference === 'recharge_remainders' ? 'recharge_remainders' : 'transactional_alerts',
      });
    },
  } satisfies GenChargeNoticeActivities);
}

function subjectOf(notice: GenChargeNotice): string {
  const subjects: Record<GenChargeNotice['kind'], string> = {
    topup_credited: 'wallet top-up received',
    recharge_done: 'recharge successful',
    recharge_failed: 'recharge failed',
    autopay_missed: 'autopay could not run',
    plan_expiring: 'your plan expires soon',
    plan_expired: 'your plan has expired',
    reward_earned: 'referral reward earned',
  };
  return subjects[notice.kind];
}

export type GenChargeNoticeActivitiesImpl = ReturnType<typeof createGenChargeNoticeActivities>;
