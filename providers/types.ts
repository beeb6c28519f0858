/**
 * Provider contracts. Activities depend on these interfaces only; the worker picks the real HTTP
 * adapter, pointed either at the real service or at the sandbox that imitates it.
 */

export type CollectionStatus = 'pending' | 'success' | 'failed';

export interface CollectionRequest {
  /** Our reference (e.g. MPX-23019482); the provider treats a repeat as the same collection. */
  reference: string;
  amountMinor: bigint;
  currency: string;
  customerEmail: string;
  description: string;
}

export interface Collection {
  reference: string;
  providerReference: string;
  status: CollectionStatus;
  paymentUrl?: string;
  /** What the provider says it collected, once it has; may differ from what was asked. */
  collectedMinor?: bigint;
}

export interface PaymentProvider {
  readonly name: string;
  createCollection(request: CollectionRequest): Promise<Collection>;
  getCollection(reference: string): Promise<Collection>;
}

/** A verified payment webhook. */
export interface PaymentWebhookEvent {
  eventId: string;
  reference: string;
  status: 'success' | 'failed';
  amountMinor: bigint;
}

/** `recharge`: an Indian prepaid operator recharge; `voucher`: a PIN voucher such as Flash's 1Voucher. */
export type VtuOrderKind = 'airtime' | 'data' | 'bill' | 'recharge' | 'voucher';
export type VtuOrderStatus = 'success' | 'failed' | 'pending';

export interface VtuOrder {
  /** Idempotency reference derived from the flow; a repeat never delivers twice. */
  requestId: string;
  kind: VtuOrderKind;
  /** Network (MTN, AIRTEL, GLO, 9MOBILE) or biller code (DSTV, IKEDC, ...). */
  serviceId: string;
  amountMinor: bigint;
  /** Phone number, smartcard or meter number. */
  recipient: string;
  /** Data plan code, when the product has variations. */
  variationCode?: string;
  /** Operator circle (Indian recharges), when the provider prices or routes by it. */
  circle?: string;
}

export interface VtuResult {
  status: VtuOrderStatus;
  providerReference?: string;
  message?: string;
  /** What the customer redeems or enters (a voucher PIN, a prepaid electricity token), when the product has one. */
  token?: string;
}

export interface VtuProvider {
  readonly name: string;
  submitOrder(order: VtuOrder): Promise<VtuResult>;
  queryOrder(requestId: string): Promise<VtuResult>;
}

/**
 * Thrown by adapters when the outcome is unknown (timeout, connection reset after sending, 5xx).
 * The caller must re-query, never assume failure.
 */
export class ProviderOutcomeUnknownError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderOutcomeUnknownError';
  }
}

/** Thrown when the provider definitely refused the request (nothing happened there). */
export class ProviderRejectedError extends Error {
  constructor(
    readonly provider: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}

/** A text message to a phone number (E.164). */
export interface SmsMessage {
  to: string;
  body: string;
  /** The tenant's own sender (number or sender id); the provider's configured sender otherwise. */
  from?: string;
}

export interface SmsProvider {
  readonly name: string;
  sendSms(message: SmsMessage): Promise<{ providerMessageId: string }>;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The tenant's name shown as the sender; the address stays the configured one. */
  fromName?: string;
}

export interface EmailProvider {
  readonly name: string;
  sendEmail(message: EmailMessage): Promise<{ providerMessageId: string }>;
}

export type FaultMode = 'timeout' | 'error' | 'pending' | 'none';
/** The sandbox imitations that take faults: payments = OnePipe, upi = Razorpay, eft = Peach, recharge = the Indian operator API. */
export const SANDBOX_PROVIDER_NAMES = ['payments', 'vtu', 'recharge', 'flash', 'mobilemart', 'upi', 'eft', 'sms', 'email'] as const;
export type SandboxProviderName = (typeof SANDBOX_PROVIDER_NAMES)[number];
