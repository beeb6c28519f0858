import express, { type RequestHandler } from 'express';
import { FailureType, publicError } from '../../../core/errors.js';
import { createDiskDocumentStorage, type DocumentStorage } from '../../../providers/storage.js';
import { requireUser } from '../../auth.js';
import { notFoundHandler, surfaceErrorHandler } from '../../errors.js';
import { createOtpService, type OtpService } from '../../otp.js';
import { routeBuilder } from '../../routes.js';
import type { SurfaceDeps } from '../types.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { chargegharEnvelope } from './envelope.js';
import { CHARGEGHAR } from './tenant.js';
import { registerUserRoutes } from './user-routes.js';

const BODY_LIMIT = '16kb';

/** What ChargeGhar's route modules are built from. */
export interface ChargeGharRoutes {
  deps: SurfaceDeps;
  route: ReturnType<typeof routeBuilder>;
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
  const router = express.Router();
  router.use((req, _res, next) => {
    req.tenant = CHARGEGHAR;
    next();
  });
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(deps.auth.initialize);

  const signedIn = [deps.auth.authenticated, deps.auth.liveSession];
  const adminRole: RequestHandler = (req, _res, next) => {
    if (requireUser(req).role !== 'admin') throw publicError(FailureType.Forbidden, 'Only ChargeGhar admins may do this.');
    next();
  };
  const routes: ChargeGharRoutes = {
    deps,
    route: routeBuilder(router, deps.openapi, { mountPath, tag: 'ChargeGhar' }),
    signedIn,
    adminOnly: [...signedIn, adminRole],
    authLimit: deps.rateLimits.auth(CHARGEGHAR.slug),
    otp: createOtpService(deps),
    // Disk in development; an object store would come in behind the same interface.
    documents: createDiskDocumentStorage(deps.config.KYC_STORAGE_DIR),
    mountPath,
  };
  registerAuthRoutes(routes);
  registerUserRoutes(routes);
  registerAdminRoutes(routes);

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(chargegharEnvelope, deps.logger));
  return router;
}
