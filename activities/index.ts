import { createFundingActivities, type FundingActivityDeps } from './funding.js';
import { createPurchaseActivities, type PurchaseActivityDeps } from './purchases.js';
import { createLedgerActivities } from './ledger.js';

export type ActivityDeps = FundingActivityDeps & PurchaseActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createFundingActivities(deps), ...createPurchaseActivities(deps), ...createLedgerActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
