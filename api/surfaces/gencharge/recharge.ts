import type { FilterQuery, InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../core/config.js';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { discountedPrice, planOperator, type GenChargeOperator } from '../../../core/gencharge-recharge.js';
import { toMajorString, toMinor } from '../../../core/money.js';
import { GenChargeOffer, GenChargePlan, GenChargePlanGroup, GenChargeSubscription, WalletTransaction, type TransactionKind } from '../../../db/entities/index.js';
import type { SubscriptionTiming } from '../../../workflows/contracts.js';
import { offerEndsAt } from './catalogue.js';
import { pageWindow, withinDates } from './listing.js';
import type { PlanFilters, TransactionFilters } from './recharge-schemas.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge's recharge reads: pricing an order (plan after offer), the bought plans and the
 * wallet history, as the app and the admin panel list them.
 */

type PlanRow = InferEntity<typeof GenChargePlan>;
type OfferRow = InferEntity<typeof GenChargeOffer>;
type SubscriptionRow = InferEntity<typeof GenChargeSubscription>;
type TransactionRow = InferEntity<typeof WalletTransaction>;

export const rupeesText = (paise: bigint | number | string) => toMajorString(BigInt(paise), GENCHARGE.currency);

/** The durations a subscription flow runs by, from configuration (workflows read none themselves). */
export function subscriptionTiming(config: Config): SubscriptionTiming {
  return {
    dayMs: config.GENCHARGE_DAY_MS,
    reminderDays: config.GENCHARGE_REMINDER_DAYS,
    purchase: {
      requeryIntervalMs: config.PURCHASE_REQUERY_INTERVAL_MS,
      requeryLimitMs: config.PURCHASE_REQUERY_LIMIT_MS,
      holdTtlMs: config.HOLD_TTL_MS,
    },
    funding: { pollIntervalMs: config.FUNDING_POLL_INTERVAL_MS, timeoutMs: config.FUNDING_TIMEOUT_MS },
  };
}

export interface PricedOrder {
  plan: PlanRow;
  offer: OfferRow | null;
  operator: GenChargeOperator;
  priceMinor: bigint;
}

const refused = (message: string) => publicError(FailureType.Validation, message);

/** 422 on the field, as FastAPI answers a value it cannot use. */
const unusable = (field: string, message: string) =>
  new DomainError(FailureType.Validation, message, { issues: [{ path: [field], message, code: 'custom', location: 'body' }] });

const asList = (value: unknown): unknown[] | undefined => (value === undefined || value === null ? undefined : Array.isArray(value) ? value : [value]);
const sameText = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();

/**
 * Whether an offer's criteria admit a plan. Recognised rules (others are ignored): `plan_ids`
 * (or `plan_id`), `plan_types` (or `plan_type`), `group_ids` (or `group_id`), `operators` (or
 * `operator`), and `min_price` (rupees).
 */
export function offerAppliesTo(criteria: Record<string, unknown>, plan: PlanRow, operator: string): boolean {
  const planIds = asList(criteria.plan_ids ?? criteria.plan_id);
  if (planIds && !planIds.some((id) => Number(id) === plan.id)) return false;
  const types = asList(criteria.plan_types ?? criteria.plan_type);
  if (types && !types.some((type) => sameText(type, plan.planType))) return false;
  const groups = asList(criteria.group_ids ?? criteria.group_id);
  if (groups && !groups.some((id) => Number(id) === plan.group)) return false;
  const operators = asList(criteria.operators ?? criteria.operator);
  if (operators && !operators.some((name) => sameText(name, operator))) return false;
  const minPrice = criteria.min_price;
  if (typeof minPrice === 'number' && BigInt(plan.price) < toMinor(minPrice, GENCHARGE.currency)) return false;
  return true;
}

/**
 * Prices an order: the plan (404 unknown, 400 inactive, 422 when it names no operator) after the
 * offer (404 unknown; 400 inactive, expired — created_at + offer_validity days — or not
 * applicable to the plan). An offer's days are GENCHARGE_DAY_MS long, like a plan's.
 */
export async function priceOrder(em: EntityManager, config: Config, order: { plan_id: number; offer_id?: number | null | undefined }): Promise<PricedOrder> {
  const plan = await em.findOne(GenChargePlan, { id: order.plan_id });
  if (!plan) throw publicError(FailureType.NotFound, 'Plan not found');
  if (plan.status !== 'active') throw refused('Plan is not active');
  const group = await em.findOne(GenChargePlanGroup, { id: plan.group });
  const operator = planOperator(plan.criteria, group?.name);
  if (!operator) throw unusable('plan_id', 'Value error, the plan names no operator (set criteria.operator, or name its plan group after JIO, AIRTEL, VI or BSNL)');

  let offer: OfferRow | null = null;
  if (order.offer_id !== undefined && order.offer_id !== null) {
    offer = await em.findOne(GenChargeOffer, { id: order.offer_id });
    if (!offer) throw publicError(FailureType.NotFound, 'Offer not found');
    if (offer.status !== 'active') throw refused('Offer is not active');
    if (offerEndsAt(offer, config.GENCHARGE_DAY_MS).getTime() <= Date.now()) throw refused('Offer has expired');
    if (!offerAppliesTo(offer.criteria, plan, operator)) throw refused('Offer is not applicable to this plan');
  }
  const terms = offer ? { discountType: offer.discountType, discountValue: offer.discountValue === null || offer.discountValue === undefined ? null : BigInt(offer.discountValue) } : undefined;
  const priceMinor = discountedPrice(BigInt(plan.price), terms);
  if (priceMinor <= 0n) throw refused('Offer is not applicable to this plan');
  return { plan, offer, operator, priceMinor };
}

// Bought plans

export function subscriptionView(row: SubscriptionRow, plan: PlanRow) {
  return {
    id: row.id,
    user_id: row.user,
    plan_id: row.plan,
    phone_number: row.phoneNumber,
    valid_from: row.validFrom.toISOString(),
    valid_to: row.validTo.toISOString(),
    status: row.status,
    plan: {
      plan_id: row.plan,
      plan_name: plan.name,
      plan_type: plan.planType,
      status: plan.status,
      created_at: plan.createdAt.toISOString(),
    },
  };
}

/** Newest first, each with its plan. */
export async function listSubscriptions(em: EntityManager, q: PlanFilters) {
  const where = {
    ...(q.user_id !== undefined && { user: q.user_id }),
    ...(q.status && { status: q.status }),
    ...(q.phone_number && { phoneNumber: q.phone_number }),
    ...(q.plan_id !== undefined && { plan: q.plan_id }),
  } as FilterQuery<SubscriptionRow>;
  const [rows, total] = await em.findAndCount(GenChargeSubscription, where, { orderBy: { createdAt: 'desc', id: 'desc' }, ...pageWindow(q) });
  const planIds = [...new Set(rows.map((row) => row.plan))];
  const plans = planIds.length ? await em.find(GenChargePlan, { id: { $in: planIds } }) : [];
  const byId = new Map(plans.map((plan) => [plan.id, plan]));
  // A plan something bought is retired, never deleted (its foreign key refuses), so each row has one.
  return { items: rows.map((row) => subscriptionView(row, byId.get(row.plan)!)), total };
}

// The wallet history

interface KindView {
  category: 'wallet' | 'service';
  txnType: 'credit' | 'debit';
  /** The spec's `source`; absent when the row's details carry it (a recharge: `recharge` or `autopay`). */
  source?: string;
}

/** How each GenCharge history row is shown; rows of other kinds are not part of this history. */
export const TRANSACTION_VIEWS: Partial<Record<TransactionKind, KindView>> = {
  funding: { category: 'wallet', txnType: 'credit', source: 'wallet_topup' },
  recharge: { category: 'service', txnType: 'debit' },
  referral_reward: { category: 'wallet', txnType: 'credit', source: 'referral_reward' },
};

const viewedKinds = (keep: (view: KindView) => boolean) =>
  (Object.entries(TRANSACTION_VIEWS) as Array<[TransactionKind, KindView]>).filter(([, view]) => keep(view)).map(([kind]) => kind);


export function transactionView(row: TransactionRow, opts: { withUser?: boolean } = {}) {
  // Only rows of the viewed kinds are listed.
  const view = TRANSACTION_VIEWS[row.kind]!;
  const details = row.details as Record<string, unknown>;
  const service = view.category === 'service';
  return {
    txn_id: row.id,
    category: view.category,
    txn_type: view.txnType,
    amount: rupeesText(row.amount),
    source: view.source ?? (typeof details.source === 'string' ? details.source : 'recharge'),
    status: row.status,
    created_at: row.createdAt.toISOString(),
    payment_method: (typeof details.payment_method === 'string' ? details.payment_method : typeof details.method === 'string' ? details.method : null),
    reference: row.reference,
    ...(service && {
      service_type: typeof details.service_type === 'string' ? details.service_type : 'prepaid',
      plan_id: Number(details.plan_id),
      offer_id: typeof details.offer_id === 'number' ? details.offer_id : null,
      phone_number: String(details.recipient ?? ''),
    }),
    ...(opts.withUser && { user_id: row.userId }),
  };
}

/** Newest first. `source` wallet_topup is the top-ups; recharge/autopay are the recharges made that way. */
export async function listTransactions(em: EntityManager, q: TransactionFilters, opts: { withUser?: boolean } = {}) {
  const kinds = viewedKinds(
    (view) =>
      (!q.category || view.category === q.category) &&
      (!q.txn_type || view.txnType === q.txn_type) &&
      (!q.source || (q.source === 'wallet_topup' ? view.source === 'wallet_topup' : view.category === 'service')),
  );
  const createdAt = withinDates(q.date_from, q.date_to);
  const where = {
    tenant: GENCHARGE.slug,
    kind: { $in: kinds },
    ...(q.user_id !== undefined && { userId: q.user_id }),
    ...(q.status && { status: q.status }),
    ...(q.source && q.source !== 'wallet_topup' && { details: { source: q.source } }),
    ...(createdAt && { createdAt }),
  } as FilterQuery<TransactionRow>;
  if (!kinds.length) return { items: [], total: 0 };
  const [rows, total] = await em.findAndCount(WalletTransaction, where, { orderBy: { id: 'desc' }, ...pageWindow(q) });
  return { items: rows.map((row) => transactionView(row, opts)), total };
}

/** The history row a flow opened for a reference, when it has. */
export const transactionByReference = (em: EntityManager, reference: string) => em.findOne(WalletTransaction, { tenant: GENCHARGE.slug, reference });
