import { proxyActivities } from '@temporalio/workflow';
import type { FundingActivities } from '../activities/funding.js';
import type { LatePaymentInput } from './contracts.js';

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
