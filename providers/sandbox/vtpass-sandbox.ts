import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { VTPASS_CODES } from '../vtpass.js';
import type { SandboxFaults } from './faults.js';
import { createSandboxOrderBook, type BookedOrder, type BookedStatus } from './order-book.js';
import { sameText } from '../../core/credentials.js';

export interface VtpassSandboxOptions {
  faults: SandboxFaults;
  apiKey: string;
}

export interface VtpassSandbox {
  router: Router;
  /** How many times the order was actually delivered to the recipient: never more than once. */
  deliveries(requestId: string): number;
}

interface VtpassOrderDetails {
  serviceId: string;
  amount: number;
  recipient: string;
  variationCode?: string;
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

const ANSWER: Record<BookedStatus, { code: string; description: string }> = {
  delivered: { code: VTPASS_CODES.processed, description: 'TRANSACTION SUCCESSFUL' },
  pending: { code: VTPASS_CODES.pending, description: 'TRANSACTION PROCESSING - PENDING' },
  failed: { code: VTPASS_CODES.failed, description: 'TRANSACTION FAILED' },
};

/** An in-memory imitation of VTpass's pay and requery API; a repeated request_id never delivers twice. */
export function createVtpassSandbox(options: VtpassSandboxOptions): VtpassSandbox {
  const book = createSandboxOrderBook<VtpassOrderDetails>(options.faults, 'vtu');
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    if (sameText(req.get('api-key'), options.apiKey)) {
      next();
      return;
    }
    res.status(401).json({ code: '087', response_description: 'INVALID CREDENTIALS' });
  });

  router.post('/api/pay', (req, res) => {
    const parsed = payRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ code: '011', response_description: 'INVALID ARGUMENTS' });
      return;
    }
    const request = parsed.data;
    const existing = book.find(request.request_id);
    if (existing) {
      answer(res, existing);
      return;
    }
    const { order, answered } = book.place(request.request_id, {
      serviceId: request.serviceID,
      amount: request.amount,
      recipient: request.phone ?? request.billersCode ?? '',
      variationCode: request.variation_code,
    });
    // Done at the provider, but on a timeout the answer never comes: the client's timeout ends the exchange.
    if (answered) answer(res, order);
  });

  router.post('/api/requery', (req, res) => {
    const parsed = requeryRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ code: '011', response_description: 'INVALID ARGUMENTS' });
      return;
    }
    const order = book.find(parsed.data.request_id);
    if (!order) {
      res.json({ code: VTPASS_CODES.unknownRequestId, response_description: 'INVALID REQUEST ID' });
      return;
    }
    answer(res, book.requery(order));
  });

  return { router, deliveries: book.deliveries };
}

function answer(res: Response, order: BookedOrder<VtpassOrderDetails>): void {
  const { code, description } = ANSWER[order.status];
  res.json({
    code,
    response_description: description,
    requestId: order.requestId,
    amount: order.details.amount,
    content: {
      transactions: {
        status: order.status,
        transactionId: order.transactionId,
        product_name: order.details.serviceId,
        unique_element: order.details.recipient,
      },
    },
  });
}
