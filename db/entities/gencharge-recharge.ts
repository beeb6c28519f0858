import { defineEntity, p } from '@mikro-orm/core';
import { GenChargeOffer, GenChargePlan } from './gencharge.js';
import { User } from './user.js';

/** `queued`: bought to start when the phone's current plan ends; `active` until `validTo`, then `expired`. */
export const GENCHARGE_SUBSCRIPTION_STATUSES = ['active', 'queued', 'expired'] as const;
export type GenChargeSubscriptionStatus = (typeof GENCHARGE_SUBSCRIPTION_STATUSES)[number];

/**
 * A plan bought for a phone (`/recharge/my/plans`), written once the operator recharged it. Its
 * validity flow (`runPlanValidity`) moves it from queued to active to expired on durable timers.
 * `amount` (paise) is what was charged, after the offer.
 */
export const GenChargeSubscription = defineEntity({
  name: 'GenChargeSubscription',
  tableName: 'gencharge_subscriptions',
  indexes: [
    { properties: ['user', 'createdAt'] },
    { properties: ['phoneNumber', 'status'] },
    // Plans bought in a date range (analytics).
    { properties: ['createdAt'] },
  ],
  checks: [{ name: 'gencharge_subscriptions_amount_check', expression: 'amount > 0' }],
  properties: {
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('gencharge_subscriptions_user_fk').deleteRule('no action').updateRule('no action'),
    // A plan or offer in use is retired by the catalogue, not deleted: `no action` refuses the delete.
    plan: p.manyToOne(GenChargePlan).mapToPk().fieldName('plan_id').foreignKeyName('gencharge_subscriptions_plan_fk').deleteRule('no action').index(),
    offer: p.manyToOne(GenChargeOffer).mapToPk().fieldName('offer_id').foreignKeyName('gencharge_subscriptions_offer_fk').deleteRule('no action').nullable().index(),
    /** The 10-digit number recharged, as the app shows it. */
    phoneNumber: p.string().length(10),
    amount: p.bigint('bigint'),
    /** The order's reference: the operator's client_ref and the history row's reference. */
    reference: p.string().length(64).unique(),
    /** The history row (`wallet_transactions.id`) that paid for it. */
    transactionId: p.bigint('number'),
    source: p.string().length(16),
    paymentMethod: p.string().length(16),
    validFrom: p.datetime(),
    validTo: p.datetime(),
    status: p.enum(GENCHARGE_SUBSCRIPTION_STATUSES),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
