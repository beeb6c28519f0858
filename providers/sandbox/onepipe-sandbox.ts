import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { DomainError, FailureType } from '../../core/errors.js';
import { signOnePipeRequest } from '../onepipe.js';
import type { CollectionStatus } from '../types.js';
import { PAYMENT_SIGNATURE_HEADER, signPaymentWebhook } from '../webhooks.js';
import type { SandboxFaults } from './faults.js';
import { sameText } from '../../core/credentials.js';

export interface OnePipeSandboxOptions {
  /** Where completed collections are announced; read at delivery time, once the API listens. */
  webhookUrl: () => string;
  webhookSecret: string;
  faults: SandboxFaults;
  clientSecret: string;
  /** When set, the bearer token must equal it; otherwise any bearer token is accepted. */
  apiKey?: string;
}

export interface WebhookDeliveryReport {
  delivered: boolean;
  /** 0 when no HTTP answer came back. */
  httpStatus: number;
  eventId: string;
  error?: string;
}

/** What each payment sandbox offers the sandbox controls. */
export interface PaymentSandbox {
  router: Router;
  /** `loseWebhook` completes the payment but never sends the webhook, so only polling can see it. */
  /** `collectedMinor` imitates a payer who paid another amount than was asked. */
  completeCollection(
    reference: string,
    status: 'success' | 'failed',
    opts?: { loseWebhook?: boolean; collectedMinor?: number },
  ): Promise<WebhookDeliveryReport>;
  /** Whether this sandbox holds a collection under our reference. */
  holds(reference: string): boolean;
}

export type OnePipeSandbox = PaymentSandbox;

interface SandboxCollection {
  reference: string;
  providerReference: string;
  amountMinor: number;
  currency: string;
  status: CollectionStatus;
  paymentUrl: string;
  /** What the payer actually paid, once the collection succeeded. */
  collectedMinor?: number;
  /** Fixed when the collection becomes final, so every redelivery carries the same event. */
  eventId?: string;
}

const WEBHOOK_TIMEOUT_MS = 5_000;

const requestSchema = z.object({
  request_ref: z.string().min(1),
  request_type: z.literal('collect'),
  transaction: z.unknown(),
});

const collectSchema = z.object({
  transaction_ref: z.string().min(1),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().min(3).max(8),
  customer: z.object({ email: z.string().min(1) }),
  details: z.object({ description: z.string() }),
});

const querySchema = z.object({ transaction_ref: z.string().min(1) });

const ANSWER_STATUS: Record<CollectionStatus, 'Pending' | 'Successful' | 'Failed'> = {
  pending: 'Pending',
  success: 'Successful',
  failed: 'Failed',
};

