import { createHmac } from 'node:crypto';
import { sameText } from '../core/credentials.js';
import { z } from 'zod';
import { DomainError, FailureType } from '../core/errors.js';
import type { PaymentWebhookEvent } from './types.js';

export const PAYMENT_SIGNATURE_HEADER = 'x-onepipe-signature';

const DEFAULT_TOLERANCE_SECONDS = 300;

const webhookBodySchema = z.object({
  event_id: z.string().min(1),
  type: z.literal('collection.completed'),
  data: z.object({
    transaction_ref: z.string().min(1),
    status: z.enum(['success', 'failed']),
    amount: z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d+$/)]),
  }),
});

/** The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signPaymentWebhook(rawBody: string | Buffer, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${webhookHmac(rawBody, secret, timestampSeconds)}`;
}

export interface PaymentWebhookDelivery {
  /** The body exactly as received; re-serialised JSON would not match the signature. */
  rawBody: string | Buffer;
  header: string | undefined;
  secret: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}

export function verifyPaymentWebhook(delivery: PaymentWebhookDelivery): PaymentWebhookEvent {
  const { timestampSeconds, signatures } = parseSignatureHeader(delivery.header);
  const now = delivery.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = delivery.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // The timestamp is signed too, so an old delivery cannot be replayed with a fresh one.
  if (Math.abs(now - timestampSeconds) > tolerance) {
    throw new DomainError(FailureType.Unauthenticated, 'payment webhook timestamp is outside the accepted window');
  }
  const expected = webhookHmac(delivery.rawBody, delivery.secret, timestampSeconds);
  const matches = signatures.some((signature) => sameText(signature, expected));
  if (!matches) throw new DomainError(FailureType.Unauthenticated, 'payment webhook signature does not match');
  return readWebhookBody(delivery.rawBody);
}

/** Hex HMAC-SHA256 of "<timestamp>.<raw body>": the signed timestamp bounds replays. */
export function webhookHmac(rawBody: string | Buffer, secret: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
}

function parseSignatureHeader(header: string | undefined): { timestampSeconds: number; signatures: string[] } {
  if (!header) throw new DomainError(FailureType.Unauthenticated, `missing ${PAYMENT_SIGNATURE_HEADER} header`);
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (rest.length > 0 || !value) continue;
    if (key === 't') timestamp = value;
    if (key === 'v1') signatures.push(value);
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    throw new DomainError(FailureType.Unauthenticated, `malformed ${PAYMENT_SIGNATURE_HEADER} header`);
  }
  return { timestampSeconds: Number(timestamp), signatures };
}

/** Reads a verified webhook's JSON body against the provider's schema; anything else is a validation failure. */
export function parseWebhookBody<S extends z.ZodType>(rawBody: string | Buffer, schema: S, describe: { provider: string; malformed: string }): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString());
  } catch (error) {
    throw new DomainError(FailureType.Validation, `${describe.provider} webhook body is not JSON`, undefined, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new DomainError(FailureType.Validation, `${describe.provider} webhook body ${describe.malformed}`, {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

function readWebhookBody(rawBody: string | Buffer): PaymentWebhookEvent {
  const { event_id, data } = parseWebhookBody(rawBody, webhookBodySchema, { provider: 'payment', malformed: 'is malformed' });
  return { eventId: event_id, reference: data.transaction_ref, status: data.status, amountMinor: BigInt(data.amount) };
}
