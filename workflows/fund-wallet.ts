import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding.js';
import {
  COLLECTION_REFUSED_REASON,
  FailureType,
  fundingStateQuery,
  payableReferenceUpdate,
  paymentWebhookSignal,
  type FundingState,
  type FundWalletInput,
  type PayableReference,
  type PaymentWebhookSignal,
} from './contracts.js';
import { tellGenChargeUser } from './gencharge-notices.js';

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
 * Wallet funding: ask the provider to collect (the API's update returns once it has), wait for
 * its webhook (polling as a fallback), then credit the wallet exactly once with what the provider
 * actually collected. A collection still open at the deadline ends `failed`; reconciliation and
 * the late-payment flow credit it if the money arrives after all.
 */
export async function fundWallet(input: FundWalletInput): Promise<FundingState> {
  const state: FundingState = { reference: input.reference, status: 'pending' };
  let webhook: PaymentWebhookSignal | undefined;
  let payable: PayableReference | undefined = undefined;
  let refusal: string | undefined;
  setHandler(fundingStateQuery, () => state);
  setHandler(paymentWebhookSignal, (event) => {
    if (event.reference === input.reference && webhook === undefined) webhook = event;
  });
  setHandler(payableReferenceUpdate, async () => {
    await condition(() => payable !== undefined || refusal !== undefined);
    if (payable) return payable;
    throw ApplicationFailure.create({ type: FailureType.ProviderRejected, message: refusal, nonRetryable: true });
  });

  await ledger.openFunding(input);
  let collection: Awaited<ReturnType<FundingActivities['requestPaymentCollection']>> | undefined;
  try {
    collection = await provider.requestPaymentCollection(input);
  } catch {
    refusal = COLLECTION_REFUSED_REASON;
    await fail(refusal);
    return finished();
  }
  payable = { reference: input.reference, paymentUrl: collection.paymentUrl };

  let status = collection.status;
  let collectedMinor = input.amountMinor;
  const deadline = workflowInfo().startTime.getTime() + input.timing.timeoutMs;
  while (status === 'pending' && webhook === undefined) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const signalled = await condition(() => webhook !== undefined, Math.min(input.timing.pollIntervalMs, remaining));
    if (!signalled) ({ status, amountMinor: collectedMinor } = await provider.checkPaymentCollection(input));
  }
  if (webhook) {
    status = webhook.status;
    collectedMinor = webhook.amountMinor;
  }

  if (status === 'success') await credit(collectedMinor, collection.providerReference);
  else await fail(status === 'pending' ? 'the payment was not completed in time' : 'the payment failed');
  return finished();

  async function credit(amountMinor: string, providerReference: string): Promise<void> {
    // The provider's word on the amount wins: what it holds is what the user paid.
    await ledger.creditFundedWallet(input, providerReference, amountMinor);
    state.status = 'success';
    delete state.failureReason;
    if (amountMinor !== input.amountMinor) state.receivedAmountMinor = amountMinor;
    // Only flows started with a notice call it, so histories recorded before it existed replay unchanged.
    // A notice that cannot be delivered does not undo the credit.
    if (input.noticeOnCredit) {
      await tellGenChargeUser(input.noticeOnCredit);
    }
  }

  async function fail(reason: string): Promise<void> {
    await ledger.failFunding(reason);
    state.status = 'failed';
    state.failureReason = reason;
  }

  /**
   * A confirmation that arrives while the flow is failing, up to its very last task, still counts:
   * the money was collected. The webhook router has marked it delivered, so it is credited here.
   */
  async function finished(): Promise<FundingState> {
    for (;;) {
      await condition(allHandlersFinished);
      if (state.status !== 'failed' || webhook?.status !== 'success' || !collection) return state;
      await credit(webhook.amountMinor, collection.providerReference);
    }
  }
}