/** An in-memory imitation of OnePipe's collect API and of its collection.completed webhooks. */
export function createOnePipeSandbox(options: OnePipeSandboxOptions): OnePipeSandbox {
  const collections = new Map<string, SandboxCollection>();
  const router = express.Router();
  router.use(express.json());

  router.post('/v2/transact', (req, res) => {
    const transaction = readSignedRequest(req, res, collectSchema, options);
    if (!transaction) return;
    const existing = collections.get(transaction.transaction_ref);
    if (existing) {
      if (existing.amountMinor !== transaction.amount || existing.currency !== transaction.currency) {
        refuse(res, 400, 'DUPLICATE_REFERENCE', 'transaction_ref already used for a different amount');
        return;
      }
      res.json(collectionAnswer(existing));
      return;
    }
    const fault = options.faults.take('payments');
    if (fault?.mode === 'error') {
      res.status(502).json({ status: 'Failed', message: 'upstream unavailable' });
      return;
    }
    const providerReference = `OP-${randomUUID()}`;
    const collection: SandboxCollection = {
      reference: transaction.transaction_ref,
      providerReference,
      amountMinor: transaction.amount,
      currency: transaction.currency,
      status: 'pending',
      paymentUrl: `https://checkout.onepipe.invalid/pay/${providerReference}`,
    };
    collections.set(collection.reference, collection);
    // The collection exists, but the answer never comes: the client's timeout ends the exchange.
    if (fault?.mode === 'timeout') return;
    res.json(collectionAnswer(collection));
  });

  router.post('/v2/transact/query', (req, res) => {
    const transaction = readSignedRequest(req, res, querySchema, options);
    if (!transaction) return;
    const collection = collections.get(transaction.transaction_ref);
    if (!collection) {
      refuse(res, 404, 'NOT_FOUND', `no collection ${transaction.transaction_ref}`);
      return;
    }
    res.json(collectionAnswer(collection));
  });

  async function completeCollection(
    reference: string,
    status: 'success' | 'failed',
    opts: { loseWebhook?: boolean; collectedMinor?: number } = {},
  ): Promise<WebhookDeliveryReport> {
    const collection = collections.get(reference);
    if (!collection) throw new DomainError(FailureType.NotFound, `no sandbox collection ${reference}`);
    if (collection.status !== 'pending' && collection.status !== status) {
      throw new DomainError(FailureType.Conflict, `collection ${reference} is already ${collection.status}`);
    }
    collection.status = status;
    if (status === 'success') collection.collectedMinor ??= opts.collectedMinor ?? collection.amountMinor;
    collection.eventId ??= `evt_${randomUUID()}`;
    if (opts.loseWebhook) return { delivered: false, httpStatus: 0, eventId: collection.eventId, error: 'webhook lost on purpose' };
    return deliverWebhook(collection, collection.eventId, status);
  }

  async function deliverWebhook(collection: SandboxCollection, eventId: string, status: 'success' | 'failed'): Promise<WebhookDeliveryReport> {
    const body = JSON.stringify({
      event_id: eventId,
      type: 'collection.completed',
      data: { transaction_ref: collection.reference, status, amount: collection.collectedMinor ?? collection.amountMinor },
    });
    const signature = signPaymentWebhook(body, options.webhookSecret, Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(options.webhookUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PAYMENT_SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { delivered: response.ok, httpStatus: response.status, eventId };
    } catch (error) {
      // A real provider would retry later; the report says what failed so the caller can redeliver.
      return { delivered: false, httpStatus: 0, eventId, error: error instanceof Error ? error.message : String(error) };
    }
  }

  return { router, completeCollection, holds: (reference) => collections.has(reference) };
}

function readSignedRequest<T>(req: Request, res: Response, transactionSchema: z.ZodType<T>, options: OnePipeSandboxOptions): T | undefined {
  if (!hasValidBearer(req.get('authorization'), options.apiKey)) {
    refuse(res, 401, 'UNAUTHORIZED', 'invalid or missing bearer token');
    return undefined;
  }
  const request = requestSchema.safeParse(req.body);
  const transaction = transactionSchema.safeParse(request.data?.transaction);
  if (!request.success || !transaction.success) {
    refuse(res, 400, 'INVALID_REQUEST', 'request does not match the collect schema');
    return undefined;
  }
  if (!sameText(req.get('signature'), signOnePipeRequest(request.data.request_ref, options.clientSecret))) {
    refuse(res, 401, 'INVALID_SIGNATURE', 'signature does not match request_ref');
    return undefined;
  }
  return transaction.data;
}

function hasValidBearer(authorization: string | undefined, apiKey: string | undefined): boolean {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token) return false;
  return apiKey === undefined || sameText(token, apiKey);
}


function refuse(res: Response, httpStatus: number, code: string, message: string): void {
  res.status(httpStatus).json({ status: 'Failed', code, message });
}

function collectionAnswer(collection: SandboxCollection) {
  return {
    status: ANSWER_STATUS[collection.status],
    message: `collection ${collection.status}`,
    data: {
      provider_response: {
        reference: collection.providerReference,
        payment_url: collection.paymentUrl,
        status: collection.status,
        amount_collected: collection.collectedMinor,
      },
    },
  };
}
