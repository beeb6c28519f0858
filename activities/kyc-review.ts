import { ApplicationFailure } from '@temporalio/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Orm } from '../db/orm.js';
import { FailureType } from '../core/errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { KycDecision, KycDecisionRecord, KycReviewInput, KycSubmissionRecord } from '../workflows/contracts.js';
import { currentWorkflowId } from './context.js';
import { withTypedFailures } from './failures.js';

export interface KycReviewActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

export function createKycReviewActivities({ orm, providers }: KycReviewActivityDeps) {
  return withTypedFailures({
    /** Records the submission once per flow and marks the user's KYC pending; a second waiting submission is refused. */
    async openKycSubmission(input: KycReviewInput): Promise<KycSubmissionRecord> {
      const workflowId = currentWorkflowId();
      try {
        return await orm.em.fork().transactional(async (tx) => {
          await tx.execute(
            `insert into chargeghar_kyc_submissions (user_id, workflow_id, document_type, document_number, front_image_key, back_image_key)
             values (?, ?, ?, ?, ?, ?) on conflict (workflow_id) do nothing`,
            [input.userId, workflowId, input.documentType, input.documentNumber, input.frontImageKey, input.backImageKey],
          );
          const [row] = await tx.execute<{ id: string; created_at: Date }[]>(
            'select id, created_at from chargeghar_kyc_submissions where workflow_id = ?',
            [workflowId],
          );
          await tx.execute(`update chargeghar_profiles set kyc_status = 'pending', updated_at = now() where user_id = ?`, [input.userId]);
          return { submissionId: Number(row!.id), submittedAt: new Date(row!.created_at).toISOString() };
        });
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) {
          throw ApplicationFailure.create({ type: FailureType.Conflict, message: 'a KYC submission is already under review', nonRetryable: true, cause: err });
        }
        throw err;
      }
    },

    /** Applies an admin's decision once; a retry returns the decision already recorded. */
    async recordKycDecision(submissionId: number, decision: KycDecision): Promise<KycDecisionRecord> {
      return orm.em.fork().transactional(async (tx) => {
        const status = decision.action === 'approve' ? 'approved' : 'rejected';
        await tx.execute(
          `update chargeghar_kyc_submissions set status = ?, rejection_reason = ?, reviewed_by = ?, reviewed_at = now()
           where id = ? and status = 'pending'`,
          [status, decision.action === 'reject' ? decision.reason : null, decision.reviewer, submissionId],
        );
        const [row] = await tx.execute<{ user_id: string; status: 'approved' | 'rejected'; rejection_reason: string | null; reviewed_at: Date }[]>(
          'select user_id, status, rejection_reason, reviewed_at from chargeghar_kyc_submissions where id = ?',
          [submissionId],
        );
        if (!row || (row.status !== 'approved' && row.status !== 'rejected')) throw new Error(`KYC submission ${submissionId} cannot take a decision`);
        await tx.execute(`update chargeghar_profiles set kyc_status = ?, updated_at = now() where user_id = ?`, [row.status, row.user_id]);
        return { submissionId, status: row.status, reason: row.rejection_reason, reviewedAt: new Date(row.reviewed_at).toISOString() };
      });
    },

    /** Tells the user the decision by SMS (or email, for users without a phone); false when the account is gone. */
    async notifyKycDecision(input: KycReviewInput, decision: KycDecisionRecord): Promise<boolean> {
      const [user] = await orm.em.fork().execute<{ email: string | null; phone: string | null }[]>(
        'select email, phone from users where id = ? and tenant = ? and deleted_at is null',
        [input.userId, input.tenant],
      );
      if (!user) return false;
      const text =
        decision.status === 'approved'
          ? `Your ${input.appName} KYC verification is approved. Thank you!`
          : `Your ${input.appName} KYC documents were not approved: ${(decision.reason ?? '').replace(/[\s.!?]+$/, '')}. Please resubmit them in the app.`;
      if (user.phone) await providers.get(input.tenant, 'sms').sendSms({ to: user.phone, body: text });
      else await providers.get(input.tenant, 'email').sendEmail({ to: user.email!, subject: `${input.appName} KYC verification`, text, fromName: input.appName });
      return true;
    },

    /** The account was deleted while the review waited: the submission is withdrawn, undecided. */
    async withdrawKycSubmission(submissionId: number): Promise<void> {
      await orm.em.fork().execute(`update chargeghar_kyc_submissions set status = 'withdrawn' where id = ? and status = 'pending'`, [submissionId]);
    },
  });
}

export type KycReviewActivities = ReturnType<typeof createKycReviewActivities>;
