import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { expireLedgerHolds } from '../workflows/index.js';
import { FlowType, FlowTypeKey, TenantSlugKey } from '../workflows/contracts.js';

export const EXPIRE_HOLDS_SCHEDULE_ID = 'platform:expire-holds';

/**
 * Creates the platform's Temporal Schedules if they are missing. Every worker calls this at start;
 * the first one wins and the rest find the schedule already there.
 */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: EXPIRE_HOLDS_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 minute' }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5 minutes' },
      action: {
        type: 'startWorkflow',
        workflowType: expireLedgerHolds,
        workflowId: `platform:${FlowType.ExpireHolds}`,
        taskQueue,
        workflowExecutionTimeout: '5 minutes',
        typedSearchAttributes: [
          { key: TenantSlugKey, value: 'platform' },
          { key: FlowTypeKey, value: FlowType.ExpireHolds },
        ],
      },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
