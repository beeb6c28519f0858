import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { DomainError, FailureType } from '../../core/errors.js';
import { toMajorString, toMinor } from '../../core/money.js';
import { PEACH_RESULT_CODES, PEACH_SIGNATURE_HEADER, PEACH_TIMESTAMP_HEADER, signPeachWebhook } from '../peach.js';
import type { CollectionStatus } from '../types.js';
import type { SandboxFaults } from './faults.js';
import type { PaymentSandbox, WebhookDeliveryReport } from './onepipe-sandbox.js';
import { sameText } from '../../core/credentials.js';

export interface PeachSandboxOptions {
  /** Where payment notifications are sent; read at delivery time, once the API listens. */
  webhookUrl: () => string;
  webhookSecret: string;
  faults: SandboxFaults;
  /** When set, the bearer token must equal it; otherwise any bearer token is accepted. */
  accessToken?: string;
  /** When set, authentication.entityId must equal it. */
  entityId?: string;
}

interface SandboxCheckout {
  checkoutId: string;
  reference: string;
  entityId: string;
  amountMinor: bigint;
  currency: string;
  status: CollectionStatus;
  redirectUrl: string;
  payment?: { id: string; amountMinor: bigint };
  /** Fixed when the checkout becomes final, so every redelivery carries the same notification. */
  notificationId?: string;
}

const WEBHOOK_TIMEOUT_MS = 5_000;

const RESULT: Record<CollectionStatus, { code: string; description: string }> = {
  pending: { code: PEACH_RESULT_CODES.pending, description: 'transaction pending' },
  success: { code: PEACH_RESULT_CODES.succeeded, description: 'Transaction succeeded' },
  failed: { code: PEACH_RESULT_CODES.declined, description: 'transaction declined for unknown reason' },
};

const createSchema = z.object({
  authentication: z.object({ entityId: z.string().min(1) }),
  merchantTransactionId: z.string().min(8).max(255),
  amount: z.string().regex(/^\d+\.\d{2}$/),
  currency: z.string().length(3),
  paymentType: z.literal('DB'),
  nonce: z.string().min(1),
  customer: z.object({ email: z.string().optional() }).optional(),
  description: z.string().optional(),
});

