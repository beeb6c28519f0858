import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Client } from '@temporalio/client';
import { RequestContext } from '@mikro-orm/core';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { createTokenService } from '../core/tokens.js';
import type { Orm } from '../db/orm.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { createAuth } from './auth.js';
import { notFoundHandler, platformEnvelope, surfaceErrorHandler } from './errors.js';
import { createHealthRouter } from './health.js';
import { createOpenApiRegistry } from './openapi.js';
import type { RateLimits } from './rate-limit.js';
import { createWebhookRouter } from './webhooks.js';
import { createOpsRouter } from './ops.js';
import { SURFACES } from './surfaces/index.js';
import type { SandboxRouter } from './sandbox.js';
import './types.js';

export interface AppDeps {
  config: Config;
  orm: Orm;
  temporal: Client;
  logger: Logger;
  rateLimits: RateLimits;
  providers: ProviderRegistry;
  /** Present only when the sandbox is on (never in production). */
  sandbox?: SandboxRouter;
}

/** Builds the whole HTTP app; nothing listens until the caller says so. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const em = deps.orm.em;
  const tokens = createTokenService({
    secret: deps.config.JWT_SECRET,
    issuer: deps.config.JWT_ISSUER,
    accessTtlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: deps.config.REFRESH_TOKEN_TTL_SECONDS,
  });
  const auth = createAuth({ em, tokens });
  const openapi = createOpenApiRegistry();

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
    }),
  );
  const corsOrigins = deps.config.CORS_ORIGINS;
  if (corsOrigins.length) {
    app.use(
      cors({
        origin: corsOrigins.includes('*') ? true : corsOrigins,
        // Lists carry their total in a header, and exports their file name: a browser shows a script only the headers exposed.
        exposedHeaders: ['X-Total-Count', 'X-Request-Id', 'Content-Disposition', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
        // Cookies (ChargeGhar's refresh cookie) cross origins only to origins named one by one.
        credentials: !corsOrigins.includes('*'),
        maxAge: 600,
      }),
    );
  }
  app.use((_req, _res, next) => RequestContext.create(em, next));

  app.use('/health', createHealthRouter({ em, temporal: deps.temporal, namespace: deps.config.TEMPORAL_NAMESPACE }));
  app.use(
    '/webhooks',
    createWebhookRouter({ config: deps.config, em, temporal: deps.temporal, providers: deps.providers, logger: deps.logger }),
  );
  app.use('/ops/:tenant', createOpsRouter({ config: deps.config, em, temporal: deps.temporal, auth, openapi, logger: deps.logger }));
  if (deps.sandbox) app.use('/sandbox', deps.sandbox.router);

  let document: ReturnType<typeof openapi.generate> | undefined;
  app.get('/openapi.json', (_req, res) => {
    document ??= openapi.generate({
      title: 'Fintech platform API',
      version: '0.1.0',
      description:
        'One backend for Maxtera, ChargeGhar, Xclera Matrix, MyMoolah and GenCharge. Each app is mounted at its own prefix with its own error envelope.',
    });
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));

  const surfaceDeps = { config: deps.config, em, temporal: deps.temporal, tokens, auth, openapi, logger: deps.logger, rateLimits: deps.rateLimits };
  for (const [slug, surface] of Object.entries(SURFACES)) {
    app.use(`/${slug}`, surface.createRouter(surfaceDeps, `/${slug}`));
  }
  const root = deps.config.MOUNT_AT_ROOT;
  const rootSurface = root && Object.hasOwn(SURFACES, root) ? SURFACES[root] : undefined;
  if (rootSurface) {
    // An existing client that only changes its host name reaches the surface at `/`.
    app.use('/', rootSurface.createRouter(surfaceDeps, ''));
  }

  app.use(notFoundHandler());
  app.use(surfaceErrorHandler(platformEnvelope, deps.logger));
  return app;
}
