import { ConfigError, loadConfig, PROVIDER_KEYS } from '../../core/config.js';
import { createProviderRegistry } from '../../providers/registry.js';

const SERVICES = { DATABASE_URL: 'postgres://platform@db:5432/platform', TEMPORAL_ADDRESS: 'temporal:7233' };

const PRODUCTION_SECRETS = {
  JWT_SECRET: 'production-jwt-secret-0123456789-abcdefghij',
  WEBHOOK_SECRET: 'production-webhook-secret',
  PAYMENT_PROVIDER_URL: 'https://payments.example.com',
  PAYMENT_PROVIDER_API_KEY: 'live-payments-key',
  PAYMENT_PROVIDER_CLIENT_SECRET: 'live-payments-client-secret',
  VTU_PROVIDER_URL: 'https://vtu.example.com',
  VTU_PROVIDER_API_KEY: 'live-vtu-key',
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_AUTH_TOKEN: 'live-twilio-auth-token',
  TWILIO_FROM: '+27600000000',
  SMTP_FROM: 'no-reply@example.com',
  INDIARECHARGE_URL: 'https://recharge.example.in',
  INDIARECHARGE_API_TOKEN: 'live-indiarecharge-token',
  FLASH_URL: 'https://flash.example.co.za',
  FLASH_CLIENT_ID: 'live-flash-client',
  FLASH_CLIENT_SECRET: 'live-flash-client-secret',
  MOBILEMART_URL: 'https://mobilemart.example.co.za',
  MOBILEMART_API_KEY: 'live-mobilemart-key',
  RAZORPAY_URL: 'https://api.razorpay.com',
  RAZORPAY_KEY_ID: 'rzp_live_key',
  RAZORPAY_KEY_SECRET: 'live-razorpay-key-secret',
  RAZORPAY_WEBHOOK_SECRET: 'live-razorpay-webhook-secret',
  PEACH_URL: 'https://api.peachpayments.com',
  PEACH_ACCESS_TOKEN: 'live-peach-access-token',
  PEACH_ENTITY_ID: 'live-peach-entity',
  PEACH_WEBHOOK_SECRET: 'live-peach-webhook-secret',
};

const SECRET_NAMES: string[] = ['JWT_SECRET', ...PROVIDER_KEYS];

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig in production', () => {
  it('when no secret is set, then start-up is refused for the JWT secret, and provider keys stay unset rather than defaulted', () => {
    const error = configError({ NODE_ENV: 'production', ...SERVICES });
    expect(error.message).toContain('JWT_SECRET: is required');
    const config = loadConfig({ NODE_ENV: 'production', ...SERVICES, JWT_SECRET: PRODUCTION_SECRETS.JWT_SECRET });
    for (const name of PROVIDER_KEYS) expect(config[name]).toBeUndefined();
  });

  it('when a tenant uses a provider whose key is not set, then the provider registry refuses to start and names key and tenant', () => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS };
    delete env.RAZORPAY_KEY_SECRET;
    const config = loadConfig(env);
    const gencharge = { slug: 'gencharge', currency: 'INR', settings: { providers: { payments: 'razorpay' } } };
    expect(() => createProviderRegistry(config, [gencharge])).toThrow(/RAZORPAY_KEY_SECRET: is required because tenant gencharge's provider razorpay uses it/);
    const maxtera = { slug: 'maxtera', currency: 'NGN', settings: { providers: { payments: 'onepipe', vtu: 'vtpass' } } };
    expect(() => createProviderRegistry(config, [maxtera])).not.toThrow();
  });

  it('when every secret is set, then no development default leaks into the configuration', () => {
    const config = loadConfig({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS });
    expect(config).toMatchObject(PRODUCTION_SECRETS);
    expect(config.sandbox).toBe(false);
    expect(config.SEED_ADMIN_PASSWORD).toBeUndefined();
    expect(JSON.stringify(config)).not.toMatch(/sandbox-|development-only|admin-password-dev/);
  });

  it('when SANDBOX=true, then start-up is refused', () => {
    const error = configError({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS, SANDBOX: 'true' });
    expect(error.message).toContain('SANDBOX: the sandbox is refused in production');
  });

  it('when CORS_ORIGINS is unset, then no browser origin is allowed; listed origins are kept as browsers send them', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS }).CORS_ORIGINS).toEqual([]);
    const listed = loadConfig({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS, CORS_ORIGINS: 'https://admin.gencharge.in/, http://localhost:5173' });
    expect(listed.CORS_ORIGINS).toEqual(['https://admin.gencharge.in', 'http://localhost:5173']);
    expect(configError({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS, CORS_ORIGINS: 'admin.gencharge.in' }).message).toContain('CORS_ORIGINS');
  });

  it('when the JWT secret is short, then start-up is refused', () => {
    const error = configError({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS, JWT_SECRET: 'too-short' });
    expect(error.message).toContain('JWT_SECRET: must be at least 32 characters');
  });
});

