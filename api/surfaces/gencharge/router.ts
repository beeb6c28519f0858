import type express from 'express';
import type { RequestHandler } from 'express';
import type { RouteDoc } from '../../openapi.js';
import { createOtpService, type OtpService } from '../../otp.js';
import { createSurfaceRouter } from '../surface-router.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { requireAdmin, requireMobileUser, requirePermission } from './access.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAnalyticsRoutes } from './analytics-routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerAutopayRoutes } from './autopay-routes.js';
import { registerBackupRoutes } from './backup-routes.js';
import { registerCatalogueRoutes } from './catalogue-routes.js';
import { registerContentRoutes } from './content-routes.js';
import { genchargeEnvelope } from './envelope.js';
import { registerRechargeRoutes } from './recharge-routes.js';
import { registerNotificationRoutes } from './notification-routes.js';
import { registerReferralRoutes } from './referral-routes.js';
import { registerReportRoutes } from './report-routes.js';
import { registerRoleRoutes } from './role-routes.js';
import { registerTestRoutes } from './test-routes.js';
import { ERRORS } from './schemas.js';
import { actionFor, GENCHARGE, type PermissionAction, type Resource } from './tenant.js';
import { registerUserRoutes } from './user-routes.js';

type AdminRouteDoc = Omit<RouteDoc, 'tag' | 'secured' | 'permission'> & {
  /** The verb checked, when the method's usual one is wrong (reports are read with POST filter bodies). */
  action?: PermissionAction;
};

/** What GenCharge's route modules are built from. */
export interface GenChargeRoutes {
  deps: SurfaceDeps;
  route: SurfaceRoutes['route'];
  authLimit: RequestHandler;
  /** Replays the first answer to a repeated `Idempotency-Key` (money-moving POSTs). */
  idempotency: RequestHandler;
  otp: OtpService;
  /** A valid access token whose session is live: logout, blocking and archiving end it at once. */
  signedIn: RequestHandler[];
  /** Signed in as a mobile user. */
  userOnly: RequestHandler[];
  /** Signed in as an admin, whatever the role (an admin's own profile). */
  adminOnly: RequestHandler[];
  /**
   * An admin route: the caller's role must grant the resource the verb of the method (read for
   * GET, write for POST, edit for PUT/PATCH, delete for DELETE). The permission is published in
   * the route's OpenAPI operation as `x-permission`, from this one declaration, with its 401 and
   * 403 answers. `doc.action` overrides the verb.
   */
  adminRoute(resource: Resource, doc: AdminRouteDoc, ...handlers: RequestHandler[]): void;
}

/** GenCharge (mobile recharge, India), mounted at /gencharge with the spec's paths; FastAPI-style errors. */
export function createGenChargeRouter(deps: SurfaceDeps, mountPath = '/gencharge'): express.Router {
  const options = { tenant: GENCHARGE, tag: 'GenCharge', mountPath, envelope: genchargeEnvelope };
  return createSurfaceRouter(deps, options, ({ route, authLimit, idempotency }) => {
    const signedIn = [deps.auth.authenticated, deps.auth.liveSession];
    const routes: GenChargeRoutes = {
      deps,
      route,
      authLimit,
      idempotency,
      otp: createOtpService(deps),
      signedIn,
      userOnly: [...signedIn, requireMobileUser],
      adminOnly: [...signedIn, requireAdmin],
      adminRoute(resource, { action: verb, ...doc }, ...handlers) {
        const action = verb ?? actionFor(doc.method);
        const needs = `Needs the ${resource} permission to ${action}.`;
        route(
          {
            ...doc,
            secured: true,
            permission: { resource, action },
            description: doc.description ? `${doc.description}\n\n${needs}` : needs,
            // Every admin route can refuse a caller: without a live session, or without the permission.
            responses: { 401: ERRORS.unauthorized, 403: ERRORS.forbidden, ...doc.responses },
          },
          ...signedIn,
          requirePermission(deps.em, resource, action),
          ...handlers,
        );
      },
    };
    registerAuthRoutes(routes);
    registerUserRoutes(routes);
    registerAdminRoutes(routes);
    registerRoleRoutes(routes);
    registerCatalogueRoutes(routes);
    registerAutopayRoutes(routes);
    registerRechargeRoutes(routes);
    registerReferralRoutes(routes);
    registerNotificationRoutes(routes);
    registerContentRoutes(routes);
    registerAnalyticsRoutes(routes);
    registerTestRoutes(routes);
    registerReportRoutes(routes);
    registerBackupRoutes(routes);
  });
}
