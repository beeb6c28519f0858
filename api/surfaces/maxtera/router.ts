import express from 'express';
import { notFoundHandler, surfaceErrorHandler } from '../../errors.js';
import { idempotent } from '../../idempotency.js';
import { routeBuilder } from '../../routes.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { maxteraEnvelope } from './envelope.js';
import { registerPurchaseRoutes } from './purchase-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

import { MAXTERA } from './tenant.js';
const BODY_LIMIT = '16kb';

/** Maxtera (airtime, data, bills, wallet; Nigeria), mounted at /maxtera + /api/v1/... */
export function createMaxteraRouter(deps: SurfaceDeps, mountPath = '/maxtera'): express.Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    req.tenant = MAXTERA;
    next();
  });
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(deps.auth.initialize);

  const routes: SurfaceRoutes = {
    deps,
    route: routeBuilder(router, deps.openapi, { mountPath, tag: 'Maxtera' }),
    authenticated: deps.auth.authenticated,
    idempotency: idempotent({ em: deps.em, ttlHours: deps.config.IDEMPOTENCY_TTL_HOURS }),
    authLimit: deps.rateLimits.auth(MAXTERA.slug),
  };
  registerAuthRoutes(routes);
  registerWalletRoutes(routes);
  registerPurchaseRoutes(routes);

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(maxteraEnvelope, deps.logger));
  return router;
}
