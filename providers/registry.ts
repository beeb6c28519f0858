import type { EntityManager } from '@mikro-orm/postgresql';
import { requireProviderKey, type Config, type ProviderKeyName } from '../core/config.js';
import { DomainError, FailureType } from '../core/errors.js';
import { createOnePipePaymentProvider } from './onepipe.js';
import { createPeachPaymentProvider, PEACH_SIGNATURE_HEADER, PEACH_TIMESTAMP_HEADER, verifyPeachWebhook } from './peach.js';
import { createRazorpayPaymentProvider, RAZORPAY_SIGNATURE_HEADER, verifyRazorpayWebhook } from './razorpay.js';
import { createVtpassProvider } from './vtpass.js';
import { createSmtpEmailProvider, type SmtpConfig } from './smtp.js';
import { createTwilioSmsProvider } from './twilio.js';
import { createFlashProvider } from './flash.js';
import { createIndiaRechargeProvider } from './indiarecharge.js';
import { createMobileMartProvider } from './mobilemart.js';
import { PAYMENT_SIGNATURE_HEADER, verifyPaymentWebhook } from './webhooks.js';
import { createMatrixChain, type MatrixChain } from './chain/client.js';
import type { EmailProvider, PaymentProvider, PaymentWebhookEvent, SmsProvider, VtuProvider } from './types.js';

/**
 * Which provider serves which tenant for which capability. The composition roots (worker, API,
 * test setup) build one registry from the tenants' settings and the configuration; activities and
 * routes only ask it. Adding a provider means its adapter, its sandbox, and its entries below.
 */
export interface CapabilityProviders {
  /** Collects money in (deposits, top-ups). */
  payments: PaymentProvider;
  /** Sells airtime, data, bills and recharges. */
  vtu: VtuProvider;
  flash: VtuProvider;
  mobilemart: VtuProvider;
  sms: SmsProvider;
  email: EmailProvider;
  /** Takes user-signed payments on an EVM chain (Xclera's matrix contract). */
  chain: MatrixChain;
}
export type Capability = keyof CapabilityProviders;

export interface TenantProviderSettings {
  slug: string;
  currency: string;
  settings: { providers?: Partial<Record<Capability, string>> };
}

/** Verifies a provider's webhook delivery (signature over the raw body) and reads its event. */
export interface WebhookReceiver {
  provider: string;
  /** The tenants this provider collects for; a delivery names one when there are several. */
  tenants: string[];
  /** Throws on a forged or malformed delivery; undefined for an authentic event with nothing final to act on. */
  verify(delivery: { rawBody: Buffer; header(name: string): string | undefined; nowSeconds: number }): PaymentWebhookEvent | undefined;
}

export interface ProviderRegistry {
  get<C extends Capability>(tenant: string, capability: C): CapabilityProviders[C];
  payments(tenant: string): PaymentProvider;
  vtu(tenant: string): VtuProvider;
  webhookReceiver(provider: string): WebhookReceiver | undefined;
}

