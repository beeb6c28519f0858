import type express from 'express';
import { createSurfaceRouter } from '../surface-router.js';
import type { SurfaceDeps } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { xcleraEnvelope } from './envelope.js';
import { registerMatrixRoutes } from './matrix-routes.js';
import { registerProfileRoutes } from './profile-routes.js';
import { XCLERA } from './tenant.js';

/** Xclera Matrix (wallet-signature sign-in, the referral matrix, on-chain register/upgrade), at /xclera + /api/... */
export function createXcleraRouter(deps: SurfaceDeps, mountPath = '/xclera'): express.Router {
  // Signed transactions make bodies larger than the other apps'.
  const options = { tenant: XCLERA, tag: 'Xclera Matrix', mountPath, envelope: xcleraEnvelope, bodyLimit: '32kb' };
  return createSurfaceRouter(deps, options, (routes) => {
    registerAuthRoutes(routes);
    registerProfileRoutes(routes);
    registerMatrixRoutes(routes);
  });
}
