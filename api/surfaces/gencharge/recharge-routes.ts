import type { Request } from 'express';
import { isGrpcDeadlineError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type WorkflowHandle } from '@temporalio/client';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { toMinor } from '../../../core/money.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { subscribeToPlan } from '../../../workflows/index.js';
import { FlowType, flowWorkflowId, payableReferenceUpdate, type PayableReference, type SubscriptionInput, type SubscriptionOutcome } from '../../../workflows/contracts.js';
import { subscriptionPaymentWorkflowId, paymentReferenceOf, WALLET_PAYMENT } from '../../../workflows/gencharge-subscription.js';
import { requireTenant, requireUser } from '../../auth.js';
import { resultWithin, startFlow } from '../../flows.js';
import { body, query } from '../../validation.js';
import { businessKey, startWalletFunding } from '../../wallet-flows.js';
import { pageOf } from './listing.js';
import { listSubscriptions, listTransactions, priceOrder, rupeesText, subscriptionTiming, transactionByReference } from './recharge.js';
import * as S from './recharge-schemas.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, ERRORS } from './schemas.js';
import { GENCHARGE } from './tenant.js';

const REFERENCES = {
  topup: { kind: 'gencharge-topup', startAt: 100_001 },
  recharge: { kind: 'gencharge-recharge', startAt: 100_001 },
};

const KEY_NOTE =
  'Send an `Idempotency-Key` header to make a retry safe: the same key and body answer as the first request did (and join its flow); the same key with another body is 422.';

const OPERATOR_NOTE =
  "The operator recharged is the plan's `criteria.operator` (JIO, AIRTEL, VI or BSNL) when set, else the operator its plan group is named after (\"Jio Prepaid\"); a plan naming none is a 422.";

const OFFER_NOTE =
  'The price is the plan\'s price after the offer (percentage or flat), rounded down to whole rupees (operators take whole rupees). An unknown plan or offer is 404; an inactive plan, or an offer that is inactive, expired (created_at + offer_validity days) or not applicable to the plan by its criteria (`plan_ids`, `plan_types`, `group_ids`, `operators`, `min_price`) is 400.';

const insufficientFunds = { description: 'Insufficient wallet balance (nothing was held or charged), or an offer/plan that cannot be used', schema: Detail };

