import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { FLASH_CODES } from '../flash.js';
import type { SandboxFaults } from './faults.js';
import { createSandboxOrderBook, randomDigits, type BookedOrder, type BookedStatus } from './order-book.js';
import { sameText } from '../../core/credentials.js';

export interface FlashSandboxOptions {
  faults: SandboxFaults;
  clientId: string;
  clientSecret: string;
  /** Lifetime of the access tokens it issues; one hour by default. */
  tokenTtlSeconds?: number;
}

export interface FlashSandbox {
  router: Router;
  deliveries(requestId: string): number;
  /** How many access tokens it has issued (clients are expected to cache theirs). */
  tokensIssued(): number;
  /** Makes every token issued so far invalid, as an early expiry or a revocation would. */
  revokeTokens(): void;
}

type ProductKind = 'airtime' | 'data' | 'voucher' | 'electricity';

interface Product {
  kind: ProductKind;
  /** Cents, for a product sold at one price. */
  price?: number;
}

/** The products the sandbox sells: pinless airtime under the network's code, bundles, 1Voucher and Eskom tokens. */
export const FLASH_SANDBOX_PRODUCTS: Record<string, Product> = {
  VODACOM: { kind: 'airtime' },
  MTN: { kind: 'airtime' },
  CELLC: { kind: 'airtime' },
  TELKOM: { kind: 'airtime' },
  'VODACOM-DATA-1GB': { kind: 'data', price: 9_900 },
  'MTN-DATA-1GB': { kind: 'data', price: 9_900 },
  '1VOUCHER': { kind: 'voucher' },
  ESKOM: { kind: 'electricity' },
};

const MIN_CENTS = 200;
const MAX_CENTS = 400_000;

interface Purchase {
  productCode: string;
  kind: ProductKind;
  accountNumber: string;
  amount: number;
  /** The 1Voucher PIN or the electricity token, shown once the purchase succeeds. */
  redeemable?: string;
}

const purchaseRequestSchema = z.object({
  reference: z.string().min(1).max(64),
  accountNumber: z.string(),
  productCode: z.string().min(1),
  amount: z.number(),
});

const STATUS: Record<BookedStatus, { status: 'Successful' | 'Pending' | 'Failed'; message: string }> = {
  delivered: { status: 'Successful', message: 'Transaction successful' },
  pending: { status: 'Pending', message: 'Transaction pending' },
  failed: { status: 'Failed', message: 'Transaction failed' },
};

/** An in-memory imitation of a Flash-style purchase API behind OAuth client credentials; a repeated reference never delivers twice. */
export function createFlashSandbox(options: FlashSandboxOptions): FlashSandbox {
  const book = createSandboxOrderBook<Purchase>(options.faults, 'flash');
  const tokens = new Map<string, number>();
  let issued = 0;
  const ttlSeconds = options.tokenTtlSeconds ?? 3600;
  const router = express.Router();
  router.use(express.json());

  router.post('/token', express.urlencoded({ extended: false }), (req, res) => {
    const [id, secret] = basicCredentials(req.get('authorization'));
    if (!sameText(id, options.clientId) || !sameText(secret, options.clientSecret)) {
      res.status(401).json({ error: 'invalid_client', error_description: 'Client authentication failed' });
      return;
    }
    if ((req.body as Record<string, unknown> | undefined)?.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
      return;
    }
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, Date.now() + ttlSeconds * 1000);
    issued += 1;
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds });
  });

  router.use('/v4', (req, res, next) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const expiresAt = bearer === undefined ? undefined : tokens.get(bearer);
    if (expiresAt !== undefined && Date.now() < expiresAt) {
      next();
      return;
    }
    refuse(res, 401, FLASH_CODES.unauthorized, 'Access token is missing, invalid or expired');
  });

  router.post('/v4/purchase', (req, res) => {
    const parsed = purchaseRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      refuse(res, 400, 'INVALID_REQUEST', 'reference, accountNumber, productCode and amount are required');
      return;
    }
    const request = parsed.data;
    const existing = book.find(request.reference);
    if (existing) {
      answer(res, existing);
      return;
    }
    const product = FLASH_SANDBOX_PRODUCTS[request.productCode];
    if (!product) {
      refuse(res, 400, 'INVALID_PRODUCT_CODE', `unknown product ${request.productCode}`);
      return;
    }
    const accountPattern = product.kind === 'electricity' ? /^\d{11}(\d{2})?$/ : /^(0|27)[6-8]\d{8}$/;
    if (!accountPattern.test(request.accountNumber)) {
      refuse(res, 400, 'INVALID_ACCOUNT_NUMBER', `${request.accountNumber} is not a valid ${product.kind === 'electricity' ? 'meter' : 'mobile'} number`);
      return;
    }
    const validAmount = product.price === undefined ? Number.isInteger(request.amount) && request.amount >= MIN_CENTS && request.amount <= MAX_CENTS : request.amount === product.price;
    if (!validAmount) {
      refuse(res, 400, 'INVALID_AMOUNT', product.price === undefined ? `amount must be whole cents from ${MIN_CENTS} to ${MAX_CENTS}` : `${request.productCode} costs ${product.price} cents`);
      return;
    }
    const { order, answered } = book.place(request.reference, {
      productCode: request.productCode,
      kind: product.kind,
      accountNumber: request.accountNumber,
      amount: request.amount,
      redeemable: product.kind === 'voucher' ? randomDigits(16) : product.kind === 'electricity' ? randomDigits(20) : undefined,
    });
    // A timeout: done (or failed) at Flash, but the answer never comes.
    if (answered) answer(res, order);
  });

  router.get('/v4/purchase/:reference', (req, res) => {
    const order = book.find(String(req.params.reference));
    if (!order) {
      refuse(res, 404, FLASH_CODES.notFound, `no purchase with reference ${String(req.params.reference)}`);
      return;
    }
    answer(res, book.requery(order));
  });

  return {
    router,
    deliveries: book.deliveries,
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
  };
}

function basicCredentials(header: string | undefined): [string | undefined, string | undefined] {
  const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1];
  if (!encoded) return [undefined, undefined];
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [undefined, undefined] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function answer(res: Response, order: BookedOrder<Purchase>): void {
  const { status, message } = STATUS[order.status];
  const { productCode, accountNumber, amount, kind, redeemable } = order.details;
  const shown = order.status === 'delivered' && redeemable ? { [kind === 'voucher' ? 'pin' : 'token']: redeemable } : {};
  res.json({
    responseCode: FLASH_CODES.success,
    responseMessage: message,
    transaction: { reference: order.requestId, transactionId: order.transactionId, status, productCode, accountNumber, amount, ...shown },
  });
}

function refuse(res: Response, httpStatus: number, responseCode: string, responseMessage: string): void {
  res.status(httpStatus).json({ responseCode, responseMessage });
}
