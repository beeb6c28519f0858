import type { Orm } from '../db/orm.js';
import { planOperator } from '../core/gencharge-recharge.js';
import { toMajorString } from '../core/money.js';
import type { SubscriptionInput } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface GenChargeSubscriptionActivityDeps {
  orm: Orm;
}

/** What the subscription flow needs to know about the plan, or why it cannot be bought now. */
export type SubscriptionPlan =
  | {
      available: true;
      operator: string;
      planName: string;
      planType: string;
      validityDays: number;
      /** The price as the user reads it ("699.00"). */
      priceText: string;
      /** Where the collector sends its receipt, for a plan paid by UPI/card. */
      customerEmail: string;
    }
  | { available: false; reason: string };

export interface SubscriptionRecord {
  input: SubscriptionInput;
  transactionId: number;
  validityDays: number;
}

export interface RecordedSubscription {
  subscriptionId: number;
  status: 'active' | 'queued' | 'expired';
  validFrom: string;
  validTo: string;
}

interface PlanRow {
  name: string;
  plan_type: string;
  validity_days: number;
  status: string;
  criteria: Record<string, unknown>;
  group_name: string;
}

interface SubscriptionRow {
  id: number;
  status: RecordedSubscription['status'];
  valid_from: Date;
  valid_to: Date;
}

const recorded = (row: SubscriptionRow): RecordedSubscription => ({
  subscriptionId: row.id,
  status: row.status,
  validFrom: new Date(row.valid_from).toISOString(),
  validTo: new Date(row.valid_to).toISOString(),
});

export function createGenChargeSubscriptionActivities({ orm }: GenChargeSubscriptionActivityDeps) {
  return withTypedFailures({
    /** Reads the plan when the flow runs: a plan retired since the order (an autopay rule's) is not bought. */
    async prepareSubscription(input: SubscriptionInput): Promise<SubscriptionPlan> {
      const em = orm.em.fork();
      const [plan] = await em.execute<PlanRow[]>(
        `select p.name, p.plan_type, p.validity_days, p.status, p.criteria, g.name as group_name
         from gencharge_plans p join gencharge_plan_groups g on g.id = p.group_id where p.id = ?`,
        [input.planId],
      );
      if (!plan) return { available: false, reason: 'the plan no longer exists' };
      if (plan.status !== 'active') return { available: false, reason: 'the plan is no longer active' };
      const operator = planOperator(plan.criteria, plan.group_name);
      if (!operator) return { available: false, reason: 'the plan names no operator' };
      const [user] = await em.execute<{ phone: string | null; email: string | null }[]>(
        'select phone, email from users where id = ? and tenant = ?',
        [input.userId, input.tenant],
      );
      return {
        available: true,
        operator,
        planName: plan.name,
        planType: plan.plan_type,
        validityDays: plan.validity_days,
        priceText: toMajorString(BigInt(input.priceMinor), input.currency),
        customerEmail: user?.email ?? `${user?.phone ?? input.phoneNumber}@users.${input.tenant}.invalid`,
      };
    },

    /**
     * Records the bought plan with its validity window, once per order. `activate` starts now;
     * `queue` starts when the phone's current active (or last queued) plan ends. The phone's
     * plans are read under a lock on the phone, so two queued plans never share a window.
     */
    async recordSubscription({ input, transactionId, validityDays }: SubscriptionRecord): Promise<RecordedSubscription> {
      return orm.em.fork().transactional(async (tx) => {
        const [existing] = await tx.execute<SubscriptionRow[]>(
          'select id, status, valid_from, valid_to from gencharge_subscriptions where reference = ?',
          [input.reference],
        );
        if (existing) return recorded(existing);
        await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`gencharge-phone:${input.phoneNumber}`]);
        const now = new Date();
        let validFrom = now;
        if (input.activationMode === 'queue') {
          const [last] = await tx.execute<{ ends: Date | null }[]>(
            `select max(s.valid_to) as ends from gencharge_subscriptions s join users u on u.id = s.user_id
             where u.tenant = ? and s.phone_number = ? and s.status in ('active', 'queued')`,
            [input.tenant, input.phoneNumber],
          );
          if (last?.ends && new Date(last.ends) > now) validFrom = new Date(last.ends);
        }
        const validTo = new Date(validFrom.getTime() + validityDays * input.timing.dayMs);
        const [row] = await tx.execute<SubscriptionRow[]>(
          `insert into gencharge_subscriptions
             (user_id, plan_id, offer_id, phone_number, amount, reference, transaction_id, source, payment_method, valid_from, valid_to, status)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           returning id, status, valid_from, valid_to`,
          [
            input.userId,
            input.planId,
            input.offerId,
            input.phoneNumber,
            input.priceMinor,
            input.reference,
            transactionId,
            input.source,
            input.paymentMethod,
            validFrom,
            validTo,
            validFrom > now ? 'queued' : 'active',
          ],
        );
        return recorded(row!);
      });
    },

    /** A queued plan's turn has come. */
    async startSubscriptionValidity(subscriptionId: number): Promise<void> {
      await orm.em
        .fork()
        .execute(`update gencharge_subscriptions set status = 'active', updated_at = now() where id = ? and status = 'queued'`, [subscriptionId]);
    },

    async expireSubscription(subscriptionId: number): Promise<void> {
      await orm.em
        .fork()
        .execute(`update gencharge_subscriptions set status = 'expired', updated_at = now() where id = ? and status <> 'expired'`, [subscriptionId]);
    },
  });
}

export type GenChargeSubscriptionActivities = ReturnType<typeof createGenChargeSubscriptionActivities>;
