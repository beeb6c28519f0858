import { defineEntity, p } from '@mikro-orm/core';
import { Currency } from './currency.js';
import { User } from './user.js';

/**
 * What a history row records, in the apps' words. Each app adds its kinds here; the database only
 * checks the spelling, so a new app's kinds need no migration of a shared constraint.
 */
export const TRANSACTION_KINDS = [
  'funding', 'airtime', 'data', 'bill',
  'registration', 'upgrade',
  'voucher_purchase', 'voucher_refund', 'adjustment',
  'recharge',
  'referral_reward',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
export const TRANSACTION_STATUSES = ['pending', 'success', 'failed'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** What the user sees in their history; the money itself lives in the ledger. */
export const WalletTransaction = defineEntity({
  name: 'WalletTransaction',
  tableName: 'wallet_transactions',
  indexes: [
    { properties: ['tenant', 'userId', 'createdAt'] },
    // The tenant's history in a date range (GenCharge analytics).
    { properties: ['tenant', 'createdAt'] },
    {
      name: 'wallet_transactions_user_history_index',
      expression: 'create index "wallet_transactions_user_history_index" on "wallet_transactions" ("tenant", "user_id", "id" desc)',
    },
  ],
  checks: [
    { name: 'wallet_transactions_amount_check', expression: 'amount > 0' },
    { name: 'wallet_transactions_kind_check', expression: "kind ~ '^[a-z][a-z_]*$'" },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.string().length(32),
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('wallet_transactions_user_fk'),
    kind: p.string().$type<TransactionKind>().length(32),
    status: p.enum(TRANSACTION_STATUSES).default('pending'),
    amount: p.bigint('bigint'),
    currency: p.manyToOne(Currency).mapToPk().fieldName('currency').foreignKeyName('wallet_transactions_currency_fk'),
    reference: p.string().unique(),
    workflowId: p.string().unique(),
    providerReference: p.string().nullable(),
    holdId: p.bigint('bigint').nullable(),
    details: p.json<Record<string, unknown>>().default('{}'),
    failureReason: p.string().nullable(),
    /** A purchase whose outcome stayed unknown: its flow waits for an operator's decision. */
    underReview: p.boolean().default(false),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
