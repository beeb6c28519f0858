import { LockMode, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { planOperator } from '../../../core/gencharge-recharge.js';
import { GenChargeAutopay, GenChargePlan, GenChargePlanGroup, type GenChargeAutopayStatus } from '../../../db/entities/index.js';
import { runAutopay } from '../../../workflows/index.js';
import {
  autopayScheduleId,
  flowSearchAttributes,
  FlowType,
  flowWorkflowId,
  type AutopayRunInput,
  type AutopayRunOutcome,
  type SubscriptionTiming,
} from '../../../workflows/contracts.js';
import { resultWithin, startFlow } from '../../flows.js';
import type { SurfaceDeps } from '../types.js';
import { pageWindow, type PageRequest } from './listing.js';
import { subscriptionTiming } from './recharge.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge autopay rules. Each rule has one Temporal Schedule, `gencharge:autopay:<id>`, that
 * starts `runAutopay` every plan validity from the rule's `next_due_date`, and is paused while the
 * rule is disabled. The row is the truth every run reads; the Schedule is its trigger. Each write
 * changes the row in a transaction and, as its last step, the Schedule: if Temporal cannot be
 * reached the transaction rolls back and the answer is 503, so no rule is left without its Schedule.
 */

type AutopayRow = InferEntity<typeof GenChargeAutopay>;

export interface AutopayDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  /** The subscription flow's durations; `timing.dayMs` (GENCHARGE_DAY_MS) times the plan's validity in days is a cycle. */
  timing: SubscriptionTiming;
  logger: Logger;
  /** How long a Schedule change may take before the write is refused with 503. */
  temporalDeadlineMs: number;
}

/** What the autopay module needs, from the surface's dependencies. */
export function autopayDeps(deps: SurfaceDeps): AutopayDeps {
  return {
    em: deps.em,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    timing: subscriptionTiming(deps.config),
    logger: deps.logger,
    temporalDeadlineMs: SCHEDULE_CHANGE_DEADLINE_MS,
  };
}

/** A run the Schedule starts a moment before the due time waits for it rather than skipping the cycle. */
const SCHEDULED_RUN_DUE_WAIT_MS = 60_000;
/** How long the API lets a Schedule change take before refusing the write. */
export const SCHEDULE_CHANGE_DEADLINE_MS = 10_000;
/** Rules one process-due call runs; the rest are run by their Schedules or the next call. */
export const PROCESS_DUE_LIMIT = 200;

export function autopayView(rule: AutopayRow) {
  return {
    autopay_id: rule.id,
    user_id: Number(rule.user),
    plan_id: rule.plan,
    status: rule.status,
    phone_number: rule.phoneNumber,
    tag: rule.tag ?? null,
    next_due_date: rule.nextDueDate.toISOString(),
    created_at: rule.createdAt.toISOString(),
    last_run_status: rule.lastRunStatus ?? null,
    last_run_at: rule.lastRunAt?.toISOString() ?? null,
    last_failure_reason: rule.lastFailureReason ?? null,
    missed_count: rule.missedCount,
  };
}

export type AutopayView = ReturnType<typeof autopayView>;

export interface AutopayCreate {
  plan_id: number;
  phone_number: string;
  tag?: string | null | undefined;
  next_due_date: Date;
  status: GenChargeAutopayStatus;
}

export type AutopayUpdate = Partial<AutopayCreate>;

const notFound = () => publicError(FailureType.NotFound, 'Autopay not found');

function planRefused(planId: number, why: string): DomainError {
  const message = `Value error, plan ${planId} ${why}`;
  return new DomainError(FailureType.Validation, message, { issues: [{ path: ['plan_id'], message, code: 'custom', location: 'body' }] });
}

