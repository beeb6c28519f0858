import { Context } from '@temporalio/activity';
import type { Orm } from '../db/orm.js';
import { deriveOtpCode, hashOtpCode } from '../core/otp.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { OtpInput, OtpVerifyRequest } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface OtpActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
  /** The key codes are derived and hashed with (`otpKeyFrom(JWT_SECRET)`); the API hashes with the same. */
  otpKey?: string;
}

export function createOtpActivities({ orm, providers, otpKey }: OtpActivityDeps) {
  function key(): string {
    // Retryable on purpose: a worker started without the key leaves the flow waiting for one that has it.
    if (!otpKey) throw new Error('this worker was started without the OTP key');
    return otpKey;
  }

  function execution(): { workflowId: string; runId: string } {
    const running = Context.current().info.workflowExecution;
    if (!running) throw new Error('this activity must run inside a workflow');
    return running;
  }

  return withTypedFailures({
    /** Sends the flow's n-th code by SMS (twilio) or email (SMTP) and returns only its keyed hash. */
    async sendOtpCode(input: OtpInput, sendNumber: number): Promise<{ codeHash: string }> {
      const { workflowId, runId } = execution();
      const code = deriveOtpCode(key(), workflowId, runId, sendNumber);
      const minutes = Math.max(1, Math.round(input.codeTtlMs / 60_000));
      const text = `${code} is your ${input.appName} verification code. It expires in ${minutes} minute${minutes === 1 ? '' : 's'}. Never share it with anyone.`;
      if (input.channel === 'sms') {
        await providers.get(input.tenant, 'sms').sendSms({ to: input.identifier, body: text, ...(input.smsFrom && { from: input.smsFrom }) });
      } else {
        await providers.get(input.tenant, 'email').sendEmail({ to: input.identifier, subject: `${input.appName} verification code: ${code}`, text, fromName: input.appName });
      }
      return { codeHash: hashOtpCode(key(), workflowId, code) };
    },

    /** Stores the hash of the verification token a verified code earned, once; expired ones of the identifier go. */
    async recordOtpVerification(input: OtpInput, request: OtpVerifyRequest): Promise<void> {
      const { workflowId } = execution();
      await orm.em.fork().transactional(async (tx) => {
        await tx.execute(
          `insert into otp_verifications (tenant, identifier, channel, purpose, token_hash, workflow_id, expires_at)
           values (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?)) on conflict (token_hash) do nothing`,
          [input.tenant, input.identifier, input.channel, input.purpose, request.verificationTokenHash, workflowId, request.verificationTtlSeconds],
        );
        await tx.execute(`delete from otp_verifications where tenant = ? and identifier = ? and expires_at < now() - interval '1 day'`, [
          input.tenant,
          input.identifier,
        ]);
      });
    },
  });
}

export type OtpActivities = ReturnType<typeof createOtpActivities>;
