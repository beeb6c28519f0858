import { ForeignKeyConstraintViolationException, raw, UniqueConstraintViolationException, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType, publicError } from '../../../core/errors.js';
import { toMajorNumber, toMinor } from '../../../core/money.js';
import { GenChargeOffer, GenChargeOfferType, GenChargePlan, GenChargePlanGroup } from '../../../db/entities/index.js';
import type { OfferCreate, OfferUpdate, PlanCreate, PlanUpdate } from './catalogue-schemas.js';
import { contains, pageOptions, type ListPage } from './listing.js';
import { GENCHARGE } from './tenant.js';

/**
 * GenCharge's catalogue: plan groups and plans, offer types and offers. Prices are kept in paise
 * and shown in rupees; a percentage discount is kept in basis points.
 */

type PlanGroupRow = InferEntity<typeof GenChargePlanGroup>;
type PlanRow = InferEntity<typeof GenChargePlan>;
type OfferTypeRow = InferEntity<typeof GenChargeOfferType>;
type OfferRow = InferEntity<typeof GenChargeOffer>;

const rupees = (paise: bigint) => toMajorNumber(BigInt(paise), GENCHARGE.currency);
const paise = (rupeeAmount: number) => toMinor(rupeeAmount, GENCHARGE.currency);

const notFound = (what: string) => publicError(FailureType.NotFound, `${what} not found`);

/** Deletes a row; when something still points at it, `onInUse` decides (a 409, or retiring it). */
async function deleteRow(run: () => Promise<number>, what: string, onInUse: (err: unknown) => Promise<void>): Promise<void> {
  let deleted: number;
  try {
    deleted = await run();
  } catch (err) {
    if (err instanceof ForeignKeyConstraintViolationException) return onInUse(err);
    throw err;
  }
  if (deleted === 0) throw notFound(what);
}

/** Runs a write whose unique name may be taken (409) or whose parent may have just gone (404). */
async function guarded<T>(write: () => Promise<T>, { taken, parentMissing }: { taken?: string; parentMissing?: string }): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (taken && err instanceof UniqueConstraintViolationException) throw publicError(FailureType.Conflict, taken, undefined, { cause: err });
    if (parentMissing && err instanceof ForeignKeyConstraintViolationException) throw publicError(FailureType.NotFound, parentMissing, undefined, { cause: err });
    throw err;
  }
}

// Plan groups

export const planGroupView = (group: PlanGroupRow) => ({ group_id: group.id, group_name: group.name });

const GROUP_COLUMNS = { group_id: 'id', group_name: 'name', created_at: 'createdAt' };
const GROUP_TAKEN = 'A plan group with this name already exists';

export async function createPlanGroup(em: EntityManager, name: string) {
  return guarded(async () => {
    const group = em.create(GenChargePlanGroup, { name });
    await em.flush();
    return planGroupView(group);
  }, { taken: GROUP_TAKEN });
}

export async function listPlanGroups(em: EntityManager, q: ListPage & { group_name?: string | undefined }) {
  const where: FilterQuery<PlanGroupRow> = q.group_name ? { name: contains(q.group_name) } : {};
  const [groups, total] = await em.findAndCount(GenChargePlanGroup, where, pageOptions(q, GROUP_COLUMNS) as never);
  return { items: groups.map(planGroupView), total };
}

async function findPlanGroup(em: EntityManager, id: number): Promise<PlanGroupRow> {
  const group = await em.findOne(GenChargePlanGroup, { id });
  if (!group) throw notFound('Plan group');
  return group;
}

export const getPlanGroup = async (em: EntityManager, id: number) => planGroupView(await findPlanGroup(em, id));

export async function renamePlanGroup(em: EntityManager, id: number, name: string) {
  const group = await findPlanGroup(em, id);
  group.name = name;
  return guarded(async () => {
    await em.flush();
    return planGroupView(group);
  }, { taken: GROUP_TAKEN });
}

/** A group that still has plans is refused: its plans would lose their group. */
export async function deletePlanGroup(em: EntityManager, id: number): Promise<void> {
  await deleteRow(() => em.nativeDelete(GenChargePlanGroup, { id }), 'Plan group', async (err) => {
    throw publicError(FailureType.Conflict, 'Plan group has plans; move or delete them first', undefined, { cause: err });
  });
}

// Plans

