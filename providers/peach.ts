import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseWebhookBody, webhookHmac } from './webhooks.js';
import { sameText } from '../core/credentials.js';
import { DomainError, FailureType } from '../core/errors.js';
import { toMajorString, toMinor } from '../core/money.js';
import { getFromProvider, postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type Collection,
  type CollectionRequest,
  type CollectionStatus,
  type PaymentProvider,
  type PaymentWebhookEvent,
} from './types.js';

export interface PeachConfig {
  baseUrl: string;
  accessToken: string;
  entityId: string;
  timeoutMs: number;
}

const PROVIDER = 'peach';

export const PEACH_SIGNATURE_HEADER = 'x-peach-signature';
export const PEACH_TIMESTAMP_HEADER = 'x-peach-timestamp';

/** Peach result codes that the sandbox answers with; real ones are read by class (peachResultStatus). */
export const PEACH_RESULT_CODES = {
  checkoutCreated: '000.200.100',
  pending: '000.200.000',
  succeeded: '000.000.000',
  declined: '800.100.100',
  notFound: '700.400.580',
  invalidAuthentication: '800.900.300',
  invalidParameter: '200.300.404',
  connectorError: '900.100.200',
} as const;

// Peach's result-code classes. Success "to be reviewed manually" (000.400.0xx, 000.400.100) stays
// pending here: money is credited only once it is final.
const SUCCEEDED = /^(000\.000\.|000\.100\.1|000\.[36])/;
const PENDING = /^(000\.200|000\.400\.0[^3]|000\.400\.100|800\.400\.5|100\.400\.500)/;

/** What a Peach result code says about the payment. */
export function peachResultStatus(code: string): CollectionStatus {
  if (SUCCEEDED.test(code)) return 'success';
  if (PENDING.test(code)) return 'pending';
  return 'failed';
}

const resultSchema = z.object({ code: z.string().regex(/^\d{3}\.\d{3}\.\d{3}$/), description: z.string().optional() });
const decimalAmount = z.string().regex(/^\d+(\.\d+)?$/);

const createdSchema = z.object({
  checkoutId: z.string().min(1),
  redirectUrl: z.string().min(1),
  result: resultSchema,
});

const statusSchema = z.object({
  checkoutId: z.string().min(1),
  merchantTransactionId: z.string().min(1),
  amount: decimalAmount,
  currency: z.string().min(3),
  redirectUrl: z.string().min(1).optional(),
  result: resultSchema,
  /** The payment made against the checkout, once there is one. */
  payment: z.object({ id: z.string().min(1), amount: decimalAmount, currency: z.string().min(3) }).optional(),
});
type CheckoutStatus = z.infer<typeof statusSchema>;

const refusalSchema = z.object({ result: resultSchema });

/**
 * Peach Payments Checkout (EFT, card) for MyMoolah. Peach keys nothing on merchantTransactionId,
 * so a create first asks whether the reference already has a checkout and answers with that one.
 */
export function createPeachPaymentProvider(config: PeachConfig): PaymentProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);
  const headers = { authorization: `Bearer ${config.accessToken}` };

  async function findCheckout(reference: string): Promise<CheckoutStatus | undefined> {
    const query = new URLSearchParams({ 'authentication.entityId': config.entityId, merchantTransactionId: reference });
    const reply = await getFromProvider(PROVIDER, `${baseUrl}/v2/checkout/status?${query}`, { headers, timeoutMs: config.timeoutMs });
    if (reply.httpStatus === 404) return undefined;
    if (reply.httpStatus >= 400) throw refusal(reply);
    const parsed = statusSchema.safeParse(reply.body);
    if (!parsed.success) throw malformed(reply, parsed.error);
    return parsed.data;
  }

  return {
    name: PROVIDER,

    async createCollection(request: CollectionRequest): Promise<Collection> {
      const amount = decimalAmountOf(request.amountMinor, request.currency);
      const existing = await findCheckout(request.reference);
      if (existing) {
        if (!sameAmount(existing.amount, existing.currency, request)) {
          throw new ProviderRejectedError(PROVIDER, 'DUPLICATE_REFERENCE', 'merchantTransactionId already used for a different amount');
        }
        return toCollection(request.reference, existing);
      }
      const reply = await postToProvider(PROVIDER, `${baseUrl}/v2/checkout`, {
        headers,
        body: {
          authentication: { entityId: config.entityId },
          merchantTransactionId: request.reference,
          amount,
          currency: request.currency,
          paymentType: 'DB',
          nonce: randomUUID(),
          customer: { email: request.customerEmail },
          description: request.description,
        },
        timeoutMs: config.timeoutMs,
      });
      if (reply.httpStatus >= 400) throw refusal(reply);
      const parsed = createdSchema.safeParse(reply.body);
      if (!parsed.success) throw malformed(reply, parsed.error);
      const { checkoutId, redirectUrl, result } = parsed.data;
      if (peachResultStatus(result.code) === 'failed') {
        throw new ProviderRejectedError(PROVIDER, result.code, result.description ?? 'checkout refused');
      }
      return { reference: request.reference, providerReference: checkoutId, status: 'pending', paymentUrl: redirectUrl };
    },

    async getCollection(reference: string): Promise<Collection> {
      const checkout = await findCheckout(reference);
      if (!checkout) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no checkout for ${reference}`);
      return toCollection(reference, checkout);
    },
  };
}

function decimalAmountOf(amountMinor: bigint, currency: string): string {
  if (amountMinor <= 0n) throw new DomainError(FailureType.Validation, 'not a collectable amount', { amountMinor: amountMinor.toString() });
  try {
    return toMajorString(amountMinor, currency);
  } catch (error) {
    throw new DomainError(FailureType.Validation, 'not a currency the platform knows', { currency }, { cause: error });
  }
}

function minorOf(amount: string, currency: string): bigint {
  try {
    return toMinor(amount, currency);
  } catch (error) {
    throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered an amount that is not one of ${currency}: ${amount}`, { cause: error });
  }
}

