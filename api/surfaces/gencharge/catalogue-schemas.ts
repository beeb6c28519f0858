import { hasValidDecimals } from '../../../core/money.js';
import { GENCHARGE_CATALOGUE_STATUSES, GENCHARGE_DISCOUNT_TYPES, GENCHARGE_USER_TYPES } from '../../../db/entities/index.js';
import { z } from '../../openapi.js';
import { listQuery } from './listing.js';
import { GENCHARGE } from './tenant.js';

/** Ids are Postgres `integer`s: anything larger is a 422, never a database error. */
const Id = z.coerce.number().int().positive().max(2_147_483_647);
const BodyId = z.number().int().positive().max(2_147_483_647);

/** A query flag written `true`/`false` (or 1/0); anything else is a 422. */
export const QueryFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const CatalogueName = z.string().trim().min(1).max(100);
const ItemName = z.string().trim().min(1).max(150);
const Status = z.enum(GENCHARGE_CATALOGUE_STATUSES);
const PlanType = z.enum(GENCHARGE_USER_TYPES);
const Criteria = z.record(z.string(), z.unknown()).openapi({ description: 'Free-form eligibility rules (a JSON object)', example: {} });
const Description = z.string().max(2000).nullable();
const Validity = z.number().int().min(1).max(3650);

/** At most two decimals: whole paise, or whole basis points of a percentage. */
const hasWholePaise = (value: number) => hasValidDecimals(value, GENCHARGE.currency);
const Rupees = z
  .number()
  .gt(0)
  .max(10_000_000)
  .refine(hasWholePaise, { message: 'Value error, an amount has at most two decimals' })
  .openapi({ description: 'Rupees (at most two decimals); stored as integer paise', example: 699 });

export const GroupIdParams = z.object({ group_id: Id });
export const PlanIdParams = z.object({ plan_id: Id });
export const OfferTypeIdParams = z.object({ offer_type_id: Id });
export const OfferIdParams = z.object({ offer_id: Id });

// Plan groups

export const PlanGroupBody = z.object({ group_name: CatalogueName }).openapi('GenChargePlanGroupRequest');
export const PlanGroup = z.object({ group_id: z.number().int(), group_name: z.string() }).openapi('GenChargePlanGroup');
export const PlanGroupsQuery = listQuery(
  { group_name: z.string().max(100).optional().openapi({ description: 'Part of the group name (case-insensitive)' }) },
  ['group_id', 'group_name', 'created_at'],
  'group_id',
);

// Plans

export const PlanCreateBody = z
  .object({
    plan_name: ItemName,
    price: Rupees,
    validity: Validity.openapi({ description: 'Days the plan lasts (at least 1)', example: 84 }),
    plan_type: PlanType,
    group_id: BodyId,
    description: Description.optional(),
    criteria: Criteria.default({}),
    most_popular: z.boolean().default(false),
    status: Status.default('active'),
  })
  .openapi('GenChargePlanCreateRequest');

/** PUT changes the fields it sends and keeps the rest. */
export const PlanUpdateBody = z
  .object({
    plan_name: ItemName.optional(),
    price: Rupees.optional(),
    validity: Validity.optional(),
    plan_type: PlanType.optional(),
    group_id: BodyId.optional(),
    description: Description.optional(),
    criteria: Criteria.optional(),
    most_popular: z.boolean().optional(),
    status: Status.optional(),
  })
  .openapi('GenChargePlanUpdateRequest');

