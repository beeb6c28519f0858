import { createHash } from 'node:crypto';
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

interface Recipient {
  phone: string | null;
  email: string | null;
  sms_ok: boolean;
  email_ok: boolean;
  sms_sent_at: Date | null;
  email_sent_at: Date | null;
}

export function createGenChargeNoticeActivities({ orm, providers }: GenChargeNoticeActivityDeps) {
  return withTypedFailures({
    /**
     * Stores the notice in the user's in-app list (once per key), then sends it by SMS and email
     * where the user's switches allow: the channel's own and the notice's preference. A channel
     * already sent for this row is not sent again when the activity is retried.
     */
    async notifyGenChargeUser(notice: GenChargeNotice): ReturnType<GenChargeNoticeActivities['notifyGenChargeUser']> {
      const em = orm.em.fork();
      const id = notificationIdFor(notice.noticeKey);
      const inserted = await em.execute<{ id: string }[]>(
        `insert into gencharge_notifications (id, notice_key, user_id, sender_type, type, kind, description, attachments)
         select ?, ?, u.id, 'system', 'in-app', ?, ?, ?::jsonb from users u where u.id = ? and u.tenant = ?
         on conflict (notice_key) do nothing returning id`,
        [id, notice.noticeKey, notice.kind, notice.description, JSON.stringify(notice.attachments ?? {}), notice.userId, notice.tenant],
      );
      // The preference column is one of two fixed names, never client input.
      const preference = notice.preference === 'recharge_remainders' ? 'recharge_remainders' : 'transactional_alerts';
      const [recipient] = await em.execute<Recipient[]>(
        `select u.phone, u.email,
                coalesce(p.sms_notification and p.${preference}, false) as sms_ok,
                coalesce(p.email_notification and p.${preference}, false) as email_ok,
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
          await providers.get(notice.tenant, 'sms').sendSms({ to: recipient.phone, body: `${APP_NAME}: ${notice.description}` });
          await em.execute('update gencharge_notifications set sms_sent_at = now() where id = ?', [id]);
        }
        channels.push('sms');
      }
      if (recipient.email_ok && recipient.email) {
        if (!recipient.email_sent_at) {
          await providers.get(notice.tenant, 'email').sendEmail({ to: recipient.email, fromName: APP_NAME, subject: `${APP_NAME}: ${subjectOf(notice)}`, text: notice.description });
          await em.execute('update gencharge_notifications set email_sent_at = now() where id = ?', [id]);
        }
        channels.push('email');
      }
      return { stored: inserted.length > 0, channels };
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
