import express from 'express';
import { notFoundHandler, surfaceErrorHandler } from '../../errors.js';
import { idempotent } from '../../idempotency.js';
import { routeBuilder } from '../../routes.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { xcleraEnvelope } from './envelope.js';
import { registerMatrixRoutes } from './matrix-routes.js';
import { registerProfileRoutes } from './profile-routes.js';
import { XCLERA } from './tenant.js';

const BODY_LIMIT = '32kb';

/** Xclera Matrix (wallet-signature sign-in, the referral matrix, on-chain register/upgrade), at /xclera + /api/... */
export function createXcleraRouter(deps: SurfaceDeps, mountPath = '/xclera'): express.Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    req.tenant = XCLERA;
    next();
  });
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(deps.auth.initialize);

  const routes: SurfaceRoutes = {
    deps,
    route: routeBuilder(router, deps.openapi, { mountPath, tag: 'Xclera Matrix' }),
    authenticated: deps.auth.authenticated,
    idempotency: idempotent({ em: deps.em, ttlHours: deps.config.IDEMPOTENCY_TTL_HOURS }),
    authLimit: deps.rateLimits.auth(XCLERA.slug),
  };
  registerAuthRoutes(routes);
  registerProfileRoutes(routes);
  registerMatrixRoutes(routes);

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(xcleraEnvelope, deps.logger));
  return router;
}
