import { z } from 'zod';

const durationMs = z.coerce.number().int().positive();

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

    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
    JWT_ISSUER: z.string().default('fintech-platform'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(30 * 24 * 3600),

    WEBHOOK_SECRET: z.string().min(16),
    WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),

    SANDBOX: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
    PAYMENT_PROVIDER_URL: z.string().url().optional(),
    PAYMENT_PROVIDER_API_KEY: z.string().default('sandbox-key'),
    PAYMENT_PROVIDER_CLIENT_SECRET: z.string().default('sandbox-client-secret'),
    VTU_PROVIDER_URL: z.string().url().optional(),
    VTU_PROVIDER_API_KEY: z.string().default('sandbox-key'),
    PROVIDER_HTTP_TIMEOUT_MS: durationMs.default(10_000),

    FUNDING_POLL_INTERVAL_MS: durationMs.default(30_000),
    FUNDING_TIMEOUT_MS: durationMs.default(30 * 60_000),
    PURCHASE_REQUERY_INTERVAL_MS: durationMs.default(5_000),
    PURCHASE_REQUERY_LIMIT_MS: durationMs.default(24 * 3600_000),
    PURCHASE_RESPONSE_WAIT_MS: durationMs.default(25_000),
    HOLD_TTL_MS: durationMs.default(48 * 3600_000),
    IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(24).default(48),

    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
    MOUNT_AT_ROOT: z.string().optional(),

    SEED_ADMIN_PASSWORD: z.string().min(8).optional(),
  })
  .transform((c) => ({
    ...c,
    sandbox: c.SANDBOX ?? c.NODE_ENV !== 'production',
  }))
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.sandbox) {
      ctx.addIssue({ code: 'custom', path: ['SANDBOX'], message: 'the sandbox is refused in production' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Development-only defaults; production must set every secret explicitly. */
const DEVELOPMENT_DEFAULTS: Record<string, string> = {
  JWT_SECRET: 'development-only-jwt-secret-change-me-0123456789',
  WEBHOOK_SECRET: 'development-only-webhook-secret',
  SEED_ADMIN_PASSWORD: 'admin-password-dev',
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const isProduction = env.NODE_ENV === 'production';
  const merged = isProduction ? { ...env } : { ...DEVELOPMENT_DEFAULTS, ...env };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
