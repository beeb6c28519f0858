import { registerOfferRoutes } from './offer-routes.js';
import { registerPlanRoutes } from './plan-routes.js';
import type { GenChargeRoutes } from './router.js';

/** The catalogue: plan groups and plans, offer types and offers. */
export function registerCatalogueRoutes(routes: GenChargeRoutes): void {
  registerPlanRoutes(routes);
  registerOfferRoutes(routes);
}
