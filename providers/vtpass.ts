import { z } from 'zod';
import { toMajorNumber } from '../core/money.js';
import { postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type VtuOrder,
  type VtuOrderStatus,
  type VtuProvider,
  type VtuResult,
} from './types.js';

export interface VtpassConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

const PROVIDER = 'vtpass';

/** VTpass response codes that carry an order status; every other code refuses the request. */
export const VTPASS_CODES = { processed: '000', pending: '099', failed: '016', unknownRequestId: '015' } as const;

const envelopeSchema = z.object({
  code: z.string().min(1),
  response_description: z.string().optional(),
});

const transactionSchema = z.object({
  content: z.object({
    transactions: z.object({
      status: z.enum(['delivered', 'pending', 'failed']),
      transactionId: z.union([z.string().min(1), z.number()]).transform(String),
    }),
  }),
});

const DELIVERY_STATUS: Record<z.infer<typeof transactionSchema>['content']['transactions']['status'], VtuOrderStatus> = {
  delivered: 'success',
  pending: 'pending',
  failed: 'failed',
};

export function createVtpassProvider(config: VtpassConfig): VtuProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);

  function post(path: string, body: Record<string, unknown>): Promise<ProviderReply> {
    return postToProvider(PROVIDER, `${baseUrl}${path}`, { headers: { 'api-key': config.apiKey }, body, timeoutMs: config.timeoutMs });
  }

  return {
    name: PROVIDER,

    async submitOrder(order: VtuOrder): Promise<VtuResult> {
      const reply = await post('/api/pay', {
        request_id: order.requestId,
        serviceID: order.serviceId,
        // VTpass sells Nigerian airtime, data and bills: its amounts are naira.
        amount: toMajorNumber(order.amountMinor, 'NGN'),
        ...(order.kind === 'bill' ? { billersCode: order.recipient } : { phone: order.recipient }),
        ...(order.variationCode ? { variation_code: order.variationCode } : {}),
      });
      return toResult(reply);
    },

    async queryOrder(requestId: string): Promise<VtuResult> {
      const reply = await post('/api/requery', { request_id: requestId });
      const envelope = envelopeSchema.safeParse(reply.body);
      const code = envelope.success ? envelope.data.code : undefined;
      if (reply.httpStatus === 404 || code === VTPASS_CODES.unknownRequestId || code === 'NOT_FOUND') {
        throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no order ${requestId}`);
      }
      return toResult(reply);
    },
  };
}

function toResult(reply: ProviderReply): VtuResult {
  const envelope = envelopeSchema.safeParse(reply.body);
  if (reply.httpStatus >= 400) {
    const code = envelope.success ? envelope.data.code : String(reply.httpStatus);
    throw new ProviderRejectedError(PROVIDER, code, envelope.data?.response_description ?? `HTTP ${reply.httpStatus}`);
  }
  if (!envelope.success) throw malformed(reply, envelope.error);
  const { code, response_description: message } = envelope.data;
  const transaction = transactionSchema.safeParse(reply.body);
  const providerReference = transaction.data?.content.transactions.transactionId;
  switch (code) {
    case VTPASS_CODES.failed:
      return { status: 'failed', providerReference, message };
    case VTPASS_CODES.pending:
      return { status: 'pending', providerReference, message };
    case VTPASS_CODES.processed:
      if (!transaction.success) throw malformed(reply, transaction.error);
      return { status: DELIVERY_STATUS[transaction.data.content.transactions.status], providerReference, message };
    default:
      throw new ProviderRejectedError(PROVIDER, code, message ?? `refused with code ${code}`);
  }
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}
