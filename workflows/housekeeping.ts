import { proxyActivities } from '@temporalio/workflow';
import type { HousekeepingActivities } from '../activities/housekeeping.js';
import type { HousekeepingResult } from './contracts.js';

const housekeeping = proxyActivities<HousekeepingActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** One housekeeping run (a Temporal Schedule starts it hourly): sweep orphaned holds, purge stale rows. */
export async function runHousekeeping(): Promise<HousekeepingResult> {
  const holds = await housekeeping.voidHoldsOfClosedFlows();
  const purged = await housekeeping.purgeExpiredRecords();
  return { ...holds, ...purged };
}
