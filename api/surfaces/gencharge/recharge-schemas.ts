import { hasValidDecimals } from '../../../core/money.js';
import { GENCHARGE_SUBSCRIPTION_STATUSES, GENCHARGE_USER_TYPES, TRANSACTION_STATUSES } from '../../../db/entities/index.js';
import { z } from '../../openapi.js';
import { DateBound, pagedQuery, pageSchema } from './listing.js';
import { IndianMobile, PositiveId } from './schemas.js';
import { GENCHARGE } from './tenant.js';

const BodyId = z.number().int().positive().max(2_147_483_647);

/** A method written in any case is taken ("upi" is UPI); the answer shows the canonical spelling. */
function methodOf<const M extends readonly [string, ...string[]]>(methods: M) {
  return z
    .string()
    .transform((value, ctx) => {
      const found = methods.find((m) => m.toLowerCase() === value.trim().toLowerCase());
      if (!found) {
        ctx.addIssue({ code: 'custom', message: `Input should be ${methods.map((m) => `'${m}'`).join(', ')}` });
        return z.NEVER;
      }
      return found as M[number];
    })
    .openapi({ type: 'string', enum: [...methods] });
}

/** How the UPI/card collector is paid; `wallet` (subscribe only) pays from the wallet balance. */
export const COLLECTED_METHODS = ['UPI', 'Card', 'NetBanking'] as const;
export const SUBSCRIBE_METHODS = ['wallet', ...COLLECTED_METHODS] as const;

const Amount = z
  .number()
  .gt(0)
  .max(100_000)
  .refine((value) => hasValidDecimals(value, GENCHARGE.currency), { message: 'Value error, an amount has at most two decimals' })
  .openapi({ description: 'Rupees (at most two decimals)', example: 500 });

const Money = z.string().openapi({ description: 'Rupees with two decimals', example: '500.00' });
const Instant = z.string().openapi({ format: 'date-time', example: '2025-11-10T10:00:00Z' });

export const TopupBody = z
  .object({
    amount: Amount,
    phone_number: IndianMobile,
    payment_method: methodOf(COLLECTED_METHODS),
  })
  .openapi('GenChargeTopupRequest');

export const TopupResponse = z
  .object({
    txn_id: z.number().int(),
    category: z.literal('wallet'),
    txn_type: z.literal('credit'),
    amount: Money,
    source: z.literal('wallet_topup'),
    status: z.enum(TRANSACTION_STATUSES),
    payment_method: z.string(),
    created_at: Instant,
    reference: z.string().openapi({ description: 'The payment reference the collector knows this top-up by' }),
    payment_url: z.string().nullable().openapi({ description: 'Where the app sends the user to pay (UPI intent / card page)' }),
  })
  .openapi('GenChargeTopupResponse');

export const SubscribeBody = z
  .object({
    phone_number: IndianMobile,
    plan_id: BodyId,
    offer_id: BodyId.nullish(),
    payment_method: methodOf(SUBSCRIBE_METHODS),
    source: z.literal('recharge').default('recharge'),
    activation_mode: z.enum(['activate', 'queue']).default('activate'),
  })
  .openapi('GenChargeSubscribeRequest');

export const SubscribeResponse = z
  .object({
    txn_id: z.number().int().nullable().openapi({ description: 'The debit row; null while a UPI/card payment is still awaited' }),
    category: z.literal('service'),
    txn_type: z.literal('debit'),
    amount: Money,
    service_type: z.enum(GENCHARGE_USER_TYPES),
    plan_id: z.number().int(),
    offer_id: z.number().int().nullable(),
    source: z.string(),
    status: z.enum(TRANSACTION_STATUSES),
    payment_method: z.string(),
    created_at: Instant,
    reference: z.string().openapi({ description: "The order's reference (the operator's client_ref)" }),
    payment_reference: z.string().optional().openapi({ description: 'UPI/card only: the collection to pay' }),
    payment_url: z.string().nullable().optional().openapi({ description: 'UPI/card only: where the app sends the user to pay' }),
    failure_reason: z.string().optional(),
  })
  .openapi('GenChargeSubscribeResponse');

const PlanSummary = z.object({
  plan_id: z.number().int(),
  plan_name: z.string(),
  plan_type: z.enum(GENCHARGE_USER_TYPES),
  status: z.string(),
  created_at: Instant,
});

export const SubscriptionItem = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    plan_id: z.number().int(),
    phone_number: z.string(),
    valid_from: Instant,
    valid_to: Instant,
    status: z.enum(GENCHARGE_SUBSCRIPTION_STATUSES),
    plan: PlanSummary,
  })
  .openapi('GenChargeSubscription');

export const TransactionItem = z
  .object({
    txn_id: z.number().int(),
    category: z.enum(['wallet', 'service']),
    txn_type: z.enum(['credit', 'debit']),
    amount: Money,
    source: z.string(),
    status: z.enum(TRANSACTION_STATUSES),
    created_at: Instant,
    payment_method: z.string().nullable(),
    reference: z.string(),
    service_type: z.string().optional(),
    plan_id: z.number().int().optional(),
    offer_id: z.number().int().nullable().optional(),
    phone_number: z.string().optional(),
    user_id: z.number().int().optional(),
  })
  .openapi('GenChargeTransaction');

/** `YYYY-MM-DD` (a whole day) or an ISO instant. */

const planFilters = {
  status: z.enum(GENCHARGE_SUBSCRIPTION_STATUSES).optional(),
  phone_number: IndianMobile.optional(),
  plan_id: PositiveId.optional(),
};

export const MyPlansQuery = pagedQuery(planFilters);
export const AdminPlansQuery = pagedQuery({ ...planFilters, user_id: PositiveId.optional() });

const transactionFilters = {
  status: z.enum(TRANSACTION_STATUSES).optional(),
  category: z.enum(['wallet', 'service']).optional(),
  txn_type: z.enum(['credit', 'debit']).optional(),
  source: z.enum(['wallet_topup', 'recharge', 'autopay']).optional(),
  date_from: DateBound.optional().openapi({ description: 'From this day (from its start in India) or instant, inclusive' }),
  date_to: DateBound.optional().openapi({ description: 'Up to this day (through its end in India) or instant, inclusive' }),
};

export const MyTransactionsQuery = pagedQuery(transactionFilters);
export const AdminTransactionsQuery = pagedQuery({ ...transactionFilters, user_id: PositiveId.optional() });

export const PlansPage = pageSchema('plans', SubscriptionItem).openapi('GenChargeSubscriptionsPage');
export const TransactionsPage = pageSchema('transactions', TransactionItem).openapi('GenChargeTransactionsPage');

export type SubscribeRequest = z.infer<typeof SubscribeBody>;
export type TransactionFilters = z.infer<typeof AdminTransactionsQuery>;
export type PlanFilters = z.infer<typeof AdminPlansQuery>;
