import type { Duration } from '@temporalio/common';
import { z } from 'zod';

const durationMs = z.coerce.number().int().positive();
/** A Temporal Schedule interval in words, e.g. "5 minutes" or "1 hour". */
const scheduleInterval = z
  .string()
  .regex(/^\d+ ?(seconds?|minutes?|hours?|days?|s|m|h|d)$/, 'must be a duration such as "5 minutes"')
  .transform((v) => v as Duration);

/** A secret or provider key: no default here; development and test get DEVELOPMENT_DEFAULTS. */
const secret = (min = 1) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required (no default outside development and test)' : undefined) })
    .min(min, `must be at least ${min} characters`);

/**
 * A provider's key or secret: needed only when some tenant uses that provider (the provider
 * registry refuses to start without it then) or when the sandbox imitates it. No default here;
 * development and test get DEVELOPMENT_DEFAULTS.
 */
const providerKey = (min = 1) => z.string().min(min, `must be at least ${min} characters`).optional();

/** A setting a compose file may pass through empty: empty means unset. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => v || undefined);

/** Every provider key, so the sandbox can require them all and error messages can name them. */
export const PROVIDER_KEYS = [
  'WEBHOOK_SECRET',
  'PAYMENT_PROVIDER_API_KEY',
  'PAYMENT_PROVIDER_CLIENT_SECRET',
  'VTU_PROVIDER_API_KEY',
  'INDIARECHARGE_API_TOKEN',
  'FLASH_CLIENT_ID',
  'FLASH_CLIENT_SECRET',
  'MOBILEMART_API_KEY',
  'RAZORPAY_KEY_ID',
  'RAZORPAY_KEY_SECRET',
  'RAZORPAY_WEBHOOK_SECRET',
  'PEACH_ACCESS_TOKEN',
  'PEACH_ENTITY_ID',
  'PEACH_WEBHOOK_SECRET',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM',
  'SMTP_FROM',
] as const;
export type ProviderKeyName = (typeof PROVIDER_KEYS)[number];

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z.string().min(1),
    DB_POOL_MAX: z.coerce.number().int().positive().default(10),

    TEMPORAL_ADDRESS: z.string().min(1),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('platform'),

    JWT_SECRET: secret(32),
    JWT_ISSUER: z.string().default('fintech-platform'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(30 * 24 * 3600),

    WEBHOOK_SECRET: providerKey(16),
    WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),

    // Never derived from NODE_ENV: a process started without it must not let anyone complete payments.
    SANDBOX: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true'),
    PAYMENT_PROVIDER_URL: z.string().url().optional(),
    PAYMENT_PROVIDER_API_KEY: providerKey(),
    PAYMENT_PROVIDER_CLIENT_SECRET: providerKey(),
    VTU_PROVIDER_URL: z.string().url().optional(),
    VTU_PROVIDER_API_KEY: providerKey(),
    INDIARECHARGE_URL: z.string().url().optional(),
    INDIARECHARGE_API_TOKEN: providerKey(),
    FLASH_URL: z.string().url().optional(),
    FLASH_CLIENT_ID: providerKey(),
    FLASH_CLIENT_SECRET: providerKey(),
    MOBILEMART_URL: z.string().url().optional(),
    MOBILEMART_API_KEY: providerKey(),
    RAZORPAY_URL: z.string().url().optional(),
    RAZORPAY_KEY_ID: providerKey(),
    RAZORPAY_KEY_SECRET: providerKey(),
    RAZORPAY_WEBHOOK_SECRET: providerKey(16),
    PEACH_URL: z.string().url().optional(),
    PEACH_ACCESS_TOKEN: providerKey(),
    PEACH_ENTITY_ID: providerKey(),
    PEACH_WEBHOOK_SECRET: providerKey(16),
    PROVIDER_HTTP_TIMEOUT_MS: durationMs.default(10_000),
    TWILIO_API_URL: z.string().url().optional(),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC/, 'must start with AC').optional(),
    TWILIO_AUTH_TOKEN: providerKey(),
    TWILIO_FROM: providerKey(),
    /** Unset in the sandbox: mail goes to the sandbox's own SMTP server on SANDBOX_SMTP_PORT. */
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    SMTP_SECURE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    // Empty means unset, so a compose file can pass them through for relays that take no login.
    SMTP_USER: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    SMTP_PASS: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    SMTP_FROM: providerKey(),
    /** The API's sandbox SMTP server listens on 127.0.0.1 here; the worker sends there (0: ephemeral, tests). */
    SANDBOX_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),

    FUNDING_POLL_INTERVAL_MS: durationMs.default(30_000),
    FUNDING_TIMEOUT_MS: durationMs.default(30 * 60_000),
    PURCHASE_REQUERY_INTERVAL_MS: durationMs.default(5_000),
    PURCHASE_REQUERY_LIMIT_MS: durationMs.default(24 * 3600_000),
    PURCHASE_RESPONSE_WAIT_MS: durationMs.default(25_000),
    HOLD_TTL_MS: durationMs.default(48 * 3600_000),
    /** How long a funding request waits for the provider to accept the collection before answering 503. */
    FUNDING_ACCEPT_WAIT_MS: durationMs.default(15_000),
    /** Temporal Schedule intervals (e.g. '5 minutes'). */
    RECONCILIATION_EVERY: scheduleInterval.default('5 minutes'),
    HOUSEKEEPING_EVERY: scheduleInterval.default('1 hour'),
    IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(24).default(48),

    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
    MOUNT_AT_ROOT: z.string().optional(),
    /**
     * Browser origins allowed to call the API (the apps' admin panels and web clients), comma
     * separated, or `*` for any. Unset: none, so a browser on another origin is refused.
     */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/, message: 'must be * or origins like https://admin.example.com' })])))
      // A browser's Origin has no path or trailing slash; compare like with like.
      .transform((origins) => origins.map((origin) => (origin === '*' ? origin : new URL(origin).origin))),

    SEED_ADMIN_PASSWORD: z.string().min(8).optional(),

    /** Xclera's EVM node; `npm start` and the tests run anvil and set it when it is unset. */
    RPC_URL: z.string().url().optional(),
    /** The deployed matrix contract; `npm start` deploys one when it is unset. */
    XCLERA_CONTRACT_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address').optional(),
    /** The contract owner's key: deploys the matrix at start (development) and pauses it. Never has a default. */
    XCLERA_SIGNER_KEY: z
      .string()
      .optional()
      .transform((v) => v || undefined)
      .pipe(z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex key').optional()),
    /** Wei per 1 USDT: the rate the level prices in USDT are converted at when the contract is deployed. */
    XCLERA_WEI_PER_USDT: z.string().regex(/^[1-9]\d*$/, 'must be a positive whole number of wei').default('1000000000000000'),
    /** Share of a level's price the contract pays the upline at once, in basis points (deploy time). */
    XCLERA_UPLINE_REWARD_BPS: z.coerce.number().int().min(0).max(10_000).default(8000),
    /** The chain the node must be on (anvil: 31337); transactions are prepared and accepted for it only. */
    XCLERA_CHAIN_ID: z.coerce.number().int().positive().default(31337),
    XCLERA_CONFIRMATIONS: z.coerce.number().int().min(1).max(100).default(1),
    /** How long a prepared register/upgrade transaction waits for its signed copy (phase 2). */
    XCLERA_PHASE2_TIMEOUT_MS: durationMs.default(15 * 60_000),
    /** How long phase 1 waits for the node to answer before the API says 503. */
    XCLERA_PREPARE_WAIT_MS: durationMs.default(15_000),
    XCLERA_NONCE_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    /** MyMoolah: how long an issued (or settled EasyPay) voucher stays spendable; the rest is refunded then. */
    MYMOOLAH_VOUCHER_EXPIRY_MS: durationMs.default(365 * 24 * 3600_000),
    /** MyMoolah: how long a pending EasyPay voucher waits for its settlement before it is refunded in full. */
    MYMOOLAH_EASYPAY_EXPIRY_MS: durationMs.default(96 * 3600_000),
    /**
     * The EasyPay network's credential for its settlement calls to /mymoolah/billpayment/v1/easypay/process;
     * unset, every call is refused. Inbound only, so the sandbox (which imitates outbound providers) does not need it.
     */
    EASYPAY_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    /** One-time codes (any surface): how long a code works (never more than 10 minutes), and when a new one may be sent. */
    OTP_CODE_TTL_SECONDS: z.coerce.number().int().min(1).max(600, 'must be at most 600 (10 minutes)').default(300),
    OTP_RESEND_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    /** How long the verification token a verified code earns stays usable (once). */
    OTP_VERIFICATION_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
    /** Code requests per identifier and per client address within the window, across every API replica. */
    OTP_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    OTP_RATE_LIMIT_PER_IDENTIFIER: z.coerce.number().int().positive().default(10),
    OTP_RATE_LIMIT_PER_CLIENT: z.coerce.number().int().positive().default(30),
    /**
     * GenCharge: how long a "day" of plan validity, reminders and autopay cycles lasts. One real day
     * in production; tests shrink it to seconds so a plan reminds, expires and renews within a run.
     */
    GENCHARGE_DAY_MS: durationMs.default(24 * 3600_000),
    /** GenCharge: days before a plan's end that its reminders go out (comma-separated, e.g. "3,1"). */
    GENCHARGE_REMINDER_DAYS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be whole days separated by commas, e.g. "3,1"')
      .default('3,1')
      .transform((v) => [...new Set(v.split(',').map(Number))].sort((a, b) => b - a)),
    /** GenCharge: what a referrer earns when the user they referred first recharges, in paise (₹50). */
    GENCHARGE_REFERRAL_REWARD_MINOR: z.coerce.number().int().min(0).max(100_000_00).default(5000),
    /** GenCharge: where content images are kept (the disk store); relative paths are from the working directory. */
    GENCHARGE_CONTENT_STORAGE_DIR: z.string().min(1).default('.data/content-images'),
    /** GenCharge: the largest content image an admin may upload (2 MB). */
    GENCHARGE_CONTENT_MAX_IMAGE_BYTES: z.coerce.number().int().min(1024).max(20 * 1024 * 1024).default(2 * 1024 * 1024),
    /** GenCharge: contact-form messages one client address may send within the window, across every API replica. */
    GENCHARGE_CONTACT_RATE_LIMIT_PER_CLIENT: z.coerce.number().int().positive().default(5),
    GENCHARGE_CONTACT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    /** GenCharge: where database backups are kept: a directory (development) or an S3 bucket. */
    GENCHARGE_BACKUP_STORAGE: z.enum(['directory', 's3']).default('directory'),
    /** GenCharge: where database backups are kept when backup storage is a directory (development). */
    GENCHARGE_BACKUP_STORAGE_DIR: z.string().min(1).default('.data/backups'),
    /** GenCharge backups in S3: the bucket (required when GENCHARGE_BACKUP_STORAGE is s3). */
    GENCHARGE_BACKUP_S3_BUCKET: optionalText().pipe(
      z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)').optional(),
    ),
    GENCHARGE_BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
    /** An S3-compatible store (MinIO, the object storage sandbox), addressed path style; unset: AWS S3. */
    GENCHARGE_BACKUP_S3_ENDPOINT: optionalText().pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
    /** Prepended to every backup key, like a folder (e.g. `gencharge/backups/`). */
    GENCHARGE_BACKUP_S3_PREFIX: optionalText().pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,199}$/, 'must be letters, digits and !_.*\'()-/, not starting with /')
        .optional(),
    ),
    /** Both or neither; unset: the AWS default credential chain (environment, profile, instance or task role). */
    GENCHARGE_BACKUP_S3_ACCESS_KEY_ID: optionalText(),
    GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY: optionalText(),
    /** GenCharge: how long creating a backup waits for it to finish before answering 202 with the running record. */
    GENCHARGE_BACKUP_WAIT_MS: durationMs.default(20_000),
    /**
     * GenCharge: whether a restore may load into the live database (named explicitly). Off unless
     * set: the database holds every tenant's books, and a whole-database restore with `clean`
     * would roll all of them back to the backup, not only GenCharge's.
     */
    GENCHARGE_BACKUP_LIVE_RESTORE: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true'),
    /**
     * Where pg_dump, pg_restore and psql are (e.g. /usr/lib/postgresql/18/bin); absent, PATH. They
     * must be at least the server's major version, or backups fail with a message saying so.
     */
    POSTGRES_BIN_DIR: z.string().min(1).optional(),
    /** Where KYC document images are kept (the disk store); relative paths are from the working directory. */
    KYC_STORAGE_DIR: z.string().min(1).default('.data/kyc-documents'),
    KYC_MAX_IMAGE_BYTES: z.coerce.number().int().min(1024).max(20 * 1024 * 1024).default(5 * 1024 * 1024),
  })
  .transform((c) => ({
    ...c,
    sandbox: c.SANDBOX,
  }))
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.sandbox) {
      ctx.addIssue({ code: 'custom', path: ['SANDBOX'], message: 'the sandbox is refused in production' });
    }
    // The sandbox imitates every provider, and checks their keys as the real ones would.
    if (c.sandbox) {
      for (const name of PROVIDER_KEYS) {
        if (c[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required while the sandbox is on' });
      }
    }
    // Fail closed: backups configured for S3 must say where; they never fall back to a local directory.
    if (c.GENCHARGE_BACKUP_STORAGE === 's3' && !c.GENCHARGE_BACKUP_S3_BUCKET) {
      ctx.addIssue({ code: 'custom', path: ['GENCHARGE_BACKUP_S3_BUCKET'], message: 'is required when GENCHARGE_BACKUP_STORAGE is s3' });
    }
    if (Boolean(c.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID) !== Boolean(c.GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY)) {
      const missing = c.GENCHARGE_BACKUP_S3_ACCESS_KEY_ID ? 'GENCHARGE_BACKUP_S3_SECRET_ACCESS_KEY' : 'GENCHARGE_BACKUP_S3_ACCESS_KEY_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with the other S3 key (set both, or neither for the AWS credential chain)' });
    }
    // The purchase flow owns its hold until its re-queries end; the hold must outlive them.
    if (c.HOLD_TTL_MS <= c.PURCHASE_REQUERY_LIMIT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOLD_TTL_MS'],
        message: `must be greater than PURCHASE_REQUERY_LIMIT_MS (${c.HOLD_TTL_MS} <= ${c.PURCHASE_REQUERY_LIMIT_MS})`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/**
 * Defaults for secrets and provider keys, applied only when NODE_ENV is `development` or `test`
 * explicitly; any other process (production, or NODE_ENV unset) must set every one of them.
 */
const DEVELOPMENT_DEFAULTS: Record<string, string> = {
  JWT_SECRET: 'development-only-jwt-secret-change-me-0123456789',
  WEBHOOK_SECRET: 'development-only-webhook-secret',
  SEED_ADMIN_PASSWORD: 'admin-password-dev',
  PAYMENT_PROVIDER_API_KEY: 'sandbox-key',
  PAYMENT_PROVIDER_CLIENT_SECRET: 'sandbox-client-secret',
  VTU_PROVIDER_API_KEY: 'sandbox-key',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'sandbox-twilio-auth-token',
  TWILIO_FROM: '+15005550006',
  SMTP_FROM: 'no-reply@sandbox.local',
  INDIARECHARGE_API_TOKEN: 'sandbox-indiarecharge-token',
  FLASH_CLIENT_ID: 'sandbox-flash-client',
  FLASH_CLIENT_SECRET: 'sandbox-flash-client-secret',
  MOBILEMART_API_KEY: 'sandbox-mobilemart-key',
  RAZORPAY_KEY_ID: 'sandbox-razorpay-key-id',
  RAZORPAY_KEY_SECRET: 'sandbox-razorpay-key-secret',
  RAZORPAY_WEBHOOK_SECRET: 'development-only-razorpay-webhook-secret',
  PEACH_ACCESS_TOKEN: 'sandbox-peach-access-token',
  PEACH_ENTITY_ID: 'sandbox-peach-entity',
  PEACH_WEBHOOK_SECRET: 'development-only-peach-webhook-secret',
  EASYPAY_API_KEY: 'development-only-easypay-network-key',
  // Local admin panels and web clients run on ports of their own.
  CORS_ORIGINS: '*',
};

const ENVIRONMENTS_WITH_DEFAULTS = new Set(['development', 'test']);

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const merged = ENVIRONMENTS_WITH_DEFAULTS.has(env.NODE_ENV ?? '') ? { ...DEVELOPMENT_DEFAULTS, ...env } : { ...env };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** A provider key that must be there because `neededBy` (a tenant's provider, the sandbox) uses it. */
export function requireProviderKey(config: Config, name: ProviderKeyName, neededBy: string): string {
  const value = config[name];
  if (value === undefined) throw new ConfigError(`Invalid configuration:\n  ${name}: is required because ${neededBy} uses it`);
  return value;
}
