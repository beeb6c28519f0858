import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Orm } from '../db/orm.js';
import { ensureWalletAccount, type TenantCurrency } from '../core/accounts.js';
import { DomainError, FailureType } from '../core/errors.js';
import { ensureAccount, getBalances, postJournalEntry } from '../core/ledger.js';
import { MYMOOLAH_ACCOUNTS, type VoucherStatus } from '../db/entities/mymoolah.js';
import type {
  EasyPaySettlement,
  SettledVoucher,
  VoucherFlowInput,
  VoucherRedemption,
  VoucherRedemptionRequest,
  VoucherRefund,
  VoucherState,
} from '../workflows/contracts.js';
import { voucherCodeFrom } from '../workflows/mymoolah-codes.js';
import { currentWorkflowId } from './context.js';
import { withTypedFailures } from './failures.js';

export interface VoucherActivityDeps {
  orm: Orm;
}

/** A refusal the app shows as it is, with the MyMoolah code that names it. */
export function voucherRefusal(type: FailureType, code: string, message: string): DomainError {
  return new DomainError(type, message, { code }, { publicMessage: message, publicDetails: { code } });
}

interface VoucherRow {
  id: string;
  tenant: string;
  user_id: string;
  voucher_type: 'standard' | 'easypay';
  status: VoucherStatus;
  voucher_code: string | null;
  easy_pay_code: string | null;
  original_amount: string;
  balance: string;
  redemption_count: number;
  workflow_id: string;
  expires_at: Date;
  closed_at: Date | null;
  expired_now: boolean;
}

const AT = (tenant: string): TenantCurrency => ({ tenant, currency: 'ZAR' });

function floatAccount(tx: EntityManager, at: TenantCurrency): Promise<bigint> {
  // Debits of the float never exceed its credits: no voucher can pay out more than was paid in.
  return ensureAccount(tx, { ...at, code: MYMOOLAH_ACCOUNTS.voucherFloat, debitsMustNotExceedCredits: true });
}

async function lockVoucher(tx: EntityManager, voucherId: number): Promise<VoucherRow> {
  const [row] = await tx.execute<VoucherRow[]>(
    `select v.*, u.tenant, v.expires_at <= now() as expired_now from mymoolah_vouchers v join users u on u.id = v.user_id where v.id = ? for update of v`,
    [voucherId],
  );
  if (!row) throw new DomainError(FailureType.NotFound, `voucher ${voucherId} not found`, { resource: 'voucher' });
  return row;
}

/** A user-visible history row, written with the posting it describes; keyed so a retry writes it once. */
async function recordWalletTransaction(
  tx: EntityManager,
  row: { tenant: string; userId: number; kind: string; amount: bigint; reference: string; key: string; details: Record<string, unknown> },
): Promise<void> {
  await tx.execute(
    `insert into wallet_transactions (tenant, user_id, kind, status, amount, currency, reference, workflow_id, details)
     values (?, ?, ?, 'success', ?, 'ZAR', ?, ?, ?) on conflict (workflow_id) do nothing`,
    [row.tenant, row.userId, row.kind, row.amount.toString(), row.reference, row.key, JSON.stringify(row.details)],
  );
}

