import { getAddress } from 'ethers';
import { z } from '../../openapi.js';

/** Any-case 0x address; a mixed-case one must carry a valid EIP-55 checksum. Checksummed on the way in. */
export const walletAddress = z
  .string({ error: 'This field is required.' })
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'Enter a valid wallet address (0x followed by 40 hex digits).')
  .refine((v) => {
    // Only a well-formed address has a checksum to check; the regex already named the rest.
    if (!/^0x[0-9a-fA-F]{40}$/.test(v)) return true;
    try {
      getAddress(v);
      return true;
    } catch {
      return false;
    }
  }, 'The wallet address has an invalid checksum.')
  .transform((v) => (/^0x[0-9a-fA-F]{40}$/.test(v) ? getAddress(v) : v))
  .openapi({ type: 'string', example: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' });

const required = { error: 'This field is required.' };
const username = z.string(required).trim().regex(/^[A-Za-z0-9_.-]{3,64}$/, 'Use 3-64 letters, digits, dots, dashes or underscores.');
const country = z.string(required).trim().min(2, 'Enter a country.').max(64);
const phone = z.string(required).trim().regex(/^\+?[0-9]{7,15}$/, 'Enter a valid phone number, e.g. +4912345678.');
const email = z.string(required).trim().toLowerCase().pipe(z.email({ error: 'Enter a valid email address.' }).max(254));
const hex = (what: string) => z.string({ error: 'This field is required.' }).trim().regex(/^0x[0-9a-fA-F]+$/, `${what} must be 0x-prefixed hex.`).max(20_000);

export const WalletParams = z.object({ wallet_address: walletAddress });
export const NonceResponse = z.object({ message: z.string(), nonce: z.string() }).openapi('XcleraNonce');

export const AuthenticateBody = z
  .object({ wallet_address: walletAddress, signature: hex('The signature'), nonce: z.string({ error: 'This field is required.' }).trim().regex(/^[0-9a-f]{8,32}$/, 'Enter the nonce you were given.') })
  .openapi('XcleraAuthenticateRequest');
export const AuthenticateResponse = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    access_expires_at: z.string(),
    refresh_expires_at: z.string(),
    wallet_address: z.string(),
    profile_exists: z.boolean(),
  })
  .openapi('XcleraTokens');
export const RefreshBody = z.object({ refresh_token: z.string({ error: 'This field is required.' }).min(1).max(512) }).openapi('XcleraRefreshRequest');
export const RefreshResponse = z.object({ access_token: z.string(), expires_at: z.string(), wallet_address: z.string() }).openapi('XcleraRefreshResponse');
export const VerifyResponse = z
  .object({ wallet_address: z.string(), username: z.string().nullable(), current_level: z.number().int(), is_profile_complete: z.boolean() })
  .openapi('XcleraVerifyResponse');

export const LoginBody = z.object({ wallet_address: walletAddress, referrer_wallet: walletAddress.optional() }).openapi('XcleraLoginRequest');
export const LoginResponse = z
  .object({
    message: z.string(),
    wallet_address: z.string(),
    username: z.string().nullable().optional(),
    current_level: z.number().int(),
    is_profile_complete: z.boolean().optional(),
    is_registered_on_chain: z.boolean(),
    referrer: z.string().nullable().optional(),
  })
  .openapi('XcleraLoginResponse');

export const ByWalletQuery = z.object({ address: walletAddress });
export const IdParams = z.object({ id: z.coerce.number({ error: 'A valid integer is required.' }).int().positive().max(Number.MAX_SAFE_INTEGER) });
export const Profile = z
  .object({
    id: z.number().int(),
    username: z.string().nullable(),
    country: z.string().nullable(),
    phone_number: z.string().nullable(),
    email: z.string().nullable(),
    wallet_address: z.string(),
    referrer: z.number().int().nullable(),
    referrer_username: z.string().nullable(),
    current_level: z.number().int(),
    direct_referrals_count: z.number().int(),
    max_referral_depth: z.number().int(),
    is_registered_on_chain: z.boolean(),
    date_registered: z.string().nullable(),
    is_profile_complete: z.boolean(),
  })
  .openapi('XcleraProfile');
