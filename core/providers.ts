import type { Config } from './config.js';
import type { PaymentProvider, VtuProvider } from '../providers/types.js';
import { createOnePipePaymentProvider } from '../providers/onepipe.js';
import { createVtpassProvider } from '../providers/vtpass.js';

/** Where the API listens, as providers and webhooks must call it. */
export function publicBaseUrl(config: Config, port = config.PORT): string {
  return config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${port}`;
}

/**
 * The real HTTP adapters, pointed at the real services when their URLs are configured and, in
 * sandbox mode, at the imitations the API serves under /sandbox/providers.
 */
export function createProviders(config: Config, baseUrl = publicBaseUrl(config)): { payments: PaymentProvider; vtu: VtuProvider } {
  const paymentsUrl = config.PAYMENT_PROVIDER_URL ?? (config.sandbox ? `${baseUrl}/sandbox/providers/onepipe` : undefined);
  const vtuUrl = config.VTU_PROVIDER_URL ?? (config.sandbox ? `${baseUrl}/sandbox/providers/vtpass` : undefined);
  if (!paymentsUrl || !vtuUrl) throw new Error('PAYMENT_PROVIDER_URL and VTU_PROVIDER_URL are required outside the sandbox');
  return {
    payments: createOnePipePaymentProvider({
      baseUrl: paymentsUrl,
      apiKey: config.PAYMENT_PROVIDER_API_KEY,
      clientSecret: config.PAYMENT_PROVIDER_CLIENT_SECRET,
      timeoutMs: config.PROVIDER_HTTP_TIMEOUT_MS,
    }),
    vtu: createVtpassProvider({
      baseUrl: vtuUrl,
      apiKey: config.VTU_PROVIDER_API_KEY,
      timeoutMs: config.PROVIDER_HTTP_TIMEOUT_MS,
    }),
  };
}
