import { walletAccountCode } from '../../../core/accounts.js';
import { findAccountId, getBalances } from '../../../core/ledger.js';
import { toMajorNumber } from '../../../core/money.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { MyMoolahProfile, WalletTransaction } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { body, query } from '../../validation.js';
import { startWalletFunding } from '../../wallet-flows.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH, MYMOOLAH_REFERENCES, walletIdOf } from './tenant.js';

/** History kinds as the app names them, and which way the money went. */
const TRANSACTION_TYPES: Record<string, { type: string; direction: 'credit' | 'debit'; description: string }> = {
  funding: { type: 'deposit', direction: 'credit', description: 'Wallet deposit' },
  airtime: { type: 'airtime', direction: 'debit', description: 'Airtime purchase' },
  data: { type: 'data', direction: 'debit', description: 'Data purchase' },
  bill: { type: 'electricity', direction: 'debit', description: 'Electricity purchase' },
  voucher_purchase: { type: 'voucher_purchase', direction: 'debit', description: 'Voucher purchase' },
  voucher_refund: { type: 'voucher_refund', direction: 'credit', description: 'Voucher refund' },
  adjustment: { type: 'adjustment', direction: 'credit', description: 'Account adjustment' },
};

export const DEFAULT_SETTINGS = { quickAccessServices: ['vouchers', 'airtime'], showBalance: true, language: 'en', displayCurrency: 'ZAR' };

export async function walletBalanceMinor(deps: Pick<SurfaceDeps, 'em'>, userId: number): Promise<bigint> {
  const accountId = await findAccountId(deps.em.fork(), MYMOOLAH.slug, walletAccountCode(userId));
  return accountId ? (await getBalances(deps.em.fork(), accountId)).available : 0n;
}

export function registerWalletRoutes({ deps, route, authenticated, idempotency }: SurfaceRoutes): void {
  const { invalid, unauthorized, conflict, keyReused } = S.ERRORS;

  route(
    {
      method: 'get',
      path: '/api/v1/wallets/balance',
      summary: 'Wallet balance (available: less what pending purchases reserve)',
      secured: true,
      responses: { 200: { description: 'Balance in rand', schema: S.Balance }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const user = requireUser(req);
      res.json({
        success: true,
        message: 'Balance retrieved successfully',
        data: { walletId: walletIdOf(user.id), balance: toMajorNumber(await walletBalanceMinor(deps, user.id), MYMOOLAH.currency), currency: MYMOOLAH.currency, status: 'active' },
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/wallets/transactions',
      summary: 'Wallet history, newest first, paginated',
      description: '`type` is deposit, voucher_purchase, voucher_refund, airtime, data, electricity or adjustment; `amount` is negative for money out.',
      secured: true,
      query: S.TransactionsQuery,
      responses: { 200: { description: 'A page of transactions', schema: S.Transactions }, 400: invalid, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const { page, limit } = query(req, S.TransactionsQuery);
      const user = requireUser(req);
      const [rows, total] = await deps.em
        .fork()
        .findAndCount(WalletTransaction, { tenant: MYMOOLAH.slug, userId: user.id }, { orderBy: { id: 'desc' }, limit, offset: (page - 1) * limit });
      res.json({
        success: true,
        data: {
          transactions: rows.map((r) => {
            const known = TRANSACTION_TYPES[r.kind] ?? { type: r.kind, direction: 'debit', description: r.kind };
            const direction = r.details.direction === 'debit' || r.details.direction === 'credit' ? r.details.direction : known.direction;
            const amount = toMajorNumber(BigInt(r.amount), MYMOOLAH.currency);
            return {
              id: r.id,
              transactionId: r.reference,
              type: known.type,
              direction,
              amount: direction === 'debit' ? -amount : amount,
              status: r.status,
              description: typeof r.details.description === 'string' ? r.details.description : known.description,
              currency: MYMOOLAH.currency,
              // A prepaid electricity token or PIN stays readable after the purchase answer is gone.
              ...(typeof r.details.token === 'string' && { token: r.details.token }),
              createdAt: r.createdAt.toISOString(),
            };
          }),
          pagination: S.paginationOf(page, limit, total),
        },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/wallets/deposit',
      summary: 'Top up the wallet through the payment provider (Peach: EFT or card)',
      description:
        'Not in the original contract: money comes in here. Starts the platform\'s funding flow and answers `pending` with a reference (and the provider\'s payment page) once the provider has accepted the collection. The wallet is credited with what the provider confirms (webhook, or polling as a fallback); the deposit then shows in /wallets/transactions as `success` or `failed`. A refused collection answers 502 PROVIDER_ERROR; a provider that does not answer in time 503 (retry with the same Idempotency-Key). In the sandbox, complete it with `POST /sandbox/payments/{reference}/complete`.',
      secured: true,
      idempotent: true,
      body: S.DepositBody,
      responses: { 200: { description: 'Deposit started', schema: S.Deposit }, 400: invalid, 401: unauthorized, 409: conflict, 422: keyReused },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.DepositBody);
      const reference = `MMD-${await nextReferenceNumber(deps.em, MYMOOLAH.slug, MYMOOLAH_REFERENCES.deposit)}`;
      const started = await startWalletFunding(deps, req, { amountMinor: input.amount, method: input.method, reference });
      res.json({
        success: true,
        message: 'Deposit started: complete the payment to credit your wallet',
        data: {
          reference: started.reference,
          status: 'pending',
          amount: toMajorNumber(input.amount, MYMOOLAH.currency),
          currency: MYMOOLAH.currency,
          ...(started.paymentUrl && { paymentUrl: started.paymentUrl }),
        },
      });
    },
  );

  const settingsOf = async (userId: number) => {
    const profile = await deps.em.fork().findOne(MyMoolahProfile, { userId });
    return { userId, ...DEFAULT_SETTINGS, ...(profile?.settings ?? {}) };
  };
  const settingsReply = (settings: Awaited<ReturnType<typeof settingsOf>>) => ({ settings, enabledServices: [...S.SERVICES] });

  route(
    {
      method: 'get',
      path: '/api/v1/settings',
      summary: 'User settings',
      secured: true,
      responses: { 200: { description: 'Settings', schema: S.Settings }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      res.json({ success: true, message: 'User settings retrieved successfully', data: settingsReply(await settingsOf(requireUser(req).id)) });
    },
  );

  route(
    {
      method: 'put',
      path: '/api/v1/settings',
      summary: 'Change user settings (only the fields sent)',
      description: 'Not in the original contract. `quickAccessServices` picks among `enabledServices`.',
      secured: true,
      body: S.SettingsBody,
      responses: { 200: { description: 'Updated settings', schema: S.Settings }, 400: invalid, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const changes = body(req, S.SettingsBody);
      const user = requireUser(req);
      // One statement merges the change into what is stored, so two devices' updates both land.
      await deps.em.fork().execute(
        `insert into mymoolah_profiles (user_id, first_name, last_name, settings) select id, '', '', ?::jsonb from users where id = ? and tenant = ?
         on conflict (user_id) do update set settings = mymoolah_profiles.settings || excluded.settings, updated_at = now()`,
        [JSON.stringify(changes), user.id, MYMOOLAH.slug],
      );
      res.json({ success: true, message: 'User settings updated successfully', data: settingsReply(await settingsOf(user.id)) });
    },
  );
}
