import type { Orm } from '../db/orm.js';
import { toMajorString } from '../core/money.js';
import type { GenChargeAutopayRunStatus } from '../db/entities/index.js';
import { withTypedFailures } from './failures.js';

export interface GenChargeAutopayActivityDeps {
  orm: Orm;
}

/** A rule as one run needs it: who, what, for which phone, and how far from due it is by the database's clock. */
export interface AutopayCycle {
  autopayId: number;
  userId: number;
  planId: number;
  phoneNumber: string;
  enabled: boolean;
  /** The rule's `next_due_date` (ISO): the cycle this run is for. */
  dueDate: string;
  /** Negative or zero once due. */
  msUntilDue: number;
  priceMinor: string;
  /** The price as the user reads it ("239.00"). */
  priceRupees: string;
  currency: string;
  validityDays: number;
  planActive: boolean;
}

export interface AutopayRunRecord {
  autopayId: number;
  dueDate: string;
  status: GenChargeAutopayRunStatus;
  reference: string;
  failureReason: string | null;
  /** How far `next_due_date` moves on: the cycle's plan validity. */
  cycleMs: number;
}

interface CycleRow {
  id: number;
  user_id: string;
  plan_id: number;
  phone_number: string;
  status: string;
  due_ms: string;
  ms_until_due: string;
  price: string;
  currency: string;
  validity_days: number;
  plan_status: string;
}

export function createGenChargeAutopayActivities({ orm }: GenChargeAutopayActivityDeps) {
  return withTypedFailures({
    /** Reads the rule of a run; null when it was deleted or its user is gone (nothing to run). */
    async loadAutopayCycle({ tenant, autopayId }: { tenant: string; autopayId: number }): Promise<AutopayCycle | null> {
      const [row] = await orm.em.fork().execute<CycleRow[]>(
        `select a.id, a.user_id, a.plan_id, a.phone_number, a.status, extract(epoch from a.next_due_date) * 1000 as due_ms,
                extract(epoch from (a.next_due_date - now())) * 1000 as ms_until_due,
                p.price, t.currency, p.validity_days, p.status as plan_status
         from gencharge_autopays a
         join users u on u.id = a.user_id
         join tenants t on t.slug = u.tenant
         join gencharge_plans p on p.id = a.plan_id
         where a.id = ? and u.tenant = ? and u.deleted_at is null`,
        [autopayId, tenant],
      );
      if (!row) return null;
      return {
        autopayId: row.id,
        userId: Number(row.user_id),
        planId: row.plan_id,
        phoneNumber: row.phone_number,
        enabled: row.status === 'enabled',
        dueDate: new Date(Number(row.due_ms)).toISOString(),
        msUntilDue: Math.ceil(Number(row.ms_until_due)),
        priceMinor: String(row.price),
        priceRupees: toMajorString(BigInt(row.price), row.currency),
        currency: row.currency,
        validityDays: row.validity_days,
        planActive: row.plan_status === 'active',
      };
    },

    /**
     * Records a cycle's outcome once (a run per rule and due date) and shows it on the rule. The due
     * date moves on by the cycle, after a miss too (the next cycle is the next chance), unless the
     * user has already moved it themself. Answers whether this call recorded it.
     */
    async recordAutopayRun(run: AutopayRunRecord): Promise<{ recorded: boolean }> {
      const rows = await orm.em.fork().execute<{ id: number }[]>(
        `with run as (
           insert into gencharge_autopay_runs (autopay_id, due_date, status, reference, failure_reason)
           select a.id, ?::timestamptz, ?, ?, ? from gencharge_autopays a where a.id = ?
           on conflict (autopay_id, due_date) do nothing
           returning autopay_id)
         update gencharge_autopays a
         set last_run_status = ?, last_run_at = now(), last_failure_reason = ?,
             missed_count = a.missed_count + case when ? = 'missed' then 1 else 0 end,
             next_due_date = case when a.next_due_date = ?::timestamptz
                                  then a.next_due_date + make_interval(secs => ?::double precision / 1000)
                                  else a.next_due_date end,
             updated_at = now()
         from run where a.id = run.autopay_id
         returning a.id`,
        [run.dueDate, run.status, run.reference, run.failureReason, run.autopayId, run.status, run.failureReason, run.status, run.dueDate, run.cycleMs],
      );
      return { recorded: rows.length > 0 };
    },
  });
}

export type GenChargeAutopayActivities = ReturnType<typeof createGenChargeAutopayActivities>;
