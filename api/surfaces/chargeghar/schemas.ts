import { z } from '../../openapi.js';
import {
  CHARGEGHAR_DEVICE_PLATFORMS,
  CHARGEGHAR_GENDERS,
  CHARGEGHAR_KYC_STATUSES,
  CHARGEGHAR_LANGUAGES,
} from '../../../db/entities/index.js';
import { KYC_DOCUMENT_TYPES } from '../../../workflows/contracts.js';
import { OTP_PURPOSES } from './tenant.js';

/**
 * ChargeGhar's request and response bodies. The spec shows only placeholders, so these are the
 * fields such an app needs; the same schemas validate requests and describe them in /openapi.json.
 * Bodies are strict: an unknown field is a VALIDATION_ERROR, never silently written.
 */

const required = { error: 'This field is required.' };

/** Nepali mobile numbers: 98XXXXXXXX, 9779XXXXXXXXX or +9779XXXXXXXXX, kept as E.164 (+9779XXXXXXXXX). */
const NEPAL_MOBILE = /^(?:\+?977[- ]?)?(9[678]\d{8})$/;

/** A phone number (Nepal, +977) or an email address; the channel the code goes by follows from it. */
export const Identifier = z
  .string(required)
  .trim()
  .min(1, 'This field is required.')
  .max(254)
  .transform((value, ctx) => {
    if (value.includes('@')) {
      const email = value.toLowerCase();
      if (!z.email().safeParse(email).success) {
        ctx.addIssue({ code: 'custom', message: 'Enter a valid email address.' });
        return z.NEVER;
      }
      return { identifier: email, channel: 'email' as const };
    }
    const match = NEPAL_MOBILE.exec(value.replace(/[\s-]/g, ''));
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'Enter a Nepali mobile number (e.g. +9779812345678) or an email address.' });
      return z.NEVER;
    }
    return { identifier: `+977${match[1]}`, channel: 'sms' as const };
  })
  .openapi({ type: 'string', example: '+9779812345678', description: 'Nepali mobile number in E.164 (+977 98XXXXXXXX; 98XXXXXXXX is accepted) or an email address' });

const purpose = z.enum(OTP_PURPOSES, { error: `Choose one of ${OTP_PURPOSES.join(', ')}.` }).openapi({ description: '`register` for a new account, `login` for an existing one' });

export const OtpRequestBody = z
  .strictObject({ identifier: Identifier, purpose })
  .openapi('ChargeGharOtpRequest', { example: { identifier: '+9779812345678', purpose: 'register' } });

export const OtpRequestData = z
  .object({
    identifier: z.string().openapi({ description: 'The identifier as the code was sent to it (E.164 or lower-case email)' }),
    purpose: z.enum(OTP_PURPOSES),
    channel: z.enum(['sms', 'email']),
    expires_at: z.string().openapi({ description: 'When the code stops working (ISO 8601)' }),
    expires_in: z.number().int().openapi({ description: 'Seconds until then' }),
    resend_available_at: z.string().openapi({ description: 'When another code may be requested' }),
    resend_in: z.number().int(),
  })
  .openapi('ChargeGharOtpSent');

export const OtpVerifyBody = z
  .strictObject({
    identifier: Identifier,
    purpose,
    code: z.string(required).trim().regex(/^\d{6}$/, 'Enter the 6-digit code.'),
  })
  .openapi('ChargeGharOtpVerify', { example: { identifier: '+9779812345678', purpose: 'register', code: '123456' } });

export const OtpVerifiedData = z
  .object({
    verification_token: z.string().openapi({ description: 'Proves the identifier for the purpose; send it to /api/auth/register or /api/auth/login. Works once.' }),
    identifier: z.string(),
    purpose: z.enum(OTP_PURPOSES),
    expires_at: z.string(),
    expires_in: z.number().int(),
  })
  .openapi('ChargeGharOtpVerified');

const verificationToken = z.string(required).trim().min(16, 'Invalid verification token.').max(128, 'Invalid verification token.');
const fullName = z.string(required).trim().min(2, 'Ensure this field has at least 2 characters.').max(120, 'Ensure this field has no more than 120 characters.');
const dateOfBirth = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use the format YYYY-MM-DD.')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) && v >= '1900-01-01' && d.getTime() <= Date.now();
  }, 'Enter a real date of birth, not in the future.')
  .openapi({ example: '1995-04-13' });
