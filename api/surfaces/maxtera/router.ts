import type express from 'express';
import { createSurfaceRouter } from '../surface-router.js';
import type { SurfaceDeps } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { maxteraEnvelope } from './envelope.js';
import { registerPurchaseRoutes } from './purchase-routes.js';
import { MAXTERA } from './tenant.js';
import { registerWalletRoutes } from './wallet-routes.js';

/** Maxtera (airtime, data, bills, wallet; Nigeria), mounted at /maxtera + /api/v1/... */
export function createMaxteraRouter(deps: SurfaceDeps, mountPath = '/maxtera'): express.Router {
  return createSurfaceRouter(deps, { tenant: MAXTERA, tag: 'Maxtera', mountPath, envelope: maxteraEnvelope }, (routes) => {
    registerAuthRoutes(routes);
    registerWalletRoutes(routes);
    registerPurchaseRoutes(routes);
  });
}
