import express from 'express';
import { notFoundHandler, surfaceErrorHandler } from '../../errors.js';
import { idempotent } from '../../idempotency.js';
import { routeBuilder } from '../../routes.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerEasyPayNetworkRoutes } from './easypay-network.js';
import { mymoolahEnvelope } from './envelope.js';
import { registerLedgerRoutes } from './ledger-routes.js';
import { registerPaymentRoutes } from './payment-routes.js';
import { MYMOOLAH } from './tenant.js';
import { registerVoucherRoutes } from './voucher-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

const BODY_LIMIT = '16kb';

/** MyMoolah (wallet, vouchers, EasyPay, Flash, MobileMart, ledger API; South Africa), mounted at /mymoolah + /api/v1/... and /billpayment/v1/... */
export function createMyMoolahRouter(deps: SurfaceDeps, mountPath = '/mymoolah'): express.Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    req.tenant = MYMOOLAH;
    next();
  });
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(deps.auth.initialize);

  const routes: SurfaceRoutes = {
    deps,
    route: routeBuilder(router, deps.openapi, { mountPath, tag: 'MyMoolah' }),
    authenticated: deps.auth.authenticated,
    idempotency: idempotent({ em: deps.em, ttlHours: deps.config.IDEMPOTENCY_TTL_HOURS }),
    authLimit: deps.rateLimits.auth(MYMOOLAH.slug),
  };
  registerAuthRoutes(routes);
  registerWalletRoutes(routes);
  registerVoucherRoutes(routes);
  registerEasyPayNetworkRoutes(routes);
  registerPaymentRoutes(routes);
  registerLedgerRoutes(routes);

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(mymoolahEnvelope, deps.logger));
  return router;
}
