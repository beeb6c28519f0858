import { z } from '../../openapi.js';
import { hasValidDecimals, toMinor } from '../../../core/money.js';
import { isEasyPayCode, isVoucherCode } from '../../../workflows/mymoolah-codes.js';
import { MYMOOLAH_ID_TYPES } from '../../../db/entities/mymoolah.js';
import { EASYPAY_NOT_REDEEMABLE, MYMOOLAH } from './tenant.js';

/** Rand amounts as the app sends them (500, 99.5, "250.00"): positive, at most two decimals, converted to cents without floats. */
export function randAmount(opts: { min?: number; max?: number } = {}) {
  const { min = 0.01, max = 1_000_000 } = opts;
  return z
    .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'Amount must be a number')], { error: 'Amount must be a number' })
    .refine((v) => typeof v === 'string' || Number.isFinite(v), 'Amount must be a number')
    .refine((v) => hasValidDecimals(v, MYMOOLAH.currency), 'Amount may have at most 2 decimal places')
    .transform((v) => toMinor(v, MYMOOLAH.currency))
    .refine((minor) => minor > 0n, 'Amount must be greater than zero')
    .refine((minor) => minor >= toMinor(min, MYMOOLAH.currency), `Amount must be at least ${min.toFixed(2)}`)
    .refine((minor) => minor <= toMinor(max, MYMOOLAH.currency), `Amount must be at most ${max.toFixed(2)}`)
    .openapi({ type: 'number', example: 500 });
}

const digitsOnly = (v: string) => v.replace(/[\s-]/g, '');

/** A 16-digit MMVoucher code, spaces allowed; a 14-digit EasyPay number gets the spec's own refusal. */
export const redeemableCode = z
  .string({ error: 'Voucher code is required' })
  .transform(digitsOnly)
  .superRefine((code, ctx) => {
    if (/^\d{14}$/.test(code)) ctx.addIssue({ code: 'custom', message: EASYPAY_NOT_REDEEMABLE });
    else if (!isVoucherCode(code)) ctx.addIssue({ code: 'custom', message: 'Invalid voucher code format: a voucher code has 16 digits' });
  })
  .openapi({ type: 'string', example: '1093 2371 6105 6638' });

export const easyPayCode = z
  .string({ error: 'EasyPay number is required' })
  .transform(digitsOnly)
  .refine(isEasyPayCode, 'Invalid EasyPay number: 14 digits starting with 9, with a valid check digit')
  .openapi({ type: 'string', example: '91234388661928' });

/** South African mobile numbers as +27XXXXXXXXX (0XXXXXXXXX and 27XXXXXXXXX accepted). */
export const saMobile = z
  .string({ error: 'Phone number is required' })
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^(?:\+?27|0)[6-8]\d{8}$/, 'Enter a South African mobile number, e.g. +27825571055'))
  .transform((v) => `+27${v.replace(/^(?:\+?27|0)/, '')}`)
  .openapi({ type: 'string', example: '+27825571055' });

/** A South African ID number: YYMMDD date of birth, gender digits, citizenship, and a Luhn check digit. */
export function isSouthAfricanId(id: string): boolean {
  if (!/^\d{13}$/.test(id)) return false;
  const [yy, mm, dd] = [Number(id.slice(0, 2)), Number(id.slice(2, 4)), Number(id.slice(4, 6))];
  const date = new Date(Date.UTC(2000 + yy, mm - 1, dd));
  const validDate = date.getUTCMonth() === mm - 1 && date.getUTCDate() === dd && mm >= 1 && mm <= 12;
  // Check on a leap-neutral century too: 29 Feb 00 is valid for 2000, and the ID does not say the century.
  const leapDay = mm === 2 && dd === 29 && (yy % 4 === 0);
  if (!validDate && !leapDay) return false;
  if (!['0', '1'].includes(id[10]!)) return false;
  let sum = 0;
  for (let i = 12, double = false; i >= 0; i--, double = !double) {
    let d = Number(id[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const email = z.string({ error: 'Email is required' }).trim().toLowerCase().pipe(z.email({ error: 'Enter a valid email address' }).max(254));
const password = z.string({ error: 'Password is required' }).min(8, 'Password must be at least 8 characters').max(128);

export const RegisterBody = z
  .object({
    name: z.string({ error: 'Name is required' }).trim().min(2, 'Name is required').max(120),
    email,
    phoneNumber: saMobile,
    password,
    idNumber: z.string({ error: 'ID number is required' }).trim().min(1, 'ID number is required').max(32),
    idType: z.enum(MYMOOLAH_ID_TYPES, { error: 'ID type must be south_african_id or passport' }).default('south_african_id'),
  })
  .superRefine((v, ctx) => {
    if (v.idType === 'south_african_id' && !isSouthAfricanId(v.idNumber)) {
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'Invalid South African ID number' });
    }
    if (v.idType === 'passport' && !/^[A-Za-z0-9]{6,20}$/.test(v.idNumber)) {
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'Invalid passport number' });
    }
  })
  .openapi('MyMoolahRegisterRequest', {
    example: { name: 'Andre Test', email: 'andre@example.com', phoneNumber: '+27825571055', password: 'Password123!', idNumber: '8001015009087', idType: 'south_african_id' },
  });

