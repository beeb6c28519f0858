import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { DomainError, FailureType } from '../../core/errors.js';
import { RAZORPAY_EVENT_ID_HEADER, RAZORPAY_SIGNATURE_HEADER, signRazorpayWebhook, type RazorpayLinkStatus } from '../razorpay.js';
import type { SandboxFaults } from './faults.js';
import type { PaymentSandbox, WebhookDeliveryReport } from './onepipe-sandbox.js';
import { sameText } from '../../core/credentials.js';

export interface RazorpaySandboxOptions {
  /** Where payment-link events are announced; read at delivery time, once the API listens. */
  webhookUrl: () => string;
  webhookSecret: string;
  faults: SandboxFaults;
  /** When both are set, basic auth must carry exactly them; otherwise any key pair is accepted. */
  keyId?: string;
  keySecret?: string;
}

interface SandboxLink {
  id: string;
  reference: string;
  amount: number;
  currency: string;
  description: string;
  customerEmail: string;
  status: RazorpayLinkStatus;
  amountPaid: number;
  createdAt: number;
  /** Fixed when the link becomes final, so every redelivery carries the same event. */
  event?: { id: string; name: 'payment_link.paid' | 'payment_link.expired'; paymentId?: string; createdAt: number };
}

const WEBHOOK_TIMEOUT_MS = 5_000;

const createSchema = z.object({
  amount: z.number().int().min(100).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().length(3),
  // Razorpay's own limit on reference_id.
  reference_id: z.string().min(1).max(40),
  description: z.string().max(2048).optional(),
  customer: z.object({ email: z.string().optional() }).optional(),
  accept_partial: z.boolean().optional(),
  notify: z.object({ sms: z.boolean().optional(), email: z.boolean().optional() }).optional(),
});

/** An in-memory imitation of Razorpay's Payment Links API and of its payment_link.* webhooks. */
export function createRazorpaySandbox(options: RazorpaySandboxOptions): PaymentSandbox {
  const links = new Map<string, SandboxLink>();
  const byReference = new Map<string, SandboxLink>();
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    if (hasValidBasicAuth(req, options)) {
      next();
      return;
    }
    refuse(res, 401, 'Authentication failed');
  });

  router.post('/v1/payment_links', (req, res) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.');
      refuse(res, 400, `${field || 'request'} is invalid`, field);
      return;
    }
    const request = parsed.data;
    // Razorpay never hands out a second link for a reference_id, whatever the amount.
    if (byReference.has(request.reference_id)) {
      refuse(res, 400, 'Payment Link with this reference_id already exists', 'reference_id');
      return;
    }
    const fault = options.faults.take('upi');
    if (fault?.mode === 'error') {
      res.status(502).json({ error: { code: 'SERVER_ERROR', description: 'The server encountered an error.' } });
      return;
    }
    const link: SandboxLink = {
      id: `plink_${randomId()}`,
      reference: request.reference_id,
      amount: request.amount,
      currency: request.currency,
      description: request.description ?? '',
      customerEmail: request.customer?.email ?? '',
      status: 'created',
      amountPaid: 0,
      createdAt: nowSeconds(),
    };
    links.set(link.id, link);
    byReference.set(link.reference, link);
    // The link exists, but the answer never comes: the client's timeout ends the exchange.
    if (fault?.mode === 'timeout') return;
    res.json(linkEntity(link));
  });

  router.get('/v1/payment_links', (req, res) => {
    const reference = typeof req.query.reference_id === 'string' ? req.query.reference_id : undefined;
    const found = reference === undefined ? [...links.values()] : [byReference.get(reference)].filter((l) => l !== undefined);
    res.json({ payment_links: found.map(linkEntity) });
  });

  router.get('/v1/payment_links/:id', (req, res) => {
    const link = links.get(req.params.id);
    if (!link) {
      refuse(res, 400, 'The id provided does not exist', 'id');
      return;
    }
    res.json(linkEntity(link));
  });

  async function completeCollection(
    reference: string,
    status: 'success' | 'failed',
    opts: { loseWebhook?: boolean; collectedMinor?: number } = {},
  ): Promise<WebhookDeliveryReport> {
    const link = byReference.get(reference);
    if (!link) throw new DomainError(FailureType.NotFound, `no sandbox collection ${reference}`);
    const target: RazorpayLinkStatus = status === 'success' ? 'paid' : 'expired';
    if (link.status !== 'created' && link.status !== target) {
      throw new DomainError(FailureType.Conflict, `payment link for ${reference} is already ${link.status}`);
    }
    link.status = target;
    if (status === 'success' && link.amountPaid === 0) link.amountPaid = opts.collectedMinor ?? link.amount;
    link.event ??= {
      id: `evt_${randomId()}`,
      name: status === 'success' ? 'payment_link.paid' : 'payment_link.expired',
      paymentId: status === 'success' ? `pay_${randomId()}` : undefined,
      createdAt: nowSeconds(),
    };
    if (opts.loseWebhook) return { delivered: false, httpStatus: 0, eventId: link.event.id, error: 'webhook lost on purpose' };
    return deliverWebhook(link, link.event);
  }

  async function deliverWebhook(link: SandboxLink, event: NonNullable<SandboxLink['event']>): Promise<WebhookDeliveryReport> {
    const body = JSON.stringify({
      entity: 'event',
      account_id: 'acc_sandbox',
      event: event.name,
      contains: event.paymentId ? ['payment_link', 'payment'] : ['payment_link'],
      payload: {
        payment_link: { entity: linkEntity(link) },
        ...(event.paymentId
          ? { payment: { entity: { id: event.paymentId, entity: 'payment', amount: link.amountPaid, currency: link.currency, status: 'captured', method: 'upi' } } }
          : {}),
      },
      created_at: event.createdAt,
    });
    try {
      const response = await fetch(options.webhookUrl(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [RAZORPAY_SIGNATURE_HEADER]: signRazorpayWebhook(body, options.webhookSecret),
          [RAZORPAY_EVENT_ID_HEADER]: event.id,
        },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { delivered: response.ok, httpStatus: response.status, eventId: event.id };
    } catch (error) {
      // A real provider would retry later; the report says what failed so the caller can redeliver.
      return { delivered: false, httpStatus: 0, eventId: event.id, error: error instanceof Error ? error.message : String(error) };
    }
  }

  return { router, completeCollection, holds: (reference) => byReference.has(reference) };
}

function hasValidBasicAuth(req: Request, options: RazorpaySandboxOptions): boolean {
  const encoded = /^Basic (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!encoded) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return false;
  if (options.keyId === undefined || options.keySecret === undefined) return true;
  return sameText(decoded, `${options.keyId}:${options.keySecret}`);
}


function refuse(res: Response, httpStatus: number, description: string, field?: string): void {
  res.status(httpStatus).json({
    error: { code: 'BAD_REQUEST_ERROR', description, source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', field: field ?? null },
  });
}

function linkEntity(link: SandboxLink) {
  return {
    id: link.id,
    entity: 'payment_link',
    amount: link.amount,
    amount_paid: link.amountPaid,
    currency: link.currency,
    reference_id: link.reference,
    description: link.description,
    customer: { email: link.customerEmail },
    short_url: `https://rzp.invalid/${link.id.slice('plink_'.length)}`,
    status: link.status,
    accept_partial: false,
    created_at: link.createdAt,
  };
}

function randomId(): string {
  return randomBytes(7).toString('hex');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
