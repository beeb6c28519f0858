import type { EntityManager } from '@mikro-orm/postgresql';

export type ActivityPeriod = 'day' | 'week' | 'month' | 'year';

export interface PeriodActivity {
  /** First day of the period in the given time zone, YYYY-MM-DD. */
  periodStart: string;
  accountId: bigint;
  credits: number;
  creditedAmount: bigint;
  debits: number;
  debitedAmount: bigint;
}

/**
 * Posted credits and debits of some accounts per calendar period of a time zone, every period in
 * the range included (empty ones as zeros), for usage statistics. Pending holds do not count.
 */
export async function accountActivityByPeriod(
  em: EntityManager,
  opts: { tenant: string; accountIds: bigint[]; period: ActivityPeriod; from: string; to: string; timeZone: string },
): Promise<PeriodActivity[]> {
  if (opts.accountIds.length === 0) return [];
  const rows = await em.execute<{ period_start: string; account_id: string; credits: string; credited: string; debits: string; debited: string }[]>(
    `with periods as (
       select generate_series(date_trunc(?, ?::timestamp), date_trunc(?, ?::timestamp), ('1 ' || ?)::interval) as start
     ), accounts as (
       select unnest(?::bigint[]) as id
     ), lines as (
       select date_trunc(?, e.created_at at time zone ?) as start, l.account_id, l.direction, l.amount
       from journal_lines l join journal_entries e on e.id = l.entry_id
       where l.account_id in (select id from accounts) and e.tenant = ?
         and e.created_at >= (?::timestamp at time zone ?) and e.created_at < ((?::date + 1)::timestamp at time zone ?)
     )
     select to_char(p.start, 'YYYY-MM-DD') as period_start, a.id as account_id,
            count(l.amount) filter (where l.direction = 'credit') as credits,
            coalesce(sum(l.amount) filter (where l.direction = 'credit'), 0) as credited,
            count(l.amount) filter (where l.direction = 'debit') as debits,
            coalesce(sum(l.amount) filter (where l.direction = 'debit'), 0) as debited
     from periods p cross join accounts a
     left join lines l on l.start = p.start and l.account_id = a.id
     group by p.start, a.id
     order by p.start, a.id`,
    [
      opts.period, opts.from, opts.period, opts.to, opts.period,
      `{${opts.accountIds.join(',')}}`,
      opts.period, opts.timeZone, opts.tenant,
      opts.from, opts.timeZone, opts.to, opts.timeZone,
    ],
  );
  return rows.map((r) => ({
    periodStart: r.period_start,
    accountId: BigInt(r.account_id),
    credits: Number(r.credits),
    creditedAmount: BigInt(r.credited),
    debits: Number(r.debits),
    debitedAmount: BigInt(r.debited),
  }));
}