export const LoginBody = z
  .object({
    identifier: z.string({ error: 'Identifier is required' }).trim().min(1, 'Identifier is required').max(254),
    password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(128),
  })
  .openapi('MyMoolahLoginRequest', { example: { identifier: '+27825571055', password: 'Password123!' } });

export const RefreshBody = z
  .object({ refreshToken: z.string({ error: 'Refresh token is required' }).min(1, 'Refresh token is required').max(512) })
  .openapi('MyMoolahRefreshRequest');

export const AuthUser = z
  .object({ id: z.number().int(), phone: z.string().nullable(), email: z.string().nullable(), firstName: z.string(), lastName: z.string(), kycStatus: z.string(), role: z.enum(['user', 'admin']) })
  .openapi('MyMoolahUser');
export const AuthResponse = z
  .object({ success: z.literal(true), message: z.string(), token: z.string(), refreshToken: z.string(), user: AuthUser })
  .openapi('MyMoolahAuthResponse');

export const ErrorBody = z.object({ success: z.literal(false), error: z.string(), code: z.string() }).openapi('MyMoolahError');

/** Wraps a payload in MyMoolah's success envelope for the OpenAPI description. */
export const envelope = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ success: z.literal(true), message: z.string().optional(), data }).openapi(name);

export const Balance = envelope('MyMoolahBalance', z.object({ walletId: z.string(), balance: z.number(), currency: z.literal('ZAR'), status: z.string() }));

