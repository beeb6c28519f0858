import type { GenChargeRoutes } from './router.js';

export function registerRoleRoutes(_routes: GenChargeRoutes): void {}
