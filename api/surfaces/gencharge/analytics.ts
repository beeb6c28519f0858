import type { EntityManager } from '@mikro-orm/postgresql';
import { walletAccountCode } from '../../../core/accounts.js';
import { planOperator } from '../../../core/gencharge-recharge.js';
import { availableBalances } from '../../../core/ledger.js';
import type { TransactionKind } from '../../../db/entities/index.js';
import { dayText, DAY_MS, INDIA_TIME_ZONE, indianDayNumber } from '../../../core/india-calendar.js';
import { withinDates } from './listing.js';
import { rupeesText, TRANSACTION_VIEWS } from './recharge.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge's analytics: aggregate reads for the admin dashboard and the app's own insight page.
 * Every answer has one shape (`Analytics`): the range it covers, headline `totals`, counts
 * `by_status` and `by_type`, ranked `breakdowns`, and a `series` with one point per calendar
 * period in India, empty periods included, so a chart draws its gaps. Amounts are summed in paise
 * and shown as rupee strings.
 */

/** Periods are Indian calendar days, weeks (from Monday) and months. */
export const ANALYTICS_TIME_ZONE = INDIA_TIME_ZONE;
export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
/** More points than a year of days is no chart; a coarser granularity or a shorter range is. */
export const MAX_PERIODS = 366;
/** The default range ends today and holds this many periods. */
const DEFAULT_PERIODS: Record<Granularity, number> = { day: 30, week: 12, month: 12 };
/** Ranked breakdowns (plans, offers) show the top few. */
const TOP = 10;

