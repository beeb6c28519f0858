import express, { type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../core/config.js';
import { DomainError, FailureType } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { getBalances, findAccountId } from '../../../core/ledger.js';
import { walletAccountCode } from '../../../core/accounts.js';
import { toMajorNumber } from '../../../core/money.js';
import type { TokenService } from '../../../core/tokens.js';
import { findUser, registerUser } from '../../../core/users.js';
import { fundWallet, purchase } from '../../../workflows/index.js';
import {
  FlowType,
  flowWorkflowId,
  purchaseStateQuery,
  type PurchaseInput,
  type PurchaseKind,
  type PurchaseOutcome,
} from '../../../workflows/contracts.js';
import { requireTenant, requireUser, type Auth } from '../../auth.js';
import { notFoundHandler, surfaceErrorHandler } from '../../errors.js';
import { idempotent, IDEMPOTENCY_HEADER } from '../../idempotency.js';
import { resultWithin, startFlow } from '../../flows.js';
import type { OpenApi } from '../../openapi.js';
import { routeBuilder } from '../../routes.js';
import { body, query } from '../../validation.js';
import { maxteraEnvelope } from './envelope.js';
import * as S from './schemas.js';

export interface SurfaceDeps {
  config: Config;
  em: EntityManager;
  temporal: Client;
  tokens: TokenService;
  auth: Auth;
  openapi: OpenApi;
  logger: Logger;
}

const TENANT = { slug: 'maxtera', currency: 'NGN' } as const;
const BODY_LIMIT = '16kb';

/** Maxtera (airtime, data, bills, wallet; Nigeria), mounted at /maxtera + /api/v1/... */
export function createMaxteraRouter(deps: SurfaceDeps, mountPath = '/maxtera'): express.Router {
  const router = express.Router();
  const route = routeBuilder(router, deps.openapi, { mountPath, tag: 'Maxtera' });
  const authenticated = deps.auth.authenticated;
  const idempotency = idempotent({ em: deps.em, ttlHours: deps.config.IDEMPOTENCY_TTL_HOURS });
  const authLimit = rateLimit({
    windowMs: 60_000,
    limit: deps.config.AUTH_RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${TENANT.slug}:${ipKeyGenerator(req.ip ?? '')}`,
    handler: (_req, _res, next) => next(new DomainError(FailureType.RateLimited, 'Request was throttled.')),
  });

  router.use((req, _res, next) => {
    req.tenant = TENANT;
    next();
  });
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(deps.auth.initialize);

  const unauthorized = { description: 'Missing or invalid token', schema: S.Detail };
  const invalid = { description: 'Invalid input: field errors', schema: S.FieldErrors };

  route(
    {
      method: 'post',
      path: '/api/v1/auth/register/',
      summary: 'Register a new user',
      secured: false,
      body: S.RegisterBody,
      responses: { 201: { description: 'Account created', schema: S.RegisterResponse }, 400: invalid, 429: { description: 'Throttled' } },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.RegisterBody);
      const user = await registerUser(deps.em, { tenant: TENANT.slug, currency: TENANT.currency, ...input });
      res.status(201).json({ message: 'Account created successfully', user_id: user.id });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/login/',
      summary: 'Log in and receive JWT access and refresh tokens',
      secured: false,
      body: S.LoginBody,
      responses: { 200: { description: 'Tokens', schema: S.TokenPair }, 400: invalid, 401: unauthorized, 429: { description: 'Throttled' } },
    },
    authLimit,
    (req, _res, next) => {
      req.body = body(req, S.LoginBody);
      next();
    },
    deps.auth.passwordLogin,
    async (req, res) => {
      res.json(await deps.tokens.issue(deps.em, requireUser(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/token/refresh/',
      summary: 'Exchange a refresh token for a new pair (the old one stops working)',
      description: 'Not in the original contract; follows djangorestframework-simplejwt with rotation. Reusing a rotated refresh token revokes every token of that login.',
      secured: false,
      body: S.RefreshBody,
      responses: { 200: { description: 'New tokens', schema: S.TokenPair }, 401: unauthorized },
    },
    authLimit,
    async (req, res) => {
      const { refresh } = body(req, S.RefreshBody);
      res.json(await deps.tokens.rotate(deps.em, TENANT.slug, refresh));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/logout/',
      summary: 'Revoke the refresh token (and its rotations)',
      description: 'Not in the original contract; access tokens expire on their own within minutes.',
      secured: true,
      body: S.RefreshBody,
      responses: { 200: { description: 'Logged out', schema: S.Detail }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const { refresh } = body(req, S.RefreshBody);
      await deps.tokens.revoke(deps.em, TENANT.slug, refresh);
      res.json({ detail: 'Successfully logged out.' });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/wallet/balance/',
      summary: 'Current available wallet balance',
      secured: true,
      responses: { 200: { description: 'Balance in naira', schema: S.Balance }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const user = requireUser(req);
      const accountId = await findAccountId(deps.em.fork(), TENANT.slug, walletAccountCode(user.id));
      const available = accountId ? (await getBalances(deps.em.fork(), accountId)).available : 0n;
      res.json({ balance: toMajorNumber(available), currency: TENANT.currency });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/wallet/fund/',
      summary: 'Start a deposit through OnePipe',
      description:
        'Starts a funding flow and answers at once with `pending`. The wallet is credited when the provider confirms (webhook, or polling as a fallback); the transaction then shows `success` or `failed`.',
      secured: true,
      idempotent: true,
      body: S.FundBody,
      responses: { 200: { description: 'Deposit started', schema: S.FundResponse }, 400: invalid, 401: unauthorized, 409: { description: 'Same key in progress' }, 422: { description: 'Key reused with another body' } },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.FundBody);
      const user = requireUser(req);
      const profile = await findUser(deps.em, TENANT.slug, user.id);
      if (!profile) throw new DomainError(FailureType.Unauthenticated, 'User not found');
      const [seq] = await deps.em.fork().execute<{ n: string }[]>(`select nextval('funding_reference_seq') as n`);
      const reference = `MPX-${seq!.n}`;
      const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
        workflow: fundWallet,
        workflowId: flowWorkflowId(TENANT.slug, FlowType.FundWallet, businessKey(req, user.id, reference)),
        args: [
          {
            tenant: TENANT.slug,
            userId: user.id,
            currency: TENANT.currency,
            amountMinor: input.amount.toString(),
            reference,
            method: input.method,
            customerEmail: profile.email ?? `${profile.phone}@users.maxtera.invalid`,
            timing: { pollIntervalMs: deps.config.FUNDING_POLL_INTERVAL_MS, timeoutMs: deps.config.FUNDING_TIMEOUT_MS },
          },
        ],
        tenant: TENANT.slug,
        userId: user.id,
        flowType: FlowType.FundWallet,
        requestId: String(req.id),
        memo: { reference, amountMinor: input.amount.toString() },
      });
      const memo = (await handle.describe()).memo as { reference?: string } | undefined;
      res.json({ status: 'pending', reference: memo?.reference ?? reference });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/airtime/purchase/',
      summary: 'Buy airtime',
      description: 'Reserves the amount, asks the network, then settles or releases it. Answers with the final status; `pending` (HTTP 202) if the network has not answered within the wait.',
      secured: true,
      idempotent: true,
      body: S.AirtimeBody,
      responses: purchaseResponses(S.PurchaseResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.AirtimeBody);
      const seq = await nextPurchaseSeq();
      await respondWithPurchase(req, res, {
        kind: 'airtime',
        amountMinor: input.amount,
        reference: `${input.network}-${yyyymmdd()}-${String(seq).padStart(3, '0')}`,
        serviceId: input.network,
        recipient: input.phone_number,
        description: `${input.network} airtime for ${input.phone_number}`,
      }, (o) => ({ status: o.status, reference: o.reference }));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/data/plans/',
      summary: 'Data plan catalogue, optionally for one network',
      description: 'Not in the original contract: lists the `plan` codes that /data/purchase/ accepts.',
      secured: true,
      query: S.PlansQuery,
      responses: { 200: { description: 'Plans', schema: S.DataPlanItem.array() }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const { network } = query(req, S.PlansQuery);
      const plans = await deps.em.fork().execute<{ network: string; code: string; name: string; price: string; validity_days: number }[]>(
        `select network, code, name, price, validity_days from data_plans
         where tenant = ? and active and (?::text is null or network = ?) order by network, price`,
        [TENANT.slug, network ?? null, network ?? null],
      );
      res.json(plans.map((p) => ({ network: p.network, plan: p.code, name: p.name, amount: toMajorNumber(BigInt(p.price)), validity_days: p.validity_days })));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/data/purchase/',
      summary: 'Buy a data bundle',
      description: '`plan` is a plan code from /data/plans/ for that network; its catalogue price is charged.',
      secured: true,
      idempotent: true,
      body: S.DataBody,
      responses: purchaseResponses(S.PurchaseResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.DataBody);
      const [plan] = await deps.em.fork().execute<{ price: string; name: string }[]>(
        'select price, name from data_plans where tenant = ? and network = ? and code = ? and active',
        [TENANT.slug, input.network, input.plan],
      );
      if (!plan) {
        throw new DomainError(FailureType.Validation, `Unknown ${input.network} plan ${input.plan}.`, {
          fields: { plan: [`"${input.plan}" is not a valid ${input.network} data plan.`] },
        });
      }
      const seq = await nextPurchaseSeq();
      await respondWithPurchase(req, res, {
        kind: 'data',
        amountMinor: BigInt(plan.price),
        reference: `${input.network}-DATA-${String(seq).padStart(3, '0')}`,
        serviceId: input.network,
        recipient: input.phone_number,
        variationCode: input.plan,
        description: `${plan.name} for ${input.phone_number}`,
      }, (o) => ({ status: o.status, reference: o.reference }));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/bills/services/',
      summary: 'Bill services (cable TV, electricity) and their amount limits',
      description: 'Not in the original contract: lists the `service_type` codes that /bills/pay/ accepts.',
      secured: true,
      responses: { 200: { description: 'Services', schema: S.BillServiceItem.array() }, 401: unauthorized },
    },
    authenticated,
    async (_req, res) => {
      const services = await deps.em.fork().execute<{ code: string; name: string; category: string; min_amount: string; max_amount: string }[]>(
        'select code, name, category, min_amount, max_amount from bill_services where tenant = ? and active order by category, code',
        [TENANT.slug],
      );
      res.json(
        services.map((s) => ({
          service_type: s.code,
          name: s.name,
          category: s.category,
          min_amount: toMajorNumber(BigInt(s.min_amount)),
          max_amount: toMajorNumber(BigInt(s.max_amount)),
        })),
      );
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/bills/pay/',
      summary: 'Pay a cable, electricity or other bill',
      description: '`smartcard_number` is the smartcard, IUC or meter number of the service.',
      secured: true,
      idempotent: true,
      body: S.BillBody,
      responses: purchaseResponses(S.BillResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.BillBody);
      const [service] = await deps.em.fork().execute<{ name: string; min_amount: string; max_amount: string }[]>(
        'select name, min_amount, max_amount from bill_services where tenant = ? and code = ? and active',
        [TENANT.slug, input.service_type],
      );
      if (!service) {
        throw new DomainError(FailureType.Validation, `Unknown service ${input.service_type}.`, {
          fields: { service_type: [`"${input.service_type}" is not a valid choice.`] },
        });
      }
      const [min, max] = [BigInt(service.min_amount), BigInt(service.max_amount)];
      if (input.amount < min || input.amount > max) {
        const message = `Amount for ${input.service_type} must be between ${toMajorNumber(min)} and ${toMajorNumber(max)}.`;
        throw new DomainError(FailureType.Validation, message, { fields: { amount: [message] } });
      }
      const seq = await nextPurchaseSeq();
      await respondWithPurchase(req, res, {
        kind: 'bill',
        amountMinor: input.amount,
        reference: `BILL-${seq}`,
        serviceId: input.service_type,
        recipient: input.smartcard_number,
        description: `${service.name} for ${input.smartcard_number}`,
      }, (o) => ({ status: o.status, transaction_id: o.reference }));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/transactions/',
      summary: 'Transaction history, newest first',
      description:
        'Returns a plain array as the app expects. Paginate with `page` and `page_size` (max 100); `X-Total-Count` and a `Link` header give the total and the next/previous pages. Filter by `type` (Funding, Airtime, Data, Bills) and `status`.',
      secured: true,
      query: S.TransactionsQuery,
      responses: { 200: { description: 'Transactions', schema: S.TransactionItem.array() }, 400: invalid, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const q = query(req, S.TransactionsQuery);
      const user = requireUser(req);
      const filters = ['tenant = ?', 'user_id = ?'];
      const params: unknown[] = [TENANT.slug, user.id];
      if (q.type) {
        filters.push('kind = ?');
        params.push(q.type);
      }
      if (q.status) {
        filters.push('status = ?');
        params.push(q.status);
      }
      const where = filters.join(' and ');
      const em = deps.em.fork();
      const [count] = await em.execute<{ total: string }[]>(`select count(*) as total from wallet_transactions where ${where}`, params);
      const rows = await em.execute<{ id: string; kind: keyof typeof S.TRANSACTION_TYPES; amount: string; status: string; reference: string; created_at: Date }[]>(
        `select id, kind, amount, status, reference, created_at from wallet_transactions where ${where}
         order by id desc limit ? offset ?`,
        [...params, q.page_size, (q.page - 1) * q.page_size],
      );
      const total = Number(count!.total);
      res.setHeader('X-Total-Count', String(total));
      const links = pageLinks(req, q.page, q.page_size, total);
      if (links) res.setHeader('Link', links);
      res.json(
        rows.map((r) => ({
          id: Number(r.id),
          type: S.TRANSACTION_TYPES[r.kind],
          amount: toMajorNumber(BigInt(r.amount)),
          status: r.status,
          reference: r.reference,
          created_at: new Date(r.created_at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        })),
      );
    },
  );

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(maxteraEnvelope, deps.logger));
  return router;

  async function nextPurchaseSeq(): Promise<number> {
    const [row] = await deps.em.fork().execute<{ n: string }[]>(`select nextval('purchase_reference_seq') as n`);
    return Number(row!.n);
  }

  async function respondWithPurchase(
    req: Request,
    res: Response,
    order: { kind: PurchaseKind; amountMinor: bigint; reference: string; serviceId: string; recipient: string; variationCode?: string; description: string },
    present: (o: { status: string; reference: string }) => Record<string, string>,
  ): Promise<void> {
    const user = requireUser(req);
    const tenant = requireTenant(req);
    const input: PurchaseInput = {
      tenant: tenant.slug,
      userId: user.id,
      currency: tenant.currency,
      kind: order.kind,
      amountMinor: order.amountMinor.toString(),
      reference: order.reference,
      serviceId: order.serviceId,
      recipient: order.recipient,
      variationCode: order.variationCode,
      description: order.description,
      timing: {
        requeryIntervalMs: deps.config.PURCHASE_REQUERY_INTERVAL_MS,
        requeryLimitMs: deps.config.PURCHASE_REQUERY_LIMIT_MS,
        holdTtlMs: deps.config.HOLD_TTL_MS,
      },
    };
    const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
      workflow: purchase,
      workflowId: flowWorkflowId(tenant.slug, FlowType.Purchase, businessKey(req, user.id, order.reference)),
      args: [input],
      tenant: tenant.slug,
      userId: user.id,
      flowType: FlowType.Purchase,
      requestId: String(req.id),
      memo: { reference: order.reference, amountMinor: input.amountMinor, kind: order.kind },
    });
    const outcome = await resultWithin<PurchaseOutcome>(handle, deps.config.PURCHASE_RESPONSE_WAIT_MS);
    if (!outcome) {
      const state = await handle.query(purchaseStateQuery);
      res.status(202).json(present({ status: 'pending', reference: state.reference }));
      return;
    }
    const payload = present(outcome);
    if (outcome.status === 'failed') payload.detail = outcome.failureReason ?? 'The purchase could not be completed.';
    res.json(payload);
  }
}

/** With an Idempotency-Key the flow is keyed by it, so a retry after a crash finds the same flow. */
function businessKey(req: Request, userId: number, reference: string): string {
  const key = req.get(IDEMPOTENCY_HEADER);
  return key ? `u${userId}:key:${key}` : reference;
}

function purchaseResponses(schema: Parameters<OpenApi['document']>[0]['responses'][number]['schema']) {
  return {
    200: { description: 'Final status (success or failed)', schema },
    202: { description: 'Still pending at the provider; check /transactions/', schema },
    400: { description: 'Invalid input or insufficient wallet balance' },
    401: { description: 'Missing or invalid token' },
    409: { description: 'Same Idempotency-Key still in progress' },
    422: { description: 'Idempotency-Key reused with another body' },
  };
}

function yyyymmdd(d = new Date()): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

function pageLinks(req: Request, page: number, pageSize: number, total: number): string | undefined {
  const base = `${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}`;
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams(req.query as Record<string, string>);
    params.set('page', String(p));
    params.set('page_size', String(pageSize));
    return `<${base}?${params}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page * pageSize < total) parts.push(link(page + 1, 'next'));
  if (page > 1) parts.push(link(page - 1, 'prev'));
  return parts.length ? parts.join(', ') : undefined;
}