export function planView(plan: PlanRow) {
  return {
    plan_id: plan.id,
    plan_name: plan.name,
    price: rupees(plan.price),
    validity: plan.validityDays,
    plan_type: plan.planType,
    group_id: plan.group,
    description: plan.description ?? null,
    criteria: plan.criteria,
    most_popular: plan.mostPopular,
    status: plan.status,
    created_at: plan.createdAt.toISOString(),
  };
}

export function publicPlanView(plan: PlanRow) {
  const { plan_id, plan_name, plan_type, price, validity, group_id, description, most_popular } = planView(plan);
  return { plan_id, plan_name, plan_type, price, validity, group_id, description, most_popular };
}

const PLAN_COLUMNS = { plan_id: 'id', plan_name: 'name', price: 'price', validity: 'validityDays', created_at: 'createdAt' };

export interface PlanFilters extends ListPage {
  plan_name?: string | undefined;
  status?: PlanRow['status'] | undefined;
  plan_type?: PlanRow['planType'] | undefined;
  group_id?: number | undefined;
  group_name?: string | undefined;
  most_popular?: boolean | undefined;
}

export async function listPlans(em: EntityManager, q: PlanFilters) {
  const group = {
    ...(q.group_id !== undefined && { id: q.group_id }),
    ...(q.group_name && { name: contains(q.group_name) }),
  };
  const where = {
    ...(q.plan_name && { name: contains(q.plan_name) }),
    ...(q.status && { status: q.status }),
    ...(q.plan_type && { planType: q.plan_type }),
    ...(q.most_popular !== undefined && { mostPopular: q.most_popular }),
    ...(Object.keys(group).length && { group }),
  } as FilterQuery<PlanRow>;
  const [plans, total] = await em.findAndCount(GenChargePlan, where, pageOptions(q, PLAN_COLUMNS) as never);
  return { plans, total };
}

async function findPlan(em: EntityManager, id: number): Promise<PlanRow> {
  const plan = await em.findOne(GenChargePlan, { id });
  if (!plan) throw notFound('Plan');
  return plan;
}

export const getPlan = async (em: EntityManager, id: number) => planView(await findPlan(em, id));

const GROUP_GONE = 'Plan group not found';

export async function createPlan(em: EntityManager, input: PlanCreate) {
  await findPlanGroup(em, input.group_id);
  return guarded(
    async () => {
      const plan = em.create(GenChargePlan, {
        name: input.plan_name,
        price: paise(input.price),
        validityDays: input.validity,
        planType: input.plan_type,
        group: input.group_id,
        description: input.description ?? null,
        criteria: input.criteria,
        mostPopular: input.most_popular,
        status: input.status,
      });
      await em.flush();
      await em.refresh(plan);
      return planView(plan);
    },
    { parentMissing: GROUP_GONE },
  );
}

export async function updatePlan(em: EntityManager, id: number, input: PlanUpdate) {
  const plan = await findPlan(em, id);
  if (input.group_id !== undefined) await findPlanGroup(em, input.group_id);
  if (input.plan_name !== undefined) plan.name = input.plan_name;
  if (input.price !== undefined) plan.price = paise(input.price);
  if (input.validity !== undefined) plan.validityDays = input.validity;
  if (input.plan_type !== undefined) plan.planType = input.plan_type;
  if (input.group_id !== undefined) plan.group = input.group_id;
  if (input.description !== undefined) plan.description = input.description;
  if (input.criteria !== undefined) plan.criteria = input.criteria;
  if (input.most_popular !== undefined) plan.mostPopular = input.most_popular;
  if (input.status !== undefined) plan.status = input.status;
  plan.updatedAt = new Date();
  return guarded(
    async () => {
      await em.flush();
      return planView(plan);
    },
    { parentMissing: GROUP_GONE },
  );
}

/**
 * Deletes a plan. A plan that a subscription or an autopay rule still refers to cannot go (their
 * foreign keys refuse it); it is retired instead (status inactive), so it leaves the public list
 * and nobody can choose it again, while what uses it keeps its history. Either way the answer is `{}`.
 */
export async function deletePlan(em: EntityManager, id: number): Promise<'deleted' | 'retired'> {
  let outcome: 'deleted' | 'retired' = 'deleted';
  await deleteRow(() => em.nativeDelete(GenChargePlan, { id }), 'Plan', async () => {
    await em.nativeUpdate(GenChargePlan, { id }, { status: 'inactive', updatedAt: new Date() });
    outcome = 'retired';
  });
  return outcome;
}

