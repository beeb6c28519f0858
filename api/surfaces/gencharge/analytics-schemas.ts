import { z } from '../../openapi.js';
import { ANALYTICS_TIME_ZONE, GRANULARITIES, MAX_PERIODS, rangeProblem, type Granularity } from './analytics.js';
import { DateBound } from './listing.js';

/** The analytics query and the one answer shape every analytics route gives. */

/**
 * `from`, `to` (a day in India or an instant; both inclusive) and `granularity`. From after to,
 * or more than MAX_PERIODS periods, is a 422 on `from`.
 */
export function analyticsQuery(defaultGranularity: Granularity = 'day') {
  return z
    .object({
      from: DateBound.optional().openapi({ description: 'First day (from its start in India) or instant; by default as many periods back as the granularity shows (30 days, 12 weeks, 12 months)' }),
      to: DateBound.optional().openapi({ description: 'Last day (through its end in India) or instant; today by default' }),
      granularity: z.enum(GRANULARITIES).default(defaultGranularity).openapi({ description: `Series periods: India calendar days, weeks (from Monday) or months; at most ${MAX_PERIODS} in a range` }),
    })
    .superRefine((q, ctx) => {
      // Only well-formed bounds are measured; malformed ones already have their own issue.
      const wellFormed = [q.from, q.to].every((bound) => bound === undefined || DateBound.safeParse(bound).success) && GRANULARITIES.includes(q.granularity);
      const problem = wellFormed ? rangeProblem(q) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    });
}

const Amount = z.string().openapi({ description: 'Rupees, two decimals (summed in paise)', example: '199.00' });

const SeriesPoint = z
  .object({
    period: z.string().openapi({ description: "The period's first day in India (a Monday for weeks, the 1st for months)", example: '2025-11-10' }),
    count: z.number().int(),
    amount: Amount.optional().openapi({ description: 'For series of money: the sum of the period (rupees)' }),
  })
  .openapi('GenChargeAnalyticsPoint');

const BreakdownItem = z
  .object({
    key: z.string().openapi({ description: 'What is counted: an id (plan, offer, role, group) or a name (operator, kind)', example: '12' }),
    label: z.string().nullable().openapi({ example: 'Jio 299' }),
    count: z.number().int(),
    amount: Amount.optional(),
    valid_to: z.string().optional().openapi({ format: 'date-time', description: 'Plans in use: when the latest of them ends' }),
  })
  .openapi('GenChargeAnalyticsItem');

export const ANALYTICS_SHAPE_NOTE = `Every analytics answer has this shape. \`range\` is what was covered (the defaults filled in; \`periods\` is the series' length). \`totals\` are headline numbers (each route lists its keys; money keys are rupee strings summed in paise). \`by_status\` and \`by_type\` count rows by their status and type (each route says whether they describe now or the range). \`breakdowns\` are ranked lists. \`series\` has one point per ${ANALYTICS_TIME_ZONE} calendar period from \`from\` to \`to\`, oldest first, empty periods included with count 0 (and amount "0.00" for money), so a chart draws its gaps.`;

export const Analytics = z
  .object({
    range: z.object({
      from: z.string().openapi({ example: '2025-11-01' }),
      to: z.string().openapi({ example: '2025-11-30' }),
      granularity: z.enum(GRANULARITIES),
      time_zone: z.literal(ANALYTICS_TIME_ZONE),
      periods: z.number().int(),
    }),
    totals: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).openapi({ example: { users: 1200, signups: 85 } }),
    by_status: z.record(z.string(), z.number().int()).openapi({ example: { active: 1100, blocked: 12 } }),
    by_type: z.record(z.string(), z.number().int()).openapi({ example: { prepaid: 1000, postpaid: 200 } }),
    breakdowns: z.record(z.string(), z.array(BreakdownItem)),
    series: z.array(SeriesPoint),
  })
  .openapi('GenChargeAnalytics', { description: ANALYTICS_SHAPE_NOTE });

export const DashboardSample = z
  .object({
    range: Analytics.shape.range,
    users: z.number().int(),
    signups: z.number().int(),
    active_subscriptions: z.number().int(),
    transactions: z.number().int(),
    success_amount: Amount,
    recharge_amount: Amount,
    topup_amount: Amount,
    referral_rewards: z.number().int(),
    series: z.array(SeriesPoint).openapi({ description: 'Transactions per period, successful ones summed' }),
  })
  .openapi('GenChargeDashboardSample');
