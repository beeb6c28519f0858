import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/** A reward is credited to the referrer's wallet the moment it is earned. */
export const GENCHARGE_REFERRAL_STATUSES = ['earned'] as const;
export type GenChargeReferralStatus = (typeof GENCHARGE_REFERRAL_STATUSES)[number];

/**
 * What a referrer earned for one referred user's first successful paid recharge. `referred_id` is
 * unique: two recharges racing insert one row, and only the call that inserted it posts the money.
 * `claimedAt` is when the reward reached the referrer's wallet (the same transaction, today).
 */
export const GenChargeReferralReward = defineEntity({
  name: 'GenChargeReferralReward',
  tableName: 'gencharge_referral_rewards',
  indexes: [{ properties: ['referrer', 'createdAt'] }, { properties: ['createdAt'] }],
  checks: [{ name: 'gencharge_referral_rewards_amount_check', expression: 'reward_amount > 0' }],
  properties: {
    id: p.integer().primary().autoincrement(),
    referrer: p.manyToOne(User).mapToPk().fieldName('referrer_id').foreignKeyName('gencharge_referral_rewards_referrer_fk').deleteRule('no action'),
    referred: p.manyToOne(User).mapToPk().fieldName('referred_id').foreignKeyName('gencharge_referral_rewards_referred_fk').deleteRule('no action').unique(),
    /** Paise. */
    rewardAmount: p.bigint('bigint'),
    status: p.enum(GENCHARGE_REFERRAL_STATUSES).default('earned'),
    /** The recharge that earned it. */
    reference: p.string().length(64),
    createdAt: p.datetime().defaultRaw('now()'),
    claimedAt: p.datetime().nullable(),
  },
});
