import type { FilterQuery, InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toMajorString } from '../../../core/money.js';
import { GenChargeReferralReward, type GenChargeReferralStatus } from '../../../db/entities/index.js';
import { pageWindow, withinDates, type PageRequest } from './listing.js';
import { GENCHARGE } from './tenant.js';

/** Referral rewards as the app shows them; the rewards themselves are paid by the `rewardReferrer` activity. */

type Reward = InferEntity<typeof GenChargeReferralReward>;

export interface RewardFilters {
  referrer_id?: number;
  referred_id?: number;
  status?: GenChargeReferralStatus;
  /** `created_at` from and to (inclusive): days in India, or instants. */
  start_date?: string;
  end_date?: string;
}

export const rewardView = (r: Reward) => ({
  reward_id: r.id,
  referrer_id: r.referrer,
  referred_id: r.referred,
  reward_amount: toMajorString(r.rewardAmount, GENCHARGE.currency),
  status: r.status,
  created_at: r.createdAt.toISOString(),
  claimed_at: r.claimedAt?.toISOString() ?? null,
});

/** Newest first; the id keeps rewards of one instant in one order from page to page. */
export async function listRewards(em: EntityManager, filters: RewardFilters, page: PageRequest) {
  const created = withinDates(filters.start_date, filters.end_date);
  const where: FilterQuery<Reward> = {
    ...(filters.referrer_id !== undefined && { referrer: filters.referrer_id }),
    ...(filters.referred_id !== undefined && { referred: filters.referred_id }),
    ...(filters.status && { status: filters.status }),
    ...(created && { createdAt: created }),
  };
  const [rows, total] = await em.fork().findAndCount(GenChargeReferralReward, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...pageWindow(page) });
  return { items: rows.map(rewardView), total };
}