export const ProfileUpdate = z
  .object({ username: username.optional(), country: country.optional(), phone_number: phone.optional(), email: email.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Send at least one of username, country, phone_number, email.')
  .openapi('XcleraProfileUpdate');
export const ProfileUpdateResponse = z
  .object({ username: z.string().nullable(), country: z.string().nullable(), phone_number: z.string().nullable(), email: z.string().nullable() })
  .openapi('XcleraProfileUpdateResponse');
export const Member = z
  .object({
    id: z.number().int(),
    username: z.string().nullable(),
    wallet_address: z.string(),
    current_level: z.number().int(),
    is_registered_on_chain: z.boolean(),
    date_registered: z.string().nullable(),
    depth: z.number().int().optional(),
  })
  .openapi('XcleraMember');
export const DownlinesQuery = z.object({
  page: z.coerce.number({ error: 'A valid integer is required.' }).int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number({ error: 'A valid integer is required.' }).int().min(1).max(100).default(20),
  max_depth: z.coerce.number({ error: 'A valid integer is required.' }).int().min(1).max(10).default(3),
});
export const Downlines = z
  .object({ count: z.number().int(), page: z.number().int(), page_size: z.number().int(), max_depth: z.number().int(), results: z.array(Member) })
  .openapi('XcleraDownlines');
export const Level = z
  .object({ level_number: z.number().int(), price: z.number(), service_fee: z.number(), min_direct_referrals: z.number().int(), min_referral_depth: z.number().int() })
  .openapi('XcleraLevel');
export const Transaction = z
  .object({
    id: z.number().int(),
    user: z.number().int(),
    user_username: z.string().nullable(),
    transaction_type: z.enum(['REGISTRATION', 'UPGRADE']),
    amount: z.number(),
    level: z.number().int(),
    recipient: z.number().int().nullable(),
    recipient_username: z.string().nullable(),
    transaction_hash: z.string().nullable(),
    status: z.enum(['PENDING', 'CONFIRMED', 'FAILED']),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('XcleraTransaction');
export const TransactionsQuery = z.object({ wallet_address: walletAddress.optional() });

export const RegisterBody = z
  .object({
    wallet_address: walletAddress,
    referrer_wallet: walletAddress,
    username,
    country,
    phone_number: phone,
    email: email.optional(),
    signed_transaction: hex('The signed transaction').optional(),
  })
  .openapi('XcleraRegisterRequest');
export const UpgradeBody = z.object({ wallet_address: walletAddress, signed_transaction: hex('The signed transaction').optional() }).openapi('XcleraUpgradeRequest');
export const Prepared = z
  .object({
    message: z.string(),
    transaction: z.object({ from: z.string(), to: z.string(), value: z.string(), data: z.string(), chainId: z.string(), gas: z.string(), gasPrice: z.string(), nonce: z.string() }),
    instructions: z.string(),
  })
  .openapi('XcleraPreparedTransaction');
export const Registered = z
  .object({
    message: z.string(),
    profile_id: z.number().int(),
    transaction_hash: z.string(),
    is_profile_complete: z.boolean(),
    upline_rewarded: z.string().nullable(),
    upline_reward: z.number(),
  })
  .openapi('XcleraRegistered');
export const Upgraded = z
  .object({ message: z.string(), new_level: z.number().int(), transaction_hash: z.string(), upline_rewarded: z.string().nullable(), upline_reward: z.number() })
  .openapi('XcleraUpgraded');

export const ErrorBody = z.object({ error: z.string(), details: z.record(z.string(), z.unknown()) }).openapi('XcleraError');
const e = (description: string) => ({ description, schema: ErrorBody });
export const ERRORS = {
  invalid: e('Invalid input; details name the fields'),
  unauthorized: e('Missing or invalid token, or an invalid signature'),
  forbidden: e("Another member's data"),
  notFound: e('Not found'),
  conflict: e('Already submitted or the attempt has ended'),
  throttled: e('Too many requests'),
  chainRefused: e('The transaction reverted on chain'),
  chainDown: e('The blockchain node is unavailable'),
};
