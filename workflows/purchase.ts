import { ApplicationFailure, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { PurchaseActivities } from '../activities/purchases.js';
import { FailureType, purchaseStateQuery, type PurchaseInput, type PurchaseOutcome, type PurchaseState } from './contracts.js';

// Timeouts bound how long a crashed worker's in-flight step waits before another worker retries it.
const ledger = proxyActivities<PurchaseActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const provider = proxyActivities<PurchaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const MAX_REQUERY_INTERVAL_MS = 10 * 60_000;

/**
 * Airtime, data and bill purchases as a saga: reserve the price, ask the provider, then post the
 * reservation or release it. An ambiguous answer is re-queried until it is final; past the limit
 * the hold stays in place and the flow fails for ops to resolve, never refunding blind.
 */
export async function purchase(input: PurchaseInput): Promise<PurchaseOutcome> {
  const state: PurchaseState = { reference: input.reference, status: 'pending' };
  setHandler(purchaseStateQuery, () => state);

  const opened = await ledger.openPurchase(input);
  state.transactionId = opened.transactionId;

  let result = await provider.submitVtuOrder(input);
  const deadline = Date.now() + input.timing.requeryLimitMs;
  let interval = input.timing.requeryIntervalMs;
  while (result.status === 'pending') {
    if (Date.now() >= deadline) {
      throw ApplicationFailure.create({
        type: FailureType.PurchaseUnresolved,
        message: `provider outcome for ${input.reference} still unknown; the hold is kept for review`,
        nonRetryable: true,
      });
    }
    await sleep(interval);
    interval = Math.min(interval * 2, MAX_REQUERY_INTERVAL_MS);
    result = await provider.requeryVtuOrder(input);
  }

  if (result.status === 'success') {
    await ledger.settlePurchase(opened.holdId, result.providerReference);
    state.status = 'success';
  } else {
    state.failureReason = result.message ?? 'the provider could not complete the purchase';
    await ledger.refundPurchase(opened.holdId, state.failureReason);
    state.status = 'failed';
  }
  return { reference: input.reference, transactionId: opened.transactionId, status: state.status, failureReason: state.failureReason };
}
