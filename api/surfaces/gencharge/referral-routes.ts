import { GENCHARGE_REFERRAL_STATUSES } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { query } from '../../validation.js';
import { DateBound, pagedQuery, pageOf, pageSchema } from './listing.js';
import { listRewards } from './referrals.js';
import type { GenChargeRoutes } from './router.js';
import { ERRORS, PositiveId } from './schemas.js';


const Reward = z
  .object({
    reward_id: z.number().int(),
    referrer_id: z.number().int(),
    referred_id: z.number().int(),
    reward_amount: z.string().openapi({ description: 'Rupees, two decimals', example: '50.00' }),
    status: z.enum(GENCHARGE_REFERRAL_STATUSES),
    created_at: z.string().openapi({ format: 'date-time' }),
    claimed_at: z.string().nullable().openapi({ format: 'date-time', description: 'When the reward reached the wallet' }),
  })
  .openapi('GenChargeReferralReward');
const RewardPage = pageSchema('items', Reward).openapi('GenChargeReferralRewardPage');

const MyRewardsQuery = pagedQuery({}, 20);
const AllRewardsQuery = pagedQuery(
  {
    referrer_id: PositiveId.optional(),
    referred_id: PositiveId.optional(),
    status: z.enum(GENCHARGE_REFERRAL_STATUSES).optional(),
    start_date: DateBound.optional().openapi({ description: 'Rewards earned on or after this day (from its start in India) or instant' }),
    end_date: DateBound.optional().openapi({ description: 'Rewards earned on or before this day (through its end in India) or instant' }),
  },
  20,
);

const EARNED_NOTE =
  "A referrer earns the configured reward when a user who registered with their referral code first recharges successfully (paid), once per referred user. It is credited to the referrer's wallet at once, so `claimed_at` is when it was credited. Newest first; `page` from 1, `size` (default 20).";

/** Referral rewards: the referrer's own, and every one (admin, Referrals permission). */
export function registerReferralRoutes({ deps, route, adminRoute, userOnly }: GenChargeRoutes): void {
  route(
    {
      method: 'get',
      path: '/referrals/me',
      summary: 'My referral rewards',
      description: EARNED_NOTE,
      secured: true,
      query: MyRewardsQuery,
      responses: { 200: { description: 'A page of my rewards', schema: RewardPage }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      const page = query(req, MyRewardsQuery);
      const { items, total } = await listRewards(deps.em, { referrer_id: requireUser(req).id }, page);
      res.json(pageOf('items', items, total, page));
    },
  );

  adminRoute(
    'Referrals',
    {
      method: 'get',
      path: '/referrals/admin/all',
      summary: 'All referral rewards (admin)',
      description: `${EARNED_NOTE} Filters: \`referrer_id\`, \`referred_id\`, \`status\`, and \`start_date\`/\`end_date\` (inclusive, of \`created_at\`: days in India, or instants).`,
      query: AllRewardsQuery,
      responses: { 200: { description: 'A page of rewards', schema: RewardPage }, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const { page, size, ...filters } = query(req, AllRewardsQuery);
      const { items, total } = await listRewards(deps.em, filters, { page, size });
      res.json(pageOf('items', items, total, { page, size }));
    },
  );
}
