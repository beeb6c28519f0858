import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding.js';
import {
  fundingStateQuery,
  paymentWebhookSignal,
  type FundingState,
  type FundWalletInput,
  type PaymentWebhookSignal,
} from './contracts.js';

// Timeouts bound how long a crashed worker's in-flight step waits before another worker retries it.
const ledger = proxyActivities<FundingActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const provider = proxyActivities<FundingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 20 },
});

/**
 * Wallet funding: ask the provider to collect, wait for its webhook (polling as a fallback), then
 * credit the wallet exactly once. A collection still open at the deadline ends `failed`.
 */
export async function fundWallet(input: FundWalletInput): Promise<FundingState> {
  const state: FundingState = { reference: input.reference, status: 'pending' };
  let webhook: PaymentWebhookSignal | undefined;
  setHandler(fundingStateQuery, () => state);
  setHandler(paymentWebhookSignal, (event) => {
    if (event.reference === input.reference && webhook === undefined) webhook = event;
  });

  await ledger.openFunding(input);
  let collection: { status: 'pending' | 'success' | 'failed'; providerReference: string };
  try {
    collection = await provider.requestPaymentCollection(input);
  } catch {
    return finish(state, 'failed', 'the payment provider did not accept the collection');
  }

  let status = collection.status;
  const deadline = workflowInfo().startTime.getTime() + input.timing.timeoutMs;
  while (status === 'pending' && webhook === undefined) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const signalled = await condition(() => webhook !== undefined, Math.min(input.timing.pollIntervalMs, remaining));
    if (!signalled) status = await provider.checkPaymentCollection(input.reference);
  }
  if (webhook) {
    if (webhook.amountMinor !== input.amountMinor) {
      return finish(state, 'failed', `collected ${webhook.amountMinor} but ${input.amountMinor} was requested`);
    }
    status = webhook.status;
  }

  if (status === 'success') {
    await ledger.creditFundedWallet(input, collection.providerReference);
    state.status = 'success';
    return state;
  }
  await finish(state, 'failed', status === 'pending' ? 'the payment was not completed in time' : 'the payment failed');
  // A confirmation that raced the deadline still counts: the money was collected.
  if (status === 'pending' && webhook?.status === 'success' && webhook.amountMinor === input.amountMinor) {
    await ledger.creditFundedWallet(input, collection.providerReference);
    state.status = 'success';
    delete state.failureReason;
  }
  return state;

  async function finish(s: FundingState, final: 'failed', reason: string): Promise<FundingState> {
    await ledger.failFunding(reason);
    s.status = final;
    s.failureReason = reason;
    return s;
  }
}
