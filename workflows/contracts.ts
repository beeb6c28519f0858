/**
 * Workflow-safe contracts shared by the API and the workflows: flow DTOs, signals, queries and
 * search attributes. No Node built-ins and no I/O may be imported here. Money crosses the
 * Temporal boundary as decimal strings of minor units, since JSON has no bigint.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Activity header carrying the id of the HTTP request that started the flow, for log lines. */
export const REQUEST_ID_HEADER = 'request-id';

export const FlowType = {
  FundWallet: 'fund-wallet',
  Purchase: 'purchase',
  ExpireHolds: 'expire-holds',
  LatePayment: 'late-payment',
} as const;
export type FlowType = (typeof FlowType)[keyof typeof FlowType];

export const TenantSlugKey = defineSearchAttributeKey('TenantSlug', SearchAttributeType.KEYWORD);
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const FlowTypeKey = defineSearchAttributeKey('FlowType', SearchAttributeType.KEYWORD);

export { FailureType } from '../core/errors.js';

export type FinalStatus = 'success' | 'failed';

// --- wallet funding ------------------------------------------------------------------------

export interface FundWalletInput {
  tenant: string;
  userId: number;
  currency: string;
  amountMinor: string;
  reference: string;
  method: string;
  customerEmail: string;
  timing: { pollIntervalMs: number; timeoutMs: number };
}

export interface PaymentWebhookSignal {
  eventId: string;
  reference: string;
  status: FinalStatus;
  amountMinor: string;
}

export interface FundingState {
  reference: string;
  status: 'pending' | FinalStatus;
  failureReason?: string;
}

export const paymentWebhookSignal = defineSignal<[PaymentWebhookSignal]>('paymentWebhook');

/** A payment confirmed after its funding flow had already ended. */
export interface LatePaymentInput {
  tenant: string;
  reference: string;
  fundingWorkflowId: string;
  eventId: string;
  amountMinor: string;
}
export const fundingStateQuery = defineQuery<FundingState>('fundingState');

// --- purchases (airtime, data, bills) --------------------------------------------------------

export type PurchaseKind = 'airtime' | 'data' | 'bill';

export interface PurchaseInput {
  tenant: string;
  userId: number;
  currency: string;
  kind: PurchaseKind;
  amountMinor: string;
  reference: string;
  /** Network or biller code. */
  serviceId: string;
  recipient: string;
  variationCode?: string;
  description: string;
  timing: { requeryIntervalMs: number; requeryLimitMs: number; holdTtlMs: number };
}

export interface PurchaseState {
  reference: string;
  transactionId?: number;
  status: 'pending' | FinalStatus;
  failureReason?: string;
}

export type PurchaseOutcome = Required<Pick<PurchaseState, 'reference' | 'transactionId'>> & {
  status: FinalStatus;
  failureReason?: string;
};

export const purchaseStateQuery = defineQuery<PurchaseState>('purchaseState');

export function flowWorkflowId(tenant: string, flow: FlowType, businessKey: string): string {
  return `${tenant}:${flow}:${businessKey}`;
}