/** An in-memory imitation of Peach Payments' Checkout API and of its signed payment notifications. */
export function createPeachSandbox(options: PeachSandboxOptions): PaymentSandbox {
  const checkouts = new Map<string, SandboxCheckout>();
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    if (hasValidBearer(req, options.accessToken)) {
      next();
      return;
    }
    refuse(res, 401, PEACH_RESULT_CODES.invalidAuthentication, 'invalid authentication information');
  });

  router.post('/v2/checkout', (req, res) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) {
      refuse(res, 400, PEACH_RESULT_CODES.invalidParameter, `invalid or missing parameter: ${parsed.error.issues[0]?.path.join('.')}`);
      return;
    }
    const request = parsed.data;
    if (!knownEntity(request.authentication.entityId, options.entityId)) {
      refuse(res, 400, PEACH_RESULT_CODES.invalidAuthentication, 'invalid authentication information');
      return;
    }
    let amountMinor: bigint;
    try {
      amountMinor = toMinor(request.amount, request.currency);
    } catch {
      refuse(res, 400, PEACH_RESULT_CODES.invalidParameter, 'invalid or missing parameter: currency');
      return;
    }
    const existing = checkouts.get(request.merchantTransactionId);
    if (existing) {
      if (existing.amountMinor !== amountMinor || existing.currency !== request.currency) {
        refuse(res, 400, PEACH_RESULT_CODES.invalidParameter, 'merchantTransactionId already used for another amount');
        return;
      }
      res.json(createdAnswer(existing));
      return;
    }
    const fault = options.faults.take('eft');
    if (fault?.mode === 'error') {
      refuse(res, 502, PEACH_RESULT_CODES.connectorError, 'error response from connector/bank');
      return;
    }
    const checkoutId = randomUUID().replaceAll('-', '');
    const checkout: SandboxCheckout = {
      checkoutId,
      reference: request.merchantTransactionId,
      entityId: request.authentication.entityId,
      amountMinor,
      currency: request.currency,
      status: 'pending',
      redirectUrl: `https://testsecure.peachpayments.invalid/checkout/${checkoutId}`,
    };
    checkouts.set(checkout.reference, checkout);
    // The checkout exists, but the answer never comes: the client's timeout ends the exchange.
    if (fault?.mode === 'timeout') return;
    res.json(createdAnswer(checkout));
  });

  router.get('/v2/checkout/status', (req, res) => {
    const reference = typeof req.query.merchantTransactionId === 'string' ? req.query.merchantTransactionId : undefined;
    const entityId = typeof req.query['authentication.entityId'] === 'string' ? req.query['authentication.entityId'] : undefined;
    if (!reference || !entityId) {
      refuse(res, 400, PEACH_RESULT_CODES.invalidParameter, 'invalid or missing parameter: merchantTransactionId');
      return;
    }
    const checkout = checkouts.get(reference);
    if (!checkout || checkout.entityId !== entityId) {
      refuse(res, 404, PEACH_RESULT_CODES.notFound, 'cannot find transaction');
      return;
    }
    res.json(statusAnswer(checkout));
  });

  async function completeCollection(
    reference: string,
    status: 'success' | 'failed',
    opts: { loseWebhook?: boolean; collectedMinor?: number } = {},
  ): Promise<WebhookDeliveryReport> {
    const checkout = checkouts.get(reference);
    if (!checkout) throw new DomainError(FailureType.NotFound, `no sandbox collection ${reference}`);
    if (checkout.status !== 'pending' && checkout.status !== status) {
      throw new DomainError(FailureType.Conflict, `checkout for ${reference} is already ${checkout.status}`);
    }
    checkout.status = status;
    if (status === 'success') {
      checkout.payment ??= {
        id: randomUUID().replaceAll('-', ''),
        amountMinor: opts.collectedMinor === undefined ? checkout.amountMinor : BigInt(opts.collectedMinor),
      };
    }
    checkout.notificationId ??= `ntf_${randomUUID()}`;
    if (opts.loseWebhook) return { delivered: false, httpStatus: 0, eventId: checkout.notificationId, error: 'webhook lost on purpose' };
    return deliverWebhook(checkout, checkout.notificationId);
  }

  async function deliverWebhook(checkout: SandboxCheckout, notificationId: string): Promise<WebhookDeliveryReport> {
    const body = JSON.stringify({
      id: notificationId,
      type: 'payment',
      checkoutId: checkout.checkoutId,
      merchantTransactionId: checkout.reference,
      paymentType: 'DB',
      amount: toMajorString(checkout.payment?.amountMinor ?? checkout.amountMinor, checkout.currency),
      currency: checkout.currency,
      result: RESULT[checkout.status],
      timestamp: new Date().toISOString(),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(options.webhookUrl(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [PEACH_TIMESTAMP_HEADER]: String(timestamp),
          [PEACH_SIGNATURE_HEADER]: signPeachWebhook(body, options.webhookSecret, timestamp),
        },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { delivered: response.ok, httpStatus: response.status, eventId: notificationId };
    } catch (error) {
      // A real provider would retry later; the report says what failed so the caller can redeliver.
      return { delivered: false, httpStatus: 0, eventId: notificationId, error: error instanceof Error ? error.message : String(error) };
    }
  }

  return { router, completeCollection, holds: (reference) => checkouts.has(reference) };
}

function hasValidBearer(req: Request, accessToken: string | undefined): boolean {
  const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!token) return false;
  return accessToken === undefined || sameText(token, accessToken);
}

function knownEntity(given: string, expected: string | undefined): boolean {
  return expected === undefined || sameText(given, expected);
}


function refuse(res: Response, httpStatus: number, code: string, description: string): void {
  res.status(httpStatus).json({ result: { code, description } });
}

function createdAnswer(checkout: SandboxCheckout) {
  return {
    checkoutId: checkout.checkoutId,
    redirectUrl: checkout.redirectUrl,
    merchantTransactionId: checkout.reference,
    result: { code: PEACH_RESULT_CODES.checkoutCreated, description: 'successfully created checkout' },
  };
}

function statusAnswer(checkout: SandboxCheckout) {
  return {
    checkoutId: checkout.checkoutId,
    merchantTransactionId: checkout.reference,
    amount: toMajorString(checkout.amountMinor, checkout.currency),
    currency: checkout.currency,
    redirectUrl: checkout.redirectUrl,
    result: RESULT[checkout.status],
    ...(checkout.payment
      ? { payment: { id: checkout.payment.id, amount: toMajorString(checkout.payment.amountMinor, checkout.currency), currency: checkout.currency } }
      : {}),
  };
}
