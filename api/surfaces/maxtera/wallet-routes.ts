import type { Request } from 'express';
import { walletAccountCode } from '../../../core/accounts.js';
import { findAccountId, getBalances } from '../../../core/ledger.js';
import { toMajorNumber } from '../../../core/money.js';
import { WalletTransaction } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { body, query } from '../../validation.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { startWalletFunding } from '../../wallet-flows.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MAXTERA, MAXTERA_REFERENCES } from './tenant.js';

export function registerWalletRoutes({ deps, route, authenticated, idempotency }: SurfaceRoutes): void {
  const { invalid, unauthorized, keyInProgress, keyReused } = S.ERROR_RESPONSES;

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
      const accountId = await findAccountId(deps.em.fork(), MAXTERA.slug, walletAccountCode(user.id));
      const available = accountId ? (await getBalances(deps.em.fork(), accountId)).available : 0n;
      res.json({ balance: toMajorNumber(available, MAXTERA.currency), currency: MAXTERA.currency });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/wallet/fund/',
      summary: 'Start a deposit through OnePipe',
      description:
        'Starts a funding flow and answers `pending` once OnePipe has accepted the collection, so the reference is payable at once. The wallet is credited with what the provider confirms (webhook, or polling as a fallback); the transaction then shows `success` or `failed`. A refused collection answers 502; a provider that does not answer in time, 503 (retry with the same Idempotency-Key).',
      secured: true,
      idempotent: true,
      body: S.FundBody,
      responses: {
        200: { description: 'Deposit started', schema: S.FundResponse },
        400: invalid,
        401: unauthorized,
        409: keyInProgress,
        422: keyReused,
      },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.FundBody);
      const reference = `MPX-${await nextReferenceNumber(deps.em, MAXTERA.slug, MAXTERA_REFERENCES.funding)}`;
      const started = await startWalletFunding(deps, req, { amountMinor: input.amount, method: input.method, reference });
      res.json({ status: 'pending', reference: started.reference });
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
      const [rows, total] = await deps.em.fork().findAndCount(
        WalletTransaction,
        { tenant: MAXTERA.slug, userId: user.id, ...(q.type ? { kind: q.type } : {}), ...(q.status ? { status: q.status } : {}) },
        { orderBy: { id: 'desc' }, limit: q.page_size, offset: (q.page - 1) * q.page_size },
      );
      res.setHeader('X-Total-Count', String(total));
      const links = pageLinks(req, q.page, q.page_size, total);
      if (links) res.setHeader('Link', links);
      res.json(
        rows.map((r) => ({
          id: r.id,
          type: S.TRANSACTION_TYPES[r.kind as keyof typeof S.TRANSACTION_TYPES],
          amount: toMajorNumber(r.amount, MAXTERA.currency),
          status: r.status,
          reference: r.reference,
          created_at: r.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        })),
      );
    },
  );
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
