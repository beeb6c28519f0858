import type { Request } from 'express';
import { isGrpcDeadlineError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { voucher } from '../../../workflows/index.js';
import { FlowType, flowWorkflowId, voucherIssuedUpdate, voucherStateQuery, type VoucherFlowInput, type VoucherState } from '../../../workflows/contracts.js';
import { requireUser } from '../../auth.js';
import { startFlowAndAwait } from '../../flows.js';
import { IDEMPOTENCY_HEADER } from '../../idempotency.js';
import type { SurfaceDeps } from '../types.js';
import { MYMOOLAH } from './tenant.js';

/** A voucher flow's ID: the Idempotency-Key when the app sends one (a retry finds the same flow), else the voucher's reference. */
export function voucherWorkflowId(req: Request, reference: string): string {
  const key = req.get(IDEMPOTENCY_HEADER);
  return flowWorkflowId(MYMOOLAH.slug, FlowType.Voucher, key ? `u${requireUser(req).id}:key:${key}` : reference);
}

/** Starts a voucher's flow and answers once the wallet has paid for it; a refusal (insufficient balance) is the caller's error. */
export async function startVoucherFlow(deps: SurfaceDeps, req: Request, workflowId: string, input: VoucherFlowInput): Promise<VoucherState> {
  try {
    return await startFlowAndAwait(
      deps.temporal,
      deps.config.TEMPORAL_TASK_QUEUE,
      {
        workflow: voucher,
        workflowId,
        args: [input],
        tenant: MYMOOLAH.slug,
        userId: input.userId,
        flowType: FlowType.Voucher,
        requestId: String(req.id),
        memo: { voucherType: input.voucherType, amountMinor: input.amountMinor, ...(input.easyPayCode && { easyPayCode: input.easyPayCode }) },
      },
      voucherIssuedUpdate,
      {
        waitMs: 15_000,
        whenClosed: async (handle) => {
          const state = await handle.query(voucherStateQuery);
          if (state.status === 'refused') throw new DomainError((state.refusal as FailureType) ?? FailureType.Validation, 'the voucher was not issued');
          return state;
        },
      },
    );
  } catch (err) {
    if (isGrpcDeadlineError(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      // The flow goes on and pays once; a retry with the same Idempotency-Key finds it.
      throw publicError(FailureType.Unavailable, 'The voucher is still being issued; please try again.', undefined, { cause: err });
    }
    throw refusalOf(err);
  }
}

/**
 * Sends an update to a voucher's flow. Undefined when the flow has already closed (the voucher
 * was used up, cancelled or expired meanwhile): the caller reads the voucher and answers from it.
 */
export async function updateVoucherFlow<R, A extends unknown[]>(
  deps: SurfaceDeps,
  workflowId: string,
  update: UpdateDefinition<R, A>,
  ...args: A
): Promise<R | undefined> {
  try {
    // The definition's own argument list types the call; the handle's overloads cannot see through a generic tuple.
    const handle = deps.temporal.workflow.getHandle(workflowId) as unknown as { executeUpdate(u: unknown, o: { args: unknown[] }): Promise<R> };
    return await handle.executeUpdate(update, { args });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || isClosedWorkflow(err)) return undefined;
    throw refusalOf(err);
  }
}

function isClosedWorkflow(err: unknown): boolean {
  return err instanceof Error && /workflow execution already completed/i.test(`${err.message} ${String((err.cause as Error | undefined)?.message)}`);
}

/** A flow's business refusal as the domain error it was in the activity, with MyMoolah's code where it had one. */
function refusalOf(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError)) return err;
  let cause: unknown = err.cause;
  while (cause && !(cause instanceof ApplicationFailure)) cause = (cause as { cause?: unknown }).cause;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return err;
  const [details] = (cause.details ?? []) as Array<{ code?: unknown } | undefined>;
  const code = typeof details?.code === 'string' ? details.code : undefined;
  const type = cause.type as FailureType;
  return code
    ? new DomainError(type, cause.message, { code }, { cause: err, publicMessage: cause.message, publicDetails: { code } })
    : new DomainError(type, cause.message, undefined, { cause: err });
}