// Offer types

export const offerTypeView = (type: OfferTypeRow) => ({ offer_type_id: type.id, offer_type_name: type.name });

const TYPE_COLUMNS = { offer_type_id: 'id', offer_type_name: 'name', created_at: 'createdAt' };
const TYPE_TAKEN = 'An offer type with this name already exists';

export async function createOfferType(em: EntityManager, name: string) {
  return guarded(async () => {
    const type = em.create(GenChargeOfferType, { name });
    await em.flush();
    return offerTypeView(type);
  }, { taken: TYPE_TAKEN });
}

export async function listOfferTypes(em: EntityManager, q: ListPage & { offer_type_name?: string | undefined }) {
  const where: FilterQuery<OfferTypeRow> = q.offer_type_name ? { name: contains(q.offer_type_name) } : {};
  const [types, total] = await em.findAndCount(GenChargeOfferType, where, pageOptions(q, TYPE_COLUMNS) as never);
  return { items: types.map(offerTypeView), total };
}

async function findOfferType(em: EntityManager, id: number): Promise<OfferTypeRow> {
  const type = await em.findOne(GenChargeOfferType, { id });
  if (!type) throw notFound('Offer type');
  return type;
}

export const getOfferType = async (em: EntityManager, id: number) => offerTypeView(await findOfferType(em, id));

export async function renameOfferType(em: EntityManager, id: number, name: string) {
  const type = await findOfferType(em, id);
  type.name = name;
  return guarded(async () => {
    await em.flush();
    return offerTypeView(type);
  }, { taken: TYPE_TAKEN });
}

export async function deleteOfferType(em: EntityManager, id: number): Promise<void> {
  await deleteRow(() => em.nativeDelete(GenChargeOfferType, { id }), 'Offer type', async (err) => {
    throw publicError(FailureType.Conflict, 'Offer type has offers; move or delete them first', undefined, { cause: err });
  });
}

// Offers

/** The discount as the API shows it: a percent for `percentage` (basis points / 100), rupees for `flat`. */
function discountView(offer: OfferRow) {
  if (!offer.discountType || offer.discountValue === null || offer.discountValue === undefined) return { discount_type: null, discount_value: null };
  return { discount_type: offer.discountType, discount_value: toMajorNumber(BigInt(offer.discountValue), GENCHARGE.currency) };
}

/** Percent to basis points and rupees to paise are both two decimal places. */
const storedDiscount = (value: number | null) => (value === null ? null : toMinor(value, GENCHARGE.currency));

export function offerView(offer: OfferRow, type: OfferTypeRow) {
  return {
    offer_id: offer.id,
    offer_name: offer.name,
    offer_validity: offer.validityDays,
    offer_type: offerTypeView(type),
    is_special: offer.isSpecial,
    criteria: offer.criteria,
    description: offer.description ?? null,
    ...discountView(offer),
    status: offer.status,
    created_at: offer.createdAt.toISOString(),
  };
}

export function publicOfferView(offer: OfferRow, type: OfferTypeRow) {
  const { offer_id, offer_name, offer_validity, offer_type, is_special, description, discount_type, discount_value } = offerView(offer, type);
  return { offer_id, offer_name, offer_validity, offer_type, is_special, description, discount_type, discount_value };
}

const OFFER_COLUMNS = { offer_id: 'id', offer_name: 'name', offer_validity: 'validityDays', created_at: 'createdAt' };

export interface OfferFilters extends ListPage {
  offer_name?: string | undefined;
  status?: OfferRow['status'] | undefined;
  is_special?: boolean | undefined;
  offer_type_id?: number | undefined;
  offer_type_name?: string | undefined;
  discount_type?: NonNullable<OfferRow['discountType']> | undefined;
  /** Only offers still running at this instant (`offerEndsAt`), for lists a customer sees. */
  runningAt?: { now: Date; dayMs: number };
}

/**
 * When an offer stops applying: `offer_validity` days after it was created, each day
 * GENCHARGE_DAY_MS long (as a plan's). `listOffers({ runningAt })` applies the same rule in SQL.
 */
export const offerEndsAt = (offer: Pick<OfferRow, 'createdAt' | 'validityDays'>, dayMs: number) => new Date(offer.createdAt.getTime() + offer.validityDays * dayMs);

