import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { INDIA_RECHARGE_ERRORS, INDIA_RECHARGE_OPERATORS } from '../indiarecharge.js';
import type { SandboxFaults } from './faults.js';
import { createSandboxOrderBook, randomDigits, type BookedOrder, type BookedStatus } from './order-book.js';
import { sameText } from '../../core/credentials.js';

export interface IndiaRechargeSandboxOptions {
  faults: SandboxFaults;
  apiToken: string;
}

export interface IndiaRechargeSandbox {
  router: Router;
  deliveries(requestId: string): number;
}

interface Recharge {
  operator: string;
  circle?: string;
  mobile: string;
  amount: number;
  operatorTxnId: string;
}

/** The telecom circles operators route and price prepaid recharges by. */
const CIRCLES = new Set(['AP', 'AS', 'BR', 'CH', 'DL', 'GJ', 'HP', 'HR', 'JK', 'KA', 'KL', 'KO', 'MH', 'MP', 'MU', 'NE', 'OR', 'PB', 'RJ', 'TN', 'UE', 'UW', 'WB']);
const MIN_RUPEES = 10;
const MAX_RUPEES = 10_000;

const rechargeRequestSchema = z.object({
  operator: z.string().min(1),
  circle: z.string().min(1).optional(),
  mobile: z.string(),
  amount: z.number(),
  client_ref: z.string().min(1).max(64),
});

const STATUS: Record<BookedStatus, { status: 'SUCCESS' | 'PENDING' | 'FAILED'; message: string }> = {
  delivered: { status: 'SUCCESS', message: 'Recharge successful' },
  pending: { status: 'PENDING', message: 'Recharge under process' },
  failed: { status: 'FAILED', message: 'Recharge failed at operator' },
};

/** An in-memory imitation of an Indian operator recharge aggregator; a repeated client_ref is refused, never recharged twice. */
export function createIndiaRechargeSandbox(options: IndiaRechargeSandboxOptions): IndiaRechargeSandbox {
  const book = createSandboxOrderBook<Recharge>(options.faults, 'recharge');
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (sameText(token, options.apiToken)) {
      next();
      return;
    }
    refuse(res, 401, 'INVALID_TOKEN', 'API token is missing or invalid');
  });

  router.post('/recharge', (req, res) => {
    const parsed = rechargeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      refuse(res, 400, 'INVALID_REQUEST', 'operator, mobile, amount and client_ref are required');
      return;
    }
    const request = parsed.data;
    if (!(INDIA_RECHARGE_OPERATORS as readonly string[]).includes(request.operator)) {
      refuse(res, 400, 'INVALID_OPERATOR', `unknown operator ${request.operator}`);
      return;
    }
    if (request.circle !== undefined && !CIRCLES.has(request.circle)) {
      refuse(res, 400, 'INVALID_CIRCLE', `unknown circle ${request.circle}`);
      return;
    }
    if (!/^[6-9]\d{9}$/.test(request.mobile)) {
      refuse(res, 400, 'INVALID_MOBILE', 'mobile must be a 10-digit Indian mobile number');
      return;
    }
    if (!Number.isInteger(request.amount) || request.amount < MIN_RUPEES || request.amount > MAX_RUPEES) {
      refuse(res, 400, 'INVALID_AMOUNT', `amount must be whole rupees from ${MIN_RUPEES} to ${MAX_RUPEES}`);
      return;
    }
    if (book.find(request.client_ref)) {
      refuse(res, 409, INDIA_RECHARGE_ERRORS.duplicateReference, `client_ref ${request.client_ref} was already used`);
      return;
    }
    const { order, answered } = book.place(request.client_ref, {
      operator: request.operator,
      circle: request.circle,
      mobile: request.mobile,
      amount: request.amount,
      operatorTxnId: `${request.operator}${randomDigits(12)}`,
    });
    // A timeout: recharged (or not) at the operator, but the answer never comes.
    if (answered) answer(res, order);
  });

  router.get('/status', (req, res) => {
    const clientRef = typeof req.query.client_ref === 'string' ? req.query.client_ref : '';
    const order = clientRef ? book.find(clientRef) : undefined;
    if (!order) {
      refuse(res, 404, INDIA_RECHARGE_ERRORS.notFound, `no recharge with client_ref ${clientRef}`);
      return;
    }
    answer(res, book.requery(order));
  });

  return { router, deliveries: book.deliveries };
}

function answer(res: Response, order: BookedOrder<Recharge>): void {
  const { status, message } = STATUS[order.status];
  res.json({
    status,
    client_ref: order.requestId,
    txn_id: `IR${order.transactionId}`,
    operator_txn_id: order.status === 'delivered' ? order.details.operatorTxnId : null,
    operator: order.details.operator,
    circle: order.details.circle ?? null,
    mobile: order.details.mobile,
    amount: order.details.amount,
    message,
  });
}

function refuse(res: Response, httpStatus: number, errorCode: string, message: string): void {
  res.status(httpStatus).json({ status: 'FAILED', error_code: errorCode, message });
}
