import { randomInt, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { DomainError, FailureType } from '../../../core/errors.js';
import { toMajorNumber, toMajorString } from '../../../core/money.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { MyMoolahEasyPaySettlement, MyMoolahVoucher, MyMoolahVoucherRedemption, type VoucherStatus } from '../../../db/entities/index.js';
import { voucherRefusal } from '../../../activities/vouchers.js';
import { cancelVoucherUpdate, redeemVoucherUpdate, settleEasyPayUpdate, type EasyPaySettlement } from '../../../workflows/contracts.js';
import { displayEasyPayCode, displayVoucherCode, easyPayCodeFor, isEasyPayCode, isVoucherCode, voucherCodeFrom } from '../../../workflows/mymoolah-codes.js';
import { requireUser } from '../../auth.js';
import { IDEMPOTENCY_HEADER } from '../../idempotency.js';
import { body, params, query } from '../../validation.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH, MYMOOLAH_REFERENCES } from './tenant.js';
import { startVoucherFlow, updateVoucherFlow, voucherWorkflowId } from './voucher-flows.js';

type Voucher = NonNullable<Awaited<ReturnType<typeof findVoucher>>>;

const rand = (minor: bigint | number) => toMajorString(BigInt(minor), MYMOOLAH.currency);

async function findVoucher(deps: Pick<SurfaceDeps, 'em'>, where: { id: number } | { voucherCode: string } | { easyPayCode: string }) {
  return deps.em.fork().findOne(MyMoolahVoucher, where);
}

/** The voucher if the caller may see it (its owner, or a MyMoolah admin); anyone else is told it does not exist. */
async function ownVoucher(deps: Pick<SurfaceDeps, 'em'>, req: Request, where: Parameters<typeof findVoucher>[1]): Promise<Voucher> {
  const user = requireUser(req);
  const found = await findVoucher(deps, where);
  if (!found || (found.userId !== user.id && user.role !== 'admin')) throw new DomainError(FailureType.NotFound, 'voucher not found', { resource: 'voucher' });
  return found;
}

/** The voucher as the app shows it: MMVoucher code as main once it exists, EasyPay number as sub. */
export function voucherView(v: Voucher) {
  return {
    id: v.id,
    voucherCode: v.voucherCode ? displayVoucherCode(v.voucherCode) : null,
    easyPayCode: v.easyPayCode ? displayEasyPayCode(v.easyPayCode) : null,
    originalAmount: rand(v.originalAmount),
    balance: rand(v.balance),
    status: v.status,
    voucherType: v.voucherType === 'standard' ? 'standard' : v.settledAt ? 'easypay_active' : 'easypay_pending',
    expiresAt: v.expiresAt.toISOString(),
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

/** Why a voucher in this state cannot do what was asked; spent or closed vouchers answer with the spec's codes. */
function stateRefusal(v: Voucher, action: 'redeem' | 'settle' | 'cancel'): DomainError | undefined {
  const expired = v.status === 'expired' || ((v.status === 'active' || v.status === 'pending_payment') && v.expiresAt.getTime() <= Date.now());
  if (action === 'cancel' && v.voucherType !== 'easypay') return voucherRefusal(FailureType.Validation, 'VOUCHER_NOT_CANCELLABLE', 'Only pending EasyPay vouchers can be cancelled');
  if (expired) return voucherRefusal(FailureType.Validation, 'VOUCHER_EXPIRED', action === 'cancel' ? 'Expired vouchers cannot be cancelled: they are refunded automatically' : 'Voucher has expired');
  if (v.status === 'cancelled') {
    if (action === 'cancel') return voucherRefusal(FailureType.Conflict, 'VOUCHER_CANCELLED', 'This voucher was already cancelled and refunded');
    return voucherRefusal(action === 'settle' ? FailureType.Conflict : FailureType.Validation, 'VOUCHER_CANCELLED', 'This voucher was cancelled');
  }
  if (action === 'redeem') {
    if (v.status === 'pending_payment') return voucherRefusal(FailureType.Validation, 'VOUCHER_NOT_ACTIVE', 'This voucher is not active yet: its EasyPay payment is pending');
    if (v.status === 'redeemed') return voucherRefusal(FailureType.InsufficientFunds, 'INSUFFICIENT_BALANCE', 'Voucher balance too low for redemption');
  }
  if (action === 'settle' && v.status !== 'pending_payment') return voucherRefusal(FailureType.Conflict, 'VOUCHER_ALREADY_SETTLED', 'This EasyPay voucher is already settled.');
  if (action === 'cancel' && v.status !== 'pending_payment') return voucherRefusal(FailureType.Conflict, 'VOUCHER_ALREADY_SETTLED', 'Settled vouchers cannot be cancelled');
  return undefined;
}

/**
 * Settles a pending EasyPay voucher through its flow, once per network transaction id. A flow
 * that has closed meanwhile answers from the stored settlement (a redelivery) or the voucher's state.
 */
export async function settleEasyPay(deps: SurfaceDeps, v: Voucher, settlement: EasyPaySettlement): Promise<{ voucherCode: string; replayed: boolean }> {
  const prior = await deps.em.fork().findOne(MyMoolahEasyPaySettlement, { transactionId: settlement.transactionId });
  if (!prior || prior.voucherId === v.id) {
    const settled = await updateVoucherFlow(deps, v.workflowId, settleEasyPayUpdate, settlement);
    if (settled) return { voucherCode: settled.voucherCode, replayed: settled.replayed };
  }
  const stored = prior ?? (await deps.em.fork().findOne(MyMoolahEasyPaySettlement, { transactionId: settlement.transactionId }));
  if (stored && stored.voucherId !== v.id) throw voucherRefusal(FailureType.Conflict, 'DUPLICATE_TRANSACTION', 'This transaction id already settled another EasyPay voucher.');
  const now = (await findVoucher(deps, { id: v.id }))!;
  if (stored && now.voucherCode) return { voucherCode: now.voucherCode, replayed: true };
  throw stateRefusal(now, 'settle') ?? new DomainError(FailureType.Conflict, `voucher ${v.id} flow closed while ${now.status}`);
}

export function registerVoucherRoutes({ deps, route, authenticated, idempotency }: SurfaceRoutes): void {
  const { invalid, unauthorized, notFound, conflict, keyReused } = S.ERRORS;
  const timing = { voucherExpiryMs: deps.config.MYMOOLAH_VOUCHER_EXPIRY_MS, easyPayExpiryMs: deps.config.MYMOOLAH_EASYPAY_EXPIRY_MS };

  const list = (path: string, summary: string, statuses?: VoucherStatus[]) =>
    route(
      {
        method: 'get',
        path,
        summary,
        secured: true,
        query: S.VouchersQuery,
        responses: { 200: { description: 'A page of vouchers, newest first', schema: S.VoucherList }, 400: invalid, 401: unauthorized },
      },
      authenticated,
      async (req, res) => {
        const { page, limit } = query(req, S.VouchersQuery);
        const [vouchers, total] = await deps.em
          .fork()
          .findAndCount(
            MyMoolahVoucher,
            { userId: requireUser(req).id, ...(statuses && { status: { $in: statuses } }) },
            { orderBy: { id: 'desc' }, limit, offset: (page - 1) * limit },
          );
        res.json({ success: true, data: { vouchers: vouchers.map(voucherView), pagination: S.paginationOf(page, limit, total) } });
      },
    );
  list('/api/v1/vouchers/', 'All my vouchers');
  list('/api/v1/vouchers/active', 'My active vouchers (including partly redeemed)', ['active']);
  list('/api/v1/vouchers/redeemed', 'My fully redeemed vouchers', ['redeemed']);

  route(
    {
      method: 'get',
      path: '/api/v1/vouchers/balance-summary',
      summary: 'Count and value of my vouchers per status',
      description: 'Active: remaining balance; every other status: original amount. `pending` is EasyPay vouchers awaiting payment.',
      secured: true,
      responses: { 200: { description: 'Summary', schema: S.BalanceSummary }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const rows = await deps.em.fork().execute<{ status: VoucherStatus; count: string; value: string }[]>(
        `select status, count(*) as count, sum(case when status = 'active' then balance else original_amount end) as value
         from mymoolah_vouchers where user_id = ? group by status`,
        [requireUser(req).id],
      );
      const bucket = (status: VoucherStatus) => {
        const row = rows.find((r) => r.status === status);
        return { count: Number(row?.count ?? 0), value: rand(BigInt(row?.value ?? 0)) };
      };
      const total = rows.reduce((t, r) => ({ count: t.count + Number(r.count), value: t.value + BigInt(r.value) }), { count: 0, value: 0n });
      res.json({
        success: true,
        data: {
          active: bucket('active'),
          pending: bucket('pending_payment'),
          redeemed: bucket('redeemed'),
          expired: bucket('expired'),
          cancelled: bucket('cancelled'),
          total: { count: total.count, value: rand(total.value) },
        },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/vouchers/issue',
      summary: 'Buy an MMVoucher from the wallet',
      description: 'Debits the wallet into the voucher float; the voucher is active at once with a 16-digit code and an expiry, after which its remaining balance returns to the wallet. R5 to R4000.',
      secured: true,
      idempotent: true,
      body: S.IssueBody,
      responses: { 201: { description: 'Issued', schema: S.Issued }, 400: invalid, 401: unauthorized, 409: conflict, 422: keyReused },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.IssueBody);
      const user = requireUser(req);
      const reference = `V${await nextReferenceNumber(deps.em, MYMOOLAH.slug, MYMOOLAH_REFERENCES.voucher)}`;
      const state = await startVoucherFlow(deps, req, voucherWorkflowId(req, reference), {
        tenant: MYMOOLAH.slug,
        userId: user.id,
        currency: MYMOOLAH.currency,
        voucherType: 'standard',
        amountMinor: input.original_amount.toString(),
        voucherCode: newVoucherCode(),
        issuedTo: input.issued_to,
        timing,
      });
      const v = (await findVoucher(deps, { id: state.voucherId! }))!;
      res.status(201).json({
        success: true,
        message: 'Voucher issued successfully',
        data: { id: v.id, voucherCode: displayVoucherCode(v.voucherCode!), originalAmount: rand(v.originalAmount), balance: rand(v.balance), status: v.status, expiresAt: v.expiresAt.toISOString() },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/vouchers/easypay/issue',
      summary: 'Create an EasyPay voucher',
      description:
        'Starts the EasyPay flow: the wallet is debited into the voucher float and the voucher waits, `pending_payment`, with only its 14-digit EasyPay number. Settlement (the EasyPay network, or /vouchers/easypay/settlement) activates its 16-digit MMVoucher; without settlement before `expires_at` it is refunded in full.',
      secured: true,
      idempotent: true,
      body: S.IssueBody,
      responses: { 201: { description: 'Created', schema: S.EasyPayIssued }, 400: invalid, 401: unauthorized, 409: conflict, 422: keyReused },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.IssueBody);
      const user = requireUser(req);
      const easyPayCode = easyPayCodeFor(await nextReferenceNumber(deps.em, MYMOOLAH.slug, MYMOOLAH_REFERENCES.easyPay));
      const state = await startVoucherFlow(deps, req, voucherWorkflowId(req, `EP-${easyPayCode}`), {
        tenant: MYMOOLAH.slug,
        userId: user.id,
        currency: MYMOOLAH.currency,
        voucherType: 'easypay',
        amountMinor: input.original_amount.toString(),
        easyPayCode,
        issuedTo: input.issued_to,
        timing,
      });
      const v = (await findVoucher(deps, { id: state.voucherId! }))!;
      res.status(201).json({
        success: true,
        message: 'EasyPay voucher created successfully',
        data: {
          id: v.id,
          easypay_code: v.easyPayCode!,
          easypay_code_display: displayEasyPayCode(v.easyPayCode!),
          amount: rand(v.originalAmount),
          status: 'pending_payment',
          expires_at: v.expiresAt.toISOString(),
          sms_sent: false,
        },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/vouchers/easypay/settlement',
      summary: 'Record an EasyPay settlement (the voucher\'s owner or a MyMoolah admin)',
      description:
        'Checks the amount against the voucher and activates its MMVoucher. `transaction_id` is the EasyPay transaction: the same id again answers as the first time; an id that settled another voucher is refused. The EasyPay network itself calls /billpayment/v1/easypay/process.',
      secured: true,
      body: S.SettlementBody,
      responses: { 200: { description: 'Settled', schema: S.Settled }, 400: invalid, 401: unauthorized, 404: notFound, 409: conflict },
    },
    authenticated,
    async (req, res) => {
      const input = body(req, S.SettlementBody);
      const v = await ownVoucher(deps, req, { easyPayCode: input.easypay_code });
      const settled = await settleEasyPay(deps, v, {
        transactionId: input.transaction_id,
        amountMinor: input.settlement_amount.toString(),
        merchantId: input.merchant_id,
        channel: 'api',
      });
      res.json({
        success: true,
        message: settled.replayed ? 'EasyPay voucher already settled by this transaction' : 'EasyPay voucher settled successfully',
        data: { easypay_code: v.easyPayCode!, mm_voucher_code: displayVoucherCode(settled.voucherCode), status: 'active' },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/vouchers/redeem',
      summary: 'Redeem part or all of a voucher',
      description:
        'Only 16-digit MMVoucher codes (spaces allowed); a 14-digit EasyPay number is refused. Partial redemptions lower the balance; at zero the voucher is `redeemed`. Concurrent redemptions of one voucher take turns and never exceed its balance. With an Idempotency-Key a retry redeems once.',
      secured: true,
      idempotent: true,
      body: S.RedeemBody,
      responses: { 200: { description: 'Redeemed', schema: S.Redeemed }, 400: invalid, 401: unauthorized, 404: notFound, 409: conflict, 422: keyReused },
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.RedeemBody);
      const v = await ownVoucher(deps, req, { voucherCode: input.voucher_code });
      const refused = stateRefusal(v, 'redeem');
      if (refused) throw refused;
      if (input.amount > BigInt(v.balance)) throw voucherRefusal(FailureType.InsufficientFunds, 'INSUFFICIENT_BALANCE', 'Voucher balance too low for redemption');
      const key = req.get(IDEMPOTENCY_HEADER);
      const redeemed = await updateVoucherFlow(deps, v.workflowId, redeemVoucherUpdate, {
        requestKey: key ? `u${requireUser(req).id}:key:${key}` : randomUUID(),
        amountMinor: input.amount.toString(),
        redeemerId: input.redeemer_id,
        merchantId: input.merchant_id,
        serviceProviderId: input.service_provider_id,
      });
      if (!redeemed) {
        const now = (await findVoucher(deps, { id: v.id }))!;
        throw stateRefusal(now, 'redeem') ?? voucherRefusal(FailureType.InsufficientFunds, 'INSUFFICIENT_BALANCE', 'Voucher balance too low for redemption');
      }
      res.json({
        success: true,
        message: 'Voucher redeemed successfully',
        data: { voucher_id: v.id, redeemed_amount: rand(BigInt(redeemed.redeemedMinor)), remaining_balance: rand(BigInt(redeemed.remainingMinor)), redemption_count: redeemed.redemptionCount, status: redeemed.status },
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/vouchers/code/:voucher_code',
      summary: 'One of my vouchers by its MMVoucher code or its EasyPay number',
      secured: true,
      params: S.CodeParams,
      responses: { 200: { description: 'The voucher', schema: S.VoucherOne }, 400: invalid, 401: unauthorized, 404: notFound },
    },
    authenticated,
    async (req, res) => {
      const code = params(req, S.CodeParams).voucher_code.replace(/[\s-]/g, '');
      if (!isVoucherCode(code) && !isEasyPayCode(code)) {
        throw voucherRefusal(FailureType.Validation, 'INVALID_VOUCHER_CODE', 'Invalid voucher code format: a 16-digit MMVoucher code or a 14-digit EasyPay number');
      }
      const v = await ownVoucher(deps, req, code.length === 16 ? { voucherCode: code } : { easyPayCode: code });
      res.json({ success: true, data: voucherView(v) });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/vouchers/:voucher_id/redemptions',
      summary: 'Redemption history of one of my vouchers',
      secured: true,
      params: S.VoucherIdParams,
      responses: { 200: { description: 'Redemptions, oldest first', schema: S.Redemptions }, 400: invalid, 401: unauthorized, 404: notFound },
    },
    authenticated,
    async (req, res) => {
      const v = await ownVoucher(deps, req, { id: params(req, S.VoucherIdParams).voucher_id });
      const redemptions = await deps.em.fork().find(MyMoolahVoucherRedemption, { voucherId: v.id }, { orderBy: { id: 'asc' } });
      res.json({
        success: true,
        data: {
          voucher_id: v.id,
          voucher_code: v.voucherCode ? displayVoucherCode(v.voucherCode) : null,
          redemption_count: v.redemptionCount,
          max_redemptions: null,
          status: v.status,
          balance: rand(v.balance),
          redemptions: redemptions.map((r) => ({ amount: rand(r.amount), remaining_balance: rand(r.remainingBalance), merchant_id: r.merchantId ?? null, redeemed_at: r.createdAt.toISOString() })),
        },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/vouchers/:voucherId/cancel',
      summary: 'Cancel a pending EasyPay voucher and refund it in full',
      description: 'Only a pending EasyPay voucher; a settled one cannot be cancelled (409 VOUCHER_ALREADY_SETTLED), an expired one was already refunded (400 VOUCHER_EXPIRED), a cancelled one is 409 VOUCHER_CANCELLED. Two cancellations racing refund once.',
      secured: true,
      params: S.CancelParams,
      responses: { 200: { description: 'Cancelled and refunded', schema: S.Cancelled }, 400: invalid, 401: unauthorized, 404: notFound, 409: conflict },
    },
    authenticated,
    async (req, res) => {
      const v = await ownVoucher(deps, req, { id: params(req, S.CancelParams).voucherId });
      const refused = stateRefusal(v, 'cancel');
      if (refused) throw refused;
      const refund = await updateVoucherFlow(deps, v.workflowId, cancelVoucherUpdate);
      if (!refund) {
        const now = (await findVoucher(deps, { id: v.id }))!;
        throw stateRefusal(now, 'cancel') ?? new DomainError(FailureType.Conflict, `voucher ${v.id} flow closed while ${now.status}`);
      }
      res.json({
        success: true,
        message: 'EasyPay voucher cancelled successfully',
        data: {
          voucherId: String(v.id),
          easyPayCode: v.easyPayCode!,
          originalAmount: toMajorNumber(BigInt(v.originalAmount), MYMOOLAH.currency),
          refundAmount: toMajorNumber(BigInt(refund.refundMinor), MYMOOLAH.currency),
          newWalletBalance: toMajorNumber(BigInt(refund.walletBalanceMinor), MYMOOLAH.currency),
          cancelledAt: refund.closedAt,
          transactionId: refund.transactionReference ?? null,
        },
      });
    },
  );
}

/** 15 random digits (the first not zero) and the check digit: unguessable, since the code is the money. */
function newVoucherCode(): string {
  const digits = `${randomInt(1, 10)}${String(randomInt(0, 10_000_000)).padStart(7, '0')}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  return voucherCodeFrom(digits);
}
