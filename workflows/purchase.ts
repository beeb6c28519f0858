import { condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { PurchaseActivities } from '../activities/purchases.js';
import {
  purchaseDecisionSignal,
  purchaseStateQuery,
  type PurchaseDecision,
  type PurchaseInput,
  type PurchaseOutcome,
  type PurchaseState,
} from './contracts.js';

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
 * reservation or release it. The hold is this flow's alone: an ambiguous answer is re-queried
 * until final, and past the limit the flow keeps the hold under review and waits for an operator
 * to decide (deliver or refund), never refunding blind.
 */
export async function purchase(input: PurchaseInput): Promise<PurchaseOutcome> {
  const state: PurchaseState = { reference: input.reference, status: 'pending' };
  let decision: PurchaseDecision | undefined;
  let token: string | undefined;
  setHandler(purchaseStateQuery, () => state);
  setHandler(purchaseDecisionSignal, (d) => {
    // Only a flow under review takes decisions, and only the first one.
    if (state.status === 'review' && decision === undefined) decision = d;
  });

  const opened = await ledger.openPurchase(input);
  state.transactionId = opened.transactionId;

  let result = await provider.submitVtuOrder(input);
  const deadline = Date.now() + input.timing.requeryLimitMs;
  let interval = input.timing.requeryIntervalMs;
  while (result.status === 'pending' && Date.now() < deadline) {
    await sleep(Math.min(interval, Math.max(deadline - Date.now(), 1)));
    interval = Math.min(interval * 2, MAX_REQUERY_INTERVAL_MS);
    result = await provider.requeryVtuOrder(input);
  }

  if (result.status === 'pending') {
    await ledger.keepPurchaseForReview(opened.holdId, `provider outcome unknown after ${input.timing.requeryLimitMs} ms`);
    state.status = 'review';
    await condition(() => decision !== undefined);
    const chosen = decision!;
    if (chosen.action === 'post') {
      await ledger.settlePurchase(opened.holdId, undefined, chosen);
      state.status = 'success';
    } else {
      state.failureReason = 'the purchase could not be confirmed and was refunded';
      await ledger.refundPurchase(opened.holdId, state.failureReason, chosen);
      state.status = 'failed';
    }
  } else if (result.status === 'success') {
    await ledger.settlePurchase(opened.holdId, result.providerReference, undefined, result.token);
    state.status = 'success';
    token = result.token;
  } else {
    state.failureReason = result.message ?? 'the provider could not complete the purchase';
    await ledger.refundPurchase(opened.holdId, state.failureReason);
    state.status = 'failed';
  }
  return { reference: input.reference, transactionId: opened.transactionId, status: state.status, failureReason: state.failureReason, ...(token && { token }) };
}
