import type { GenChargeRoutes } from './router.js';

export function registerUserRoutes(_routes: GenChargeRoutes): void {}
