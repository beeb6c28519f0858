import { ApplicationFailure, executeChild, ParentClosePolicy, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { GenChargeSubscriptionActivities } from '../activities/gencharge-subscriptions.js';
import {
  FailureType,
  flowSearchAttributes,
  FlowType,
  flowWorkflowId,
  subscriptionStateQuery,
  type GenChargeReferralActivities,
  type PlanValidityInput,
  type PurchaseOutcome,
  type SubscriptionInput,
  type SubscriptionOutcome,
  type SubscriptionRefusal,
  type SubscriptionState,
} from './contracts.js';
import { toMajorString } from '../core/money.js';
import { fundWallet } from './fund-wallet.js';
import { tellGenChargeUser } from './gencharge-notices.js';
import { purchase } from './purchase.js';

const subscriptions = proxyActivities<GenChargeSubscriptionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const referrals = proxyActivities<GenChargeReferralActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The payment method that pays from the wallet; any other is collected through the collector first. */
export const WALLET_PAYMENT = 'wallet';

/** The collection of a plan paid by UPI/card has a reference of its own: history references are unique. */
export const paymentReferenceOf = (reference: string) => `${reference}-PAY`;

/** The funding flow that collects a UPI/card-paid plan's price (the API asks it for the payment URL). */
export const subscriptionPaymentWorkflowId = (input: Pick<SubscriptionInput, 'tenant' | 'reference'>) =>
  flowWorkflowId(input.tenant, FlowType.FundWallet, paymentReferenceOf(input.reference));

/**
 * A plan bought for a phone. UPI/card money is first collected into the wallet (the funding flow
 * as a child); then the purchase saga holds the price, asks the operator (ambiguous answers are
 * re-queried, never refunded blind) and posts or voids the hold. On success the plan is recorded
 * and its validity flow started (it outlives this one). This flow ends once the charge is final,
 * so the API and an autopay run can wait for its result.
 */
export async function subscribeToPlan(input: SubscriptionInput): Promise<SubscriptionOutcome> {
  const state: SubscriptionState = { reference: input.reference, status: 'pending' };
  setHandler(subscriptionStateQuery, () => state);
  const noticeKey = (what: string) => `${workflowInfo().workflowId}:${what}`;
  /** UPI/card money was collected into the wallet for this order. */
  let collected = false;

  const refuse = async (refusal: SubscriptionRefusal, reason: string, transactionId?: number): Promise<SubscriptionOutcome> => {
    state.status = 'failed';
    state.failureReason = reason;
    // A refusal before any money moved is the caller's to tell (the API's 4xx, autopay's missed-run notice).
    if (!collected && (refusal === 'insufficient_funds' || refusal === 'plan_unavailable')) {
      return { reference: input.reference, status: 'failed', refusal, failureReason: reason };
    }
    await tellGenChargeUser({
      tenant: input.tenant,
      userId: input.userId,
      kind: 'recharge_failed',
      description: `Recharge of ${input.phoneNumber} failed: ${reason}.`,
      noticeKey: noticeKey('recharge-failed'),
      preference: 'transactional_alerts',
      attachments: { reference: input.reference, plan_id: input.planId },
    });
    return { reference: input.reference, status: 'failed', refusal, failureReason: reason, ...(transactionId !== undefined && { transactionId }) };
  };

  const plan = await subscriptions.prepareSubscription(input);
  if (!plan.available) return refuse('plan_unavailable', plan.reason);

  if (input.paymentMethod !== WALLET_PAYMENT) {
    const paid = await executeChild(fundWallet, {
      workflowId: subscriptionPaymentWorkflowId(input),
      typedSearchAttributes: flowSearchAttributes(input.tenant, FlowType.FundWallet, input.userId),
      args: [
        {
          tenant: input.tenant,
          userId: input.userId,
          currency: input.currency,
          amountMinor: input.priceMinor,
          reference: paymentReferenceOf(input.reference),
          method: input.paymentMethod,
          customerEmail: plan.customerEmail,
          timing: input.timing.funding,
        },
      ],
    });
    if (paid.status !== 'success') return refuse('payment_failed', paid.failureReason ?? 'the payment was not completed');
    collected = true;
  }

  let charged: PurchaseOutcome;
  try {
    charged = await executeChild(purchase, {
      workflowId: flowWorkflowId(input.tenant, FlowType.Purchase, input.reference),
      typedSearchAttributes: flowSearchAttributes(input.tenant, FlowType.Purchase, input.userId),
      args: [
        {
          tenant: input.tenant,
          userId: input.userId,
          currency: input.currency,
          kind: 'recharge',
          amountMinor: input.priceMinor,
          reference: input.reference,
          serviceId: plan.operator,
          recipient: input.phoneNumber,
          description: `${plan.operator} recharge ${plan.planName} for ${input.phoneNumber}`,
          timing: input.timing.purchase,
          details: {
            plan_id: input.planId,
            offer_id: input.offerId,
            service_type: plan.planType,
            source: input.source,
            payment_method: input.paymentMethod,
            ...(input.autopayId !== undefined && { autopay_id: input.autopayId }),
          },
        },
      ],
    });
  } catch (err) {
    // The hold was refused: nothing was held or charged, and the purchase wrote no row.
    if (failureTypeOf(err) === FailureType.InsufficientFunds) return refuse('insufficient_funds', 'insufficient wallet balance');
    throw err;
  }
  state.transactionId = charged.transactionId;
  if (charged.status !== 'success') {
    return refuse('operator_failed', charged.failureReason ?? 'the operator could not recharge', charged.transactionId);
  }

  const subscription = await subscriptions.recordSubscription({ input, transactionId: charged.transactionId, validityDays: plan.validityDays });
  Object.assign(state, {
    status: subscription.status,
    subscriptionId: subscription.subscriptionId,
    validFrom: subscription.validFrom,
    validTo: subscription.validTo,
  });
  await startChild(runPlanValidity, {
    workflowId: flowWorkflowId(input.tenant, FlowType.PlanValidity, input.reference),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: flowSearchAttributes(input.tenant, FlowType.PlanValidity, input.userId),
    args: [
      {
        tenant: input.tenant,
        userId: input.userId,
        subscriptionId: subscription.subscriptionId,
        reference: input.reference,
        planName: plan.planName,
        phoneNumber: input.phoneNumber,
        validFrom: subscription.validFrom,
        validTo: subscription.validTo,
        dayMs: input.timing.dayMs,
        reminderDays: input.timing.reminderDays,
      },
    ],
  });
  await tellGenChargeUser({
    tenant: input.tenant,
    userId: input.userId,
    kind: 'recharge_done',
    description: `Recharge of ₹${plan.priceText} for ${input.phoneNumber} (${plan.planName}) was successful.`,
    noticeKey: noticeKey('recharge-done'),
    preference: 'transactional_alerts',
    attachments: { reference: input.reference, plan_id: input.planId, subscription_id: subscription.subscriptionId },
  });
  // A referred user's first paid recharge earns their referrer the reward; the activity pays it once per referred user.
  const reward = await referrals.rewardReferrer({ tenant: input.tenant, referredUserId: input.userId, reference: input.reference });
  if (reward.rewarded && reward.referrerId !== undefined) {
    await tellGenChargeUser({
      tenant: input.tenant,
      userId: reward.referrerId,
      kind: 'reward_earned',
      description: `You earned a referral reward of ₹${toMajorString(BigInt(reward.rewardMinor ?? '0'), input.currency)}: someone you referred made their first recharge.`,
      noticeKey: noticeKey('referral-reward'),
      preference: 'transactional_alerts',
      attachments: { reward_id: reward.rewardId },
    });
  }
  return { reference: input.reference, status: 'success', transactionId: charged.transactionId, subscriptionId: subscription.subscriptionId };
}

/**
 * A bought plan's validity on durable timers: a queued plan waits for its start, reminders go out
 * the configured days before the end (SMS/email only where `recharge_remainders` allows; in-app
 * always), then the plan expires.
 */
export async function runPlanValidity(input: PlanValidityInput): Promise<void> {
  const start = Date.parse(input.validFrom);
  const end = Date.parse(input.validTo);
  const state: SubscriptionState = {
    reference: input.reference,
    status: start > Date.now() ? 'queued' : 'active',
    subscriptionId: input.subscriptionId,
    validFrom: input.validFrom,
    validTo: input.validTo,
  };
  setHandler(subscriptionStateQuery, () => state);
  const noticeKey = (what: string) => `${workflowInfo().workflowId}:${what}`;
  const until = (at: number) => sleep(Math.max(at - Date.now(), 0));

  if (start > Date.now()) {
    await until(start);
    await subscriptions.startSubscriptionValidity(input.subscriptionId);
    state.status = 'active';
  }

  // Latest reminder last; one that would fall before the plan starts is not sent.
  for (const days of [...input.reminderDays].sort((a, b) => b - a)) {
    const at = end - days * input.dayMs;
    if (at < start) continue;
    await until(at);
    await tellGenChargeUser({
      tenant: input.tenant,
      userId: input.userId,
      kind: 'plan_expiring',
      description: `Your plan ${input.planName} for ${input.phoneNumber} expires in ${days} day${days === 1 ? '' : 's'}.`,
      noticeKey: noticeKey(`reminder:${days}`),
      preference: 'recharge_remainders',
      attachments: { subscription_id: input.subscriptionId, valid_to: input.validTo },
    });
  }

  await until(end);
  await subscriptions.expireSubscription(input.subscriptionId);
  state.status = 'expired';
  await tellGenChargeUser({
    tenant: input.tenant,
    userId: input.userId,
    kind: 'plan_expired',
    description: `Your plan ${input.planName} for ${input.phoneNumber} has expired.`,
    noticeKey: noticeKey('expired'),
    preference: 'recharge_remainders',
    attachments: { subscription_id: input.subscriptionId },
  });
}

/** The failure type at the root of a child's failure (the activity's refusal inside the child). */
function failureTypeOf(err: unknown): string | undefined {
  let current = err as { cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof ApplicationFailure) return current.type ?? undefined;
    current = current.cause as typeof current;
  }
  return undefined;
}