describe('loadConfig without NODE_ENV', () => {
  it('when nothing else is set, then no default applies and the sandbox stays off', () => {
    expect(configError({ ...SERVICES }).message).toContain('JWT_SECRET: is required');
    const config = loadConfig({ ...SERVICES, JWT_SECRET: PRODUCTION_SECRETS.JWT_SECRET });
    expect(config.sandbox).toBe(false);
    for (const name of PROVIDER_KEYS) expect(config[name]).toBeUndefined();
  });

  it('when SANDBOX=true but the provider keys it imitates are missing, then start-up is refused naming them', () => {
    const error = configError({ ...SERVICES, JWT_SECRET: PRODUCTION_SECRETS.JWT_SECRET, SANDBOX: 'true' });
    for (const name of PROVIDER_KEYS) expect(error.message).toContain(`  ${name}: is required while the sandbox is on`);
  });

  it('when SANDBOX=true is explicit, then the sandbox is on', () => {
    expect(loadConfig({ ...SERVICES, ...PRODUCTION_SECRETS, SANDBOX: 'true' }).sandbox).toBe(true);
  });
});

describe('loadConfig in development', () => {
  it('when only the services are set, then secrets and provider keys get their development defaults', () => {
    const config = loadConfig({ NODE_ENV: 'development', ...SERVICES });
    for (const name of SECRET_NAMES) expect(config[name as keyof typeof config]).toEqual(expect.any(String));
    expect(config.SEED_ADMIN_PASSWORD).toBe('admin-password-dev');
    expect(config.CORS_ORIGINS).toEqual(['*']);
  });

  it('when SANDBOX is not set, then the sandbox is off; SANDBOX=true turns it on', () => {
    expect(loadConfig({ NODE_ENV: 'development', ...SERVICES }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', ...SERVICES, SANDBOX: 'true' }).sandbox).toBe(true);
  });

  it('when SANDBOX is neither true nor false, then start-up is refused', () => {
    expect(configError({ NODE_ENV: 'development', ...SERVICES, SANDBOX: 'yes' }).message).toContain('SANDBOX:');
  });

  it('when a secret is set, then it wins over the default', () => {
    const config = loadConfig({ NODE_ENV: 'development', ...SERVICES, PAYMENT_PROVIDER_API_KEY: 'my-key' });
    expect(config.PAYMENT_PROVIDER_API_KEY).toBe('my-key');
  });
});

describe('loadConfig durations', () => {
  it.each([
    ['1000', '1000'],
    ['1000', '5000'],
  ])('when HOLD_TTL_MS=%s is not above PURCHASE_REQUERY_LIMIT_MS=%s, then start-up is refused', (hold, requery) => {
    const error = configError({ NODE_ENV: 'development', ...SERVICES, HOLD_TTL_MS: hold, PURCHASE_REQUERY_LIMIT_MS: requery });
    expect(error.message).toContain('HOLD_TTL_MS: must be greater than PURCHASE_REQUERY_LIMIT_MS');
  });

  it('when the hold outlives the re-queries, then the configuration is accepted', () => {
    const config = loadConfig({ NODE_ENV: 'development', ...SERVICES, HOLD_TTL_MS: '5001', PURCHASE_REQUERY_LIMIT_MS: '5000' });
    expect(config.HOLD_TTL_MS).toBeGreaterThan(config.PURCHASE_REQUERY_LIMIT_MS);
  });
});