function sameAmount(amount: string, currency: string, request: CollectionRequest): boolean {
  return currency === request.currency && minorOf(amount, currency) === request.amountMinor;
}

function toCollection(reference: string, checkout: CheckoutStatus): Collection {
  const status = peachResultStatus(checkout.result.code);
  const paid = checkout.payment ?? { amount: checkout.amount, currency: checkout.currency };
  return {
    reference,
    providerReference: checkout.checkoutId,
    status,
    paymentUrl: checkout.redirectUrl,
    ...(status === 'success' ? { collectedMinor: minorOf(paid.amount, paid.currency) } : {}),
  };
}

function refusal(reply: ProviderReply): ProviderRejectedError {
  if (reply.httpStatus === 401 || reply.httpStatus === 403) {
    return new ProviderRejectedError(PROVIDER, 'UNAUTHORIZED', 'Peach refused the access token');
  }
  const result = refusalSchema.safeParse(reply.body).data?.result;
  return new ProviderRejectedError(PROVIDER, result?.code ?? String(reply.httpStatus), result?.description ?? `HTTP ${reply.httpStatus}`);
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}

const webhookBodySchema = z.object({
  id: z.string().min(1),
  type: z.literal('payment'),
  checkoutId: z.string().min(1),
  merchantTransactionId: z.string().min(1),
  amount: decimalAmount,
  currency: z.string().min(3),
  result: resultSchema,
});

/**
 * `x-peach-signature`: hex HMAC-SHA256, keyed with the webhook secret, of "<timestamp>.<raw body>"
 * (the platform's own payment-webhook scheme), where the timestamp (unix seconds) travels in
 * `x-peach-timestamp`; signing it bounds replays.
 */
export function signPeachWebhook(rawBody: string | Buffer, secret: string, timestampSeconds: number): string {
  return webhookHmac(rawBody, secret, timestampSeconds);
}

export interface PeachWebhookDelivery {
  /** The body exactly as received; re-serialised JSON would not match the signature. */
  rawBody: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  secret: string;
  toleranceSeconds: number;
  nowSeconds?: number;
}

/** The event a verified delivery carries; undefined for an authentic notification of a payment not final yet. */
export function verifyPeachWebhook(delivery: PeachWebhookDelivery): PaymentWebhookEvent | undefined {
  if (!delivery.signature || !delivery.timestamp || !/^\d{1,12}$/.test(delivery.timestamp)) {
    throw new DomainError(FailureType.Unauthenticated, `missing or malformed ${PEACH_SIGNATURE_HEADER} / ${PEACH_TIMESTAMP_HEADER} headers`);
  }
  const timestampSeconds = Number(delivery.timestamp);
  const now = delivery.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestampSeconds) > delivery.toleranceSeconds) {
    throw new DomainError(FailureType.Unauthenticated, 'peach webhook timestamp is outside the accepted window');
  }
  if (!sameText(delivery.signature, signPeachWebhook(delivery.rawBody, delivery.secret, timestampSeconds))) {
    throw new DomainError(FailureType.Unauthenticated, 'peach webhook signature does not match');
  }
  const body = readWebhookBody(delivery.rawBody);
  const status = peachResultStatus(body.result.code);
  // Peach tells of payments still under review too; the final notification follows.
  if (status === 'pending') return undefined;
  let amountMinor: bigint;
  try {
    amountMinor = toMinor(body.amount, body.currency);
  } catch (error) {
    throw new DomainError(FailureType.Validation, 'peach webhook amount is not an amount of its currency', { currency: body.currency }, { cause: error });
  }
  return { eventId: body.id, reference: body.merchantTransactionId, status, amountMinor };
}

function readWebhookBody(rawBody: string | Buffer): z.infer<typeof webhookBodySchema> {
  return parseWebhookBody(rawBody, webhookBodySchema, { provider: 'peach', malformed: 'is malformed' });
}
