import { proxyActivities } from '@temporalio/workflow';
import type { LedgerActivities } from '../activities/ledger.js';

const ledger = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** One sweep of expired holds; a Temporal Schedule runs it every minute. */
export async function expireLedgerHolds(): Promise<number> {
  return ledger.expireLedgerHolds();
}
