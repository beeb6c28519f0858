/**
 * GenCharge recharge rules shared by the API (which prices and checks an order) and the
 * subscription activities (which re-check the plan when a flow runs, e.g. an autopay run).
 */

/** The operators GenCharge's recharge aggregator serves. */
export const GENCHARGE_OPERATORS = ['JIO', 'AIRTEL', 'VI', 'BSNL'] as const;
export type GenChargeOperator = (typeof GENCHARGE_OPERATORS)[number];

const OPERATOR_IN_NAME = new RegExp(`\\b(${GENCHARGE_OPERATORS.join('|')})\\b`, 'i');

/**
 * The operator a plan recharges: its `criteria.operator` when set, else the operator its plan
 * group is named after ("Jio Prepaid", "Airtel"); undefined when neither names one.
 */
export function planOperator(criteria: Record<string, unknown>, groupName: string | undefined): GenChargeOperator | undefined {
  const stated = criteria.operator;
  if (typeof stated === 'string') {
    const upper = stated.trim().toUpperCase();
    return (GENCHARGE_OPERATORS as readonly string[]).includes(upper) ? (upper as GenChargeOperator) : undefined;
  }
  const named = groupName ? OPERATOR_IN_NAME.exec(groupName)?.[1] : undefined;
  return named ? (named.toUpperCase() as GenChargeOperator) : undefined;
}

const PAISE_PER_RUPEE = 100n;

export interface OfferTerms {
  discountType: 'percentage' | 'flat' | null | undefined;
  /** Basis points for a percentage, paise for a flat discount. */
  discountValue: bigint | null | undefined;
}

/**
 * The price charged for a plan after an offer, in paise: operators take whole rupees, so the
 * discounted price is rounded down to a whole rupee (in the customer's favour).
 */
export function discountedPrice(pricePaise: bigint, offer: OfferTerms | undefined): bigint {
  let price = pricePaise;
  if (offer?.discountType === 'percentage' && offer.discountValue) price -= (pricePaise * offer.discountValue) / 10_000n;
  if (offer?.discountType === 'flat' && offer.discountValue) price -= offer.discountValue;
  if (price <= 0n) return 0n;
  return (price / PAISE_PER_RUPEE) * PAISE_PER_RUPEE;
}
