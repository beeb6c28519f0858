import type express from 'express';
import { createSurfaceRouter } from '../surface-router.js';
import type { SurfaceDeps } from '../types.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerEasyPayNetworkRoutes } from './easypay-network.js';
import { mymoolahEnvelope } from './envelope.js';
import { registerLedgerRoutes } from './ledger-routes.js';
import { registerPaymentRoutes } from './payment-routes.js';
import { MYMOOLAH } from './tenant.js';
import { registerVoucherRoutes } from './voucher-routes.js';
import { registerWalletRoutes } from './wallet-routes.js';

/** MyMoolah (wallet, vouchers, EasyPay, Flash, MobileMart, ledger API; South Africa), mounted at /mymoolah + /api/v1/... and /billpayment/v1/... */
export function createMyMoolahRouter(deps: SurfaceDeps, mountPath = '/mymoolah'): express.Router {
  return createSurfaceRouter(deps, { tenant: MYMOOLAH, tag: 'MyMoolah', mountPath, envelope: mymoolahEnvelope }, (routes) => {
    registerAuthRoutes(routes);
    registerWalletRoutes(routes);
    registerVoucherRoutes(routes);
    registerEasyPayNetworkRoutes(routes);
    registerPaymentRoutes(routes);
    registerLedgerRoutes(routes);
  });
}