/** Mobile users' top-up, subscribe and history; the admin panel's bought plans and transactions (Recharge permission). */
export function registerRechargeRoutes({ deps, route, userOnly, idempotency, adminRoute }: GenChargeRoutes): void {
  const { invalid, notFound, unauthorized, forbidden } = ERRORS;
  const em = () => deps.em.fork();

  route(
    {
      method: 'post',
      path: '/recharge/wallet/topup',
      summary: 'Add funds to the wallet',
      description: `Starts the platform's wallet funding flow through the UPI/card collector and answers once the collector has the payment, with status \`pending\`, the payment \`reference\` and the \`payment_url\` the app sends the user to (fields beside the spec's). When the collector confirms (webhook, or polling), the transaction turns \`success\`, the wallet is credited once with what was paid, and the user gets a \`topup_credited\` notification; an unpaid top-up turns \`failed\`. \`txn_id\` is the history row (see /recharge/my/transactions). A refused collection is 502; a collector that does not answer in time, 503. ${KEY_NOTE}`,
      secured: true,
      idempotent: true,
      body: S.TopupBody,
      responses: { 200: { description: 'Top-up started', schema: S.TopupResponse }, 401: unauthorized, 403: forbidden, 422: invalid },
    },
    ...userOnly,
    idempotency,
    async (req, res) => {
      const input = body(req, S.TopupBody);
      const user = requireUser(req);
      const amountMinor = toMinor(input.amount, GENCHARGE.currency);
      const reference = `GCT-${await nextReferenceNumber(deps.em, GENCHARGE.slug, REFERENCES.topup)}`;
      const payable = await startWalletFunding(deps, req, {
        amountMinor,
        method: input.payment_method,
        reference,
        noticeOnCredit: {
          tenant: GENCHARGE.slug,
          userId: user.id,
          kind: 'topup_credited',
          description: `₹${rupeesText(amountMinor)} was added to your GenCharge wallet (${reference}).`,
          noticeKey: `${GENCHARGE.slug}:topup-credited:${reference}`,
          preference: 'transactional_alerts',
          attachments: { reference, phone_number: input.phone_number },
        },
      });
      const row = await transactionByReference(em(), payable.reference);
      res.json({
        txn_id: row?.id ?? null,
        category: 'wallet',
        txn_type: 'credit',
        amount: rupeesText(row?.amount ?? amountMinor),
        source: 'wallet_topup',
        status: row?.status ?? 'pending',
        payment_method: input.payment_method,
        created_at: (row?.createdAt ?? new Date()).toISOString(),
        reference: payable.reference,
        payment_url: payable.paymentUrl ?? null,
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/recharge/subscribe',
      summary: 'Subscribe to a plan (recharge a phone)',
      description: [
        'Runs the subscription flow: `payment_method` `wallet` holds the price on the wallet, asks the operator, then charges it (success) or releases it (failed). `UPI`, `Card` or `NetBanking` first collect the price through the collector into the wallet, then recharge from it: the answer is then `pending` (HTTP 202) with `payment_reference` and `payment_url`, and `txn_id` null until the payment arrives.',
        'An ambiguous operator answer is re-queried until final, never refunded blind; an answer that is not final within the wait is `pending` (HTTP 202) and the history shows the outcome. A refused recharge answers 200 with status `failed` and `failure_reason` (nothing charged).',
        '`activation_mode` `activate` starts the validity now; `queue` starts it when the phone\'s current active (or last queued) plan ends (the plan shows `queued` until then). Reminders go out before the end where `recharge_remainders` allows, then the plan expires.',
        OPERATOR_NOTE,
        OFFER_NOTE,
        'Insufficient wallet balance is 400 `Insufficient wallet balance` and writes nothing.',
        KEY_NOTE,
      ].join('\n\n'),
      secured: true,
      idempotent: true,
      body: S.SubscribeBody,
      responses: {
        200: { description: 'The recharge, final', schema: S.SubscribeResponse },
        202: { description: 'The recharge, still pending (a UPI/card payment, or an operator answer not yet final)', schema: S.SubscribeResponse },
        400: insufficientFunds,
        401: unauthorized,
        403: forbidden,
        404: notFound,
        422: invalid,
      },
    },
    ...userOnly,
    idempotency,
    async (req, res) => {
      const order = body(req, S.SubscribeBody);
      const user = requireUser(req);
      const tenant = requireTenant(req);
      const priced = await priceOrder(em(), deps.config, order);
      const reference = `GCR-${await nextReferenceNumber(deps.em, GENCHARGE.slug, REFERENCES.recharge)}`;
      const input: SubscriptionInput = {
        tenant: tenant.slug,
        userId: user.id,
        currency: tenant.currency,
        reference,
        planId: priced.plan.id,
        offerId: priced.offer?.id ?? null,
        priceMinor: priced.priceMinor.toString(),
        phoneNumber: order.phone_number,
        paymentMethod: order.payment_method,
        activationMode: order.activation_mode,
        source: order.source,
        timing: subscriptionTiming(deps.config),
      };
      const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
        workflow: subscribeToPlan,
        workflowId: flowWorkflowId(tenant.slug, FlowType.Subscription, businessKey(req, user.id, reference)),
        args: [input],
        tenant: tenant.slug,
        userId: user.id,
        flowType: FlowType.Subscription,
        requestId: String(req.id),
        memo: { reference, amountMinor: input.priceMinor, planId: input.planId, phoneNumber: input.phoneNumber },
      });
      // A joined flow (same Idempotency-Key) answers about its own order, not this request's.
      const started = (await handle.describe()).memo?.reference;
      const ordered = typeof started === 'string' ? { ...input, reference: started } : input;

      const answer = async (status: 'success' | 'failed' | 'pending', extra: Record<string, unknown> = {}) => {
        const row = await transactionByReference(em(), ordered.reference);
        res.status(status === 'pending' ? 202 : 200).json({
          txn_id: row?.id ?? null,
          category: 'service',
          txn_type: 'debit',
          amount: rupeesText(ordered.priceMinor),
          service_type: priced.plan.planType,
          plan_id: ordered.planId,
          offer_id: ordered.offerId,
          source: ordered.source,
          status,
          payment_method: ordered.paymentMethod,
          created_at: (row?.createdAt ?? new Date()).toISOString(),
          reference: ordered.reference,
          ...extra,
        });
      };

      let outcome: SubscriptionOutcome | undefined;
      if (ordered.paymentMethod !== WALLET_PAYMENT) {
        const payable = await payableCollection(req, handle, ordered);
        if ('reference' in payable && !('status' in payable)) {
          return answer('pending', { payment_reference: payable.reference, payment_url: payable.paymentUrl ?? null });
        }
        outcome = payable as SubscriptionOutcome;
      } else {
        outcome = await resultWithin<SubscriptionOutcome>(deps.temporal, handle, deps.config.PURCHASE_RESPONSE_WAIT_MS);
      }
      if (!outcome) return answer('pending');
      if (outcome.status === 'failed') {
        if (outcome.refusal === 'insufficient_funds') throw new DomainError(FailureType.InsufficientFunds, 'insufficient wallet balance for the recharge');
        if (outcome.refusal === 'plan_unavailable') throw publicError(FailureType.Validation, 'Plan is no longer available');
      }
      return answer(outcome.status, outcome.failureReason ? { failure_reason: outcome.failureReason } : {});
    },
  );

  /**
   * The payment a UPI/card-paid plan waits for: the subscription flow starts its funding flow as
   * a child, and the child answers the payable reference once the collector has it. A flow that
   * ended before collecting (its plan was retired meanwhile) answers its outcome instead.
   */
  async function payableCollection(req: Request, handle: WorkflowHandle, input: SubscriptionInput): Promise<PayableReference | SubscriptionOutcome> {
    const deadline = Date.now() + deps.config.FUNDING_ACCEPT_WAIT_MS;
    const payment = deps.temporal.workflow.getHandle(subscriptionPaymentWorkflowId(input));
    while (Date.now() < deadline) {
      try {
        return await deps.temporal.withDeadline(deadline, () => payment.executeUpdate(payableReferenceUpdate));
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw publicError(FailureType.ProviderRejected, 'The payment provider did not accept this payment.', undefined, { cause: err });
        if (isGrpcDeadlineError(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) break;
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      const outcome = await resultWithin<SubscriptionOutcome>(deps.temporal, handle, 250);
      if (outcome) return outcome;
    }
    deps.logger.warn({ reference: input.reference, requestId: req.id }, 'the collector did not accept a recharge payment in time');
    return { reference: paymentReferenceOf(input.reference) };
  }

  route(
    {
      method: 'get',
      path: '/recharge/my/plans',
      summary: 'My active and expired plans',
      description: 'Newest first, each with its plan; `queued` plans start when the current one ends. Filters: `status`, `phone_number`, `plan_id`; paged with `page` (from 1) and `size`.',
      secured: true,
      query: S.MyPlansQuery,
      responses: { 200: { description: 'My plans', schema: S.PlansPage }, 401: unauthorized, 403: forbidden, 422: invalid },
    },
    ...userOnly,
    async (req, res) => {
      const q = query(req, S.MyPlansQuery);
      const { items, total } = await listSubscriptions(em(), { ...q, user_id: requireUser(req).id });
      res.json(pageOf('plans', items, total, q));
    },
  );

  route(
    {
      method: 'get',
      path: '/recharge/my/transactions',
      summary: 'My transaction history',
      description:
        'Newest first: top-ups (`category` wallet, `txn_type` credit, `source` wallet_topup) and recharges (`category` service, `txn_type` debit, `source` recharge or autopay, with `plan_id`, `offer_id`, `service_type` and `phone_number`). Filters: `status`, `category`, `txn_type`, `source`, `date_from`/`date_to` (a day, inclusive, or an instant); paged with `page` and `size`.',
      secured: true,
      query: S.MyTransactionsQuery,
      responses: { 200: { description: 'My transactions', schema: S.TransactionsPage }, 401: unauthorized, 403: forbidden, 422: invalid },
    },
    ...userOnly,
    async (req, res) => {
      const q = query(req, S.MyTransactionsQuery);
      const { items, total } = await listTransactions(em(), { ...q, user_id: requireUser(req).id });
      res.json(pageOf('transactions', items, total, q));
    },
  );

  adminRoute(
    'Recharge',
    {
      method: 'get',
      path: '/recharge/admin/active-plans',
      summary: 'Bought plans (admin)',
      description: 'Newest first, each with its plan. `status` defaults to active (ask for `queued` or `expired` by name). Filters: `user_id`, `phone_number`, `plan_id`; paged with `page` and `size`.',
      query: S.AdminPlansQuery,
      responses: { 200: { description: 'Plans', schema: S.PlansPage }, 422: invalid },
    },
    async (req, res) => {
      const q = query(req, S.AdminPlansQuery);
      const { items, total } = await listSubscriptions(em(), { ...q, status: q.status ?? 'active' });
      res.json(pageOf('plans', items, total, q));
    },
  );

  adminRoute(
    'Recharge',
    {
      method: 'get',
      path: '/recharge/admin/transactions',
      summary: 'Transactions (admin)',
      description: "Every user's top-ups and recharges, newest first, with `user_id`. Filters: `user_id`, `status`, `category`, `txn_type`, `source`, `date_from`/`date_to`; paged with `page` and `size`.",
      query: S.AdminTransactionsQuery,
      responses: { 200: { description: 'Transactions', schema: S.TransactionsPage }, 422: invalid },
    },
    async (req, res) => {
      const q = query(req, S.AdminTransactionsQuery);
      const { items, total } = await listTransactions(em(), q, { withUser: true });
      res.json(pageOf('transactions', items, total, q));
    },
  );
}
