import { proxyActivities } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding.js';
import type { LatePaymentInput, SuspenseResolution, UnmatchedPaymentInput } from './contracts.js';

const ledger = proxyActivities<FundingActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * A payment the provider confirmed after its funding flow had ended `failed`: the money was
 * collected, so the wallet is credited now (at most once, under the funding flow's posting key).
 */
export async function settleLatePayment(input: LatePaymentInput): Promise<'credited' | 'already-credited'> {
  return ledger.creditLatePayment(input);
}

/** A confirmed payment that matches no deposit is never dropped: it waits in suspense for an operator. */
export async function parkUnmatchedPayment(input: UnmatchedPaymentInput): Promise<void> {
  await ledger.parkPaymentInSuspense(input);
}

/** An operator's resolution of a suspense item: the parked money moves to the wallet named, once. */
export async function resolveSuspenseItem(input: SuspenseResolution): Promise<void> {
  await ledger.creditWalletFromSuspense(input);
}
