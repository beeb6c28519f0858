import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Workflow } from '@temporalio/common';
import { FlowTypeKey, TenantSlugKey, UserIdKey, type FlowType } from '../workflows/contracts.js';

export interface FlowStart<W extends Workflow> {
  workflow: W;
  workflowId: string;
  args: Parameters<W>;
  tenant: string;
  userId: number;
  flowType: FlowType;
  requestId: string;
  /** Facts ops want to see in the UI without opening the history (reference, amount...). */
  memo?: Record<string, unknown>;
}

/**
 * Starts a flow under its business key. A running flow with that key is joined, and a finished
 * one is returned as it is, so a retried request never starts the work twice.
 */
export async function startFlow<W extends Workflow>(client: Client, taskQueue: string, start: FlowStart<W>): Promise<WorkflowHandle<W>> {
  try {
    const options = {
      taskQueue,
      workflowId: start.workflowId,
      args: start.args,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: TenantSlugKey, value: start.tenant },
        { key: UserIdKey, value: String(start.userId) },
        { key: FlowTypeKey, value: start.flowType },
      ],
      memo: { requestId: start.requestId, ...start.memo },
    } as unknown as WorkflowStartOptions<W>;
    return await client.workflow.start(start.workflow, options);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle<W>(start.workflowId);
    throw err;
  }
}

/** Waits for a flow's result up to `waitMs`; undefined means it is still running. */
export async function resultWithin<T>(handle: WorkflowHandle<Workflow>, waitMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  try {
    return (await Promise.race([handle.result() as Promise<T>, timeout])) as T | undefined;
  } finally {
    clearTimeout(timer);
  }
}
