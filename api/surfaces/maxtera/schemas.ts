import { z } from '../../openapi.js';
import { hasValidDecimals, toMinor } from '../../../core/money.js';
import { MAXTERA } from './tenant.js';

export const NETWORKS = ['MTN', 'AIRTEL', 'GLO', '9MOBILE'] as const;

/** Nigerian mobile numbers: 0XXXXXXXXXX, 234XXXXXXXXXX or +234XXXXXXXXXX, stored as 0XXXXXXXXXX. */
export const nigerianPhone = z
  .string({ error: 'This field is required.' })
  .trim()
  .regex(/^(?:\+?234|0)[789][01]\d{8}$/, 'Enter a valid Nigerian phone number, e.g. 08012345678.')
  .transform((v) => `0${v.replace(/^(?:\+?234|0)/, '')}`)
  .openapi({ example: '08012345678' });

/** Naira amounts as the app sends them (100, 99.5, "2000"); converted to kobo without float maths. */
export function nairaAmount(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^\d+(\.\d{1,2})?$/, 'A valid number is required.')], {
      error: 'A valid number is required.',
    })
    .refine((v) => typeof v === 'string' || (Number.isFinite(v) && hasValidDecimals(v, MAXTERA.currency)), 'Ensure that there are no more than 2 decimal places.')
    .transform((v) => toMinor(v, MAXTERA.currency))
    .refine((minor) => minor >= toMinor(min, MAXTERA.currency), `Ensure this value is greater than or equal to ${min}.`)
    .refine((minor) => minor <= toMinor(max, MAXTERA.currency), `Ensure this value is less than or equal to ${max}.`)
    .openapi({ type: 'number', example: min * 10 });
}

const network = z
  .string({ error: 'This field is required.' })
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(NETWORKS, { error: `"Choose one of ${NETWORKS.join(', ')}."` }))
  .openapi({ type: 'string', enum: [...NETWORKS], example: 'MTN' });

const email = z.string({ error: 'This field is required.' }).trim().toLowerCase().pipe(z.email({ error: 'Enter a valid email address.' }).max(254));
const password = z.string({ error: 'This field is required.' }).min(8, 'Ensure this field has at least 8 characters.').max(128);

export const RegisterBody = z
  .object({ email, password, phone: nigerianPhone })
  .openapi('MaxteraRegisterRequest', { example: { email: 'user@example.com', password: 'mypassword', phone: '08012345678' } });
export const RegisterResponse = z.object({ message: z.string(), user_id: z.number().int() }).openapi('MaxteraRegisterResponse');

export const LoginBody = z.object({ email, password: z.string({ error: 'This field is required.' }).min(1).max(128) }).openapi('MaxteraLoginRequest');
export const TokenPair = z.object({ access: z.string(), refresh: z.string() }).openapi('MaxteraTokenPair');
export const RefreshBody = z.object({ refresh: z.string({ error: 'This field is required.' }).min(1).max(512) }).openapi('MaxteraRefreshRequest');
export const Detail = z.object({ detail: z.string() }).openapi('MaxteraDetail');
export const FieldErrors = z.record(z.string(), z.array(z.string())).openapi('MaxteraFieldErrors');

export const Balance = z.object({ balance: z.number(), currency: z.literal('NGN') }).openapi('MaxteraBalance', { example: { balance: 5400.0, currency: 'NGN' } });

export const FundBody = z
  .object({
    amount: nairaAmount(100, 5_000_000),
    method: z.enum(['onepipe'], { error: '"Choose onepipe."' }).default('onepipe'),
  })
  .openapi('MaxteraFundRequest', { example: { amount: 2000, method: 'onepipe' } });
export const FundResponse = z.object({ status: z.literal('pending'), reference: z.string() }).openapi('MaxteraFundResponse');

export const AirtimeBody = z
  .object({ network, amount: nairaAmount(50, 50_000), phone_number: nigerianPhone })
  .openapi('MaxteraAirtimeRequest', { example: { network: 'MTN', amount: 100, phone_number: '08012345678' } });

export const DataBody = z
  .object({
    network,
    plan: z.string({ error: 'This field is required.' }).trim().toUpperCase().min(1).max(32),
    phone_number: nigerianPhone,
  })
  .openapi('MaxteraDataRequest', { example: { network: 'AIRTEL', plan: '1GB', phone_number: '08012345678' } });

export const PurchaseResponse = z
  .object({ status: z.enum(['success', 'failed', 'pending']), reference: z.string(), detail: z.string().optional() })
  .openapi('MaxteraPurchaseResponse');

export const BillBody = z
  .object({
    service_type: z.string({ error: 'This field is required.' }).trim().toUpperCase().min(1).max(32),
    smartcard_number: z.string({ error: 'This field is required.' }).trim().regex(/^\d{10,13}$/, 'Enter a valid smartcard or meter number (10-13 digits).'),
    amount: nairaAmount(100, 500_000),
  })
  .openapi('MaxteraBillRequest', { example: { service_type: 'DSTV', smartcard_number: '1234567890', amount: 4800 } });
export const BillResponse = z
  .object({ status: z.enum(['success', 'failed', 'pending']), transaction_id: z.string(), detail: z.string().optional() })
  .openapi('MaxteraBillResponse');

export const PlansQuery = z.object({ network: network.optional() });
export const DataPlanItem = z
  .object({ network: z.string(), plan: z.string(), name: z.string(), amount: z.number(), validity_days: z.number().int() })
  .openapi('MaxteraDataPlan');
export const BillServiceItem = z
  .object({ service_type: z.string(), name: z.string(), category: z.string(), min_amount: z.number(), max_amount: z.number() })
  .openapi('MaxteraBillService');

function wholeNumber(min: number, max: number) {
  return z.coerce
    .number({ error: 'A valid integer is required.' })
    .int('A valid integer is required.')
    .min(min, `Ensure this value is greater than or equal to ${min}.`)
    .max(max, `Ensure this value is less than or equal to ${max}.`);
}

export const TRANSACTION_TYPES = { funding: 'Funding', airtime: 'Airtime', data: 'Data', bill: 'Bills' } as const;
const typeByLabel = Object.fromEntries(Object.entries(TRANSACTION_TYPES).map(([k, v]) => [v.toLowerCase(), k]));

export const TransactionsQuery = z.object({
  page: wholeNumber(1, 1_000_000).default(1),
  page_size: wholeNumber(1, 100).default(20),
  type: z
    .string()
    .transform((v) => typeByLabel[v.toLowerCase()] ?? v)
    .pipe(z.enum(['funding', 'airtime', 'data', 'bill'], { error: 'Choose Funding, Airtime, Data or Bills.' }))
    .optional(),
  status: z.enum(['pending', 'success', 'failed'], { error: 'Choose pending, success or failed.' }).optional(),
});
export const TransactionItem = z
  .object({
    id: z.number().int(),
    type: z.enum(['Funding', 'Airtime', 'Data', 'Bills']),
    amount: z.number(),
    status: z.enum(['pending', 'success', 'failed']),
    reference: z.string(),
    created_at: z.string(),
  })
  .openapi('MaxteraTransaction');

/** Error responses every Maxtera route documents the same way. */
export const ERROR_RESPONSES = {
  invalid: { description: 'Invalid input: field errors', schema: FieldErrors },
  unauthorized: { description: 'Missing or invalid token', schema: Detail },
  throttled: { description: 'Throttled', schema: Detail },
  keyInProgress: { description: 'Same Idempotency-Key still in progress', schema: Detail },
  keyReused: { description: 'Idempotency-Key reused with another body', schema: Detail },
};