/** A page of offers with each one's offer type. */
export async function listOffers(em: EntityManager, q: OfferFilters) {
  const offerType = {
    ...(q.offer_type_id !== undefined && { id: q.offer_type_id }),
    ...(q.offer_type_name && { name: contains(q.offer_type_name) }),
  };
  const where = {
    ...(q.offer_name && { name: contains(q.offer_name) }),
    ...(q.status && { status: q.status }),
    ...(q.is_special !== undefined && { isSpecial: q.is_special }),
    ...(q.discount_type && { discountType: q.discount_type }),
    ...(Object.keys(offerType).length && { offerType }),
    ...(q.runningAt && {
      [raw((alias: string) => `${alias}.created_at + ${alias}.validity_days * make_interval(secs => ?)`, [q.runningAt.dayMs / 1000])]: { $gt: q.runningAt.now },
    }),
  };
  const [offers, total] = await em.findAndCount(GenChargeOffer, where as FilterQuery<OfferRow>, pageOptions(q, OFFER_COLUMNS) as never);
  const types = await typesById(em, offers);
  return { offers: offers.map((offer) => ({ offer, type: types.get(offer.offerType)! })), total };
}

async function typesById(em: EntityManager, offers: OfferRow[]): Promise<Map<number, OfferTypeRow>> {
  const ids = [...new Set(offers.map((offer) => offer.offerType))];
  const types = ids.length ? await em.find(GenChargeOfferType, { id: { $in: ids } }) : [];
  return new Map(types.map((type) => [type.id, type]));
}

async function findOffer(em: EntityManager, id: number): Promise<OfferRow> {
  const offer = await em.findOne(GenChargeOffer, { id });
  if (!offer) throw notFound('Offer');
  return offer;
}

export async function getOffer(em: EntityManager, id: number) {
  const offer = await findOffer(em, id);
  return offerView(offer, await findOfferType(em, offer.offerType));
}

const TYPE_GONE = 'Offer type not found';

export async function createOffer(em: EntityManager, input: OfferCreate) {
  const type = await findOfferType(em, input.offer_type_id);
  return guarded(
    async () => {
      const offer = em.create(GenChargeOffer, {
        name: input.offer_name,
        validityDays: input.offer_validity,
        offerType: input.offer_type_id,
        isSpecial: input.is_special,
        criteria: input.criteria,
        description: input.description ?? null,
        discountType: input.discount_type ?? null,
        discountValue: storedDiscount(input.discount_value ?? null),
        status: input.status,
      });
      await em.flush();
      await em.refresh(offer);
      return offerView(offer, type);
    },
    { parentMissing: TYPE_GONE },
  );
}

export async function updateOffer(em: EntityManager, id: number, input: OfferUpdate) {
  const offer = await findOffer(em, id);
  const type = await findOfferType(em, input.offer_type_id ?? offer.offerType);
  if (input.offer_name !== undefined) offer.name = input.offer_name;
  if (input.offer_validity !== undefined) offer.validityDays = input.offer_validity;
  if (input.offer_type_id !== undefined) offer.offerType = input.offer_type_id;
  if (input.is_special !== undefined) offer.isSpecial = input.is_special;
  if (input.criteria !== undefined) offer.criteria = input.criteria;
  if (input.description !== undefined) offer.description = input.description;
  if (input.status !== undefined) offer.status = input.status;
  if (input.discount_type !== undefined || input.discount_value !== undefined) {
    offer.discountType = input.discount_type ?? null;
    offer.discountValue = storedDiscount(input.discount_value ?? null);
  }
  offer.updatedAt = new Date();
  return guarded(
    async () => {
      await em.flush();
      return offerView(offer, type);
    },
    { parentMissing: TYPE_GONE },
  );
}

/** As with plans: an offer something still refers to is retired (inactive) instead of deleted. */
export async function deleteOffer(em: EntityManager, id: number): Promise<'deleted' | 'retired'> {
  let outcome: 'deleted' | 'retired' = 'deleted';
  await deleteRow(() => em.nativeDelete(GenChargeOffer, { id }), 'Offer', async () => {
    await em.nativeUpdate(GenChargeOffer, { id }, { status: 'inactive', updatedAt: new Date() });
    outcome = 'retired';
  });
  return outcome;
}
