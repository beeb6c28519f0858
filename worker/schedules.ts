import type { Duration } from '@temporalio/common';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { reconcileTenant, runHousekeeping } from '../workflows/index.js';
import { flowSearchAttributes, FlowType } from '../workflows/contracts.js';

export const HOUSEKEEPING_SCHEDULE_ID = 'platform:housekeeping';
export const reconciliationScheduleId = (tenant: string) => `${tenant}:reconciliation`;
/** Schedules of earlier versions, removed at start so they stop adding runs to the UI. */
const RETIRED_SCHEDULE_IDS = ['platform:expire-holds'];

export interface ScheduleSettings {
  taskQueue: string;
  /** Tenants that collect payments, each reconciled on its own schedule. */
  reconciledTenants: string[];
  reconciliationEvery: Duration;
  housekeepingEvery: Duration;
}

/**
 * Creates the platform's Temporal Schedules, or brings existing ones up to date (task queue,
 * cadence). Every worker calls this at start; the first wins and the rest update to the same.
 */
export async function ensureSchedules(client: Client, settings: ScheduleSettings): Promise<void> {
  for (const id of RETIRED_SCHEDULE_IDS) {
    await client.schedule
      .getHandle(id)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
  }
  await upsertSchedule(client, {
    scheduleId: HOUSEKEEPING_SCHEDULE_ID,
    spec: { intervals: [{ every: settings.housekeepingEvery }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    action: {
      type: 'startWorkflow',
      workflowType: runHousekeeping,
      workflowId: `platform:${FlowType.Housekeeping}`,
      taskQueue: settings.taskQueue,
      workflowExecutionTimeout: '10 minutes',
      typedSearchAttributes: flowSearchAttributes('platform', FlowType.Housekeeping),
    },
  });
  for (const tenant of settings.reconciledTenants) {
    await upsertSchedule(client, {
      scheduleId: reconciliationScheduleId(tenant),
      spec: { intervals: [{ every: settings.reconciliationEvery }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
      action: {
        type: 'startWorkflow',
        workflowType: reconcileTenant,
        workflowId: `${tenant}:${FlowType.Reconciliation}`,
        args: [tenant],
        taskQueue: settings.taskQueue,
        workflowExecutionTimeout: '10 minutes',
        typedSearchAttributes: flowSearchAttributes(tenant, FlowType.Reconciliation),
      },
    });
  }
}

async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      policies: { ...previous.policies, ...options.policies },
      action: options.action as typeof previous.action,
    }));
  }
}