const pageQuery = (defaultLimit: number) =>
  z.object({
    page: z.coerce.number({ error: 'page must be a whole number' }).int('page must be a whole number').min(1, 'page must be at least 1').max(1_000_000).default(1),
    limit: z.coerce.number({ error: 'limit must be a whole number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(100, 'limit must be at most 100').default(defaultLimit),
  });
export const TransactionsQuery = pageQuery(10);
export const VouchersQuery = pageQuery(50);
/** The spec's pagination block (wallet transactions), used by every MyMoolah list. */
export const Pagination = z
  .object({ currentPage: z.number().int(), itemsPerPage: z.number().int(), totalItems: z.number().int(), totalPages: z.number().int() })
  .openapi('MyMoolahPagination');
export const paginationOf = (page: number, limit: number, total: number): z.infer<typeof Pagination> => ({
  currentPage: page,
  itemsPerPage: limit,
  totalItems: total,
  totalPages: Math.ceil(total / limit),
});
export const Transaction = z
  .object({
    id: z.number().int(),
    transactionId: z.string(),
    type: z.string(),
    direction: z.enum(['credit', 'debit']),
    amount: z.number().openapi({ description: 'Rand; negative for money out of the wallet' }),
    status: z.string(),
    description: z.string(),
    currency: z.literal('ZAR'),
    token: z.string().optional().openapi({ description: 'What a purchase delivered that the buyer needs (prepaid electricity token, PIN)' }),
    createdAt: z.string(),
  })
  .openapi('MyMoolahTransaction');
export const Transactions = envelope(
  'MyMoolahTransactions',
  z.object({
    transactions: z.array(Transaction),
    pagination: Pagination,
  }),
);

export const DepositBody = z
  .object({ amount: randAmount({ min: 10, max: 50_000 }), method: z.enum(['eft', 'card'], { error: 'method must be eft or card' }).default('eft') })
  .openapi('MyMoolahDepositRequest', { example: { amount: 1000, method: 'eft' } });
export const Deposit = envelope(
  'MyMoolahDeposit',
  z.object({ reference: z.string(), status: z.literal('pending'), amount: z.number(), currency: z.literal('ZAR'), paymentUrl: z.string().optional() }),
);

/** What this platform serves MyMoolah users today; quick access picks among them. */
export const SERVICES = ['vouchers', 'easypay', 'airtime', 'data', 'electricity'] as const;
export const SettingsBody = z
  .object({
    quickAccessServices: z.array(z.enum(SERVICES, { error: `Choose from ${SERVICES.join(', ')}` })).max(SERVICES.length).optional(),
    showBalance: z.boolean({ error: 'showBalance must be true or false' }).optional(),
    language: z.enum(['en', 'af', 'zu', 'xh', 'st'], { error: 'language must be one of en, af, zu, xh, st' }).optional(),
    displayCurrency: z.literal('ZAR', { error: 'displayCurrency must be ZAR' }).optional(),
  })
  .strict()
  .openapi('MyMoolahSettingsUpdate', { example: { quickAccessServices: ['vouchers', 'airtime'], showBalance: false } });
export const Settings = envelope(
  'MyMoolahSettings',
  z.object({
    settings: z.object({ userId: z.number().int(), quickAccessServices: z.array(z.string()), showBalance: z.boolean(), language: z.string(), displayCurrency: z.string() }),
    enabledServices: z.array(z.string()),
  }),
);

export const IssueBody = z
  .object({ original_amount: randAmount({ min: 5, max: 4_000 }), issued_to: z.string().trim().max(254).optional() })
  .openapi('MyMoolahIssueVoucherRequest', { example: { original_amount: 500, issued_to: 'user@example.com' } });

export const VoucherItem = z
  .object({
    id: z.number().int(),
    voucherCode: z.string().nullable().openapi({ description: 'The 16-digit MMVoucher code in groups of four; null while an EasyPay voucher awaits payment' }),
    easyPayCode: z.string().nullable().openapi({ description: 'The 14-digit EasyPay number as shown (9 1234 3886 6192 8)' }),
    originalAmount: z.string(),
    balance: z.string(),
    status: z.string(),
    voucherType: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('MyMoolahVoucher');
export const VoucherList = envelope('MyMoolahVoucherList', z.object({ vouchers: z.array(VoucherItem), pagination: Pagination }));
export const VoucherOne = envelope('MyMoolahVoucherOne', VoucherItem);
const bucket = z.object({ count: z.number().int(), value: z.string() });
export const BalanceSummary = envelope('MyMoolahVoucherSummary', z.object({ active: bucket, pending: bucket, redeemed: bucket, expired: bucket, cancelled: bucket, total: bucket }));

export const Issued = envelope(
  'MyMoolahIssuedVoucher',
  z.object({ id: z.number().int(), voucherCode: z.string(), originalAmount: z.string(), balance: z.string(), status: z.literal('active'), expiresAt: z.string() }),
);
export const EasyPayIssued = envelope(
  'MyMoolahEasyPayIssued',
  z.object({ id: z.number().int(), easypay_code: z.string(), easypay_code_display: z.string(), amount: z.string(), status: z.literal('pending_payment'), expires_at: z.string(), sms_sent: z.boolean() }),
);

export const SettlementBody = z
  .object({
    easypay_code: easyPayCode,
    settlement_amount: randAmount(),
    merchant_id: z.string().trim().max(64).optional(),
    transaction_id: z.string({ error: 'transaction_id is required' }).trim().min(1, 'transaction_id is required').max(64),
  })
  .openapi('MyMoolahEasyPaySettlementRequest', { example: { easypay_code: '91234388661928', settlement_amount: 500, merchant_id: 'MERCHANT123', transaction_id: 'TX123456' } });
export const Settled = envelope('MyMoolahEasyPaySettled', z.object({ easypay_code: z.string(), mm_voucher_code: z.string(), status: z.literal('active') }));

export const NetworkSettlementBody = z
  .object({
    easypay_code: easyPayCode,
    amount: randAmount(),
    transaction_id: z.string({ error: 'transaction_id is required' }).trim().min(1, 'transaction_id is required').max(64),
    merchant_id: z.string().trim().max(64).optional(),
  })
  .openapi('EasyPayNetworkPaymentRequest', { example: { easypay_code: '91234388661928', amount: 500, transaction_id: 'EP-778812', merchant_id: 'SHOPRITE-0042' } });
export const NetworkSettled = envelope(
  'EasyPayNetworkPaymentResponse',
  z.object({ easypay_code: z.string(), transaction_id: z.string(), status: z.literal('accepted'), amount: z.string() }),
);

export const RedeemBody = z
  .object({
    voucher_code: redeemableCode,
    amount: randAmount(),
    redeemer_id: z.string().trim().max(64).optional(),
    merchant_id: z.string().trim().max(64).optional(),
    service_provider_id: z.string().trim().max(64).optional(),
  })
  .openapi('MyMoolahRedeemRequest', { example: { voucher_code: '1093 2371 6105 6638', amount: 250, merchant_id: 'MERCHANT123' } });
export const Redeemed = envelope(
  'MyMoolahRedeemed',
  z.object({ voucher_id: z.number().int(), redeemed_amount: z.string(), remaining_balance: z.string(), redemption_count: z.number().int(), status: z.string() }),
);

export const CodeParams = z.object({ voucher_code: z.string().max(40) });
export const VoucherIdParams = z.object({ voucher_id: z.coerce.number({ error: 'voucher id must be a number' }).int().positive().max(Number.MAX_SAFE_INTEGER) });
export const CancelParams = z.object({ voucherId: z.coerce.number({ error: 'voucher id must be a number' }).int().positive().max(Number.MAX_SAFE_INTEGER) });
export const Redemptions = envelope(
  'MyMoolahVoucherRedemptions',
  z.object({
    voucher_id: z.number().int(),
    voucher_code: z.string().nullable(),
    redemption_count: z.number().int(),
    max_redemptions: z.number().int().nullable().openapi({ description: 'null: any number of partial redemptions up to the balance' }),
    status: z.string(),
    balance: z.string(),
    redemptions: z.array(z.object({ amount: z.string(), remaining_balance: z.string(), merchant_id: z.string().nullable(), redeemed_at: z.string() })),
  }),
);
export const Cancelled = envelope(
  'MyMoolahVoucherCancelled',
  z.object({
    voucherId: z.string(),
    easyPayCode: z.string(),
    originalAmount: z.number(),
    refundAmount: z.number(),
    newWalletBalance: z.number(),
    cancelledAt: z.string(),
    transactionId: z.string().nullable(),
  }),
);

const PRODUCT_TYPES = ['airtime', 'data', 'electricity'] as const;
export const FlashBody = z
  .object({
    productType: z.enum(PRODUCT_TYPES, { error: 'productType must be airtime, data or electricity' }),
    productCode: z.string({ error: 'productCode is required' }).trim().toUpperCase().min(1).max(32),
    accountNumber: z.string({ error: 'accountNumber is required' }).trim().regex(/^\d{10,13}$/, 'accountNumber must be a mobile number (0825571055) or a meter number'),
    amount: randAmount({ min: 2, max: 4_000 }),
  })
  .openapi('MyMoolahFlashRequest', { example: { productType: 'airtime', productCode: 'VODACOM', accountNumber: '0825571055', amount: 50 } });
export const MobileMartBody = z
  .object({
    productType: z.enum(PRODUCT_TYPES, { error: 'productType must be airtime, data or electricity' }),
    network: z.string().trim().toUpperCase().max(16).optional().openapi({ description: 'VODACOM, MTN, CELLC, TELKOM (airtime and data); ESKOM or CITYPOWER (electricity)' }),
    productCode: z.string().trim().toUpperCase().max(32).optional().openapi({ description: 'The bundle, for data' }),
    accountNumber: z.string({ error: 'accountNumber is required' }).trim().regex(/^\d{10,13}$/, 'accountNumber must be a mobile number (0825571055) or a meter number'),
    amount: randAmount({ min: 2, max: 4_000 }),
  })
  .superRefine((v, ctx) => {
    if (!v.network) ctx.addIssue({ code: 'custom', path: ['network'], message: 'network is required' });
    if (v.productType === 'data' && !v.productCode) ctx.addIssue({ code: 'custom', path: ['productCode'], message: 'productCode is required for data' });
  })
  .openapi('MyMoolahMobileMartRequest', { example: { productType: 'airtime', network: 'MTN', accountNumber: '0825571055', amount: 50 } });
export const Purchased = envelope(
  'MyMoolahPurchase',
  z.object({
    reference: z.string(),
    status: z.enum(['success', 'failed', 'pending']),
    amount: z.number(),
    failureReason: z.string().optional(),
    token: z.string().optional().openapi({ description: 'The prepaid electricity token, once the purchase succeeded' }),
  }),
);

export const AccountBody = z
  .object({
    code: z.string({ error: 'code is required' }).trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'code must be 1-32 letters, digits, dots, dashes or underscores'),
    name: z.string({ error: 'name is required' }).trim().min(1, 'name is required').max(120),
    type: z.enum(['asset', 'liability', 'equity', 'revenue', 'expense'], { error: 'type must be asset, liability, equity, revenue or expense' }),
    normalSide: z.enum(['debit', 'credit'], { error: 'normalSide must be debit or credit' }),
  })
  .openapi('MyMoolahLedgerAccountRequest', { example: { code: '1000', name: 'Cash', type: 'asset', normalSide: 'debit' } });
export const LedgerAccountOut = z
  .object({ id: z.number().int(), code: z.string(), name: z.string(), type: z.string(), normalSide: z.string(), currency: z.literal('ZAR'), walletId: z.string().optional() })
  .openapi('MyMoolahLedgerAccount');
export const AccountCreated = envelope('MyMoolahLedgerAccountCreated', LedgerAccountOut);

export const JournalBody = z
  .object({
    reference: z.string({ error: 'reference is required' }).trim().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'reference must be 1-64 letters, digits or ._:-'),
    description: z.string({ error: 'description is required' }).trim().min(1, 'description is required').max(255),
    lines: z
      .array(
        z.object({
          accountCode: z.string({ error: 'accountCode is required' }).trim().min(1).max(64),
          dc: z.enum(['debit', 'credit'], { error: 'dc must be debit or credit' }),
          amount: randAmount({ max: 100_000_000 }),
        }),
        { error: 'lines must be a list' },
      )
      .min(2, 'A journal entry needs at least two lines')
      .max(50),
  })
  .superRefine((entry, ctx) => {
    // zod runs this even when a line failed its own rules; those lines are reported already.
    if (!entry.lines.every((l) => typeof l.amount === 'bigint')) return;
    const sum = (dc: string) => entry.lines.filter((l) => l.dc === dc).reduce((a, l) => a + l.amount, 0n);
    if (sum('debit') !== sum('credit')) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'Journal entry is not balanced: debits must equal credits' });
  })
  .openapi('MyMoolahJournalEntryRequest', {
    example: { reference: 'TEST-001', description: 'Sale for cash', lines: [{ accountCode: '1000', dc: 'debit', amount: 100 }, { accountCode: '4000', dc: 'credit', amount: 100 }] },
  });
