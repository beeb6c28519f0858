import { z } from 'zod';
import { toMajorNumber } from '../core/money.js';
import { getFromProvider, postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type VtuOrder,
  type VtuOrderKind,
  type VtuOrderStatus,
  type VtuProvider,
  type VtuResult,
} from './types.js';

/** MobileMart (South African airtime, data and prepaid electricity), as MyMoolah sells. */
export interface MobileMartConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

const PROVIDER = 'mobilemart';

export const MOBILEMART_API_KEY_HEADER = 'x-api-key';
export const MOBILEMART_CODES = { notFound: 'TRANSACTION_NOT_FOUND', unauthorized: 'UNAUTHORIZED' } as const;

const transactionSchema = z.object({
  requestId: z.string().min(1),
  transactionId: z.string().min(1),
  status: z.enum(['COMPLETED', 'PENDING', 'FAILED']),
  message: z.string().optional(),
  token: z.string().min(1).optional(),
});

const errorSchema = z.object({ errorCode: z.string().min(1), message: z.string().optional() });

const STATUS: Record<z.infer<typeof transactionSchema>['status'], VtuOrderStatus> = {
  COMPLETED: 'success',
  PENDING: 'pending',
  FAILED: 'failed',
};

/** The purchase endpoint and body for each kind of order MobileMart sells. */
const PURCHASES: Partial<Record<VtuOrderKind, { path: string; body(order: VtuOrder): Record<string, unknown> }>> = {
  airtime: {
    path: '/api/v1/airtime/purchase',
    body: (order) => ({ msisdn: order.recipient, network: order.serviceId }),
  },
  data: {
    path: '/api/v1/data/purchase',
    body: (order) => ({ msisdn: order.recipient, network: order.serviceId, productCode: order.variationCode }),
  },
  bill: {
    path: '/api/v1/electricity/purchase',
    body: (order) => ({ meterNumber: order.recipient, supplier: order.serviceId }),
  },
};

export function createMobileMartProvider(config: MobileMartConfig): VtuProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);
  const headers = { [MOBILEMART_API_KEY_HEADER]: config.apiKey };

  return {
    name: PROVIDER,

    async submitOrder(order: VtuOrder): Promise<VtuResult> {
      const purchase = PURCHASES[order.kind];
      if (!purchase) throw new ProviderRejectedError(PROVIDER, 'UNSUPPORTED_PRODUCT', `${PROVIDER} does not sell ${order.kind}`);
      const reply = await postToProvider(PROVIDER, `${baseUrl}${purchase.path}`, {
        headers,
        body: { requestId: order.requestId, ...purchase.body(order), amount: toMajorNumber(order.amountMinor, 'ZAR') },
        timeoutMs: config.timeoutMs,
      });
      return toResult(reply, order.requestId);
    },

    async queryOrder(requestId: string): Promise<VtuResult> {
      const reply = await getFromProvider(PROVIDER, `${baseUrl}/api/v1/transactions/${encodeURIComponent(requestId)}`, {
        headers,
        timeoutMs: config.timeoutMs,
      });
      if (reply.httpStatus === 404) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no transaction ${requestId}`);
      return toResult(reply, requestId);
    },
  };
}

function toResult(reply: ProviderReply, requestId: string): VtuResult {
  if (reply.httpStatus >= 400) {
    const refusal = errorSchema.safeParse(reply.body).data;
    throw new ProviderRejectedError(PROVIDER, refusal?.errorCode ?? String(reply.httpStatus), refusal?.message ?? `HTTP ${reply.httpStatus}`);
  }
  const transaction = transactionSchema.safeParse(reply.body);
  if (!transaction.success) throw malformed(reply, transaction.error);
  const { requestId: answeredFor, transactionId: providerReference, status, message, token } = transaction.data;
  if (answeredFor !== requestId) {
    throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered about ${answeredFor} when asked about ${requestId}`);
  }
  return { status: STATUS[status], providerReference, message, ...(status === 'COMPLETED' && token ? { token } : {}) };
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}
