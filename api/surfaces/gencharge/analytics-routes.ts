import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUser } from '../../auth.js';
import { query } from '../../validation.js';
import * as A from './analytics.js';
import { Analytics, analyticsQuery } from './analytics-schemas.js';
import type { GenChargeRoutes } from './router.js';
import { ERRORS } from './schemas.js';

type Read = (em: EntityManager, range: A.AnalyticsRange) => Promise<A.Analytics>;

const AdminQuery = analyticsQuery('day');
const MyQuery = analyticsQuery('month');

const QUERY_NOTE = `Query: \`from\`/\`to\` (inclusive; a day such as 2025-11-10 is the whole day in India, or give an ISO date-time with its offset; by default the last 30 days, 12 weeks or 12 months, today included) and \`granularity\` (day, week or month). From after to, or more than ${A.MAX_PERIODS} periods, is a 422.`;

/** The admin dashboard's analytics, each read with the Analytics permission. */
const ADMIN_ANALYTICS: Array<{ path: string; summary: string; what: string; read: Read }> = [
  {
    path: '/analytics/users',
    summary: 'Users analytics',
    what: 'Live users now `by_status` (active, inactive, blocked) and `by_type` (prepaid, postpaid); `series`: sign-ups (registrations, including users since archived) per period. `totals`: `users` (live now), `signups` (in the range), `archived_users` (ever).',
    read: A.usersAnalytics,
  },
  {
    path: '/analytics/users-archive',
    summary: 'Users archive analytics',
    what: 'Archived users `by_status` and `by_type` (as they were when archived); `series`: archivings per period. `totals`: `archived_users` (ever), `archived_in_range`.',
    read: A.archivedUsersAnalytics,
  },
  {
    path: '/analytics/admins',
    summary: 'Admins analytics',
    what: 'Admins now `by_type` (role name) and `by_status` (`active`: password set; `invited`: not yet); `breakdowns.by_role` (role id, name, count); `series`: admins added per period. `totals`: `admins`, `new_admins` (in the range), `roles_in_use`.',
    read: A.adminsAnalytics,
  },
  {
    path: '/analytics/plans',
    summary: 'Plans analytics',
    what: 'Plans now `by_status` and `by_type` (plan type); `breakdowns.by_group` (plan group: id, name, plans) and `breakdowns.top_plans` (the 10 most bought in the range, with their amount); `series`: plans bought (subscriptions) per period with what they cost. `totals`: `plans`, `active_plans`, `subscriptions` and `subscription_amount` (in the range).',
    read: A.plansAnalytics,
  },
  {
    path: '/analytics/current-active-plans',
    summary: 'Current active plans analytics',
    what: 'Bought plans now `by_status` (active, queued, expired); the active ones `by_type` (plan type), `breakdowns.by_plan` (with `valid_to`: when the last of them ends) and `breakdowns.by_operator` (JIO, AIRTEL, VI, BSNL; UNKNOWN when the plan names none); `series`: plans starting (`valid_from`) per period with what they cost. `totals`: `active_subscriptions`, `queued_subscriptions`, `active_users`, `active_numbers`, `started_in_range`, `started_amount`.',
    read: A.currentActivePlansAnalytics,
  },
  {
    path: '/analytics/offers',
    summary: 'Offers analytics',
    what: 'Offers now `by_status` and `by_type` (offer type name); `breakdowns.top_offers` (the 10 most used in the range); `series`: offers used (plans bought with an offer) per period with what they cost. `totals`: `offers`, `active_offers`, `offers_used` and `offer_sales_amount` (in the range).',
    read: A.offersAnalytics,
  },
  {
    path: '/analytics/referrals',
    summary: 'Referrals analytics',
    what: 'Rewards earned in the range `by_status`; `series`: rewards per period with their sum. `totals`: `rewards`, `reward_amount`, `referrers` (distinct, in the range), `all_time_rewards`, `all_time_reward_amount`.',
    read: A.referralsAnalytics,
  },
  {
    path: '/analytics/transactions',
    summary: 'Transactions analytics',
    what: 'Wallet history in the range (top-ups, recharges, referral rewards) `by_status` and `by_type` (kind: funding, recharge, referral_reward); `breakdowns.by_kind` with the sum of the successful ones; `series`: every transaction counted per period, the successful ones summed. `totals`: `transactions`, `successful`, `pending`, `failed`, `success_amount`, `topup_amount`, `recharge_amount`, `referral_reward_amount` (successful ones only).',
    read: A.transactionsAnalytics,
  },
];

/** GenCharge analytics: eight for admins (Analytics read), the public backup analytics, and the user's own. */
export function registerAnalyticsRoutes({ deps, route, adminRoute, userOnly }: GenChargeRoutes): void {
  const { invalid, unauthorized, forbidden } = ERRORS;
  const answer = { description: 'Analytics', schema: Analytics };

  for (const { path, summary, what, read } of ADMIN_ANALYTICS) {
    adminRoute(
      'Analytics',
      { method: 'get', path, summary, description: `${what}\n\n${QUERY_NOTE}`, query: AdminQuery, responses: { 200: answer, 422: invalid } },
      async (req, res) => {
        res.json(await read(deps.em.fork(), A.resolveRange(query(req, AdminQuery))));
      },
    );
  }

  route(
    {
      method: 'get',
      path: '/analytics/backup',
      summary: 'Backups analytics',
      description: `No sign-in needed, so it names no file, path, storage key, checksum or failure reason. Backups made in the range \`by_status\` (running, success, failed) and \`by_type\` (\`full\` database or chosen \`tables\`); \`series\`: backups made per period. \`totals\`: \`backups\`, \`successful\`, \`failed\`, \`running\` (in the range), \`successful_backups_kept\`, \`stored_bytes\` (their size), \`last_success_at\`, \`last_backup_at\` (ever; null when none).\n\n${QUERY_NOTE}`,
      secured: false,
      query: AdminQuery,
      responses: { 200: answer, 422: invalid },
    },
    async (req, res) => {
      res.json(await A.backupAnalytics(deps.em.fork(), A.resolveRange(query(req, AdminQuery))));
    },
  );

  route(
    {
      method: 'get',
      path: '/analytics/me/users',
      summary: 'My user insight analytics',
      description: `The signed-in user's own (admins are refused: 403). \`series\`: what they spent on recharges (successful ones) per period, by month unless asked otherwise. Their wallet history in the range \`by_status\` and \`by_type\` (kind), \`breakdowns.by_kind\` (successful sums) and \`breakdowns.active_plans\` (plans active now, with \`valid_to\`). \`totals\`: \`recharges\`, \`spent\`, \`topped_up\`, \`transactions\` (in the range), \`plans_bought\` and \`plans_bought_amount\` (ever), \`active_plans\`, \`wallet_balance\` (available now, rupees).\n\n${QUERY_NOTE} Here the granularity is \`month\` by default (the last 12 months).`,
      secured: true,
      query: MyQuery,
      responses: { 200: answer, 401: unauthorized, 403: forbidden, 422: invalid },
    },
    ...userOnly,
    async (req, res) => {
      const range = A.resolveRange(query(req, MyQuery));
      res.json(await A.myAnalytics(deps.em.fork(), range, requireUser(req).id));
    },
  );
}
