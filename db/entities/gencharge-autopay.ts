import { defineEntity, p } from '@mikro-orm/core';
import { GenChargePlan } from './gencharge.js';
import { User } from './user.js';

export const GENCHARGE_AUTOPAY_STATUSES = ['enabled', 'disabled'] as const;
export type GenChargeAutopayStatus = (typeof GENCHARGE_AUTOPAY_STATUSES)[number];
/** `missed`: the wallet could not pay the cycle; `failed`: the recharge itself failed (nothing kept). */
export const GENCHARGE_AUTOPAY_RUN_STATUSES = ['success', 'missed', 'failed'] as const;
export type GenChargeAutopayRunStatus = (typeof GENCHARGE_AUTOPAY_RUN_STATUSES)[number];

/**
 * A user's recurring recharge: every plan validity from `nextDueDate`, the plan is bought for the
 * phone from the wallet. Each rule has one Temporal Schedule (`<tenant>:autopay:<id>`), paused while
 * the rule is disabled; the row is the truth each run reads. The plan cannot be deleted from under
 * a rule (`no action`): deleting it retires it instead.
 */
export const GenChargeAutopay = defineEntity({
  name: 'GenChargeAutopay',
  tableName: 'gencharge_autopays',
  indexes: [
    { name: 'gencharge_autopays_user_index', properties: ['user', 'id'] },
    { name: 'gencharge_autopays_due_index', properties: ['status', 'nextDueDate'] },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('gencharge_autopays_user_fk').deleteRule('cascade'),
    plan: p.manyToOne(GenChargePlan).mapToPk().fieldName('plan_id').foreignKeyName('gencharge_autopays_plan_fk').deleteRule('no action').index(),
    /** The 10-digit Indian mobile number recharged. */
    phoneNumber: p.string().length(10),
    tag: p.string().length(50).nullable(),
    status: p.enum(GENCHARGE_AUTOPAY_STATUSES).default('enabled'),
    nextDueDate: p.datetime(),
    lastRunStatus: p.enum(GENCHARGE_AUTOPAY_RUN_STATUSES).nullable(),
    lastRunAt: p.datetime().nullable(),
    lastFailureReason: p.text().nullable(),
    /** Cycles the wallet could not pay, over the rule's life. */
    missedCount: p.integer().default(0),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().nullable(),
  },
});

/**
 * One cycle of a rule, recorded once per due date (the unique pair): the subscription flow it ran
 * is keyed by the same rule and due date, so a cycle that fires twice is charged and recorded once.
 */
export const GenChargeAutopayRun = defineEntity({
  name: 'GenChargeAutopayRun',
  tableName: 'gencharge_autopay_runs',
  uniques: [{ name: 'gencharge_autopay_runs_due_unique', properties: ['autopay', 'dueDate'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    autopay: p.manyToOne(GenChargeAutopay).mapToPk().fieldName('autopay_id').foreignKeyName('gencharge_autopay_runs_autopay_fk').deleteRule('cascade'),
    dueDate: p.datetime(),
    status: p.enum(GENCHARGE_AUTOPAY_RUN_STATUSES),
    /** The subscription order's reference (the history row's). */
    reference: p.string().length(64),
    failureReason: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
