import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { parseWebhookBody } from './webhooks.js';
import { sameText } from '../core/credentials.js';
import { DomainError, FailureType } from '../core/errors.js';
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

export interface RazorpayConfig {
  baseUrl: string;
  keyId: string;
  keySecret: string;
  timeoutMs: number;
}

const PROVIDER = 'razorpay';

export const RAZORPAY_SIGNATURE_HEADER = 'x-razorpay-signature';
export const RAZORPAY_EVENT_ID_HEADER = 'x-razorpay-event-id';

const paise = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const RAZORPAY_LINK_STATUSES = ['created', 'partially_paid', 'paid', 'expired', 'cancelled'] as const;
export type RazorpayLinkStatus = (typeof RAZORPAY_LINK_STATUSES)[number];

const paymentLinkSchema = z.object({
  id: z.string().min(1),
  short_url: z.string().min(1),
  status: z.enum(RAZORPAY_LINK_STATUSES),
  amount: paise,
  amount_paid: paise.default(0),
  currency: z.string().min(3),
  reference_id: z.string().min(1),
});
type PaymentLink = z.infer<typeof paymentLinkSchema>;

const paymentLinkListSchema = z.object({ payment_links: z.array(paymentLinkSchema) });

const errorSchema = z.object({
  error: z.object({
    code: z.string().min(1),
    description: z.string().optional(),
    field: z.string().nullish(),
  }),
});

// A link ends once: paid, or never paid before it expired or was cancelled.
const LINK_STATUS: Record<RazorpayLinkStatus, CollectionStatus> = {
  created: 'pending',
  partially_paid: 'pending',
  paid: 'success',
  expired: 'failed',
  cancelled: 'failed',
};

/**
 * Razorpay Payment Links (UPI, cards) for GenCharge. Razorpay refuses a second link for a
 * reference_id rather than returning the first, so a repeated create reads the existing link.
 */
