import { z } from 'zod';
import { toMajorNumber } from '../core/money.js';
import { getFromProvider, postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type VtuOrder,
  type VtuOrderStatus,
  type VtuProvider,
  type VtuResult,
} from './types.js';

/** An Indian operator recharge aggregator (prepaid JIO, AIRTEL, VI, BSNL), as GenCharge sells. */
export interface IndiaRechargeConfig {
  baseUrl: string;
  apiToken: string;
  timeoutMs: number;
}

const PROVIDER = 'indiarecharge';

export const INDIA_RECHARGE_OPERATORS = ['JIO', 'AIRTEL', 'VI', 'BSNL'] as const;

/** Error codes the aggregator answers with; any other refusal carries its own code. */
export const INDIA_RECHARGE_ERRORS = {
  duplicateReference: 'DUPLICATE_REFERENCE',
  notFound: 'NOT_FOUND',
} as const;

const rechargeSchema = z.object({
  status: z.enum(['SUCCESS', 'PENDING', 'FAILED']),
  client_ref: z.string().min(1),
  txn_id: z.string().min(1),
  operator_txn_id: z.string().min(1).nullish(),
  message: z.string().optional(),
});

const errorSchema = z.object({ error_code: z.string().min(1), message: z.string().optional() });

const STATUS: Record<z.infer<typeof rechargeSchema>['status'], VtuOrderStatus> = {
  SUCCESS: 'success',
  PENDING: 'pending',
  FAILED: 'failed',
};

export function createIndiaRechargeProvider(config: IndiaRechargeConfig): VtuProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);
  const headers = { authorization: `Bearer ${config.apiToken}` };

  async function queryOrder(requestId: string): Promise<VtuResult> {
    const reply = await getFromProvider(PROVIDER, `${baseUrl}/status?client_ref=${encodeURIComponent(requestId)}`, {
      headers,
      timeoutMs: config.timeoutMs,
    });
    if (reply.httpStatus === 404) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no recharge ${requestId}`);
    return toResult(reply, requestId);
  }

  return {
    name: PROVIDER,

    async submitOrder(order: VtuOrder): Promise<VtuResult> {
      const reply = await postToProvider(PROVIDER, `${baseUrl}/recharge`, {
        headers,
        body: {
          operator: order.serviceId,
          ...(order.circle ? { circle: order.circle } : {}),
          mobile: order.recipient,
          // Recharges are priced in whole rupees; the aggregator refuses paise.
          amount: toMajorNumber(order.amountMinor, 'INR'),
          client_ref: order.requestId,
        },
        timeoutMs: config.timeoutMs,
      });
      if (reply.httpStatus === 409 && errorCode(reply) === INDIA_RECHARGE_ERRORS.duplicateReference) {
        // The aggregator refuses a repeated client_ref instead of answering it: its status is the answer.
        return queryOrder(order.requestId).catch((error: unknown) => {
          if (error instanceof ProviderRejectedError) {
            throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} calls ${order.requestId} a duplicate but cannot find it`, { cause: error });
          }
          throw error;
        });
      }
      return toResult(reply, order.requestId);
    },

    queryOrder,
  };
}

function errorCode(reply: ProviderReply): string | undefined {
  return errorSchema.safeParse(reply.body).data?.error_code;
}

function toResult(reply: ProviderReply, requestId: string): VtuResult {
  if (reply.httpStatus >= 400) {
    const refusal = errorSchema.safeParse(reply.body).data;
    throw new ProviderRejectedError(PROVIDER, refusal?.error_code ?? String(reply.httpStatus), refusal?.message ?? `HTTP ${reply.httpStatus}`);
  }
  const recharge = rechargeSchema.safeParse(reply.body);
  if (!recharge.success) throw malformed(reply, recharge.error);
  if (recharge.data.client_ref !== requestId) {
    throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered about ${recharge.data.client_ref} when asked about ${requestId}`);
  }
  const { status, txn_id: providerReference, message } = recharge.data;
  return { status: STATUS[status], providerReference, message };
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}
