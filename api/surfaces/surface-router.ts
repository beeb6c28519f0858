import express from 'express';
import { notFoundHandler, surfaceErrorHandler, type ErrorEnvelope } from '../errors.js';
import { idempotent } from '../idempotency.js';
import { routeBuilder } from '../routes.js';
import type { TenantContext } from '../types.js';
import type { SurfaceDeps, SurfaceRoutes } from './types.js';

export interface SurfaceRouterOptions {
  tenant: TenantContext;
  /** The app's name in the OpenAPI document's tags. */
  tag: string;
  /** Where the router is mounted (`/maxtera`, or '' at the root); OpenAPI paths start here. */
  mountPath: string;
  envelope: ErrorEnvelope;
  bodyLimit?: string;
}

/**
 * What every app's router shares: requests carry the app's tenant, JSON bodies are bounded,
 * Passport is initialised, unknown paths and every failure answer in the app's own envelope.
 * `register` adds the app's routes in between, from the common route helpers.
 */
export function createSurfaceRouter(
  deps: SurfaceDeps,
  options: SurfaceRouterOptions,
  register: (routes: SurfaceRoutes, router: express.Router) => void,
): express.Router {
  const { tenant, tag, mountPath, envelope, bodyLimit = '16kb' } = options;
  const router = express.Router();
  router.use((req, _res, next) => {
    req.tenant = tenant;
    next();
  });
  router.use(express.json({ limit: bodyLimit }));
  router.use(deps.auth.initialize);

  register(
    {
      deps,
      route: routeBuilder(router, deps.openapi, { mountPath, tag }),
      authenticated: deps.auth.authenticated,
      idempotency: idempotent({ em: deps.em, ttlHours: deps.config.IDEMPOTENCY_TTL_HOURS }),
      authLimit: deps.rateLimits.auth(tenant.slug),
    },
    router,
  );

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(envelope, deps.logger));
  return router;
}
