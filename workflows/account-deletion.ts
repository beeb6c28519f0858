import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { AccountDeletionActivities } from '../activities/account-deletion.js';
import { kycWithdrawSignal, type AccountDeletionInput, type AccountDeletionOutcome } from './contracts.js';

const accounts = proxyActivities<AccountDeletionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Deletes an account the way financial records allow: close it (deleted mark and every login
 * ended at once), remove the identity documents, erase personal data, and withdraw a KYC review
 * still waiting. The ledger and the history of payments stay. Every step can run again.
 */
export async function deleteAccount(input: AccountDeletionInput): Promise<AccountDeletionOutcome> {
  const { deletedAt } = await accounts.closeAccount(input);
  // Images first: once the rows forget their keys, nothing would find the files again.
  const documentsDeleted = await accounts.deleteKycDocuments(input);
  const { pendingKycReviews } = await accounts.eraseAccountPersonalData(input);
  let kycReviewsWithdrawn = 0;
  for (const workflowId of pendingKycReviews) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(kycWithdrawSignal);
      kycReviewsWithdrawn++;
    } catch {
      // That review has closed already; nothing waits on it.
    }
  }
  return { status: 'deleted', deletedAt, documentsDeleted, kycReviewsWithdrawn };
}
