import { z } from 'zod';
import { getFromProvider, postToProvider, withoutTrailingSlash, type ProviderReply } from './http.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type VtuOrder,
  type VtuOrderStatus,
  type VtuProvider,
  type VtuResult,
} from './types.js';

/** Flash (South African VAS: airtime, data, prepaid electricity, 1Voucher), as MyMoolah sells. */
export interface FlashConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

const PROVIDER = 'flash';

export const FLASH_CODES = { success: '0000', notFound: 'TRANSACTION_NOT_FOUND', unauthorized: 'UNAUTHORIZED' } as const;

// Refresh a little before the token expires, so a call never carries one that dies in flight.
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
});

const tokenErrorSchema = z.object({ error: z.string().min(1), error_description: z.string().optional() });

const purchaseSchema = z.object({
  responseCode: z.literal(FLASH_CODES.success),
  responseMessage: z.string().optional(),
  transaction: z.object({
    reference: z.string().min(1),
    transactionId: z.string().min(1),
    status: z.enum(['Successful', 'Pending', 'Failed']),
    pin: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
  }),
});

const errorSchema = z.object({ responseCode: z.string().min(1), responseMessage: z.string().optional() });

const STATUS: Record<z.infer<typeof purchaseSchema>['transaction']['status'], VtuOrderStatus> = {
  Successful: 'success',
  Pending: 'pending',
  Failed: 'failed',
};

export function createFlashProvider(config: FlashConfig): VtuProvider {
  const baseUrl = withoutTrailingSlash(config.baseUrl);
  let token: { value: string; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
    const reply = await postToProvider(PROVIDER, `${baseUrl}/token`, {
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      timeoutMs: config.timeoutMs,
    });
    if (reply.httpStatus >= 400) {
      const refusal = tokenErrorSchema.safeParse(reply.body).data;
      throw new ProviderRejectedError(PROVIDER, refusal?.error ?? String(reply.httpStatus), refusal?.error_description ?? `token refused: HTTP ${reply.httpStatus}`);
    }
    const granted = tokenSchema.safeParse(reply.body);
    if (!granted.success) throw malformed(reply, granted.error);
    const lifetimeMs = granted.data.expires_in * 1000;
    token = { value: granted.data.access_token, expiresAt: Date.now() + Math.max(lifetimeMs - TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return token.value;
  }

  function accessToken(): Promise<string> {
    if (token && Date.now() < token.expiresAt) return Promise.resolve(token.value);
    // Concurrent calls share one token request.
    fetching ??= fetchToken().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  async function authorized(send: (bearer: Record<string, string>) => Promise<ProviderReply>): Promise<ProviderReply> {
    const reply = await send({ authorization: `Bearer ${await accessToken()}` });
    if (reply.httpStatus !== 401) return reply;
    // A 401 means nothing was done, so one retry with a fresh token is safe (the token was revoked or expired early).
    token = undefined;
    return send({ authorization: `Bearer ${await accessToken()}` });
  }

  return {
    name: PROVIDER,

    async submitOrder(order: VtuOrder): Promise<VtuResult> {
      const amount = Number(order.amountMinor);
      if (!Number.isSafeInteger(amount)) throw new ProviderRejectedError(PROVIDER, 'INVALID_AMOUNT', `amount out of range: ${order.amountMinor}`);
      const reply = await authorized((headers) =>
        postToProvider(PROVIDER, `${baseUrl}/v4/purchase`, {
          headers,
          body: {
            reference: order.requestId,
            // The account the product lands on: a mobile number, or a meter number for electricity.
            accountNumber: order.recipient,
            // A bundle, voucher or electricity product has its own code; pinless airtime is sold under the network's.
            productCode: order.variationCode ?? order.serviceId,
            amount,
          },
          timeoutMs: config.timeoutMs,
        }),
      );
      return toResult(reply, order.requestId);
    },

    async queryOrder(requestId: string): Promise<VtuResult> {
      const reply = await authorized((headers) =>
        getFromProvider(PROVIDER, `${baseUrl}/v4/purchase/${encodeURIComponent(requestId)}`, { headers, timeoutMs: config.timeoutMs }),
      );
      if (reply.httpStatus === 404) throw new ProviderRejectedError(PROVIDER, 'NOT_FOUND', `no purchase ${requestId}`);
      return toResult(reply, requestId);
    },
  };
}

function toResult(reply: ProviderReply, requestId: string): VtuResult {
  if (reply.httpStatus >= 400) {
    const refusal = errorSchema.safeParse(reply.body).data;
    throw new ProviderRejectedError(PROVIDER, refusal?.responseCode ?? String(reply.httpStatus), refusal?.responseMessage ?? `HTTP ${reply.httpStatus}`);
  }
  const purchase = purchaseSchema.safeParse(reply.body);
  if (!purchase.success) throw malformed(reply, purchase.error);
  const { transaction, responseMessage: message } = purchase.data;
  if (transaction.reference !== requestId) {
    throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered about ${transaction.reference} when asked about ${requestId}`);
  }
  const redeemable = transaction.pin ?? transaction.token;
  return {
    status: STATUS[transaction.status],
    providerReference: transaction.transactionId,
    message,
    ...(transaction.status === 'Successful' && redeemable ? { token: redeemable } : {}),
  };
}

// The provider answered, but not in a shape we can trust, so what it did is unknown.
function malformed(reply: ProviderReply, error: z.ZodError): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} answered HTTP ${reply.httpStatus} with an unreadable body`, { cause: error });
}
