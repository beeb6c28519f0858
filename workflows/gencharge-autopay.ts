import {
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  sleep,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AutopayCycle, GenChargeAutopayActivities } from '../activities/gencharge-autopay.js';
import {
  flowSearchAttributes,
  FlowType,
  flowWorkflowId,
  SUBSCRIBE_TO_PLAN_WORKFLOW,
  type AutopayRunInput,
  type AutopayRunOutcome,
  type SubscriptionInput,
  type SubscriptionOutcome,
} from './contracts.js';
import { tellGenChargeUser } from './gencharge-notices.js';

const autopay = proxyActivities<GenChargeAutopayActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

type SubscribeToPlan = (input: SubscriptionInput) => Promise<SubscriptionOutcome>;

/** The order reference of one cycle: the same rule and due date always give the same reference. */
export const autopayReference = (autopayId: number, dueDate: string) => `AP${autopayId}-${Date.parse(dueDate)}`;

/**
 * One run of an autopay rule. If the rule is enabled and due, it buys the rule's plan for its
 * phone from the wallet through the subscription flow, started as a child whose ID is the rule and
 * the due date, never reused: a second run of the same cycle (the Schedule and process-due racing,
 * or process-due twice) cannot start it again and answers "already processed", so a cycle is
 * charged once. The outcome is recorded on the rule; a cycle the wallet could not pay is a miss
 * the user is told of, and the run ends there (no retries: the next cycle is the next chance).
 */
export async function runAutopay(input: AutopayRunInput): Promise<AutopayRunOutcome> {
  const { tenant, autopayId } = input;
  let cycle = await autopay.loadAutopayCycle({ tenant, autopayId });
  if (cycle?.enabled && cycle.msUntilDue > 0 && cycle.msUntilDue <= input.dueWaitMs) {
    await sleep(cycle.msUntilDue);
    cycle = await autopay.loadAutopayCycle({ tenant, autopayId });
  }
  if (!cycle) return { autopayId, status: 'skipped', message: 'not found' };
  if (!cycle.enabled) return { autopayId, status: 'skipped', message: 'disabled' };
  if (cycle.msUntilDue > 0) return { autopayId, status: 'skipped', message: 'not due', dueDate: cycle.dueDate };

  const reference = autopayReference(autopayId, cycle.dueDate);
  const done = { autopayId, dueDate: cycle.dueDate, reference };
  if (!cycle.planActive) return missed(input, cycle, reference, 'failed', 'plan_unavailable');

  let outcome: SubscriptionOutcome;
  try {
    outcome = await executeChild<SubscribeToPlan>(SUBSCRIBE_TO_PLAN_WORKFLOW, {
      workflowId: flowWorkflowId(tenant, FlowType.Subscription, `autopay-${autopayId}-${cycle.dueDate}`),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // The subscription holds money: it finishes whatever happens to this run.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          tenant,
          userId: cycle.userId,
          currency: cycle.currency,
          reference,
          planId: cycle.planId,
          offerId: null,
          priceMinor: cycle.priceMinor,
          phoneNumber: cycle.phoneNumber,
          paymentMethod: 'wallet',
          activationMode: 'queue',
          source: 'autopay',
          autopayId,
          timing: input.timing,
        },
      ],
      typedSearchAttributes: flowSearchAttributes(tenant, FlowType.Subscription, cycle.userId),
      memo: { reference, autopayId, dueDate: cycle.dueDate, priceMinor: cycle.priceMinor },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { ...done, status: 'skipped', message: 'already processed' };
    if (err instanceof ChildWorkflowFailure) return missed(input, cycle, reference, 'failed', 'subscription_failed');
    throw err;
  }

  if (outcome.status === 'success') {
    await autopay.recordAutopayRun({ ...done, status: 'success', failureReason: null, cycleMs: cycleMs(input, cycle) });
    return { ...done, status: 'processed', message: 'success' };
  }
  const refusal = outcome.refusal ?? 'recharge_failed';
  return missed(input, cycle, reference, refusal === 'insufficient_funds' ? 'missed' : 'failed', refusal);
}

const cycleMs = (input: AutopayRunInput, cycle: AutopayCycle) => cycle.validityDays * input.timing.dayMs;

const MISS_WORDING: Record<string, string> = {
  insufficient_funds: 'your wallet balance was too low',
  plan_unavailable: 'the plan is no longer available; choose another plan for this autopay',
};

/** Records a cycle that was not bought and tells the user; the rule moves on to its next cycle. */
async function missed(input: AutopayRunInput, cycle: AutopayCycle, reference: string, status: 'missed' | 'failed', reason: string): Promise<AutopayRunOutcome> {
  const { tenant, autopayId } = input;
  const { recorded } = await autopay.recordAutopayRun({ autopayId, dueDate: cycle.dueDate, status, reference, failureReason: reason, cycleMs: cycleMs(input, cycle) });
  if (recorded) {
    const why = MISS_WORDING[reason] ?? 'the recharge could not be completed';
    await tellGenChargeUser({
      tenant,
      userId: cycle.userId,
      kind: 'autopay_missed',
      description: `Autopay could not recharge ${cycle.phoneNumber} with ₹${cycle.priceRupees} due ${cycle.dueDate.slice(0, 10)}: ${why}.`,
      noticeKey: `${tenant}:autopay:${autopayId}:${cycle.dueDate}:missed`,
      preference: 'transactional_alerts',
      attachments: { autopay_id: autopayId, plan_id: cycle.planId, due_date: cycle.dueDate, reason },
    });
  }
  return { autopayId, dueDate: cycle.dueDate, reference, status: 'failed', message: reason };
}
