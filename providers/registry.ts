import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import { DomainError, FailureType } from '../core/errors.js';
import { createOnePipePaymentProvider } from './onepipe.js';
import { createVtpassProvider } from './vtpass.js';
import { PAYMENT_SIGNATURE_HEADER, verifyPaymentWebhook } from './webhooks.js';
import type { PaymentProvider, PaymentWebhookEvent, VtuProvider } from './types.js';

/**
 * Which provider serves which tenant for which capability. The composition roots (worker, API,
 * test setup) build one registry from the tenants' settings and the configuration; activities and
 * routes only ask it. Adding a provider means an adapter, its sandbox, and one entry below.
 */
export type Capability = 'payments' | 'vtu';

export interface TenantProviderSettings {
  slug: string;
  settings: { providers?: Partial<Record<Capability, string>> };
}

/** Verifies a provider's webhook delivery (signature over the raw body) and reads its event. */
export interface WebhookReceiver {
  provider: string;
  /** The tenants this provider collects for; a delivery names one when there are several. */
  tenants: string[];
  verify(delivery: { rawBody: Buffer; header(name: string): string | undefined; nowSeconds: number }): PaymentWebhookEvent;
}

export interface ProviderRegistry {
  payments(tenant: string): PaymentProvider;
  vtu(tenant: string): VtuProvider;
  webhookReceiver(provider: string): WebhookReceiver | undefined;
}

/** Where the API listens, as providers and webhooks must call it. */
export function publicBaseUrl(config: Config, port = config.PORT): string {
  return config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${port}`;
}

interface AdapterContext {
  config: Config;
  /** The sandbox imitation's URL, when the sandbox is on; real URLs come from the configuration. */
  sandboxUrl(provider: string): string | undefined;
}

function requireUrl(name: string, configured: string | undefined, ctx: AdapterContext, provider: string): string {
  const url = configured ?? ctx.sandboxUrl(provider);
  if (!url) throw new Error(`${name} is required outside the sandbox`);
  return url;
}

const PAYMENT_ADAPTERS: Record<string, (ctx: AdapterContext) => PaymentProvider> = {
  onepipe: (ctx) =>
    createOnePipePaymentProvider({
      baseUrl: requireUrl('PAYMENT_PROVIDER_URL', ctx.config.PAYMENT_PROVIDER_URL, ctx, 'onepipe'),
      apiKey: ctx.config.PAYMENT_PROVIDER_API_KEY,
      clientSecret: ctx.config.PAYMENT_PROVIDER_CLIENT_SECRET,
      timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
    }),
};

const VTU_ADAPTERS: Record<string, (ctx: AdapterContext) => VtuProvider> = {
  vtpass: (ctx) =>
    createVtpassProvider({
      baseUrl: requireUrl('VTU_PROVIDER_URL', ctx.config.VTU_PROVIDER_URL, ctx, 'vtpass'),
      apiKey: ctx.config.VTU_PROVIDER_API_KEY,
      timeoutMs: ctx.config.PROVIDER_HTTP_TIMEOUT_MS,
    }),
};

const WEBHOOK_VERIFIERS: Record<string, (config: Config) => WebhookReceiver['verify']> = {
  onepipe: (config) => (delivery) =>
    verifyPaymentWebhook({
      rawBody: delivery.rawBody,
      header: delivery.header(PAYMENT_SIGNATURE_HEADER),
      secret: config.WEBHOOK_SECRET,
      toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
      nowSeconds: delivery.nowSeconds,
    }),
};

export function createProviderRegistry(config: Config, tenants: TenantProviderSettings[], baseUrl = publicBaseUrl(config)): ProviderRegistry {
  const ctx: AdapterContext = {
    config,
    sandboxUrl: (provider) => (config.sandbox ? `${baseUrl}/sandbox/providers/${provider}` : undefined),
  };
  const payments = new Map<string, PaymentProvider>();
  const vtu = new Map<string, VtuProvider>();
  const receivers = new Map<string, WebhookReceiver>();

  // Adapters are built once per provider and shared by the tenants it serves.
  const instances = new Map<string, PaymentProvider | VtuProvider>();
  function adapter<T extends PaymentProvider | VtuProvider>(kind: Capability, name: string, factories: Record<string, (c: AdapterContext) => T>): T {
    const factory = factories[name];
    if (!factory) throw new Error(`unknown ${kind} provider "${name}" in the tenant settings`);
    const key = `${kind}:${name}`;
    if (!instances.has(key)) instances.set(key, factory(ctx));
    return instances.get(key) as T;
  }

  for (const tenant of tenants) {
    const chosen = tenant.settings.providers ?? {};
    if (chosen.payments) {
      payments.set(tenant.slug, adapter('payments', chosen.payments, PAYMENT_ADAPTERS));
      const verifier = WEBHOOK_VERIFIERS[chosen.payments];
      if (verifier) {
        const receiver = receivers.get(chosen.payments) ?? { provider: chosen.payments, tenants: [], verify: verifier(config) };
        receiver.tenants.push(tenant.slug);
        receivers.set(chosen.payments, receiver);
      }
    }
    if (chosen.vtu) vtu.set(tenant.slug, adapter('vtu', chosen.vtu, VTU_ADAPTERS));
  }

  function lookup<T>(map: Map<string, T>, capability: Capability, tenant: string): T {
    const provider = map.get(tenant);
    if (!provider) throw new DomainError(FailureType.ProviderRejected, `no ${capability} provider is configured for ${tenant}`);
    return provider;
  }

  return {
    payments: (tenant) => lookup(payments, 'payments', tenant),
    vtu: (tenant) => lookup(vtu, 'vtu', tenant),
    webhookReceiver: (provider) => receivers.get(provider),
  };
}

/** The tenants and their provider choices, as the composition roots read them at start. */
export async function loadTenantProviderSettings(em: EntityManager): Promise<TenantProviderSettings[]> {
  return em.execute<TenantProviderSettings[]>('select slug, settings from tenants order by slug');
}