export function createRazorpayPaymentProvider(config: RazorpayConfig): PaymentProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);
  const headers = { authorization: `Basic ${Buffer.from(`${config.keyId}:${config.keySecret}`).toString('base64')}` };

  async function findLink(reference: string): Promise<PaymentLink | undefined> {
    const reply = await getFromProvider(PROVIDER, `${baseUrl}/v1/payment_links?${new URLSearchParams({ reference_id: reference })}`, {
      headers,
      timeoutMs: config.timeoutMs,
    });
    if (reply.httpStatus >= 400) throw refusal(reply);
    const parsed = paymentLinkListSchema.safeParse(reply.body);
    if (!parsed.success) throw malformed(reply, parsed.error);
    return parsed.data.payment_links.find((link) => link.reference_id === reference);
  }

  return {
    name: PROVIDER,

    async createCollection(request: CollectionRequest): Promise<Collection> {
      const amount = paiseAsNumber(request.amountMinor);
      const reply = await postToProvider(PROVIDER, `${baseUrl}/v1/payment_links`, {
        headers,
        body: {
          amount,
          currency: request.currency,
          reference_id: request.reference,
          description: request.description,
          customer: { email: request.customerEmail },
          accept_partial: false,
          notify: { sms: false, email: false },
        },
        timeoutMs: config.timeoutMs,
      });
      if (reply.httpStatus < 400) return toCollection(readLink(reply));
      const refused = refusal(reply);
      if (refusedField(reply) !== 'reference_id') throw refused;
      const existing = await findLink(request.reference);
      if (!existing) throw refused;
      if (existing.amount !== amount || existing.currency !== request.currency) {
        throw new ProviderRejectedError(PROVIDER, 'DUPLICATE_REFERENCE', 'reference_id already used for a different amount');
      }
      return toCollection(existing);
    },

    async getCollection(reference: string): Promise<Collection> {
      const link = await findLink(reference);
      if (!link) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no payment link for ${reference}`);
      return toCollection(link);
    },
  };
}

function paiseAsNumber(amountMinor: bigint): number {
  const amount = Number(amountMinor);
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new DomainError(FailureType.Validation, 'not a collectable amount', { amountMinor: amountMinor.toString() });
  }
  return amount;
}

function readLink(reply: ProviderReply): PaymentLink {
  const parsed = paymentLinkSchema.safeParse(reply.body);
  if (!parsed.success) throw malformed(reply, parsed.error);
  return parsed.data;
}

function toCollection(link: PaymentLink): Collection {
  const status = LINK_STATUS[link.status];
  return {
    reference: link.reference_id,
    providerReference: link.id,
    status,
    paymentUrl: link.short_url,
    ...(status === 'success' ? { collectedMinor: BigInt(link.amount_paid) } : {}),
  };
}

function refusedField(reply: ProviderReply): string | undefined {
  return errorSchema.safeParse(reply.body).data?.error.field ?? undefined;
}

function refusal(reply: ProviderReply): ProviderRejectedError {
  if (reply.httpStatus === 401) return new ProviderRejectedError(PROVIDER, 'UNAUTHORIZED', 'Razorpay refused the key id and secret');
  const error = errorSchema.safeParse(reply.body).data?.error;
  return new ProviderRejectedError(PROVIDER, error?.code ?? String(reply.httpStatus), error?.description ?? `HTTP ${reply.httpStatus}`);
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}

const webhookBodySchema = z.object({
  entity: z.literal('event'),
  event: z.enum(['payment_link.paid', 'payment_link.expired', 'payment_link.cancelled']),
  payload: z.object({
    payment_link: z.object({
      entity: z.object({
        id: z.string().min(1),
        reference_id: z.string().min(1),
        status: z.enum(RAZORPAY_LINK_STATUSES),
        amount: paise,
        amount_paid: paise,
      }),
    }),
  }),
});

/** `X-Razorpay-Signature`: hex HMAC-SHA256 of the raw body, keyed with the webhook secret. */
export function signRazorpayWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export interface RazorpayWebhookDelivery {
  /** The body exactly as received; re-serialised JSON would not match the signature. */
  rawBody: string | Buffer;
  signature: string | undefined;
  secret: string;
}

/**
 * Verifies a Razorpay webhook and reads its payment-link event. Razorpay signs no timestamp, so
 * replays are stopped by the inbox's event id, which is why that id is taken from the signed
 * body (a link is paid, expires or is cancelled once) and not from the unsigned
 * x-razorpay-event-id header.
 */
/** The events that end a payment link; Razorpay sends others too, which carry nothing to credit. */
const FINAL_EVENTS = ['payment_link.paid', 'payment_link.expired', 'payment_link.cancelled'];
const eventNameSchema = z.object({ entity: z.literal('event'), event: z.string().min(1) });

/** The event a verified delivery carries; undefined for an authentic event that is not final (acknowledge and ignore it). */
export function verifyRazorpayWebhook(delivery: RazorpayWebhookDelivery): PaymentWebhookEvent | undefined {
  if (!delivery.signature) throw new DomainError(FailureType.Unauthenticated, `missing ${RAZORPAY_SIGNATURE_HEADER} header`);
  if (!sameText(delivery.signature, signRazorpayWebhook(delivery.rawBody, delivery.secret))) {
    throw new DomainError(FailureType.Unauthenticated, 'razorpay webhook signature does not match');
  }
  const { event: name } = parseWebhookBody(delivery.rawBody, eventNameSchema, { provider: 'razorpay', malformed: 'is not an event' });
  if (!FINAL_EVENTS.includes(name)) return undefined;
  const { event, payload } = readWebhookBody(delivery.rawBody);
  const link = payload.payment_link.entity;
  const paid = event === 'payment_link.paid';
  return {
    eventId: `${link.id}:${event}`,
    reference: link.reference_id,
    status: paid ? 'success' : 'failed',
    amountMinor: BigInt(paid ? link.amount_paid : link.amount),
  };
}

function readWebhookBody(rawBody: string | Buffer): z.infer<typeof webhookBodySchema> {
  return parseWebhookBody(rawBody, webhookBodySchema, { provider: 'razorpay', malformed: 'is not a final payment-link event' });
}
