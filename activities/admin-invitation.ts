import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Orm } from '../db/orm.js';
import { hashVerificationToken } from '../core/otp.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { AdminInvitationInput, AdminInvitationOutcome } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface AdminInvitationActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
  /** The worker's OTP key (`otpKeyFrom(JWT_SECRET)`); invitation tokens are derived from a key of their own made from it. */
  otpKey?: string;
}

/**
 * The token of one invitation run: derived, not drawn, so a retried send mails the same link;
 * unguessable without the key, since the run id is a random UUID.
 */
export function deriveInvitationToken(otpKey: string, workflowId: string, runId: string): string {
  const key = createHmac('sha256', otpKey).update('admin-invitation-key:v1').digest();
  return createHmac('sha256', key).update(`invitation:${workflowId}:${runId}`).digest('base64url');
}

export function createAdminInvitationActivities({ orm, providers, otpKey }: AdminInvitationActivityDeps) {
  return withTypedFailures({
    /** Stores the token's hash (once) and emails the token; answers when the link stops working, or that the admin is gone. */
    async sendAdminInvitation(input: AdminInvitationInput): Promise<AdminInvitationOutcome> {
      // Retryable on purpose: a worker started without the key leaves the flow waiting for one that has it.
      if (!otpKey) throw new Error('this worker was started without the OTP key');
      const running = Context.current().info.workflowExecution;
      if (!running) throw new Error('this activity must run inside a workflow');
      const token = deriveInvitationToken(otpKey, running.workflowId, running.runId);
      const tokenHash = hashVerificationToken(token);
      const em = orm.em.fork();
      await em.execute(
        `insert into gencharge_admin_invites (token_hash, user_id, expires_at)
         select ?, a.user_id, now() + make_interval(secs => ?) from gencharge_admins a where a.user_id = ?
         on conflict (token_hash) do nothing`,
        [tokenHash, input.expiresInMs / 1000, input.userId],
      );
      const [invite] = await em.execute<{ expires_at: Date }[]>('select expires_at from gencharge_admin_invites where token_hash = ?', [tokenHash]);
      // The admin was deleted before the email went out (deletion voids invitations): nobody to invite.
      if (!invite) return { status: 'cancelled' };
      const expiresAt = new Date(invite.expires_at);
      const hours = Math.round(input.expiresInMs / 3_600_000);
      const link = input.setPasswordUrl ? `\n\nOr open: ${input.setPasswordUrl}?token=${token}` : '';
      await providers.get(input.tenant, 'email').sendEmail({
        to: input.email,
        fromName: input.appName,
        subject: `You are invited to the ${input.appName} admin panel`,
        text:
          `Hello ${input.name},\n\nYou have been made an admin of ${input.appName}. Set your password within ${hours} hours ` +
          `(until ${expiresAt.toISOString()}) with this one-time token:\n\nToken: ${token}${link}\n\n` +
          'If you did not expect this, ignore this email.',
      });
      return { status: 'sent', expiresAt: expiresAt.toISOString() };
    },
  });
}

export type AdminInvitationActivities = ReturnType<typeof createAdminInvitationActivities>;
