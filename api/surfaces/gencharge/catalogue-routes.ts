import type { GenChargeRoutes } from './router.js';

export function registerCatalogueRoutes(_routes: GenChargeRoutes): void {}
