import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { flowSearchAttributes, type FlowType } from '../workflows/contracts.js';

export interface FlowStart<W extends Workflow> {
  workflow: W;
  workflowId: string;
  args: Parameters<W>;
  tenant: string;
  /** Absent for flows that belong to no user (money nobody claimed yet). */
  userId?: number;
  flowType: FlowType;
  requestId: string;
  /** Facts ops want to see in the UI without opening the history (reference, amount...). */
  memo?: Record<string, unknown>;
  /** Default: a closed flow's ID is never reused. Flows with one ID per attempt allow a retry after a failure. */
  idReusePolicy?: WorkflowIdReusePolicy;
}

function startOptions<W extends Workflow>(taskQueue: string, start: FlowStart<W>): WorkflowStartOptions<W> & { workflowIdConflictPolicy: WorkflowIdConflictPolicy } {
  return {
    taskQueue,
    workflowId: start.workflowId,
    args: start.args,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: start.idReusePolicy ?? WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: flowSearchAttributes(start.tenant, start.flowType, start.userId),
    memo: { requestId: start.requestId, ...start.memo },
  } as unknown as WorkflowStartOptions<W> & { workflowIdConflictPolicy: WorkflowIdConflictPolicy };
}

/**
 * Starts a flow under its business key. A running flow with that key is joined, and a finished
 * one is returned as it is, so a retried request never starts the work twice.
 */
export async function startFlow<W extends Workflow>(client: Client, taskQueue: string, start: FlowStart<W>): Promise<WorkflowHandle<W>> {
  try {
    return await client.workflow.start(start.workflow, startOptions(taskQueue, start));
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle<W>(start.workflowId);
    throw err;
  }
}

/**
 * Starts a flow (or joins the running one) and waits, at most `waitMs`, for the answer of an
 * update that the flow completes as soon as the caller may answer (early return). A flow that has
 * already closed is answered by `whenClosed`, so a retried request gets the first outcome.
 */
export async function startFlowAndAwait<W extends Workflow, R>(
  client: Client,
  taskQueue: string,
  start: FlowStart<W>,
  update: UpdateDefinition<R, []>,
  opts: { waitMs: number; whenClosed(handle: WorkflowHandle<W>): Promise<R> },
): Promise<R> {
  const operation = new WithStartWorkflowOperation(start.workflow, startOptions(taskQueue, start));
  try {
    return await client.withDeadline(Date.now() + opts.waitMs, () =>
      client.workflow.executeUpdateWithStart(update, { startWorkflowOperation: operation }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return opts.whenClosed(client.workflow.getHandle<W>(start.workflowId));
    throw err;
  }
}

/**
 * Waits for a flow's result up to `waitMs`; undefined means it is still running. The long poll
 * behind the wait is cancelled then, so nothing keeps waiting in the background.
 */
export async function resultWithin<T>(client: Client, handle: WorkflowHandle<Workflow>, waitMs: number): Promise<T | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  try {
    return (await client.withAbortSignal(controller.signal, () => handle.result())) as T;
  } catch (err) {
    if (controller.signal.aborted) return undefined;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
