import type { Request } from 'express';
import { isGrpcDeadlineError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import { DomainError, FailureType, publicError } from '../core/errors.js';
import { findUser } from '../core/users.js';
import { fundWallet, purchase } from '../workflows/index.js';
import {
  COLLECTION_REFUSED_REASON,
  FlowType,
  flowWorkflowId,
  fundingStateQuery,
  payableReferenceUpdate,
  purchaseStateQuery,
  type FundWalletInput,
  type PayableReference,
  type PurchaseInput,
  type PurchaseKind,
  type PurchaseOutcome,
} from '../workflows/contracts.js';
import { requireTenant, requireUser } from './auth.js';
import { resultWithin, startFlow, startFlowAndAwait } from './flows.js';
import { IDEMPOTENCY_HEADER } from './idempotency.js';

/**
 * Hand-offs from any surface to the wallet flows. A surface validates its own request shape,
 * calls one of these, and formats the outcome as its spec shows.
 */
export interface WalletFlowDeps {
  config: Config;
  em: EntityManager;
  temporal: Client;
}

export interface PurchaseOrder {
  kind: PurchaseKind;
  amountMinor: bigint;
  /** The reference the app shows; the provider's request id. */
  reference: string;
  serviceId: string;
  recipient: string;
  variationCode?: string;
  description: string;
  /** The tenant's selling provider to use; `vtu` when absent. */
  capability?: PurchaseInput['capability'];
}

export type PurchaseResult = { status: 'success' | 'failed' | 'pending'; reference: string; failureReason?: string; token?: string };

/** With an Idempotency-Key the flow is keyed by it, so a retry after a crash finds the same flow. */
export function businessKey(req: Request, userId: number, reference: string): string {
  const key = req.get(IDEMPOTENCY_HEADER);
  return key ? `u${userId}:key:${key}` : reference;
}

/**
 * Starts a deposit and answers once the provider has accepted the collection, so the reference
 * the app receives is payable at once. A refusal is the app's error, not a pending reference; a
 * provider that does not answer within FUNDING_ACCEPT_WAIT_MS gives 503 (the flow keeps trying,
 * and a retry with the same Idempotency-Key joins it). A retried request joins the first flow and
 * answers with the first reference.
 */
export async function startWalletFunding(
  deps: WalletFlowDeps,
  req: Request,
  deposit: { amountMinor: bigint; method: string; reference: string; noticeOnCredit?: FundWalletInput['noticeOnCredit'] },
): Promise<PayableReference> {
  const user = requireUser(req);
  const tenant = requireTenant(req);
  const profile = await findUser(deps.em, tenant.slug, user.id);
  if (!profile) throw new DomainError(FailureType.Unauthenticated, 'User not found');
  const start = {
    workflow: fundWallet,
    workflowId: flowWorkflowId(tenant.slug, FlowType.FundWallet, businessKey(req, user.id, deposit.reference)),
    args: [
      {
        tenant: tenant.slug,
        userId: user.id,
        currency: tenant.currency,
        amountMinor: deposit.amountMinor.toString(),
        reference: deposit.reference,
        method: deposit.method,
        customerEmail: profile.email ?? `${profile.phone}@users.${tenant.slug}.invalid`,
        timing: { pollIntervalMs: deps.config.FUNDING_POLL_INTERVAL_MS, timeoutMs: deps.config.FUNDING_TIMEOUT_MS },
        ...(deposit.noticeOnCredit && { noticeOnCredit: deposit.noticeOnCredit }),
      },
    ] as Parameters<typeof fundWallet>,
    tenant: tenant.slug,
    userId: user.id,
    flowType: FlowType.FundWallet,
    requestId: String(req.id),
    memo: { reference: deposit.reference, amountMinor: deposit.amountMinor.toString() },
  };
  try {
    return await startFlowAndAwait(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, start, payableReferenceUpdate, {
      waitMs: deps.config.FUNDING_ACCEPT_WAIT_MS,
      whenClosed: async (handle) => {
        const state = await handle.query(fundingStateQuery);
        if (state.status === 'failed' && state.failureReason === COLLECTION_REFUSED_REASON) throw collectionRefused();
        return { reference: state.reference };
      },
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw collectionRefused(err);
    if (isGrpcDeadlineError(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw publicError(FailureType.ProviderUnavailable, 'The payment provider is not answering; please try again.', undefined, { cause: err });
    }
    throw err;
  }
}

const collectionRefused = (cause?: unknown) =>
  publicError(FailureType.ProviderRejected, 'The payment provider did not accept this payment.', undefined, { cause });

/**
 * Runs a purchase flow and waits up to PURCHASE_RESPONSE_WAIT_MS for its outcome; past that
 * the purchase is reported pending and its history shows the outcome later.
 */
export async function runPurchase(deps: WalletFlowDeps, req: Request, order: PurchaseOrder): Promise<PurchaseResult> {
  const user = requireUser(req);
  const tenant = requireTenant(req);
  const input: PurchaseInput = {
    tenant: tenant.slug,
    userId: user.id,
    currency: tenant.currency,
    kind: order.kind,
    amountMinor: order.amountMinor.toString(),
    reference: order.reference,
    serviceId: order.serviceId,
    recipient: order.recipient,
    variationCode: order.variationCode,
    description: order.description,
    ...(order.capability && { capability: order.capability }),
    timing: {
      requeryIntervalMs: deps.config.PURCHASE_REQUERY_INTERVAL_MS,
      requeryLimitMs: deps.config.PURCHASE_REQUERY_LIMIT_MS,
      holdTtlMs: deps.config.HOLD_TTL_MS,
    },
  };
  const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
    workflow: purchase,
    workflowId: flowWorkflowId(tenant.slug, FlowType.Purchase, businessKey(req, user.id, order.reference)),
    args: [input],
    tenant: tenant.slug,
    userId: user.id,
    flowType: FlowType.Purchase,
    requestId: String(req.id),
    memo: { reference: order.reference, amountMinor: input.amountMinor, kind: order.kind },
  });
  const outcome = await resultWithin<PurchaseOutcome>(deps.temporal, handle, deps.config.PURCHASE_RESPONSE_WAIT_MS);
  if (!outcome) {
    const state = await handle.query(purchaseStateQuery);
    return { status: 'pending', reference: state.reference };
  }
  return { status: outcome.status, reference: outcome.reference, failureReason: outcome.failureReason, ...(outcome.token && { token: outcome.token }) };
}