export function createVoucherActivities({ orm }: VoucherActivityDeps) {
  /** Returns what is left on the voucher to its owner's wallet and closes it as `status`. */
  async function refund(tx: EntityManager, v: VoucherRow, status: 'cancelled' | 'expired'): Promise<VoucherRefund> {
    const at = AT(v.tenant);
    const userId = Number(v.user_id);
    const wallet = await ensureWalletAccount(tx, at, userId);
    const amount = BigInt(v.balance);
    const reference = `VCH-${v.id}-REFUND`;
    if (amount > 0n) {
      await postJournalEntry(tx, {
        tenant: v.tenant,
        idempotencyKey: `${v.workflow_id}:refund`,
        description: `Voucher ${v.id} ${status === 'cancelled' ? 'cancelled' : 'expired'}: refund`,
        lines: [
          { accountId: await floatAccount(tx, at), direction: 'debit', amount },
          { accountId: wallet, direction: 'credit', amount },
        ],
        metadata: { voucherId: Number(v.id), workflowId: v.workflow_id },
      });
      await recordWalletTransaction(tx, {
        tenant: v.tenant,
        userId,
        kind: 'voucher_refund',
        amount,
        reference,
        key: `${v.workflow_id}:refund`,
        details: { voucherId: Number(v.id), direction: 'credit', reason: status },
      });
    }
    const [closed] = await tx.execute<{ closed_at: Date }[]>(
      `update mymoolah_vouchers set status = ?, balance = 0, closed_at = now(), updated_at = now() where id = ? returning closed_at`,
      [status, v.id],
    );
    return {
      status,
      refundMinor: amount.toString(),
      walletBalanceMinor: (await getBalances(tx, wallet)).available.toString(),
      closedAt: new Date(closed!.closed_at).toISOString(),
      ...(amount > 0n && { transactionReference: reference }),
    };
  }

  /** The refund this voucher already had, for a step retried after it committed. */
  async function storedRefund(tx: EntityManager, v: VoucherRow, status: 'cancelled' | 'expired'): Promise<VoucherRefund> {
    const [row] = await tx.execute<{ amount: string; reference: string }[]>(
      'select amount, reference from wallet_transactions where workflow_id = ?',
      [`${v.workflow_id}:refund`],
    );
    const wallet = await ensureWalletAccount(tx, AT(v.tenant), Number(v.user_id));
    return {
      status,
      refundMinor: row?.amount ?? '0',
      walletBalanceMinor: (await getBalances(tx, wallet)).available.toString(),
      closedAt: new Date(v.closed_at ?? Date.now()).toISOString(),
      ...(row && { transactionReference: row.reference }),
    };
  }

  return withTypedFailures({
    /** Pays for the voucher from the wallet into the float and records it, in one transaction; a refusal writes nothing. */
    async issueVoucher(input: VoucherFlowInput): Promise<Required<Pick<VoucherState, 'status' | 'voucherId' | 'expiresAt'>>> {
      const workflowId = currentWorkflowId();
      return orm.em.fork().transactional(async (tx) => {
        const [existing] = await tx.execute<{ id: string; status: VoucherStatus; expires_at: Date }[]>(
          'select id, status, expires_at from mymoolah_vouchers where workflow_id = ?',
          [workflowId],
        );
        if (existing) return { voucherId: Number(existing.id), status: existing.status, expiresAt: new Date(existing.expires_at).toISOString() };
        const amount = BigInt(input.amountMinor);
        const easyPay = input.voucherType === 'easypay';
        const lifetimeMs = easyPay ? input.timing.easyPayExpiryMs : input.timing.voucherExpiryMs;
        const [row] = await tx.execute<{ id: string; expires_at: Date }[]>(
          `insert into mymoolah_vouchers (user_id, voucher_type, status, voucher_code, easy_pay_code, original_amount, balance, issued_to, workflow_id, expires_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?)) returning id, expires_at`,
          [
            input.userId,
            input.voucherType,
            easyPay ? 'pending_payment' : 'active',
            easyPay ? null : (input.voucherCode ?? null),
            input.easyPayCode ?? null,
            amount.toString(),
            amount.toString(),
            input.issuedTo ?? null,
            workflowId,
            lifetimeMs / 1000,
          ],
        );
        const voucherId = Number(row!.id);
        const at = { tenant: input.tenant, currency: input.currency };
        await postJournalEntry(tx, {
          tenant: input.tenant,
          idempotencyKey: `${workflowId}:issue`,
          description: `${easyPay ? 'EasyPay voucher' : 'Voucher'} ${voucherId} issued`,
          lines: [
            { accountId: await ensureWalletAccount(tx, at, input.userId), direction: 'debit', amount },
            { accountId: await floatAccount(tx, at), direction: 'credit', amount },
          ],
          metadata: { voucherId, workflowId },
        });
        await recordWalletTransaction(tx, {
          tenant: input.tenant,
          userId: input.userId,
          kind: 'voucher_purchase',
          amount,
          reference: `VCH-${voucherId}`,
          key: workflowId,
          details: { voucherId, voucherType: input.voucherType, direction: 'debit' },
        });
        return { voucherId, status: easyPay ? 'pending_payment' : 'active', expiresAt: new Date(row!.expires_at).toISOString() };
      });
    },

    /**
     * Checks the amount and activates the MMVoucher: its code is made now, and its spending life
     * starts now. The network's transaction id is recorded with it, so a redelivery gets the first answer.
     */
    async settleEasyPayVoucher(voucherId: number, settlement: EasyPaySettlement, voucherExpiryMs: number): Promise<SettledVoucher> {
      return orm.em.fork().transactional(async (tx) => {
        const [prior] = await tx.execute<{ voucher_id: string }[]>(
          'select voucher_id from mymoolah_easypay_settlements where transaction_id = ?',
          [settlement.transactionId],
        );
        const v = await lockVoucher(tx, voucherId);
        if (prior) {
          if (Number(prior.voucher_id) !== voucherId) {
            throw voucherRefusal(FailureType.Conflict, 'DUPLICATE_TRANSACTION', 'This transaction id already settled another EasyPay voucher.');
          }
          return { voucherCode: v.voucher_code!, easyPayCode: v.easy_pay_code!, expiresAt: new Date(v.expires_at).toISOString(), replayed: true };
        }
        if (v.status === 'active' || v.status === 'redeemed') {
          throw voucherRefusal(FailureType.Conflict, 'VOUCHER_ALREADY_SETTLED', 'This EasyPay voucher is already settled.');
        }
        if (v.status === 'cancelled') throw voucherRefusal(FailureType.Conflict, 'VOUCHER_CANCELLED', 'This EasyPay voucher was cancelled.');
        if (v.status === 'expired' || v.expired_now) throw voucherRefusal(FailureType.Validation, 'VOUCHER_EXPIRED', 'Voucher has expired');
        if (BigInt(settlement.amountMinor) !== BigInt(v.original_amount)) {
          throw voucherRefusal(FailureType.Validation, 'INVALID_AMOUNT', 'Settlement amount does not match the voucher amount');
        }
        const code = voucherCodeFrom(`${randomInt(1, 10)}${String(randomInt(0, 1e7)).padStart(7, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`);
        const [updated] = await tx
          .execute<{ expires_at: Date }[]>(
            `update mymoolah_vouchers set status = 'active', voucher_code = ?, settled_at = now(), expires_at = now() + make_interval(secs => ?), updated_at = now()
             where id = ? returning expires_at`,
            [code, voucherExpiryMs / 1000, voucherId],
          )
          .catch((err: unknown) => {
            // Another voucher drew the same code: the retry draws another.
            if (err instanceof UniqueConstraintViolationException) throw new Error('voucher code collision', { cause: err });
            throw err;
          });
        await tx.execute(
          `insert into mymoolah_easypay_settlements (transaction_id, voucher_id, amount, merchant_id, channel) values (?, ?, ?, ?, ?)`,
          [settlement.transactionId, voucherId, settlement.amountMinor, settlement.merchantId ?? null, settlement.channel],
        );
        return { voucherCode: code, easyPayCode: v.easy_pay_code!, expiresAt: new Date(updated!.expires_at).toISOString(), replayed: false };
      });
    },

    /** Takes part of the balance (the voucher row's lock keeps racing redemptions within it) into the merchants' clearing account. */
    async redeemVoucher(voucherId: number, request: VoucherRedemptionRequest): Promise<VoucherRedemption> {
      return orm.em.fork().transactional(async (tx) => {
        const v = await lockVoucher(tx, voucherId);
        const [done] = await tx.execute<{ amount: string; remaining_balance: string }[]>(
          'select amount, remaining_balance from mymoolah_voucher_redemptions where request_key = ?',
          [request.requestKey],
        );
        if (done) {
          return { redeemedMinor: done.amount, remainingMinor: done.remaining_balance, redemptionCount: v.redemption_count, status: v.status === 'redeemed' ? 'redeemed' : 'active' };
        }
        if (v.status === 'pending_payment') throw voucherRefusal(FailureType.Validation, 'VOUCHER_NOT_ACTIVE', 'This voucher is not active yet: its EasyPay payment is pending');
        if (v.status === 'cancelled') throw voucherRefusal(FailureType.Validation, 'VOUCHER_CANCELLED', 'This voucher was cancelled');
        if (v.status === 'expired' || v.expired_now) throw voucherRefusal(FailureType.Validation, 'VOUCHER_EXPIRED', 'Voucher has expired');
        const amount = BigInt(request.amountMinor);
        const balance = BigInt(v.balance);
        if (amount > balance) throw voucherRefusal(FailureType.InsufficientFunds, 'INSUFFICIENT_BALANCE', 'Voucher balance too low for redemption');
        const remaining = balance - amount;
        const at = AT(v.tenant);
        const posted = await postJournalEntry(tx, {
          tenant: v.tenant,
          idempotencyKey: `${v.workflow_id}:redeem:${request.requestKey}`,
          description: `Voucher ${v.id} redeemed${request.merchantId ? ` at ${request.merchantId}` : ''}`,
          lines: [
            { accountId: await floatAccount(tx, at), direction: 'debit', amount },
            { accountId: await ensureAccount(tx, { ...at, code: MYMOOLAH_ACCOUNTS.voucherRedemptions, debitsMustNotExceedCredits: false }), direction: 'credit', amount },
          ],
          metadata: { voucherId: Number(v.id), merchantId: request.merchantId, serviceProviderId: request.serviceProviderId },
        });
        const status = remaining === 0n ? 'redeemed' : 'active';
        await tx.execute(
          `update mymoolah_vouchers set balance = ?, status = ?, redemption_count = redemption_count + 1, closed_at = case when ? then now() end, updated_at = now() where id = ?`,
          [remaining.toString(), status, status === 'redeemed', v.id],
        );
        await tx.execute(
          `insert into mymoolah_voucher_redemptions (voucher_id, request_key, amount, remaining_balance, redeemer_id, merchant_id, service_provider_id, entry_id)
           values (?, ?, ?, ?, ?, ?, ?, ?)`,
          [v.id, request.requestKey, amount.toString(), remaining.toString(), request.redeemerId ?? null, request.merchantId ?? null, request.serviceProviderId ?? null, posted.entryId.toString()],
        );
        return { redeemedMinor: amount.toString(), remainingMinor: remaining.toString(), redemptionCount: v.redemption_count + 1, status };
      });
    },

    /** Only a pending EasyPay voucher can be cancelled; it is refunded in full. */
    async cancelEasyPayVoucher(voucherId: number): Promise<VoucherRefund> {
      return orm.em.fork().transactional(async (tx) => {
        const v = await lockVoucher(tx, voucherId);
        if (v.voucher_type !== 'easypay') throw voucherRefusal(FailureType.Validation, 'VOUCHER_NOT_CANCELLABLE', 'Only pending EasyPay vouchers can be cancelled');
        if (v.status === 'cancelled') return storedRefund(tx, v, 'cancelled');
        if (v.status === 'expired') throw voucherRefusal(FailureType.Validation, 'VOUCHER_EXPIRED', 'Expired vouchers cannot be cancelled: they are refunded automatically');
        if (v.status !== 'pending_payment') throw voucherRefusal(FailureType.Conflict, 'VOUCHER_ALREADY_SETTLED', 'Settled vouchers cannot be cancelled');
        return refund(tx, v, 'cancelled');
      });
    },

    /** The expiry timer fired: a pending EasyPay voucher is refunded in full, an active one its remaining balance. */
    async expireVoucher(voucherId: number): Promise<{ status: VoucherStatus; refund?: VoucherRefund }> {
      return orm.em.fork().transactional(async (tx) => {
        const v = await lockVoucher(tx, voucherId);
        if (v.status !== 'pending_payment' && v.status !== 'active') return { status: v.status };
        const refunded = await refund(tx, v, 'expired');
        return { status: refunded.status, refund: refunded };
      });
    },
  }, { isFinal: isVoucherRefusal });
}

/** A voucher refusal (it carries its MyMoolah code) is final whatever its type: a retry would meet the same voucher state. */
const isVoucherRefusal = (err: DomainError) => typeof err.details?.code === 'string';

export type VoucherActivities = ReturnType<typeof createVoucherActivities>;
