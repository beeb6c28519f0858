import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding.js';
import type { ReconciliationActivities } from '../activities/reconciliation.js';
import type { ReconciliationResult } from './contracts.js';

const books = proxyActivities<ReconciliationActivities & FundingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

// One provider hiccup must not stop the run: the next run asks again.
const provider = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * One reconciliation pass for a tenant (a Temporal Schedule per tenant starts it): re-asks the
 * provider about deposits that ended without a confirmation and credits late successes once, then
 * lists what waits for an operator. The result is what ops read in the Temporal UI.
 */
export async function reconcileTenant(tenant: string): Promise<ReconciliationResult> {
  const deposits = await books.findDepositsToRequery(tenant);
  const lateDepositsCredited: string[] = [];
  for (const deposit of deposits) {
    let answer: Awaited<ReturnType<ReconciliationActivities['requeryDeposit']>>;
    try {
      answer = await provider.requeryDeposit(tenant, deposit.reference);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('deposit requery failed; the next run asks again', { reference: deposit.reference });
      continue;
    }
    if (answer.status !== 'success') continue;
    const outcome = await books.creditLatePayment({
      tenant,
      reference: deposit.reference,
      fundingWorkflowId: deposit.workflowId,
      eventId: 'reconciliation',
      amountMinor: answer.collectedMinor ?? deposit.amountMinor,
    });
    if (outcome === 'credited') lateDepositsCredited.push(deposit.reference);
  }
  const waiting = await books.listItemsAwaitingOperators(tenant);
  return { tenant, depositsRequeried: deposits.length, lateDepositsCredited, ...waiting };
}
