import { createFundingActivities, type FundingActivityDeps } from './funding.js';
import { createPurchaseActivities, type PurchaseActivityDeps } from './purchases.js';
import { createHousekeepingActivities, type HousekeepingActivityDeps } from './housekeeping.js';
import { createReconciliationActivities, type ReconciliationActivityDeps } from './reconciliation.js';
import { createVoucherActivities, type VoucherActivityDeps } from './vouchers.js';
import { createXcleraActivities, type XcleraActivityDeps } from './xclera.js';
import { createOtpActivities, type OtpActivityDeps } from './otp.js';
import { createAccountDeletionActivities, type AccountDeletionActivityDeps } from './account-deletion.js';
import { createKycReviewActivities, type KycReviewActivityDeps } from './kyc-review.js';
import { createAdminInvitationActivities, type AdminInvitationActivityDeps } from './admin-invitation.js';
import { createGenChargeNoticeActivities, type GenChargeNoticeActivityDeps } from './gencharge-notices.js';
import { createGenChargeAutopayActivities, type GenChargeAutopayActivityDeps } from './gencharge-autopay.js';
import { createGenChargeSubscriptionActivities } from './gencharge-subscriptions.js';
import { createGenChargeReferralActivities, type GenChargeReferralActivityDeps } from './gencharge-referrals.js';
import { createGenChargeAnnouncementActivities, type GenChargeAnnouncementActivityDeps } from './gencharge-announcements.js';
import { createGenChargeBackupActivities, type GenChargeBackupActivityDeps } from './gencharge-backup.js';

export type ActivityDeps = FundingActivityDeps & PurchaseActivityDeps & HousekeepingActivityDeps & ReconciliationActivityDeps &
  VoucherActivityDeps & XcleraActivityDeps & OtpActivityDeps & AccountDeletionActivityDeps & KycReviewActivityDeps & AdminInvitationActivityDeps &
  GenChargeNoticeActivityDeps &
  GenChargeAutopayActivityDeps &
  GenChargeReferralActivityDeps & GenChargeAnnouncementActivityDeps &
  GenChargeBackupActivityDeps;

/**
 * Merges activity groups into the one map the worker registers. Temporal knows activities by
 * name only, so two groups exporting the same name would silently shadow each other: refuse it.
 */
export function mergeActivityGroups<T extends Record<string, unknown>[]>(...groups: T): UnionToIntersection<T[number]> {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const [name, fn] of Object.entries(group)) {
      if (name in merged) throw new Error(`two activities are named "${name}"`);
      merged[name] = fn;
    }
  }
  return merged as UnionToIntersection<T[number]>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

export function createActivities(deps: ActivityDeps) {
  return mergeActivityGroups(
    createFundingActivities(deps),
    createPurchaseActivities(deps),
    createHousekeepingActivities(deps),
    createReconciliationActivities(deps),
    createXcleraActivities(deps),
    createVoucherActivities(deps),
    createOtpActivities(deps),
    createAccountDeletionActivities(deps),
    createKycReviewActivities(deps),
    createAdminInvitationActivities(deps),
    createGenChargeNoticeActivities(deps),
    createGenChargeAutopayActivities(deps),
    createGenChargeSubscriptionActivities(deps),
    createGenChargeReferralActivities(deps),
    createGenChargeAnnouncementActivities(deps),
    createGenChargeBackupActivities(deps),
  );
}

export type Activities = ReturnType<typeof createActivities>;