export const Plan = z
  .object({
    plan_id: z.number().int(),
    plan_name: z.string(),
    price: z.number().openapi({ description: 'Rupees' }),
    validity: z.number().int().openapi({ description: 'Days' }),
    plan_type: PlanType,
    group_id: z.number().int(),
    description: z.string().nullable(),
    criteria: Criteria,
    most_popular: z.boolean(),
    status: Status,
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('GenChargePlan');

export const PublicPlan = Plan.pick({ plan_id: true, plan_name: true, plan_type: true, price: true, validity: true, group_id: true, description: true, most_popular: true }).openapi(
  'GenChargePublicPlan',
);

const PLAN_SORTS = ['plan_id', 'plan_name', 'price', 'validity', 'created_at'] as const;

export const PlansQuery = listQuery(
  {
    plan_name: z.string().max(150).optional().openapi({ description: 'Part of the plan name (case-insensitive)' }),
    status: Status.optional(),
    plan_type: PlanType.optional(),
    group_id: Id.optional(),
    group_name: z.string().max(100).optional().openapi({ description: "Part of the plan group's name (case-insensitive)" }),
    most_popular: QueryFlag.optional(),
  },
  PLAN_SORTS,
  'plan_id',
);

export const PublicPlansQuery = listQuery(
  {
    plan_type: PlanType.optional(),
    group_id: Id.optional(),
    most_popular: QueryFlag.optional(),
  },
  PLAN_SORTS,
  'plan_id',
);

// Offer types

export const OfferTypeBody = z.object({ offer_type_name: CatalogueName }).openapi('GenChargeOfferTypeRequest');
export const OfferType = z.object({ offer_type_id: z.number().int(), offer_type_name: z.string() }).openapi('GenChargeOfferType');
export const OfferTypesQuery = listQuery(
  { offer_type_name: z.string().max(100).optional().openapi({ description: 'Part of the offer type name (case-insensitive)' }) },
  ['offer_type_id', 'offer_type_name', 'created_at'],
  'offer_type_id',
);

// Offers

const DiscountType = z.enum(GENCHARGE_DISCOUNT_TYPES).nullable();
const DiscountValue = z
  .number()
  .gt(0)
  .max(10_000_000)
  .refine(hasWholePaise, { message: 'Value error, a discount has at most two decimals' })
  .nullable()
  .openapi({ description: 'Percent (0-100] for `percentage`, rupees for `flat`; at most two decimals' });

export const DISCOUNT_NOTE =
  'The discount an offer gives is `discount_type` (`percentage` or `flat`, or null for none) with `discount_value`: a percent above 0 and at most 100 for `percentage`, rupees for `flat` (at most two decimals either way; stored as basis points or paise). Send both or neither.';

/** Both discount fields together or neither; a percentage is at most 100. */
function checkDiscount(value: { discount_type?: string | null; discount_value?: number | null }, ctx: z.RefinementCtx): void {
  const hasType = value.discount_type !== undefined && value.discount_type !== null;
  const hasValue = value.discount_value !== undefined && value.discount_value !== null;
  if (hasType !== hasValue) {
    ctx.addIssue({ code: 'custom', path: [hasType ? 'discount_value' : 'discount_type'], message: 'Value error, discount_type and discount_value go together' });
  }
  if (value.discount_type === 'percentage' && hasValue && value.discount_value! > 100) {
    ctx.addIssue({ code: 'custom', path: ['discount_value'], message: 'Value error, a percentage discount is at most 100' });
  }
}

const OfferFields = {
  offer_name: ItemName,
  offer_validity: Validity.openapi({ description: 'Days the offer lasts (at least 1)', example: 30 }),
  offer_type_id: BodyId,
  is_special: z.boolean(),
  criteria: Criteria,
  description: Description,
  status: Status,
  discount_type: DiscountType,
  discount_value: DiscountValue,
};

export const OfferCreateBody = z
  .object({
    ...OfferFields,
    is_special: OfferFields.is_special.default(false),
    criteria: OfferFields.criteria.default({}),
    description: OfferFields.description.optional(),
    status: OfferFields.status.default('active'),
    discount_type: OfferFields.discount_type.optional(),
    discount_value: OfferFields.discount_value.optional(),
  })
  .superRefine(checkDiscount)
  .openapi('GenChargeOfferCreateRequest');

/**
 * PUT changes the fields it sends and keeps the rest; a discount is sent whole (both fields),
 * and the stored one is checked again after merging.
 */
export const OfferUpdateBody = z
  .object({
    offer_name: OfferFields.offer_name.optional(),
    offer_validity: OfferFields.offer_validity.optional(),
    offer_type_id: OfferFields.offer_type_id.optional(),
    is_special: OfferFields.is_special.optional(),
    criteria: OfferFields.criteria.optional(),
    description: OfferFields.description.optional(),
    status: OfferFields.status.optional(),
    discount_type: OfferFields.discount_type.optional(),
    discount_value: OfferFields.discount_value.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.discount_type !== undefined || value.discount_value !== undefined) checkDiscount(value, ctx);
  })
  .openapi('GenChargeOfferUpdateRequest');

export const Offer = z
  .object({
    offer_id: z.number().int(),
    offer_name: z.string(),
    offer_validity: z.number().int(),
    offer_type: OfferType,
    is_special: z.boolean(),
    criteria: Criteria,
    description: z.string().nullable(),
    discount_type: DiscountType,
    discount_value: z.number().nullable(),
    status: Status,
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('GenChargeOffer');

export const PublicOffer = Offer.pick({
  offer_id: true,
  offer_name: true,
  offer_validity: true,
  offer_type: true,
  is_special: true,
  description: true,
  discount_type: true,
  discount_value: true,
}).openapi('GenChargePublicOffer');

const OFFER_SORTS = ['offer_id', 'offer_name', 'offer_validity', 'created_at'] as const;

export const OffersQuery = listQuery(
  {
    offer_name: z.string().max(150).optional().openapi({ description: 'Part of the offer name (case-insensitive)' }),
    status: Status.optional(),
    is_special: QueryFlag.optional(),
    offer_type_id: Id.optional(),
    offer_type_name: z.string().max(100).optional().openapi({ description: "Part of the offer type's name (case-insensitive)" }),
    discount_type: z.enum(GENCHARGE_DISCOUNT_TYPES).optional(),
  },
  OFFER_SORTS,
  'offer_id',
);

export const PublicOffersQuery = listQuery(
  {
    is_special: QueryFlag.optional(),
    offer_type_id: Id.optional(),
  },
  OFFER_SORTS,
  'offer_id',
);

export type PlanCreate = z.infer<typeof PlanCreateBody>;
export type PlanUpdate = z.infer<typeof PlanUpdateBody>;
export type OfferCreate = z.infer<typeof OfferCreateBody>;
export type OfferUpdate = z.infer<typeof OfferUpdateBody>;
