import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DomainError, FailureType } from '../core/errors.js';
import { postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type Collection,
  type CollectionRequest,
  type PaymentProvider,
} from './types.js';

export interface OnePipeConfig {
  baseUrl: string;
  apiKey: string;
  clientSecret: string;
  timeoutMs: number;
}

const PROVIDER = 'onepipe';

const envelopeSchema = z.object({
  status: z.enum(['Successful', 'Pending', 'Failed']),
  message: z.string().optional(),
  code: z.string().min(1).optional(),
});

const providerResponseSchema = z.object({
  data: z.object({
    provider_response: z.object({
      reference: z.string().min(1),
      payment_url: z.string().min(1).optional(),
      status: z.enum(['pending', 'success', 'failed']),
      amount_collected: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    }),
  }),
});

const refusalSchema = z.object({ code: z.string().min(1).optional(), message: z.string().optional() });

/** OnePipe's request signature: MD5 of "<request_ref>;<client secret>", in hex. */
export function signOnePipeRequest(requestRef: string, clientSecret: string): string {
  return createHash('md5').update(`${requestRef};${clientSecret}`).digest('hex');
}

export function createOnePipePaymentProvider(config: OnePipeConfig): PaymentProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);

  function transact(path: string, transaction: Record<string, unknown>): Promise<ProviderReply> {
    // A fresh request_ref per call: OnePipe deduplicates collections on transaction_ref, not on this.
    const requestRef = randomUUID();
    return postToProvider(PROVIDER, `${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${config.apiKey}`, signature: signOnePipeRequest(requestRef, config.clientSecret) },
      body: { request_ref: requestRef, request_type: 'collect', transaction },
      timeoutMs: config.timeoutMs,
    });
  }

  return {
    name: PROVIDER,

    async createCollection(request: CollectionRequest): Promise<Collection> {
      const reply = await transact('/v2/transact', {
        transaction_ref: request.reference,
        amount: minorUnitsAsNumber(request.amountMinor),
        currency: request.currency,
        customer: { email: request.customerEmail },
        details: { description: request.description },
      });
      if (reply.httpStatus >= 400) throw refusal(reply);
      const envelope = readEnvelope(reply);
      if (envelope.status === 'Failed') {
        throw new ProviderRejectedError(PROVIDER, envelope.code ?? 'FAILED', envelope.message ?? 'collection refused');
      }
      return toCollection(request.reference, reply);
    },

    async getCollection(reference: string): Promise<Collection> {
      const reply = await transact('/v2/transact/query', { transaction_ref: reference });
      if (reply.httpStatus === 404) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no collection ${reference}`);
      if (reply.httpStatus >= 400) throw refusal(reply);
      const envelope = readEnvelope(reply);
      // A failed collection is still a collection; only a Failed answer without one is a refusal.
      if (envelope.status === 'Failed' && !providerResponseSchema.safeParse(reply.body).success) {
        throw new ProviderRejectedError(PROVIDER, envelope.code ?? 'FAILED', envelope.message ?? `query for ${reference} refused`);
      }
      return toCollection(reference, reply);
    },
  };
}

function minorUnitsAsNumber(amountMinor: bigint): number {
  const amount = Number(amountMinor);
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new DomainError(FailureType.Validation, 'not a collectable amount', { amountMinor: amountMinor.toString() });
  }
  return amount;
}

function readEnvelope(reply: ProviderReply): z.infer<typeof envelopeSchema> {
  const parsed = envelopeSchema.safeParse(reply.body);
  if (!parsed.success) throw malformed(reply, parsed.error);
  return parsed.data;
}

function toCollection(reference: string, reply: ProviderReply): Collection {
  const parsed = providerResponseSchema.safeParse(reply.body);
  if (!parsed.success) throw malformed(reply, parsed.error);
  const answer = parsed.data.data.provider_response;
  return {
    reference,
    providerReference: answer.reference,
    status: answer.status,
    paymentUrl: answer.payment_url,
    collectedMinor: answer.amount_collected === undefined ? undefined : BigInt(answer.amount_collected),
  };
}

function refusal(reply: ProviderReply): ProviderRejectedError {
  const parsed = refusalSchema.safeParse(reply.body);
  const body = parsed.success ? parsed.data : {};
  return new ProviderRejectedError(PROVIDER, body.code ?? String(reply.httpStatus), body.message ?? `HTTP ${reply.httpStatus}`);
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}
