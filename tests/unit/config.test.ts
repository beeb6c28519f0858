import { ConfigError, loadConfig } from '../../core/config.js';

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

const SECRET_NAMES = ['JWT_SECRET', 'WEBHOOK_SECRET', 'PAYMENT_PROVIDER_API_KEY', 'PAYMENT_PROVIDER_CLIENT_SECRET', 'VTU_PROVIDER_API_KEY'];
SECRET_NAMES.push('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'SMTP_FROM');
SECRET_NAMES.push('INDIARECHARGE_API_TOKEN', 'FLASH_CLIENT_ID', 'FLASH_CLIENT_SECRET', 'MOBILEMART_API_KEY');
SECRET_NAMES.push('RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_WEBHOOK_SECRET', 'PEACH_ACCESS_TOKEN', 'PEACH_ENTITY_ID', 'PEACH_WEBHOOK_SECRET');

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
  it('when no secret is set, then start-up is refused with a message naming each one', () => {
    const error = configError({ NODE_ENV: 'production', ...SERVICES });
    for (const name of SECRET_NAMES) expect(error.message).toContain(`${name}: is required`);
  });

  it.each(SECRET_NAMES)('when only %s is missing, then start-up is refused and names it alone', (name) => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS };
    delete env[name];
    const message = configError(env).message;
    expect(message).toContain(`  ${name}: is required (no default outside development and test)`);
    // Whole lines: WEBHOOK_SECRET is also the tail of RAZORPAY_WEBHOOK_SECRET.
    for (const other of SECRET_NAMES.filter((n) => n !== name)) expect(message).not.toContain(`  ${other}:`);
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

  it('when the JWT secret is short, then start-up is refused', () => {
    const error = configError({ NODE_ENV: 'production', ...SERVICES, ...PRODUCTION_SECRETS, JWT_SECRET: 'too-short' });
    expect(error.message).toContain('JWT_SECRET: must be at least 32 characters');
  });
});

describe('loadConfig without NODE_ENV', () => {
  it('when nothing else is set, then the secrets are required and the sandbox stays off', () => {
    const error = configError({ ...SERVICES });
    for (const name of SECRET_NAMES) expect(error.message).toContain(`${name}: is required`);
    expect(loadConfig({ ...SERVICES, ...PRODUCTION_SECRETS }).sandbox).toBe(false);
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