export const JournalPosted = envelope(
  'MyMoolahJournalEntry',
  z.object({
    id: z.number().int(),
    reference: z.string(),
    description: z.string(),
    lines: z.array(z.object({ accountCode: z.string(), accountName: z.string(), dc: z.string(), amount: z.number() })),
    createdAt: z.string(),
  }),
);
export const TrialBalance = envelope(
  'MyMoolahTrialBalance',
  z.object({
    balances: z.array(LedgerAccountOut.extend({ debits: z.number(), credits: z.number(), balance: z.number(), debitBalance: z.number(), creditBalance: z.number() })),
    totals: z.object({ debits: z.number(), credits: z.number(), balanced: z.boolean() }),
    currency: z.literal('ZAR'),
    asOf: z.string(),
  }),
);

/** Error responses documented the same way on every MyMoolah route. */
export const ERRORS = {
  invalid: { description: 'Invalid input (VALIDATION_ERROR, INVALID_AMOUNT, INVALID_VOUCHER_CODE)', schema: ErrorBody },
  unauthorized: { description: 'Missing or invalid token (UNAUTHORIZED) or credentials (AUTHENTICATION_FAILED)', schema: ErrorBody },
  forbidden: { description: 'Admins only (FORBIDDEN)', schema: ErrorBody },
  notFound: { description: 'No such voucher (VOUCHER_NOT_FOUND)', schema: ErrorBody },
  conflict: { description: 'Not possible in the voucher\'s state, or a key in progress (CONFLICT, VOUCHER_ALREADY_SETTLED, ...)', schema: ErrorBody },
  keyReused: { description: 'Idempotency-Key reused with another body', schema: ErrorBody },
  throttled: { description: 'Too many requests', schema: ErrorBody },
};