/** 1970-01-01 was a Thursday: this is 0 on Mondays. */
const weekday = (day: number) => (((day + 3) % 7) + 7) % 7;
const monthIndex = (day: number) => {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

export interface RangeRequest {
  from?: string | undefined;
  to?: string | undefined;
  granularity: Granularity;
}

export interface AnalyticsRange {
  /** As asked, or the default: a calendar day (the whole day in India) or an instant. */
  from: string;
  to: string;
  granularity: Granularity;
  /** The instants covered: `start` inclusive, `end` exclusive. */
  start: Date;
  end: Date;
}

/**
 * The range a query covers. `to` defaults to today in India; `from` to the start of the period
 * that makes the default number of periods (30 days, 12 weeks or 12 months, this one included).
 */
export function resolveRange({ from, to, granularity }: RangeRequest): AnalyticsRange {
  const until = to ?? dayText(indianDayNumber(new Date()));
  const since = from ?? defaultFrom(indianDayNumber(withinDates(until, undefined)!.$gte!), granularity);
  const bounds = withinDates(since, until)!;
  const start = bounds.$gte!;
  const end = bounds.$lt ?? new Date(bounds.$lte!.getTime() + 1);
  return { from: since, to: until, granularity, start, end };
}

function defaultFrom(lastDay: number, granularity: Granularity): string {
  const periods = DEFAULT_PERIODS[granularity];
  if (granularity === 'day') return dayText(lastDay - (periods - 1));
  if (granularity === 'week') return dayText(lastDay - weekday(lastDay) - 7 * (periods - 1));
  const month = monthIndex(lastDay) - (periods - 1);
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-01`;
}

/** How many periods a range spans, partial first and last ones included. */
export function periodCount(range: Pick<AnalyticsRange, 'start' | 'end' | 'granularity'>): number {
  const first = indianDayNumber(range.start);
  const last = indianDayNumber(new Date(range.end.getTime() - 1));
  if (range.granularity === 'day') return last - first + 1;
  if (range.granularity === 'week') return (last - weekday(last) - (first - weekday(first))) / 7 + 1;
  return monthIndex(last) - monthIndex(first) + 1;
}

/** Why a range cannot be answered, on the query field to blame; undefined when it can. */
export function rangeProblem(request: RangeRequest): { field: 'from' | 'to'; message: string } | undefined {
  const range = resolveRange(request);
  if (range.start.getTime() >= range.end.getTime()) return { field: 'from', message: 'Value error, from must not be after to' };
  const periods = periodCount(range);
  if (periods > MAX_PERIODS) {
    return { field: 'from', message: `Value error, the range spans ${periods} ${range.granularity}s; at most ${MAX_PERIODS} periods are answered (choose a shorter range or a coarser granularity)` };
  }
  return undefined;
}

// --- the shape ------------------------------------------------------------------------------

export interface SeriesPoint {
  /** The period's first day in India (a Monday for weeks, the 1st for months). */
  period: string;
  count: number;
  /** Rupees, for series of money. */
  amount?: string;
}

export interface BreakdownItem {
  key: string;
  label: string | null;
  count: number;
  amount?: string;
  /** For plans in use: when the latest of them ends. */
  valid_to?: string;
}

export interface Analytics {
  range: { from: string; to: string; granularity: Granularity; time_zone: typeof ANALYTICS_TIME_ZONE; periods: number };
  totals: Record<string, number | string | null>;
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  breakdowns: Record<string, BreakdownItem[]>;
  series: SeriesPoint[];
}

function analytics(range: AnalyticsRange, parts: Partial<Omit<Analytics, 'range' | 'series'>> & { series: SeriesPoint[] }): Analytics {
  return {
    range: { from: range.from, to: range.to, granularity: range.granularity, time_zone: ANALYTICS_TIME_ZONE, periods: parts.series.length },
    totals: parts.totals ?? {},
    by_status: parts.by_status ?? {},
    by_type: parts.by_type ?? {},
    breakdowns: parts.breakdowns ?? {},
    series: parts.series,
  };
}

// --- the one time-series query --------------------------------------------------------------

/** What a series counts: a select whose rows each carry `at` (timestamptz) and, for money, `amount` (paise; null rows add nothing). */
interface Events {
  sql: string;
  params?: unknown[];
  money?: boolean;
}

/**
 * One point per period of the range, in India's calendar, with the events in it (zeros where
 * none). The range's bounds filter `at` outside the events' select; Postgres pushes them down, so
 * an index on the underlying timestamp serves them.
 */
async function seriesOf(em: EntityManager, range: AnalyticsRange, events: Events): Promise<SeriesPoint[]> {
  const unit = range.granularity;
  const last = new Date(range.end.getTime() - 1);
  const rows = await em.execute<Array<{ period: string; count: number; amount: string | null }>>(
    `with periods as (
       select generate_series(date_trunc(?, ?::timestamptz at time zone '${ANALYTICS_TIME_ZONE}'), date_trunc(?, ?::timestamptz at time zone '${ANALYTICS_TIME_ZONE}'), ?::interval) as start
     ), counted as (
       select date_trunc(?, e.at at time zone '${ANALYTICS_TIME_ZONE}') as start, count(*)::int as count, ${events.money ? 'coalesce(sum(e.amount), 0)::text' : 'null::text'} as amount
       from (${events.sql}) e
       where e.at >= ?::timestamptz and e.at < ?::timestamptz
       group by 1
     )
     select to_char(p.start, 'YYYY-MM-DD') as period, coalesce(c.count, 0)::int as count, ${events.money ? "coalesce(c.amount, '0')" : 'null'} as amount
     from periods p left join counted c on c.start = p.start
     order by p.start`,
    [unit, range.start.toISOString(), unit, last.toISOString(), `1 ${unit}`, unit, ...(events.params ?? []), range.start.toISOString(), range.end.toISOString()],
  );
  return rows.map((row) => ({ period: row.period, count: Number(row.count), ...(events.money && { amount: rupeesText(row.amount ?? '0') }) }));
}

const seriesCount = (series: SeriesPoint[]) => series.reduce((sum, point) => sum + point.count, 0);
const seriesPaise = (series: SeriesPoint[]) => series.reduce((sum, point) => sum + paiseOf(point.amount ?? '0'), 0n);
/** Back from a rupee string the series made (two decimals) to paise. */
const paiseOf = (rupees: string) => BigInt(rupees.replace('.', ''));

/** Counts of rows `{ key, count }` as an object. */
function tally(rows: Array<{ key: string | null; count: number | string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) {
    const key = row.key ?? 'unknown';
    out[key] = (out[key] ?? 0) + Number(row.count);
  }
  return out;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const bounds = (range: AnalyticsRange) => [range.start.toISOString(), range.end.toISOString()];

// --- users ----------------------------------------------------------------------------------

/** Users now, by status and by type, live or archived. */
async function profileCounts(em: EntityManager, archived: boolean) {
  const rows = await em.execute<Array<{ status: string; user_type: string; count: number }>>(
    `select p.status, p.user_type, count(*)::int as count
     from gencharge_profiles p join users u on u.id = p.user_id
     where u.deleted_at is ${archived ? 'not ' : ''}null
     group by 1, 2`,
  );
  return {
    byStatus: tally(rows.map((r) => ({ key: r.status, count: r.count }))),
    byType: tally(rows.map((r) => ({ key: r.user_type, count: r.count }))),
  };
}

/**
 * Live users now by status and type; sign-ups (registrations, whether since archived or not) per
 * period.
 */
export async function usersAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [live, archived, series] = await Promise.all([
    profileCounts(em, false),
    em.execute<Array<{ count: number }>>('select count(*)::int as count from gencharge_profiles p join users u on u.id = p.user_id where u.deleted_at is not null'),
    seriesOf(em, range, { sql: 'select p.created_at as at from gencharge_profiles p' }),
  ]);
  return analytics(range, {
    totals: { users: sum(live.byStatus), signups: seriesCount(series), archived_users: Number(archived[0]?.count ?? 0) },
    by_status: live.byStatus,
    by_type: live.byType,
    series,
  });
}

/** Archived users by the status and type they had; archivings per period. */
export async function archivedUsersAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [archived, series] = await Promise.all([
    profileCounts(em, true),
    // The profile join keeps to mobile users: a deleted admin is archived too, but has none.
    seriesOf(em, range, { sql: 'select u.deleted_at as at from users u join gencharge_profiles p on p.user_id = u.id where u.deleted_at is not null' }),
  ]);
  return analytics(range, {
    totals: { archived_users: sum(archived.byStatus), archived_in_range: seriesCount(series) },
    by_status: archived.byStatus,
    by_type: archived.byType,
    series,
  });
}

// --- admins ---------------------------------------------------------------------------------

/** Admins now by role (`by_type`) and by whether they have set their password (`by_status`: active, invited); admins added per period. */
export async function adminsAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [rows, series] = await Promise.all([
    em.execute<Array<{ role_id: number; role: string; active: boolean; count: number }>>(
      `select r.id as role_id, r.name as role, u.password_hash is not null as active, count(*)::int as count
       from gencharge_admins a join users u on u.id = a.user_id join gencharge_roles r on r.id = a.role_id
       group by 1, 2, 3`,
    ),
    seriesOf(em, range, { sql: 'select a.created_at as at from gencharge_admins a' }),
  ]);
  const byRole = new Map<number, BreakdownItem>();
  for (const row of rows) {
    const item = byRole.get(row.role_id) ?? { key: String(row.role_id), label: row.role, count: 0 };
    item.count += Number(row.count);
    byRole.set(row.role_id, item);
  }
  const byStatus = tally(rows.map((r) => ({ key: r.active ? 'active' : 'invited', count: r.count })));
  return analytics(range, {
    totals: { admins: sum(byStatus), new_admins: seriesCount(series), roles_in_use: byRole.size },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.role, count: r.count }))),
    breakdowns: { by_role: [...byRole.values()].sort((a, b) => b.count - a.count || Number(a.key) - Number(b.key)) },
    series,
  });
}

// --- plans, subscriptions, offers -----------------------------------------------------------

/** Subscriptions bought in the range, per plan or offer, most bought first. */
async function topBought(em: EntityManager, range: AnalyticsRange, by: 'plan' | 'offer'): Promise<BreakdownItem[]> {
  const rows = await em.execute<Array<{ id: number; name: string; count: number; amount: string }>>(
    by === 'plan'
      ? `select s.plan_id as id, p.name, count(*)::int as count, sum(s.amount)::text as amount
         from gencharge_subscriptions s join gencharge_plans p on p.id = s.plan_id
         where s.created_at >= ? and s.created_at < ? group by 1, 2 order by 3 desc, 1 limit ${TOP}`
      : `select s.offer_id as id, o.name, count(*)::int as count, sum(s.amount)::text as amount
         from gencharge_subscriptions s join gencharge_offers o on o.id = s.offer_id
         where s.created_at >= ? and s.created_at < ? group by 1, 2 order by 3 desc, 1 limit ${TOP}`,
    bounds(range),
  );
  return rows.map((r) => ({ key: String(r.id), label: r.name, count: Number(r.count), amount: rupeesText(r.amount) }));
}

/** Plans now by status, type and group; plans bought (subscriptions) per period, with what they cost. */
export async function plansAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [rows, series, byPlan] = await Promise.all([
    em.execute<Array<{ status: string; plan_type: string; group_id: number; group_name: string; count: number }>>(
      `select p.status, p.plan_type, g.id as group_id, g.name as group_name, count(*)::int as count
       from gencharge_plans p join gencharge_plan_groups g on g.id = p.group_id
       group by 1, 2, 3, 4`,
    ),
    seriesOf(em, range, { sql: 'select s.created_at as at, s.amount from gencharge_subscriptions s', money: true }),
    topBought(em, range, 'plan'),
  ]);
  const byGroup = new Map<number, BreakdownItem>();
  for (const row of rows) {
    const item = byGroup.get(row.group_id) ?? { key: String(row.group_id), label: row.group_name, count: 0 };
    item.count += Number(row.count);
    byGroup.set(row.group_id, item);
  }
  const byStatus = tally(rows.map((r) => ({ key: r.status, count: r.count })));
  return analytics(range, {
    totals: { plans: sum(byStatus), active_plans: byStatus.active ?? 0, subscriptions: seriesCount(series), subscription_amount: rupeesText(seriesPaise(series)) },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.plan_type, count: r.count }))),
    breakdowns: { by_group: [...byGroup.values()].sort((a, b) => b.count - a.count || Number(a.key) - Number(b.key)), top_plans: byPlan },
    series,
  });
}

/**
 * Plans in use now: subscriptions by status, the active ones by plan type, plan and operator (as
 * the recharge names it: the plan's criteria, else its group's name); starts (valid_from) per period.
 */
export async function currentActivePlansAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [statuses, active, people, series] = await Promise.all([
    em.execute<Array<{ key: string; count: number }>>('select status as key, count(*)::int as count from gencharge_subscriptions group by 1'),
    em.execute<Array<{ plan_id: number; name: string; plan_type: string; criteria: Record<string, unknown>; group_name: string; count: number; amount: string; valid_to: Date }>>(
      `select s.plan_id, p.name, p.plan_type, p.criteria, g.name as group_name, count(*)::int as count, sum(s.amount)::text as amount, max(s.valid_to) as valid_to
       from gencharge_subscriptions s join gencharge_plans p on p.id = s.plan_id join gencharge_plan_groups g on g.id = p.group_id
       where s.status = 'active'
       group by 1, 2, 3, 4, 5`,
    ),
    em.execute<Array<{ users: number; numbers: number }>>(
      "select count(distinct user_id)::int as users, count(distinct phone_number)::int as numbers from gencharge_subscriptions where status = 'active'",
    ),
    seriesOf(em, range, { sql: 'select s.valid_from as at, s.amount from gencharge_subscriptions s', money: true }),
  ]);
  const byOperator = new Map<string, BreakdownItem>();
  for (const row of active) {
    const operator = planOperator(row.criteria ?? {}, row.group_name) ?? 'UNKNOWN';
    const item = byOperator.get(operator) ?? { key: operator, label: operator, count: 0 };
    item.count += Number(row.count);
    byOperator.set(operator, item);
  }
  const byPlan = active
    .map((r) => ({ key: String(r.plan_id), label: r.name, count: Number(r.count), amount: rupeesText(r.amount), valid_to: new Date(r.valid_to).toISOString() }))
    .sort((a, b) => b.count - a.count || Number(a.key) - Number(b.key));
  const byStatus = tally(statuses);
  return analytics(range, {
    totals: {
      active_subscriptions: byStatus.active ?? 0,
      queued_subscriptions: byStatus.queued ?? 0,
      active_users: Number(people[0]?.users ?? 0),
      active_numbers: Number(people[0]?.numbers ?? 0),
      started_in_range: seriesCount(series),
      started_amount: rupeesText(seriesPaise(series)),
    },
    by_status: byStatus,
    by_type: tally(active.map((r) => ({ key: r.plan_type, count: r.count }))),
    breakdowns: { by_plan: byPlan, by_operator: [...byOperator.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)) },
    series,
  });
}

/** Offers now by status and offer type; offers used (subscriptions bought with an offer) per period, with what they cost. */
export async function offersAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [rows, series, byOffer] = await Promise.all([
    em.execute<Array<{ status: string; type: string; count: number }>>(
      `select o.status, t.name as type, count(*)::int as count
       from gencharge_offers o join gencharge_offer_types t on t.id = o.offer_type_id
       group by 1, 2`,
    ),
    seriesOf(em, range, { sql: 'select s.created_at as at, s.amount from gencharge_subscriptions s where s.offer_id is not null', money: true }),
    topBought(em, range, 'offer'),
  ]);
  const byStatus = tally(rows.map((r) => ({ key: r.status, count: r.count })));
  return analytics(range, {
    totals: { offers: sum(byStatus), active_offers: byStatus.active ?? 0, offers_used: seriesCount(series), offer_sales_amount: rupeesText(seriesPaise(series)) },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.type, count: r.count }))),
    breakdowns: { top_offers: byOffer },
    series,
  });
}

// --- referrals ------------------------------------------------------------------------------

/** Rewards earned in the range (count, sum, referrers) and in all; rewards per period with their sum. */
export async function referralsAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [inRange, referrers, allTime, series] = await Promise.all([
    em.execute<Array<{ key: string; count: number }>>(
      'select status as key, count(*)::int as count from gencharge_referral_rewards where created_at >= ? and created_at < ? group by 1',
      bounds(range),
    ),
    em.execute<Array<{ count: number }>>(
      'select count(distinct referrer_id)::int as count from gencharge_referral_rewards where created_at >= ? and created_at < ?',
      bounds(range),
    ),
    em.execute<Array<{ count: number; amount: string }>>('select count(*)::int as count, coalesce(sum(reward_amount), 0)::text as amount from gencharge_referral_rewards'),
    seriesOf(em, range, { sql: 'select r.created_at as at, r.reward_amount as amount from gencharge_referral_rewards r', money: true }),
  ]);
  return analytics(range, {
    totals: {
      rewards: seriesCount(series),
      reward_amount: rupeesText(seriesPaise(series)),
      referrers: Number(referrers[0]?.count ?? 0),
      all_time_rewards: Number(allTime[0]?.count ?? 0),
      all_time_reward_amount: rupeesText(allTime[0]?.amount ?? '0'),
    },
    by_status: tally(inRange),
    series,
  });
}

// --- transactions ---------------------------------------------------------------------------

/** The history kinds GenCharge shows (top-ups, recharges, referral rewards). */
const GENCHARGE_KINDS = Object.keys(TRANSACTION_VIEWS) as TransactionKind[];

interface KindStatusRow {
  kind: string;
  status: string;
  count: number;
  /** Paise of the successful ones. */
  amount: string;
}

/** Transactions in the range by kind and status, with the sums of the successful ones; for one user, or all. */
async function transactionCounts(em: EntityManager, range: AnalyticsRange, userId?: number): Promise<KindStatusRow[]> {
  return em.execute<KindStatusRow[]>(
    `select kind, status, count(*)::int as count, coalesce(sum(amount) filter (where status = 'success'), 0)::text as amount
     from wallet_transactions
     where tenant = ? and kind in (?) ${userId === undefined ? '' : 'and user_id = ?'} and created_at >= ? and created_at < ?
     group by 1, 2`,
    [GENCHARGE.slug, GENCHARGE_KINDS, ...(userId === undefined ? [] : [userId]), ...bounds(range)],
  );
}

function byKind(rows: KindStatusRow[]): BreakdownItem[] {
  const kinds = new Map<string, { count: number; paise: bigint }>();
  for (const row of rows) {
    const kind = kinds.get(row.kind) ?? { count: 0, paise: 0n };
    kind.count += Number(row.count);
    kind.paise += BigInt(row.amount);
    kinds.set(row.kind, kind);
  }
  return [...kinds.entries()]
    .map(([key, { count, paise }]) => ({ key, label: TRANSACTION_VIEWS[key as TransactionKind]?.source ?? key, count, amount: rupeesText(paise) }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

const successPaise = (rows: KindStatusRow[], kind?: string) => rows.filter((r) => kind === undefined || r.kind === kind).reduce((total, r) => total + BigInt(r.amount), 0n);

/**
 * Wallet history in the range (top-ups, recharges, referral rewards): counts by status and by kind,
 * sums of the successful ones; per period, every transaction counted and the successful ones summed.
 */
export async function transactionsAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [rows, series] = await Promise.all([
    transactionCounts(em, range),
    seriesOf(em, range, {
      sql: "select t.created_at as at, case when t.status = 'success' then t.amount end as amount from wallet_transactions t where t.tenant = ? and t.kind in (?)",
      params: [GENCHARGE.slug, GENCHARGE_KINDS],
      money: true,
    }),
  ]);
  const byStatus = tally(rows.map((r) => ({ key: r.status, count: r.count })));
  return analytics(range, {
    totals: {
      transactions: sum(byStatus),
      successful: byStatus.success ?? 0,
      pending: byStatus.pending ?? 0,
      failed: byStatus.failed ?? 0,
      success_amount: rupeesText(successPaise(rows)),
      topup_amount: rupeesText(successPaise(rows, 'funding')),
      recharge_amount: rupeesText(successPaise(rows, 'recharge')),
      referral_reward_amount: rupeesText(successPaise(rows, 'referral_reward')),
    },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.kind, count: r.count }))),
    breakdowns: { by_kind: byKind(rows) },
    series,
  });
}

// --- backups (public) -----------------------------------------------------------------------

/**
 * Backups made in the range by status and by kind (`full` database or `tables` chosen); the bytes
 * kept by successful backups and the last success, ever. Public, so it names no file, path,
 * storage key, checksum or failure reason.
 */
export async function backupAnalytics(em: EntityManager, range: AnalyticsRange): Promise<Analytics> {
  const [rows, kept, series] = await Promise.all([
    em.execute<Array<{ status: string; kind: string; count: number }>>(
      `select status, case when selection is null then 'full' else 'tables' end as kind, count(*)::int as count
       from gencharge_backups where created_at >= ? and created_at < ? group by 1, 2`,
      bounds(range),
    ),
    em.execute<Array<{ count: number; bytes: string; last_success_at: Date | null; last_backup_at: Date | null }>>(
      `select count(*) filter (where status = 'success')::int as count,
              coalesce(sum(size_bytes) filter (where status = 'success'), 0)::text as bytes,
              max(coalesce(finished_at, created_at)) filter (where status = 'success') as last_success_at,
              max(created_at) as last_backup_at
       from gencharge_backups`,
    ),
    seriesOf(em, range, { sql: 'select b.created_at as at from gencharge_backups b' }),
  ]);
  const byStatus = tally(rows.map((r) => ({ key: r.status, count: r.count })));
  const all = kept[0];
  const iso = (at: Date | null | undefined) => (at ? new Date(at).toISOString() : null);
  return analytics(range, {
    totals: {
      backups: sum(byStatus),
      successful: byStatus.success ?? 0,
      failed: byStatus.failed ?? 0,
      running: byStatus.running ?? 0,
      successful_backups_kept: Number(all?.count ?? 0),
      // Bytes fit a double exactly far beyond any backup's size.
      stored_bytes: Number(all?.bytes ?? 0),
      last_success_at: iso(all?.last_success_at),
      last_backup_at: iso(all?.last_backup_at),
    },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.kind, count: r.count }))),
    series,
  });
}

// --- the caller's own -----------------------------------------------------------------------

/**
 * A user's own insight: what they spent on recharges (successful ones) per period, their wallet
 * history in the range by status and kind, the plans they bought ever, the plans active now, and
 * their wallet balance (the ledger's available balance).
 */
export async function myAnalytics(em: EntityManager, range: AnalyticsRange, userId: number): Promise<Analytics> {
  const [rows, bought, active, balances, series] = await Promise.all([
    transactionCounts(em, range, userId),
    em.execute<Array<{ count: number; amount: string }>>('select count(*)::int as count, coalesce(sum(amount), 0)::text as amount from gencharge_subscriptions where user_id = ?', [userId]),
    em.execute<Array<{ plan_id: number; name: string; count: number; amount: string; valid_to: Date }>>(
      `select s.plan_id, p.name, count(*)::int as count, sum(s.amount)::text as amount, max(s.valid_to) as valid_to
       from gencharge_subscriptions s join gencharge_plans p on p.id = s.plan_id
       where s.user_id = ? and s.status = 'active'
       group by 1, 2 order by 5 desc, 1`,
      [userId],
    ),
    availableBalances(em, GENCHARGE.slug, [walletAccountCode(userId)]),
    seriesOf(em, range, {
      sql: "select t.created_at as at, t.amount from wallet_transactions t where t.tenant = ? and t.user_id = ? and t.kind = 'recharge' and t.status = 'success'",
      params: [GENCHARGE.slug, userId],
      money: true,
    }),
  ]);
  const byStatus = tally(rows.map((r) => ({ key: r.status, count: r.count })));
  return analytics(range, {
    totals: {
      recharges: seriesCount(series),
      spent: rupeesText(seriesPaise(series)),
      topped_up: rupeesText(successPaise(rows, 'funding')),
      transactions: sum(byStatus),
      plans_bought: Number(bought[0]?.count ?? 0),
      plans_bought_amount: rupeesText(bought[0]?.amount ?? '0'),
      active_plans: active.reduce((total, r) => total + Number(r.count), 0),
      wallet_balance: rupeesText(balances.get(walletAccountCode(userId)) ?? 0n),
    },
    by_status: byStatus,
    by_type: tally(rows.map((r) => ({ key: r.kind, count: r.count }))),
    breakdowns: {
      by_kind: byKind(rows),
      active_plans: active.map((r) => ({ key: String(r.plan_id), label: r.name, count: Number(r.count), amount: rupeesText(r.amount), valid_to: new Date(r.valid_to).toISOString() })),
    },
    series,
  });
}

// --- a dashboard's headline -----------------------------------------------------------------

/** A few headline numbers, taken from the analytics above (the sample admin dashboard). */
export async function dashboardHeadline(em: EntityManager, range: AnalyticsRange) {
  const [users, active, transactions, referrals] = await Promise.all([
    usersAnalytics(em, range),
    currentActivePlansAnalytics(em, range),
    transactionsAnalytics(em, range),
    referralsAnalytics(em, range),
  ]);
  return {
    range: users.range,
    users: users.totals.users,
    signups: users.totals.signups,
    active_subscriptions: active.totals.active_subscriptions,
    transactions: transactions.totals.transactions,
    success_amount: transactions.totals.success_amount,
    recharge_amount: transactions.totals.recharge_amount,
    topup_amount: transactions.totals.topup_amount,
    referral_rewards: referrals.totals.rewards,
    series: transactions.series,
  };
}
