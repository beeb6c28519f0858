import { randomInt, timingSafeEqual } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { VTPASS_CODES } from '../vtpass.js';
import type { FaultOutcome, SandboxFaults } from './faults.js';

export interface VtpassSandboxOptions {
  faults: SandboxFaults;
  apiKey: string;
}

export interface VtpassSandbox {
  router: Router;
  /** How many times the order was actually delivered to the recipient: never more than once. */
  deliveries(requestId: string): number;
}

type DeliveryStatus = 'delivered' | 'pending' | 'failed';

interface SandboxOrder {
  requestId: string;
  serviceId: string;
  amount: number;
  recipient: string;
  variationCode?: string;
  transactionId: string;
  status: DeliveryStatus;
  /** For an order answered as pending: what it becomes when first re-queried. */
  settlesAs?: FaultOutcome;
}

const payRequestSchema = z
  .object({
    request_id: z.string().min(1),
    serviceID: z.string().min(1),
    amount: z.number().positive(),
    phone: z.string().min(1).optional(),
    billersCode: z.string().min(1).optional(),
    variation_code: z.string().min(1).optional(),
  })
  .refine((body) => body.phone !== undefined || body.billersCode !== undefined, { message: 'phone or billersCode is required' });

const requeryRequestSchema = z.object({ request_id: z.string().min(1) });

const ANSWER: Record<DeliveryStatus, { code: string; description: string }> = {
  delivered: { code: VTPASS_CODES.processed, description: 'TRANSACTION SUCCESSFUL' },
  pending: { code: VTPASS_CODES.pending, description: 'TRANSACTION PROCESSING - PENDING' },
  failed: { code: VTPASS_CODES.failed, description: 'TRANSACTION FAILED' },
};

const SETTLED_STATUS: Record<FaultOutcome, DeliveryStatus> = { success: 'delivered', failed: 'failed' };

/** An in-memory imitation of VTpass's pay and requery API; a repeated request_id never delivers twice. */
export function createVtpassSandbox(options: VtpassSandboxOptions): VtpassSandbox {
  const orders = new Map<string, SandboxOrder>();
  const deliveryCounts = new Map<string, number>();
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    if (sameText(req.get('api-key'), options.apiKey)) {
      next();
      return;
    }
    res.status(401).json({ code: '087', response_description: 'INVALID CREDENTIALS' });
  });

  function settle(order: SandboxOrder, status: DeliveryStatus): void {
    order.status = status;
    if (status === 'delivered') deliveryCounts.set(order.requestId, (deliveryCounts.get(order.requestId) ?? 0) + 1);
  }

  router.post('/api/pay', (req, res) => {
    const parsed = payRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ code: '011', response_description: 'INVALID ARGUMENTS' });
      return;
    }
    const request = parsed.data;
    const existing = orders.get(request.request_id);
    if (existing) {
      answer(res, existing);
      return;
    }
    const order: SandboxOrder = {
      requestId: request.request_id,
      serviceId: request.serviceID,
      amount: request.amount,
      recipient: request.phone ?? request.billersCode ?? '',
      variationCode: request.variation_code,
      transactionId: String(randomInt(1e12, 1e13)),
      status: 'pending',
    };
    orders.set(order.requestId, order);
    const fault = options.faults.take('vtu');
    switch (fault?.mode) {
      case 'error':
        settle(order, 'failed');
        break;
      case 'timeout':
        // Done at the provider, but the answer never comes: the client's timeout ends the exchange.
        settle(order, SETTLED_STATUS[fault.outcome]);
        return;
      case 'pending':
        order.settlesAs = fault.outcome;
        break;
      default:
        settle(order, 'delivered');
    }
    answer(res, order);
  });

  router.post('/api/requery', (req, res) => {
    const parsed = requeryRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ code: '011', response_description: 'INVALID ARGUMENTS' });
      return;
    }
    const order = orders.get(parsed.data.request_id);
    if (!order) {
      res.json({ code: VTPASS_CODES.unknownRequestId, response_description: 'INVALID REQUEST ID' });
      return;
    }
    // A planned `pending` fault keeps the outcome unknown for that many more re-queries.
    const stillUnknown = order.status === 'pending' && options.faults.peek('vtu')?.mode === 'pending' && options.faults.take('vtu');
    if (!stillUnknown && order.status === 'pending' && order.settlesAs) settle(order, SETTLED_STATUS[order.settlesAs]);
    answer(res, order);
  });

  return { router, deliveries: (requestId) => deliveryCounts.get(requestId) ?? 0 };
}

function answer(res: Response, order: SandboxOrder): void {
  const { code, description } = ANSWER[order.status];
  res.json({
    code,
    response_description: description,
    requestId: order.requestId,
    amount: order.amount,
    content: {
      transactions: {
        status: order.status,
        transactionId: order.transactionId,
        product_name: order.serviceId,
        unique_element: order.recipient,
      },
    },
  });
}

function sameText(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
