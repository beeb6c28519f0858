import { proxyActivities } from '@temporalio/workflow';
import type { TrivialActivities } from './trivial-activities.js';

// The same timeouts and retry policy as the purchase flow's ledger steps.
const { noop } = proxyActivities<TrivialActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The cheapest flow with one activity: the floor any real flow on this server is measured against. */
export async function trivialFlow(reference: string): Promise<string> {
  return noop(reference);
}
