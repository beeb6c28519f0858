import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { KycReviewActivities } from '../activities/kyc-review.js';
import {
  FailureType,
  kycDecisionUpdate,
  kycSubmittedUpdate,
  kycWithdrawSignal,
  type KycDecision,
  type KycDecisionRecord,
  type KycReviewInput,
  type KycReviewOutcome,
  type KycSubmissionRecord,
} from './contracts.js';

const records = proxyActivities<KycReviewActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A message that cannot go out after some tries does not undo the decision; the outcome says so.
const messaging = proxyActivities<KycReviewActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * A KYC submission under review: record it (the API's update returns then), wait for an admin's
 * decision as long as it takes, record it and tell the user. An account deleted meanwhile
 * withdraws the submission undecided.
 */
export async function reviewKyc(input: KycReviewInput): Promise<KycReviewOutcome> {
  let submission: KycSubmissionRecord | undefined;
  let refusedAs: string | undefined;
  let decision: KycDecision | undefined;
  let decided: KycDecisionRecord | undefined = undefined;
  let withdrawn = false;

  setHandler(kycSubmittedUpdate, async () => {
    await condition(() => submission !== undefined || refusedAs !== undefined);
    if (submission) return submission;
    throw ApplicationFailure.create({ type: refusedAs, message: 'the submission was not accepted', nonRetryable: true });
  });
  setHandler(
    kycDecisionUpdate,
    async (given) => {
      decision = given;
      await condition(() => decided !== undefined);
      return decided!;
    },
    {
      validator: (given) => {
        if (!submission || decision || withdrawn) {
          throw ApplicationFailure.create({ type: FailureType.Conflict, message: 'this submission is not waiting for a decision', nonRetryable: true });
        }
        if (given.action === 'reject' && !given.reason?.trim()) {
          throw ApplicationFailure.create({ type: FailureType.Validation, message: 'a rejection needs a reason', nonRetryable: true });
        }
      },
    },
  );
  setHandler(kycWithdrawSignal, () => {
    if (!decision) withdrawn = true;
  });

  try {
    submission = await records.openKycSubmission(input);
  } catch (err) {
    const failure = (err as { cause?: unknown }).cause;
    refusedAs = failure instanceof ApplicationFailure && failure.type ? failure.type : FailureType.Conflict;
    await condition(allHandlersFinished);
    return { submissionId: null, status: 'refused', notified: false };
  }

  await condition(() => decision !== undefined || withdrawn);
  if (!decision) {
    await records.withdrawKycSubmission(submission.submissionId);
    return { submissionId: submission.submissionId, status: 'withdrawn', notified: false };
  }
  decided = await records.recordKycDecision(submission.submissionId, decision);
  let notified: boolean;
  try {
    notified = await messaging.notifyKycDecision(input, decided);
  } catch {
    notified = false;
  }
  await condition(allHandlersFinished);
  return { submissionId: submission.submissionId, status: decided.status, notified };
}
