import { createFundingActivities, type FundingActivityDeps } from './funding.js';
import { createPurchaseActivities, type PurchaseActivityDeps } from './purchases.js';

export type ActivityDeps = FundingActivityDeps & PurchaseActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createFundingActivities(deps), ...createPurchaseActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