/** The plan a rule buys: it must exist, be on sale, and name the operator that recharges it. */
async function activePlan(tx: EntityManager, planId: number) {
  const plan = await tx.findOne(GenChargePlan, { id: planId });
  if (!plan) throw planRefused(planId, 'does not exist');
  if (plan.status !== 'active') throw planRefused(planId, 'is not active');
  const group = await tx.findOneOrFail(GenChargePlanGroup, { id: plan.group });
  if (!planOperator(plan.criteria, group.name)) throw planRefused(planId, 'names no operator, so it cannot be recharged');
  return plan;
}

export async function createAutopay(deps: AutopayDeps, userId: number, input: AutopayCreate): Promise<AutopayView> {
  return deps.em.fork().transactional(async (tx) => {
    const plan = await activePlan(tx, input.plan_id);
    const rule = tx.create(GenChargeAutopay, {
      user: userId,
      plan: plan.id,
      phoneNumber: input.phone_number,
      tag: input.tag ?? null,
      status: input.status,
      nextDueDate: input.next_due_date,
      missedCount: 0,
      createdAt: new Date(),
    });
    await tx.flush();
    await upsertSchedule(deps, rule, plan.validityDays, 'create');
    return autopayView(rule);
  });
}

/** A user's own rule; another user's id is 404, as if it did not exist. */
async function ownRule(tx: EntityManager, userId: number, autopayId: number, lock = false): Promise<AutopayRow> {
  const rule = await tx.findOne(GenChargeAutopay, { id: autopayId, user: userId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!rule) throw notFound();
  return rule;
}

export const getAutopay = async (em: EntityManager, userId: number, autopayId: number) => autopayView(await ownRule(em.fork(), userId, autopayId));

/**
 * Changes the fields sent and brings the Schedule up to date (cadence, start, paused or not). A
 * rule resumed with a due date already past moves on to its first cycle from now: the cycles
 * missed while it was disabled are not charged.
 */
export async function updateAutopay(deps: AutopayDeps, userId: number, autopayId: number, input: AutopayUpdate): Promise<AutopayView> {
  return deps.em.fork().transactional(async (tx) => {
    const rule = await ownRule(tx, userId, autopayId, true);
    const plan = input.plan_id === undefined || input.plan_id === rule.plan ? await tx.findOneOrFail(GenChargePlan, { id: rule.plan }) : await activePlan(tx, input.plan_id);
    const resumed = rule.status === 'disabled' && input.status === 'enabled';
    rule.plan = plan.id;
    if (input.phone_number !== undefined) rule.phoneNumber = input.phone_number;
    if (input.tag !== undefined) rule.tag = input.tag;
    if (input.status !== undefined) rule.status = input.status;
    if (input.next_due_date !== undefined) rule.nextDueDate = input.next_due_date;
    else if (resumed) rule.nextDueDate = firstCycleFromNow(rule.nextDueDate, cycleMs(deps, plan.validityDays));
    rule.updatedAt = new Date();
    await tx.flush();
    await upsertSchedule(deps, rule, plan.validityDays, 'update');
    return autopayView(rule);
  });
}

export async function deleteAutopay(deps: AutopayDeps, userId: number, autopayId: number): Promise<void> {
  await deps.em.fork().transactional(async (tx) => {
    const rule = await ownRule(tx, userId, autopayId, true);
    await tx.nativeDelete(GenChargeAutopay, { id: rule.id });
    await reachTemporal(deps, async () => {
      try {
        await deps.temporal.schedule.getHandle(autopayScheduleId(GENCHARGE.slug, rule.id)).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    });
  });
}

/**
 * An archived user's rules stop: disabled, and their Schedules paused so they stop firing. Runs
 * after the archive has committed; a Schedule Temporal cannot pause now is only logged, since
 * its runs skip a disabled rule (and an archived owner) anyway.
 */
export async function stopAutopaysOf(deps: AutopayDeps, userId: number): Promise<void> {
  const stopped = await deps.em.fork().transactional(async (tx) => {
    const rules = await tx.find(GenChargeAutopay, { user: userId, status: 'enabled' }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    for (const rule of rules) {
      rule.status = 'disabled';
      rule.updatedAt = new Date();
    }
    await tx.flush();
    return rules.map((rule) => rule.id);
  });
  for (const id of stopped) {
    try {
      await deps.temporal.withDeadline(Date.now() + deps.temporalDeadlineMs, () =>
        deps.temporal.schedule.getHandle(autopayScheduleId(GENCHARGE.slug, id)).pause('the user\'s account was archived'),
      );
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) deps.logger.warn({ err, autopayId: id }, 'autopay schedule of an archived user not paused');
    }
  }
}

export async function listMyAutopays(em: EntityManager, userId: number, page: PageRequest) {
  return listAutopays(em, { user_id: userId }, page);
}

export interface AutopayFilters {
  user_id?: number | undefined;
  plan_id?: number | undefined;
  status?: GenChargeAutopayStatus | undefined;
  phone_number?: string | undefined;
  tag?: string | undefined;
}

/** Newest rule first. */
export async function listAutopays(em: EntityManager, filters: AutopayFilters, page: PageRequest) {
  const where = {
    ...(filters.user_id !== undefined && { user: filters.user_id }),
    ...(filters.plan_id !== undefined && { plan: filters.plan_id }),
    ...(filters.status && { status: filters.status }),
    ...(filters.phone_number && { phoneNumber: filters.phone_number }),
    ...(filters.tag && { tag: filters.tag }),
  } as FilterQuery<AutopayRow>;
  const [rules, total] = await em.fork().findAndCount(GenChargeAutopay, where, { orderBy: { id: 'desc' }, ...pageWindow(page) });
  return { items: rules.map(autopayView), total };
}

export interface ProcessDueAnswer {
  autopay_id: number;
  status: AutopayRunOutcome['status'] | 'pending';
  message: string;
}

/**
 * Runs every enabled rule due now (by the database's clock, which the runs check too), each as a
 * `runAutopay` keyed by the rule and its due date, and waits for them at most `waitMs`. A second
 * call while that run is going joins it; any other run of the cycle (a later call, the rule's
 * Schedule) meets the same subscription ID: a cycle is charged once.
 */
export async function processDueAutopays(deps: AutopayDeps, requestId: string, waitMs: number): Promise<ProcessDueAnswer[]> {
  const due = await deps.em.fork().execute<{ id: number; user_id: string; due_ms: string }[]>(
    `select a.id, a.user_id, extract(epoch from a.next_due_date) * 1000 as due_ms from gencharge_autopays a join users u on u.id = a.user_id
     where a.status = 'enabled' and a.next_due_date <= now() and u.tenant = ? and u.deleted_at is null
     order by a.next_due_date, a.id limit ?`,
    [GENCHARGE.slug, PROCESS_DUE_LIMIT],
  );
  return Promise.all(
    due.map(async (rule): Promise<ProcessDueAnswer> => {
      const dueDate = new Date(Number(rule.due_ms)).toISOString();
      const handle = await startFlow(deps.temporal, deps.taskQueue, {
        workflow: runAutopay,
        workflowId: flowWorkflowId(GENCHARGE.slug, FlowType.AutopayRun, `${rule.id}-${dueDate}`),
        args: [runInput(deps, rule.id, 0)],
        tenant: GENCHARGE.slug,
        userId: Number(rule.user_id),
        flowType: FlowType.AutopayRun,
        requestId,
        memo: { autopayId: rule.id, dueDate, trigger: 'process-due' },
        // A closed run's answer may be stale (the rule was disabled then): a new run reads the rule
        // again. Charging once is the subscription ID's work, not this one's.
        idReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      try {
        const outcome = await resultWithin<AutopayRunOutcome>(deps.temporal, handle, waitMs);
        if (!outcome) return { autopay_id: rule.id, status: 'pending', message: 'still running; the outcome will show on the rule' };
        return { autopay_id: rule.id, status: outcome.status, message: outcome.message };
      } catch (err) {
        deps.logger.warn({ err, workflowId: handle.workflowId }, 'autopay run failed');
        return { autopay_id: rule.id, status: 'failed', message: 'the run failed; an operator will look at it' };
      }
    }),
  );
}

const cycleMs = (deps: AutopayDeps, validityDays: number) => validityDays * deps.timing.dayMs;

/** The first date on the rule's cadence that is not in the past. */
function firstCycleFromNow(due: Date, every: number): Date {
  const behind = Date.now() - due.getTime();
  if (behind <= 0) return due;
  return new Date(due.getTime() + Math.ceil(behind / every) * every);
}

const runInput = (deps: AutopayDeps, autopayId: number, dueWaitMs: number): AutopayRunInput => ({
  tenant: GENCHARGE.slug,
  autopayId,
  timing: deps.timing,
  dueWaitMs,
});

/** A Schedule change that Temporal does not take in time refuses the write (the transaction rolls back). */
async function reachTemporal<T>(deps: AutopayDeps, change: () => Promise<T>): Promise<T> {
  try {
    return await deps.temporal.withDeadline(Date.now() + deps.temporalDeadlineMs, change);
  } catch (err) {
    throw publicError(FailureType.Unavailable, 'Autopay scheduling is unavailable right now; nothing was changed. Please try again.', undefined, { cause: err });
  }
}

/**
 * The rule's Schedule: every cycle (the plan's validity), on the grid through `next_due_date`, from
 * a moment before it. Overlapping runs of one rule wait for each other (at most one buffered).
 */
export function autopaySchedule(deps: AutopayDeps, rule: AutopayRow, validityDays: number): ScheduleOptions {
  const every = cycleMs(deps, validityDays);
  const due = rule.nextDueDate.getTime();
  const userId = String(rule.user);
  const searchAttributes = flowSearchAttributes(GENCHARGE.slug, FlowType.AutopayRun, rule.user);
  return {
    scheduleId: autopayScheduleId(GENCHARGE.slug, rule.id),
    spec: { intervals: [{ every, offset: due % every }], startAt: new Date(due - Math.min(1000, every / 2)) },
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE },
    state: { paused: rule.status === 'disabled', note: rule.status === 'disabled' ? 'autopay disabled by the user' : 'autopay enabled' },
    action: {
      type: 'startWorkflow',
      workflowType: runAutopay,
      workflowId: flowWorkflowId(GENCHARGE.slug, FlowType.AutopayRun, String(rule.id)),
      taskQueue: deps.taskQueue,
      args: [runInput(deps, rule.id, SCHEDULED_RUN_DUE_WAIT_MS)],
      typedSearchAttributes: searchAttributes,
      memo: { autopayId: rule.id, planId: rule.plan, phoneNumber: rule.phoneNumber, trigger: 'schedule' },
    },
    typedSearchAttributes: searchAttributes,
    memo: { autopayId: rule.id, userId },
  };
}

/**
 * Creates the rule's Schedule, or brings it to the rule's plan, due date and status. Each way falls
 * back to the other, so a Schedule an operator removed is made again by the rule's next edit.
 */
async function upsertSchedule(deps: AutopayDeps, rule: AutopayRow, validityDays: number, first: 'create' | 'update'): Promise<void> {
  const options = autopaySchedule(deps, rule, validityDays);
  const create = () => deps.temporal.schedule.create(options);
  const update = () =>
    deps.temporal.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      policies: { ...previous.policies, ...options.policies },
      action: options.action as typeof previous.action,
      state: { ...previous.state, paused: rule.status === 'disabled', note: options.state?.note },
    }));
  await reachTemporal(deps, async () => {
    if (first === 'create') {
      try {
        await create();
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await update();
      }
      return;
    }
    try {
      await update();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await create();
    }
  });
}
