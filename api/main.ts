import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireProviderKey, type Config, type ProviderKeyName } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createProviderRegistry, loadTenantProviderSettings, publicBaseUrl } from '../providers/registry.js';
import { initORM, type Orm } from '../db/orm.js';
import { createApp } from './app.js';
import { assertSurfacesMatchTenants } from './surfaces/index.js';
import { createRateLimits } from './rate-limit.js';
import { createSandboxRouter, type SandboxRouter } from './sandbox.js';

export interface RunningApi {
  url: string;
  server: Server;
  sandbox: SandboxRouter | undefined;
  stop(): Promise<void>;
}

/** Starts the HTTP API; `stop` closes the listener, then Temporal and Postgres connections. */
export async function startApi(config: Config = loadConfig()): Promise<RunningApi> {
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const orm: Orm = await initORM(config.DATABASE_URL, { pool: { max: config.DB_POOL_MAX } });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  let baseUrl = publicBaseUrl(config);
  // The sandbox is on only with every provider key set (the configuration checks it).
  const key = (name: ProviderKeyName) => requireProviderKey(config, name, 'the sandbox');
  const sandbox = config.sandbox
    ? createSandboxRouter({
        webhookUrl: () => `${baseUrl}/webhooks/onepipe`,
        webhookSecret: key('WEBHOOK_SECRET'),
        paymentsClientSecret: key('PAYMENT_PROVIDER_CLIENT_SECRET'),
        paymentsApiKey: key('PAYMENT_PROVIDER_API_KEY'),
        vtuApiKey: key('VTU_PROVIDER_API_KEY'),
        twilioAccountSid: key('TWILIO_ACCOUNT_SID'),
        twilioAuthToken: key('TWILIO_AUTH_TOKEN'),
        apiUrl: () => baseUrl,
        razorpay: { keyId: key('RAZORPAY_KEY_ID'), keySecret: key('RAZORPAY_KEY_SECRET'), webhookSecret: key('RAZORPAY_WEBHOOK_SECRET') },
        peach: { accessToken: key('PEACH_ACCESS_TOKEN'), entityId: key('PEACH_ENTITY_ID'), webhookSecret: key('PEACH_WEBHOOK_SECRET') },
        rechargeApiToken: key('INDIARECHARGE_API_TOKEN'),
        flashClientId: key('FLASH_CLIENT_ID'),
        flashClientSecret: key('FLASH_CLIENT_SECRET'),
        mobilemartApiKey: key('MOBILEMART_API_KEY'),
        chain: config.RPC_URL && config.XCLERA_CONTRACT_ADDRESS ? { rpcUrl: config.RPC_URL, chainId: config.XCLERA_CHAIN_ID, contractAddress: config.XCLERA_CONTRACT_ADDRESS } : undefined,
        logger,
      })
    : undefined;
  // Workers send mail to 127.0.0.1:SANDBOX_SMTP_PORT; 0 (tests) takes a free port, which the test hands its worker.
  const sandboxSmtpPort = await sandbox?.smtp.start(config.SANDBOX_SMTP_PORT);
  if (sandboxSmtpPort !== undefined) config = { ...config, SANDBOX_SMTP_PORT: sandboxSmtpPort };
  const rateLimits = await createRateLimits({ databaseUrl: config.DATABASE_URL, authPerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE });
  // The API uses the registry for webhook verification; adapters are the worker's business.
  const tenants = await loadTenantProviderSettings(orm.em.fork());
  assertSurfacesMatchTenants(tenants);
  const providers = createProviderRegistry(config, tenants, baseUrl);
  const app = createApp({ config, orm, temporal, logger, sandbox, rateLimits, providers });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  baseUrl = publicBaseUrl(config, port);
  logger.info({ url: baseUrl, sandbox: Boolean(sandbox) }, 'api listening');
  return {
    url: baseUrl,
    server,
    sandbox,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await sandbox?.smtp.stop();
      await rateLimits.close();
      await connection.close();
      await orm.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startApi().then(
    (api) => {
      const shutdown = () => {
        api.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
