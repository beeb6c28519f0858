import type { GenChargeRoutes } from './router.js';

export function registerAdminRoutes(_routes: GenChargeRoutes): void {}