/** Where the API listens, as providers and webhooks must call it. */
export function publicBaseUrl(config: Config, port = config.PORT): string {
  return config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${port}`;
}

export interface AdapterContext {
  config: Config;
  /** A key of the provider being built; missing, it stops the start with a message naming both. */
  key(name: ProviderKeyName): string;
  /** The sandbox imitation's URL, when the sandbox is on; real URLs come from the configuration. */
  sandboxUrl(provider: string): string | undefined;
}

/** The configured URL of a real provider, or its sandbox imitation; neither is a start-up error. */
export function providerUrl(ctx: AdapterContext, setting: string, configured: string | undefined, provider: string): string {
  const url = configured ?? ctx.sandboxUrl(provider);
  if (!url) throw new Error(`${setting} is required outside the sandbox`);
  return url;
}

type AdapterFactories = { [C in Capability]: Record<string, (ctx: AdapterContext) => CapabilityProviders[C]> };

const ADAPTERS: AdapterFactories = {
  payments: {
    onepipe: (ctx) =>
      createOnePipePaymentProvider({
        baseUrl: providerUrl(ctx, 'PAYMENT_PROVIDER_URL', ctx.config.PAYMENT_PROVIDER_URL, 'onepipe'),
        apiKey: ctx.key('PAYMENT_PROVIDER_API_KEY'),
        clientSecret: ctx.key('PAYMENT_PROVIDER_CLIENT_SECRET'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
    razorpay: (ctx) =>
      createRazorpayPaymentProvider({
        baseUrl: providerUrl(ctx, 'RAZORPAY_URL', ctx.config.RAZORPAY_URL, 'razorpay'),
        keyId: ctx.key('RAZORPAY_KEY_ID'),
        keySecret: ctx.key('RAZORPAY_KEY_SECRET'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
    peach: (ctx) =>
      createPeachPaymentProvider({
        baseUrl: providerUrl(ctx, 'PEACH_URL', ctx.config.PEACH_URL, 'peach'),
        accessToken: ctx.key('PEACH_ACCESS_TOKEN'),
        entityId: ctx.key('PEACH_ENTITY_ID'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
  },
  vtu: {
    vtpass: (ctx) =>
      createVtpassProvider({
        baseUrl: providerUrl(ctx, 'VTU_PROVIDER_URL', ctx.config.VTU_PROVIDER_URL, 'vtpass'),
        apiKey: ctx.key('VTU_PROVIDER_API_KEY'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
    indiarecharge: (ctx) =>
      createIndiaRechargeProvider({
        baseUrl: providerUrl(ctx, 'INDIARECHARGE_URL', ctx.config.INDIARECHARGE_URL, 'indiarecharge'),
        apiToken: ctx.key('INDIARECHARGE_API_TOKEN'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
  },
  flash: {
    flash: (ctx) =>
      createFlashProvider({
        baseUrl: providerUrl(ctx, 'FLASH_URL', ctx.config.FLASH_URL, 'flash'),
        clientId: ctx.key('FLASH_CLIENT_ID'),
        clientSecret: ctx.key('FLASH_CLIENT_SECRET'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
  },
  mobilemart: {
    mobilemart: (ctx) =>
      createMobileMartProvider({
        baseUrl: providerUrl(ctx, 'MOBILEMART_URL', ctx.config.MOBILEMART_URL, 'mobilemart'),
        apiKey: ctx.key('MOBILEMART_API_KEY'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
  },
  sms: {
    twilio: (ctx) =>
      createTwilioSmsProvider({
        accountSid: ctx.key('TWILIO_ACCOUNT_SID'),
        authToken: ctx.key('TWILIO_AUTH_TOKEN'),
        from: ctx.key('TWILIO_FROM'),
        // Unset outside the sandbox: the SDK talks to https://api.twilio.com itself.
        baseUrl: ctx.config.TWILIO_API_URL ?? ctx.sandboxUrl('twilio'),
        timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
      }),
  },
  email: {
    smtp: (ctx) => createSmtpEmailProvider({ ...smtpServer(ctx.config), from: ctx.key('SMTP_FROM'), timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS }),
  },
  chain: {
    evm: (ctx) => {
      const { RPC_URL, XCLERA_CONTRACT_ADDRESS } = ctx.config;
      if (!RPC_URL || !XCLERA_CONTRACT_ADDRESS) throw new Error('RPC_URL and XCLERA_CONTRACT_ADDRESS are required because tenant xclera takes payments on chain');
      return createMatrixChain({ rpcUrl: RPC_URL, chainId: ctx.config.XCLERA_CHAIN_ID, contractAddress: XCLERA_CONTRACT_ADDRESS, confirmations: ctx.config.XCLERA_CONFIRMATIONS });
    },
  },
};

/**
 * The configured SMTP relay; in the sandbox without SMTP_HOST, the API's sandbox SMTP server,
 * which listens on 127.0.0.1:SANDBOX_SMTP_PORT so a worker in another process finds it too.
 */
function smtpServer(config: Config): Omit<SmtpConfig, 'from'> {
  if (config.SMTP_HOST) {
    return { host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, pass: config.SMTP_PASS };
  }
  if (!config.sandbox) throw new Error('SMTP_HOST is required outside the sandbox');
  if (config.SANDBOX_SMTP_PORT === 0) throw new Error('SANDBOX_SMTP_PORT must be the port the sandbox SMTP server listens on, not 0');
  return { host: '127.0.0.1', port: config.SANDBOX_SMTP_PORT, secure: false };
}

/** Each collecting provider verifies its own webhooks with its own secret. */
const WEBHOOK_VERIFIERS: Record<string, (ctx: AdapterContext) => WebhookReceiver['verify']> = {
  onepipe: (ctx) => {
    const secret = ctx.key('WEBHOOK_SECRET');
    return (delivery) =>
      verifyPaymentWebhook({
        rawBody: delivery.rawBody,
        header: delivery.header(PAYMENT_SIGNATURE_HEADER),
        secret,
        toleranceSeconds: ctx.config.WEBHOOK_TOLERANCE_SECONDS,
        nowSeconds: delivery.nowSeconds,
      });
  },
  razorpay: (ctx) => {
    const secret = ctx.key('RAZORPAY_WEBHOOK_SECRET');
    return (delivery) => verifyRazorpayWebhook({ rawBody: delivery.rawBody, signature: delivery.header(RAZORPAY_SIGNATURE_HEADER), secret });
  },
  peach: (ctx) => {
    const secret = ctx.key('PEACH_WEBHOOK_SECRET');
    return (delivery) =>
      verifyPeachWebhook({
        rawBody: delivery.rawBody,
        signature: delivery.header(PEACH_SIGNATURE_HEADER),
        timestamp: delivery.header(PEACH_TIMESTAMP_HEADER),
        secret,
        toleranceSeconds: ctx.config.WEBHOOK_TOLERANCE_SECONDS,
        nowSeconds: delivery.nowSeconds,
      });
  },
};

export function createProviderRegistry(config: Config, tenants: TenantProviderSettings[], baseUrl = publicBaseUrl(config)): ProviderRegistry {
  const sandboxUrl = (provider: string) => (config.sandbox ? `${baseUrl}/sandbox/providers/${provider}` : undefined);
  const contextFor = (provider: string, tenant: string): AdapterContext => ({
    config,
    sandboxUrl,
    key: (name) => requireProviderKey(config, name, `tenant ${tenant}'s provider ${provider}`),
  });
  // Adapters are built once per provider and shared by the tenants it serves.
  const instances = new Map<string, unknown>();
  const chosen = new Map<string, unknown>();
  const receivers = new Map<string, WebhookReceiver>();

  for (const tenant of tenants) {
    for (const [capability, name] of Object.entries(tenant.settings.providers ?? {}) as Array<[Capability, string]>) {
      const factory = (ADAPTERS[capability] as Record<string, (c: AdapterContext) => unknown> | undefined)?.[name];
      if (!factory) throw new Error(`tenant ${tenant.slug} names an unknown ${capability} provider "${name}"`);
      const key = `${capability}:${name}`;
      if (!instances.has(key)) instances.set(key, factory(contextFor(name, tenant.slug)));
      chosen.set(`${tenant.slug}:${capability}`, instances.get(key));
      const verifier = capability === 'payments' ? WEBHOOK_VERIFIERS[name] : undefined;
      if (verifier) {
        const receiver = receivers.get(name) ?? { provider: name, tenants: [], verify: verifier(contextFor(name, tenant.slug)) };
        receiver.tenants.push(tenant.slug);
        receivers.set(name, receiver);
      }
    }
  }

  function get<C extends Capability>(tenant: string, capability: C): CapabilityProviders[C] {
    const provider = chosen.get(`${tenant}:${capability}`);
    if (!provider) throw new DomainError(FailureType.ProviderRejected, `no ${capability} provider is configured for ${tenant}`);
    return provider as CapabilityProviders[C];
  }

  return {
    get,
    payments: (tenant) => get(tenant, 'payments'),
    vtu: (tenant) => get(tenant, 'vtu'),
    webhookReceiver: (provider) => receivers.get(provider),
  };
}

/** The tenants and their provider choices, as the composition roots read them at start. */
export async function loadTenantProviderSettings(em: EntityManager): Promise<TenantProviderSettings[]> {
  return em.execute<TenantProviderSettings[]>('select slug, currency, settings from tenants order by slug');
}
