import { defineEntity, p } from '@mikro-orm/core';
import { LedgerAccount } from './ledger.js';
import { User } from './user.js';

export const MYMOOLAH_ID_TYPES = ['south_african_id', 'passport'] as const;
export type MyMoolahIdType = (typeof MYMOOLAH_ID_TYPES)[number];
export const MYMOOLAH_KYC_STATUSES = ['not_started', 'pending', 'verified', 'rejected'] as const;

/** What MyMoolah knows of a user beyond the platform's user row: names, identity document, settings. */
export const MyMoolahProfile = defineEntity({
  name: 'MyMoolahProfile',
  tableName: 'mymoolah_profiles',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('mymoolah_profiles_user_fk').deleteRule('cascade').unique(),
    firstName: p.string(),
    lastName: p.string(),
    /** One MyMoolah account per mobile number (E.164); the development admin has none. */
    phone: p.string().length(20).nullable().unique(),
    idNumber: p.string().length(32).nullable(),
    idType: p.enum(MYMOOLAH_ID_TYPES).nullable(),
    kycStatus: p.enum(MYMOOLAH_KYC_STATUSES).default('not_started'),
    settings: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export const VOUCHER_TYPES = ['standard', 'easypay'] as const;
export type VoucherType = (typeof VOUCHER_TYPES)[number];
export const VOUCHER_STATUSES = ['pending_payment', 'active', 'redeemed', 'expired', 'cancelled'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

/**
 * A MyMoolah voucher. Its value sits in the tenant's voucher-float account from issue until it is
 * redeemed or refunded; the row is the voucher's state, the ledger is its money. A pending EasyPay
 * voucher has only its EasyPay number; its 16-digit MMVoucher code exists from settlement on.
 */
export const MyMoolahVoucher = defineEntity({
  name: 'MyMoolahVoucher',
  tableName: 'mymoolah_vouchers',
  indexes: [{ properties: ['userId', 'status'] }],
  checks: [
    { name: 'mymoolah_vouchers_amounts_check', expression: 'original_amount > 0 and balance >= 0 and balance <= original_amount' },
    // Only a settled (or standard) voucher has an MMVoucher code that could be spent.
    { name: 'mymoolah_vouchers_code_check', expression: "status not in ('active', 'redeemed') or voucher_code is not null" },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('mymoolah_vouchers_user_fk'),
    voucherType: p.enum(VOUCHER_TYPES),
    status: p.enum(VOUCHER_STATUSES),
    voucherCode: p.string().length(16).nullable().unique(),
    easyPayCode: p.string().length(14).nullable().unique(),
    originalAmount: p.bigint('bigint'),
    balance: p.bigint('bigint'),
    issuedTo: p.string().nullable(),
    /** The voucher's flow: it owns the expiry timer and serializes settlement, redemption and cancellation. */
    workflowId: p.string().unique(),
    redemptionCount: p.integer().default(0),
    expiresAt: p.datetime(),
    settledAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** One partial or full redemption; `requestKey` makes a retried redemption step write nothing twice. */
export const MyMoolahVoucherRedemption = defineEntity({
  name: 'MyMoolahVoucherRedemption',
  tableName: 'mymoolah_voucher_redemptions',
  checks: [{ name: 'mymoolah_voucher_redemptions_amount_check', expression: 'amount > 0' }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    voucherId: p.manyToOne(MyMoolahVoucher).mapToPk().fieldName('voucher_id').foreignKeyName('mymoolah_voucher_redemptions_voucher_fk').index(),
    requestKey: p.string().unique(),
    amount: p.bigint('bigint'),
    remainingBalance: p.bigint('bigint'),
    redeemerId: p.string().nullable(),
    merchantId: p.string().nullable(),
    serviceProviderId: p.string().nullable(),
    entryId: p.bigint('bigint'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const EASYPAY_SETTLEMENT_CHANNELS = ['network', 'api'] as const;

/** Settlements applied, keyed by the EasyPay network's transaction id: a redelivery finds its first answer. */
export const MyMoolahEasyPaySettlement = defineEntity({
  name: 'MyMoolahEasyPaySettlement',
  tableName: 'mymoolah_easypay_settlements',
  checks: [{ name: 'mymoolah_easypay_settlements_amount_check', expression: 'amount > 0' }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    transactionId: p.string().unique(),
    voucherId: p.manyToOne(MyMoolahVoucher).mapToPk().fieldName('voucher_id').foreignKeyName('mymoolah_easypay_settlements_voucher_fk').index(),
    amount: p.bigint('bigint'),
    merchantId: p.string().nullable(),
    channel: p.enum(EASYPAY_SETTLEMENT_CHANNELS),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const LEDGER_ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type LedgerAccountType = (typeof LEDGER_ACCOUNT_TYPES)[number];

/** Name, type and normal side of accounts opened through MyMoolah's Ledger API (platform accounts get theirs from their code). */
export const MyMoolahLedgerAccount = defineEntity({
  name: 'MyMoolahLedgerAccount',
  tableName: 'mymoolah_ledger_accounts',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    accountId: p.manyToOne(LedgerAccount).mapToPk().fieldName('account_id').foreignKeyName('mymoolah_ledger_accounts_account_fk').unique(),
    name: p.string(),
    type: p.enum(LEDGER_ACCOUNT_TYPES),
    normalSide: p.enum(['debit', 'credit'] as const),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/** MyMoolah's own system accounts in the platform ledger, beside the platform's (clearing, suspense, fees). */
export const MYMOOLAH_ACCOUNTS = {
  /** Value of every issued voucher not yet redeemed or refunded. */
  voucherFloat: 'voucher:float',
  /** Redeemed voucher value owed to the merchants where it was spent. */
  voucherRedemptions: 'clearing:vouchers',
} as const;
