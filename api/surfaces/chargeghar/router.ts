import type express from 'express';
import type { RequestHandler } from 'express';
import { FailureType, publicError } from '../../../core/errors.js';
import { createDiskDocumentStorage, type DocumentStorage } from '../../../providers/storage.js';
import { requireUser } from '../../auth.js';
import { createOtpService, type OtpService } from '../../otp.js';
import { createSurfaceRouter } from '../surface-router.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { chargegharEnvelope } from './envelope.js';
import { CHARGEGHAR } from './tenant.js';
import { registerUserRoutes } from './user-routes.js';

/** What ChargeGhar's route modules are built from. */
export interface ChargeGharRoutes {
  deps: SurfaceDeps;
  route: SurfaceRoutes['route'];
  /** A valid access token of a session that has not ended (logout and account deletion end it at once). */
  signedIn: RequestHandler[];
  /** Signed in as an admin of ChargeGhar; anyone else gets PERMISSION_DENIED. */
  adminOnly: RequestHandler[];
  authLimit: RequestHandler;
  otp: OtpService;
  documents: DocumentStorage;
  /** Where the router is mounted (`/chargeghar`, or '' at the root): the refresh cookie's path starts here. */
  mountPath: string;
}

/** ChargeGhar (OTP sign-in, profile, KYC, wallet and points; Nepal), mounted at /chargeghar + /api/... */
export function createChargeGharRouter(deps: SurfaceDeps, mountPath = '/chargeghar'): express.Router {
  const options = { tenant: CHARGEGHAR, tag: 'ChargeGhar', mountPath, envelope: chargegharEnvelope };
  return createSurfaceRouter(deps, options, ({ route, authLimit }) => {
    // Every ChargeGhar route checks that the token's session is still live.
    const signedIn = [deps.auth.authenticated, deps.auth.liveSession];
    const adminRole: RequestHandler = (req, _res, next) => {
      if (requireUser(req).role !== 'admin') throw publicError(FailureType.Forbidden, 'Only ChargeGhar admins may do this.');
      next();
    };
    const routes: ChargeGharRoutes = {
      deps,
      route,
      signedIn,
      adminOnly: [...signedIn, adminRole],
      authLimit,
      otp: createOtpService(deps),
      // Disk in development; an object store would come in behind the same interface.
      documents: createDiskDocumentStorage(deps.config.KYC_STORAGE_DIR),
      mountPath,
    };
    registerAuthRoutes(routes);
    registerUserRoutes(routes);
    registerAdminRoutes(routes);
  });
}
