import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { hasValidDecimals } from '../../core/money.js';
import { MOBILEMART_API_KEY_HEADER, MOBILEMART_CODES } from '../mobilemart.js';
import type { SandboxFaults } from './faults.js';
import { createSandboxOrderBook, randomDigits, type BookedOrder, type BookedStatus } from './order-book.js';
import { sameText } from '../../core/credentials.js';

export interface MobileMartSandboxOptions {
  faults: SandboxFaults;
  apiKey: string;
}

export interface MobileMartSandbox {
  router: Router;
  deliveries(requestId: string): number;
}

const NETWORKS = new Set(['VODACOM', 'MTN', 'CELLC', 'TELKOM']);
const SUPPLIERS = new Set(['ESKOM', 'CITYPOWER']);
/** Data bundles the sandbox sells, with their price in rand. */
export const MOBILEMART_SANDBOX_BUNDLES: Record<string, number> = { '1GB-30D': 99, '5GB-30D': 299 };
const MIN_RAND = 2;
const MAX_RAND = 4_000;

type ProductKind = 'airtime' | 'data' | 'electricity';

interface Purchase {
  kind: ProductKind;
  recipient: string;
  product: string;
  amount: number;
  token?: string;
}

const requestId = z.string().min(1).max(64);
const amount = z.number();
const airtimeSchema = z.object({ requestId, msisdn: z.string(), network: z.string(), amount });
const dataSchema = airtimeSchema.extend({ productCode: z.string().min(1) });
const electricitySchema = z.object({ requestId, meterNumber: z.string(), supplier: z.string(), amount });

const STATUS: Record<BookedStatus, { status: 'COMPLETED' | 'PENDING' | 'FAILED'; message: string }> = {
  delivered: { status: 'COMPLETED', message: 'Transaction completed' },
  pending: { status: 'PENDING', message: 'Transaction pending' },
  failed: { status: 'FAILED', message: 'Transaction failed at the network' },
};

class Refusal {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    readonly message: string,
  ) {}
}

/** An in-memory imitation of a MobileMart-style purchase API; a repeated requestId returns the original, never delivers twice. */
export function createMobileMartSandbox(options: MobileMartSandboxOptions): MobileMartSandbox {
  const book = createSandboxOrderBook<Purchase>(options.faults, 'mobilemart');
  const router = express.Router();
  router.use(express.json());
  router.use((req, res, next) => {
    if (sameText(req.get(MOBILEMART_API_KEY_HEADER), options.apiKey)) {
      next();
      return;
    }
    refuse(res, new Refusal(401, MOBILEMART_CODES.unauthorized, 'API key is missing or invalid'));
  });

  function purchase(read: (body: unknown) => { requestId: string } & Purchase) {
    return (req: Request, res: Response) => {
      let request: { requestId: string } & Purchase;
      try {
        request = read(req.body);
      } catch (error) {
        if (error instanceof Refusal) {
          refuse(res, error);
          return;
        }
        throw error;
      }
      const existing = book.find(request.requestId);
      if (existing) {
        answer(res, existing);
        return;
      }
      const { requestId: id, ...details } = request;
      const { order, answered } = book.place(id, details);
      // A timeout: done (or failed) at MobileMart, but the answer never comes.
      if (answered) answer(res, order);
    };
  }

  router.post(
    '/api/v1/airtime/purchase',
    purchase((body) => {
      const request = parse(airtimeSchema, body);
      checkMobile(request.msisdn, request.network);
      checkAmount(request.amount);
      return { requestId: request.requestId, kind: 'airtime', recipient: request.msisdn, product: request.network, amount: request.amount };
    }),
  );

  router.post(
    '/api/v1/data/purchase',
    purchase((body) => {
      const request = parse(dataSchema, body);
      checkMobile(request.msisdn, request.network);
      const price = MOBILEMART_SANDBOX_BUNDLES[request.productCode];
      if (price === undefined) throw new Refusal(400, 'INVALID_PRODUCT', `unknown bundle ${request.productCode}`);
      if (request.amount !== price) throw new Refusal(400, 'INVALID_AMOUNT', `${request.productCode} costs R${price}`);
      return { requestId: request.requestId, kind: 'data', recipient: request.msisdn, product: `${request.network} ${request.productCode}`, amount: request.amount };
    }),
  );

  router.post(
    '/api/v1/electricity/purchase',
    purchase((body) => {
      const request = parse(electricitySchema, body);
      if (!SUPPLIERS.has(request.supplier)) throw new Refusal(400, 'INVALID_SUPPLIER', `unknown supplier ${request.supplier}`);
      if (!/^\d{11}(\d{2})?$/.test(request.meterNumber)) throw new Refusal(400, 'INVALID_METER', `${request.meterNumber} is not a meter number`);
      checkAmount(request.amount);
      return {
        requestId: request.requestId,
        kind: 'electricity',
        recipient: request.meterNumber,
        product: request.supplier,
        amount: request.amount,
        token: randomDigits(20),
      };
    }),
  );

  router.get('/api/v1/transactions/:requestId', (req, res) => {
    const order = book.find(String(req.params.requestId));
    if (!order) {
      refuse(res, new Refusal(404, MOBILEMART_CODES.notFound, `no transaction ${String(req.params.requestId)}`));
      return;
    }
    answer(res, book.requery(order));
  });

  return { router, deliveries: book.deliveries };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Refusal(400, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

function checkMobile(msisdn: string, network: string): void {
  if (!NETWORKS.has(network)) throw new Refusal(400, 'INVALID_NETWORK', `unknown network ${network}`);
  if (!/^(0|27)[6-8]\d{8}$/.test(msisdn)) throw new Refusal(400, 'INVALID_MSISDN', `${msisdn} is not a South African mobile number`);
}

function checkAmount(rand: number): void {
  if (!hasValidDecimals(rand, 'ZAR') || rand < MIN_RAND || rand > MAX_RAND) {
    throw new Refusal(400, 'INVALID_AMOUNT', `amount must be from R${MIN_RAND} to R${MAX_RAND}`);
  }
}

function answer(res: Response, order: BookedOrder<Purchase>): void {
  const { status, message } = STATUS[order.status];
  const { kind, recipient, product, amount: rand, token } = order.details;
  res.json({
    requestId: order.requestId,
    transactionId: `MM${order.transactionId}`,
    status,
    message,
    productType: kind,
    recipient,
    product,
    amount: rand,
    ...(order.status === 'delivered' && token ? { token } : {}),
  });
}

function refuse(res: Response, refusal: Refusal): void {
  res.status(refusal.httpStatus).json({ errorCode: refusal.errorCode, message: refusal.message });
}