const gender = z.enum(CHARGEGHAR_GENDERS, { error: `Choose one of ${CHARGEGHAR_GENDERS.join(', ')}.` });
const address = z.string().trim().min(1).max(255);
const language = z.enum(CHARGEGHAR_LANGUAGES, { error: 'Choose en or ne.' });

export const RegisterBody = z
  .strictObject({
    verification_token: verificationToken,
    full_name: fullName,
    date_of_birth: dateOfBirth.optional(),
    gender: gender.optional(),
    address: address.optional(),
    preferred_language: language.optional(),
  })
  .openapi('ChargeGharRegister', {
    description: 'The account is created for the identifier the verification token (purpose `register`) proves.',
    example: { verification_token: '<from /api/auth/otp/verify>', full_name: 'Sita Sharma', preferred_language: 'ne' },
  });

export const LoginBody = z
  .strictObject({ verification_token: verificationToken })
  .openapi('ChargeGharLogin', { description: 'A verification token of purpose `login`.', example: { verification_token: '<from /api/auth/otp/verify>' } });

export const LogoutBody = z.object({}).loose().openapi('ChargeGharLogout', { description: 'No fields are needed: the access token names the session that ends.' });

export const UserData = z
  .object({
    id: z.number().int(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    full_name: z.string().nullable(),
    role: z.enum(['user', 'admin']),
    kyc_status: z.enum(CHARGEGHAR_KYC_STATUSES),
    date_joined: z.string(),
  })
  .openapi('ChargeGharUser');

export const TokenData = z
  .object({
    access_token: z.string(),
    refresh_token: z.string().openapi({ description: 'Also set as the httpOnly cookie `chargeghar_refresh`; mobile apps keep it from here' }),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds the access token lives' }),
    user: UserData,
  })
  .openapi('ChargeGharTokens');

export const RefreshData = TokenData.omit({ user: true }).openapi('ChargeGharRefreshedTokens');

export const DeviceBody = z
  .strictObject({
    device_id: z.string(required).trim().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'Use 1-128 letters, digits or ._:- for device_id.'),
    fcm_token: z.string(required).trim().min(10, 'Invalid FCM token.').max(512, 'Invalid FCM token.'),
    platform: z.enum(CHARGEGHAR_DEVICE_PLATFORMS, { error: `Choose one of ${CHARGEGHAR_DEVICE_PLATFORMS.join(', ')}.` }),
    app_version: z.string(required).trim().regex(/^[0-9A-Za-z.+-]{1,32}$/, 'Enter the app version, e.g. 2.4.1.'),
    os_version: z.string().trim().min(1).max(32).optional(),
    device_name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi('ChargeGharDevice', {
    example: { device_id: 'a1b2c3d4e5', fcm_token: 'dGhpcyBpcyBhbiBGQ00gdG9rZW4...', platform: 'android', app_version: '2.4.1', os_version: '14', device_name: 'Pixel 8' },
  });

export const DeviceData = z
  .object({
    device_id: z.string(),
    platform: z.enum(CHARGEGHAR_DEVICE_PLATFORMS),
    app_version: z.string(),
    os_version: z.string().nullable(),
    device_name: z.string().nullable(),
    registered_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('ChargeGharDeviceRegistered');

export const AccountDeletionData = z
  .object({ status: z.enum(['deleted', 'pending']), deleted_at: z.string().nullable() })
  .openapi('ChargeGharAccountDeletion');

export const MessageData = z.object({ message: z.string() }).openapi('ChargeGharMessage');

// --- profile ----------------------------------------------------------------------------------

export const ProfileData = z
  .object({
    id: z.number().int(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    full_name: z.string().nullable(),
    date_of_birth: z.string().nullable(),
    gender: z.enum(CHARGEGHAR_GENDERS).nullable(),
    address: z.string().nullable(),
    preferred_language: z.enum(CHARGEGHAR_LANGUAGES),
    kyc_status: z.enum(CHARGEGHAR_KYC_STATUSES),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('ChargeGharProfile');

export const ProfilePutBody = z
  .strictObject({
    full_name: fullName,
    date_of_birth: dateOfBirth.nullable().optional(),
    gender: gender.nullable().optional(),
    address: address.nullable().optional(),
    preferred_language: language.optional(),
  })
  .openapi('ChargeGharProfileReplace', {
    description: 'Replaces the whole profile: a field left out becomes empty (preferred_language: en). Phone and email are the verified sign-in identifiers and are not edited here.',
    example: { full_name: 'Sita Sharma', date_of_birth: '1995-04-13', gender: 'female', address: 'Lalitpur-3, Bagmati', preferred_language: 'ne' },
  });

export const ProfilePatchBody = z
  .strictObject({
    full_name: fullName.optional(),
    date_of_birth: dateOfBirth.nullable().optional(),
    gender: gender.nullable().optional(),
    address: address.nullable().optional(),
    preferred_language: language.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'Send at least one field to change.')
  .openapi('ChargeGharProfilePatch', { description: 'Changes only the fields sent; null empties a field.', example: { address: 'Pokhara-8, Gandaki' } });

// --- KYC --------------------------------------------------------------------------------------

const documentType = z.enum(KYC_DOCUMENT_TYPES, { error: `Choose one of ${KYC_DOCUMENT_TYPES.join(', ')}.` });
const documentNumber = z
  .string(required)
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9/-]{2,29}$/, 'Enter the document number as printed (3-30 letters, digits, / or -).');
const imageField = (description: string) => z.any().openapi({ type: 'string', format: 'binary', description });

export const KycSubmitFields = z.strictObject({ document_type: documentType, document_number: documentNumber });
export const KycResubmitFields = z.strictObject({ document_type: documentType.optional(), document_number: documentNumber.optional() });

export const KycSubmitBody = z
  .object({
    document_type: documentType,
    document_number: z.string().openapi({ example: '27-01-75-01234' }),
    front_image: imageField('Front of the document: JPEG, PNG or WebP, at most KYC_MAX_IMAGE_BYTES (5 MB)'),
    back_image: imageField('Back of the document, same limits; not needed for a passport'),
  })
  .openapi('ChargeGharKycSubmission');

export const KycResubmitBody = KycSubmitBody.partial().openapi('ChargeGharKycResubmission', {
  description: 'After a rejection: only what changes. Fields and images left out are taken from the rejected submission; a new document type needs its images.',
});

export const KycSubmittedData = z
  .object({ submission_id: z.number().int(), status: z.literal('pending'), document_type: documentType, submitted_at: z.string() })
  .openapi('ChargeGharKycSubmitted');

export const KycStatusData = z
  .object({
    status: z.enum(CHARGEGHAR_KYC_STATUSES),
    submission_id: z.number().int().nullable(),
    document_type: documentType.nullable(),
    submitted_at: z.string().nullable(),
    reviewed_at: z.string().nullable(),
    rejection_reason: z.string().nullable(),
  })
  .openapi('ChargeGharKycStatus');

// --- wallet and usage -------------------------------------------------------------------------

export const WalletData = z
  .object({
    currency: z.literal('NPR'),
    balance: z.string().openapi({ description: 'Available NPR balance, two decimals', example: '1250.00' }),
    reward_points: z.number().int().openapi({ description: 'Reward points available', example: 120 }),
  })
  .openapi('ChargeGharWallet');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use the format YYYY-MM-DD.').refine((v) => !Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()), 'Enter a real date.');

export const UsageQuery = z
  .strictObject({
    period: z.enum(['day', 'week', 'month', 'year'], { error: 'Choose day, week, month or year.' }).default('month'),
    from: isoDate.optional().openapi({ description: 'First day (Nepal time); default: 11 periods before `to`' }),
    to: isoDate.optional().openapi({ description: 'Last day (Nepal time); default: today' }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '`from` must not be after `to`.', path: ['from'] });

const Flow = z.object({ count: z.number().int(), amount: z.string() });
const Points = z.object({ earned: z.number().int(), spent: z.number().int() });
export const UsageData = z
  .object({
    period: z.enum(['day', 'week', 'month', 'year']),
    currency: z.literal('NPR'),
    from: z.string(),
    to: z.string(),
    totals: z.object({ wallet_credits: Flow, wallet_debits: Flow, points: Points }),
    series: z.array(z.object({ period_start: z.string(), wallet_credits: Flow, wallet_debits: Flow, points: Points })),
  })
  .openapi('ChargeGharUsageStats', { description: 'The caller\'s own wallet credits and debits (NPR) and points earned and spent, per period (Nepal time)' });

// --- admin ------------------------------------------------------------------------------------

function wholeNumber(min: number, max: number) {
  return z.coerce
    .number({ error: 'A valid integer is required.' })
    .int('A valid integer is required.')
    .min(min, `Ensure this value is greater than or equal to ${min}.`)
    .max(max, `Ensure this value is less than or equal to ${max}.`);
}

export const USER_ORDERINGS = ['date_joined', '-date_joined', 'full_name', '-full_name', 'id', '-id'] as const;

export const UsersQuery = z.strictObject({
  page: wholeNumber(1, 1_000_000).default(1),
  page_size: wholeNumber(1, 100).default(20),
  search: z.string().trim().min(1).max(100).optional().openapi({ description: 'Part of the name, phone or email' }),
  kyc_status: z.enum(CHARGEGHAR_KYC_STATUSES).optional(),
  role: z.enum(['user', 'admin']).optional(),
  status: z.enum(['active', 'deleted', 'all']).default('active').openapi({ description: 'Deleted accounts are kept (anonymised) for the ledger' }),
  ordering: z.enum(USER_ORDERINGS).default('-date_joined'),
});

export const AdminUserData = UserData.extend({ is_active: z.boolean(), deleted_at: z.string().nullable() }).openapi('ChargeGharAdminUser');
export const UsersPageData = z
  .object({ count: z.number().int(), page: z.number().int(), page_size: z.number().int(), total_pages: z.number().int(), results: AdminUserData.array() })
  .openapi('ChargeGharUsersPage');

export const AdminUserDetailData = AdminUserData.extend({
  profile: z.object({ date_of_birth: z.string().nullable(), gender: z.enum(CHARGEGHAR_GENDERS).nullable(), address: z.string().nullable(), preferred_language: z.enum(CHARGEGHAR_LANGUAGES) }),
  kyc: z
    .object({
      submission_id: z.number().int(),
      status: z.enum(['pending', 'approved', 'rejected', 'withdrawn']),
      document_type: documentType,
      document_number: z.string().nullable(),
      submitted_at: z.string(),
      reviewed_at: z.string().nullable(),
      reviewed_by: z.string().nullable(),
      rejection_reason: z.string().nullable(),
      front_image_url: z.string().nullable(),
      back_image_url: z.string().nullable(),
    })
    .nullable()
    .openapi({ description: 'The latest KYC submission, with links to its images for the reviewer' }),
}).openapi('ChargeGharAdminUserDetail');

export const UserIdParams = z.object({ id: z.coerce.number({ error: 'A valid integer is required.' }).int().positive().max(Number.MAX_SAFE_INTEGER) });
export const DocumentParams = UserIdParams.extend({ side: z.enum(['front', 'back'], { error: 'Choose front or back.' }) });

export const KycReviewBody = z
  .strictObject({
    action: z.enum(['approve', 'reject'], { error: 'Choose approve or reject.' }),
    reason: z.string().trim().min(3, 'Ensure this field has at least 3 characters.').max(500).optional(),
  })
  .refine((v) => v.action === 'approve' || v.reason !== undefined, { message: 'A rejection needs a reason the user can act on.', path: ['reason'] })
  .openapi('ChargeGharKycReview', { example: { action: 'reject', reason: 'The back image is blurred; please photograph it again in daylight.' } });

export const KycReviewData = z
  .object({ submission_id: z.number().int(), status: z.enum(['approved', 'rejected']), reason: z.string().nullable(), reviewed_at: z.string() })
  .openapi('ChargeGharKycReviewed');

/** `{ success: true, data }` around each success body, as the spec shows. */
export function ok<T extends z.ZodType>(data: T, name: string) {
  return z.object({ success: z.literal(true), data }).openapi(name);
}

export const ErrorBody = z
  .object({ success: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('ChargeGharError', { example: { success: false, error: { code: 'VALIDATION_ERROR', message: 'identifier: Enter a valid email address.' } } });

export const ERROR_RESPONSES = {
  invalid: { description: 'VALIDATION_ERROR: invalid input; nothing was written', schema: ErrorBody },
  unauthorized: { description: 'UNAUTHORIZED: missing, invalid or ended session', schema: ErrorBody },
  forbidden: { description: 'PERMISSION_DENIED: admins only', schema: ErrorBody },
  notFound: { description: 'NOT_FOUND', schema: ErrorBody },
  conflict: { description: 'CONFLICT: the resource is not in a state that allows this', schema: ErrorBody },
  throttled: { description: 'RATE_LIMIT_EXCEEDED', schema: ErrorBody },
  tooLarge: { description: 'VALIDATION_ERROR: an upload is larger than allowed', schema: ErrorBody },
  unavailable: { description: 'SERVICE_UNAVAILABLE: try again shortly', schema: ErrorBody },
};
