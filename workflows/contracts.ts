/**
 * Workflow-safe contracts shared by the API and the workflows: flow DTOs, signals, queries and
 * search attributes. No Node built-ins and no I/O may be imported here. Money crosses the
 * Temporal boundary as decimal strings of minor units, since JSON has no bigint.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Activity header carrying the id of the HTTP request that started the flow, for log lines. */
export const REQUEST_ID_HEADER = 'request-id';

export const FlowType = {
  FundWallet: 'fund-wallet',
  Purchase: 'purchase',
  LatePayment: 'late-payment',
  UnmatchedPayment: 'unmatched-payment',
  Reconciliation: 'reconciliation',
  ResolveSuspense: 'resolve-suspense',
  /** Sweeps and purges: one type, so ops can filter them out of the UI's list. */
  Housekeeping: 'housekeeping',
  MatrixRegistration: 'matrix-registration',
  MatrixUpgrade: 'matrix-upgrade',
  /** A MyMoolah voucher's life: issue (or EasyPay create, settle, activate), redemptions, expiry refund. */
  Voucher: 'voucher',
  /** A one-time code sent to a phone or email and verified once (any surface). */
  Otp: 'otp',
  AccountDeletion: 'account-deletion',
  KycReview: 'kyc-review',
  /** A new GenCharge admin is emailed a one-time link to set their password. */
  AdminInvitation: 'admin-invitation',
  /** A GenCharge plan bought for a phone: charge, operator recharge, post or void (`subscribeToPlan`). */
  Subscription: 'subscription',
  /** A bought plan's validity: queued start, reminders, expiry (`runPlanValidity`). */
  PlanValidity: 'plan-validity',
  /** One run of a GenCharge autopay rule, from its Schedule or from process-due. */
  AutopayRun: 'autopay-run',
  /** A GenCharge admin's announcement, delivered at its scheduled time. */
  Announcement: 'announcement',
  /** A GenCharge database backup: pg_dump streamed into backup storage (`backUpDatabase`). */
  Backup: 'backup',
  /** A GenCharge backup restored into a database (`restoreBackup`). */
  BackupRestore: 'backup-restore',
} as const;
export type FlowType = (typeof FlowType)[keyof typeof FlowType];

export const TenantSlugKey = defineSearchAttributeKey('TenantSlug', SearchAttributeType.KEYWORD);
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const FlowTypeKey = defineSearchAttributeKey('FlowType', SearchAttributeType.KEYWORD);

/** The search attributes every flow carries, so ops find it in the UI by tenant, user and kind. */
export function flowSearchAttributes(tenant: string, flowType: FlowType, userId?: number) {
  return [
    { key: TenantSlugKey, value: tenant },
    ...(userId === undefined ? [] : [{ key: UserIdKey, value: String(userId) }]),
    { key: FlowTypeKey, value: flowType },
  ];
}

export { FailureType } from '../core/errors.js';

export type FinalStatus = 'success' | 'failed';

// --- wallet funding ------------------------------------------------------------------------

export interface FundWalletInput {
  tenant: string;
  userId: number;
  currency: string;
  amountMinor: string;
  reference: string;
  method: string;
  customerEmail: string;
  timing: { pollIntervalMs: number; timeoutMs: number };
  /** Told to the user once the wallet is credited (a GenCharge top-up); absent where the app tells its users otherwise. */
  noticeOnCredit?: GenChargeNotice;
}

export interface PaymentWebhookSignal {
  eventId: string;
  reference: string;
  status: FinalStatus;
  amountMinor: string;
}

export interface FundingState {
  reference: string;
  status: 'pending' | FinalStatus;
  /** What the provider confirmed, when it differs from what was asked. */
  receivedAmountMinor?: string;
  failureReason?: string;
}

/** The failure reason of a deposit whose collection the provider refused. */
export const COLLECTION_REFUSED_REASON = 'the payment provider did not accept the collection';

/** What the app needs to send its user to pay: answered once the provider has the collection. */
export interface PayableReference {
  reference: string;
  paymentUrl?: string;
}

export const paymentWebhookSignal = defineSignal<[PaymentWebhookSignal]>('paymentWebhook');

/**
 * Sent with the flow's start (update-with-start): completes once the provider accepted the
 * collection, so the reference the API answers with is payable; fails if the provider refused.
 */
export const payableReferenceUpdate = defineUpdate<PayableReference>('payableReference');

/** A payment confirmed after its funding flow had already ended. */
export interface LatePaymentInput {
  tenant: string;
  reference: string;
  fundingWorkflowId: string;
  eventId: string;
  amountMinor: string;
}

/** A confirmed payment whose reference matches no deposit: parked in suspense for an operator. */
export interface UnmatchedPaymentInput {
  tenant: string;
  provider: string;
  eventId: string;
  reference: string;
  amountMinor: string;
}
export const fundingStateQuery = defineQuery<FundingState>('fundingState');

// --- purchases (airtime, data, bills) --------------------------------------------------------

/** `recharge`: a GenCharge plan bought for a phone (serviceId = the operator). */
export type PurchaseKind = 'airtime' | 'data' | 'bill' | 'recharge';

export interface PurchaseInput {
  tenant: string;
  userId: number;
  currency: string;
  kind: PurchaseKind;
  amountMinor: string;
  reference: string;
  /** Network or biller code. */
  serviceId: string;
  recipient: string;
  variationCode?: string;
  description: string;
  timing: { requeryIntervalMs: number; requeryLimitMs: number; holdTtlMs: number };
  /** Which of the tenant's selling providers takes the order (MyMoolah: Flash or MobileMart); `vtu` when absent. */
  capability?: 'vtu' | 'flash' | 'mobilemart';
  /** What the app shows with the history row besides the order (a GenCharge plan, offer, source). */
  details?: Record<string, unknown>;
}

export interface PurchaseState {
  reference: string;
  transactionId?: number;
  /** `review`: the provider's answer stayed unknown; the flow waits for an operator's decision. */
  status: 'pending' | 'review' | FinalStatus;
  failureReason?: string;
}

/** An operator's decision on a purchase under review: deliver (post the hold) or refund (void it). */
export interface PurchaseDecision {
  action: 'post' | 'void';
  reason: string;
  operator: string;
}

export const purchaseDecisionSignal = defineSignal<[PurchaseDecision]>('purchaseDecision');

export type PurchaseOutcome = Required<Pick<PurchaseState, 'reference' | 'transactionId'>> & {
  status: FinalStatus;
  failureReason?: string;
  /** What the customer enters or redeems (a prepaid electricity token, a voucher PIN), when the product has one. */
  token?: string;
};

export const purchaseStateQuery = defineQuery<PurchaseState>('purchaseState');

/** An operator places money parked in suspense: into a user's wallet of the same tenant. */
export interface SuspenseResolution {
  tenant: string;
  itemId: number;
  userId: number;
  reason: string;
  operator: string;
}

// --- housekeeping and reconciliation -------------------------------------------------------------

export interface HousekeepingResult {
  holdsVoided: number;
  holdsLeftToLiveFlows: number;
  idempotencyRecordsPurged: number;
  refreshTokensPurged: number;
  webhookEventsPurged: number;
  /** Expired one-time-code verifications, wallet sign-in nonces and admin invitations; abandoned sign-ups. */
  signInProofsPurged: number;
}

export interface ReconciliationResult {
  tenant: string;
  depositsRequeried: number;
  lateDepositsCredited: string[];
  purchasesAwaitingReview: string[];
  openSuspenseItems: number;
}

// --- Xclera matrix: two-phase on-chain register and upgrade ---------------------------------------

export interface MatrixPaymentInput {
  tenant: string;
  kind: 'registration' | 'upgrade';
  /** Checksummed address of the member who signs and pays. */
  wallet: string;
  level: number;
  referrerWallet?: string;
  /** Registration's profile details, saved once the payment is confirmed. */
  profile?: { username?: string; country?: string; phoneNumber?: string; email?: string };
  timing: { phase2TimeoutMs: number };
}

/** The unsigned transaction as the spec shows it (hex numbers) and the hash its signature must cover. */
export interface MatrixPrepared {
  transaction: { from: string; to: string; value: string; data: string; chainId: string; gas: string; gasPrice: string; nonce: string };
  unsignedHash: string;
}

export interface MatrixPaymentOutcome {
  transactionHash: string;
  level: number;
  profileId: number;
  isProfileComplete: boolean;
  upline: { wallet: string; username: string | null } | null;
  /** USDT minor units paid on chain to the upline. */
  uplineRewardMinor: string;
}

export interface MatrixPaymentState {
  status: 'preparing' | 'awaiting-signature' | 'broadcast' | 'confirmed' | 'failed';
  transactionHash?: string;
  failureReason?: string;
}

/** Sent with the flow's start: answers the prepared transaction once it is built (phase 1). */
export const matrixPreparedUpdate = defineUpdate<MatrixPrepared>('matrixPrepared');
/** Phase 2: the signed transaction; answers once it is confirmed and recorded, or refuses it. */
export const matrixSignedUpdate = defineUpdate<MatrixPaymentOutcome, [string]>('matrixSigned');
export const matrixStateQuery = defineQuery<MatrixPaymentState>('matrixState');

export function flowWorkflowId(tenant: string, flow: FlowType, businessKey: string): string {
  return `${tenant}:${flow}:${businessKey}`;
}

// --- vouchers (MyMoolah) ---------------------------------------------------------------------

export type VoucherKind = 'standard' | 'easypay';
export type VoucherFlowStatus = 'issuing' | 'refused' | 'pending_payment' | 'active' | 'redeemed' | 'expired' | 'cancelled';

export interface VoucherFlowInput {
  tenant: string;
  userId: number;
  currency: string;
  voucherType: VoucherKind;
  amountMinor: string;
  /** Standard vouchers: the 16-digit MMVoucher code. EasyPay: the 14-digit EasyPay number (the code comes at settlement). */
  voucherCode?: string;
  easyPayCode?: string;
  issuedTo?: string;
  timing: { voucherExpiryMs: number; easyPayExpiryMs: number };
}

export interface VoucherState {
  status: VoucherFlowStatus;
  voucherId?: number;
  expiresAt?: string;
  /** Why the issue was refused (a failure type), when it was. */
  refusal?: string;
}

export interface EasyPaySettlement {
  /** The network's transaction id: the same id twice is one settlement. */
  transactionId: string;
  amountMinor: string;
  merchantId?: string;
  channel: 'network' | 'api';
}

export interface SettledVoucher {
  voucherCode: string;
  easyPayCode: string;
  expiresAt: string;
  /** True when this transaction id had already settled the voucher. */
  replayed: boolean;
}

export interface VoucherRedemptionRequest {
  /** Unique per redemption request: a retried step finds its first result. */
  requestKey: string;
  amountMinor: string;
  redeemerId?: string;
  merchantId?: string;
  serviceProviderId?: string;
}

export interface VoucherRedemption {
  redeemedMinor: string;
  remainingMinor: string;
  redemptionCount: number;
  status: 'active' | 'redeemed';
}

export interface VoucherRefund {
  status: 'cancelled' | 'expired';
  refundMinor: string;
  walletBalanceMinor: string;
  closedAt: string;
  /** The refund's wallet history reference; absent when nothing was left to refund. */
  transactionReference?: string;
}

export const voucherStateQuery = defineQuery<VoucherState>('voucherState');
/** Sent with the flow's start: answers once the wallet has paid for the voucher (or refused). */
export const voucherIssuedUpdate = defineUpdate<VoucherState>('voucherIssued');
export const settleEasyPayUpdate = defineUpdate<SettledVoucher, [EasyPaySettlement]>('settleEasyPay');
export const redeemVoucherUpdate = defineUpdate<VoucherRedemption, [VoucherRedemptionRequest]>('redeemVoucher');
export const cancelVoucherUpdate = defineUpdate<VoucherRefund>('cancelVoucher');
// --- one-time codes (OTP), for any surface -------------------------------------------------------

export type OtpChannel = 'sms' | 'email';

/** A code never works longer than this, whatever the configuration asks. */
export const OTP_MAX_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes a flow accepts; the last of them kills the code. */
export const OTP_MAX_WRONG_ATTEMPTS = 5;
/** Codes one flow sends (the first and its resends); more needs a new flow, after this one ends. */
export const OTP_MAX_SENDS = 5;

export interface OtpInput {
  tenant: string;
  /** E.164 phone number or lower-case email address: where the code goes. */
  identifier: string;
  channel: OtpChannel;
  /** What the code is for (register, login, ...): a code verified for one purpose is worth nothing for another. */
  purpose: string;
  /** The app's name as its users know it: the message is signed with it, and emails come from it. */
  appName: string;
  /** The tenant's own SMS sender (number or sender id), if it has one; the provider's configured one otherwise. */
  smsFrom?: string;
  codeTtlMs: number;
  resendCooldownMs: number;
}

export type OtpStatus = 'pending' | 'verified' | 'expired' | 'locked' | 'undeliverable';

export interface OtpReceipt {
  channel: OtpChannel;
  /** ISO times: when the code sent last stops working, and when another may be sent. */
  expiresAt: string;
  resendAvailableAt: string;
  /** Codes sent by this flow so far. */
  sends: number;
}

/** The API hashes the submitted code (the workflow never sees a code) and brings the hash of the token it will hand out. */
export interface OtpVerifyRequest {
  codeHash: string;
  verificationTokenHash: string;
  verificationTtlSeconds: number;
}

export type OtpVerifyResult =
  | { result: 'verified' }
  | { result: 'wrong'; attemptsRemaining: number }
  | { result: 'locked' }
  | { result: 'expired' };

export interface OtpOutcome {
  status: Exclude<OtpStatus, 'pending'>;
  sends: number;
  wrongAttempts: number;
}

export interface OtpState {
  status: OtpStatus;
  sends: number;
  wrongAttempts: number;
  expiresAt?: string;
}

/** Sent with the flow's start (update-with-start) and for every resend: completes once the code went out. */
export const otpRequestUpdate = defineUpdate<OtpReceipt>('otpRequest');
export const otpVerifyUpdate = defineUpdate<OtpVerifyResult, [OtpVerifyRequest]>('otpVerify');
export const otpStateQuery = defineQuery<OtpState>('otpState');

/** Why a code request was refused; the API words each for its surface. */
export const OtpRefusal = {
  /** The flow ended between the request and its update: the API starts a new one. */
  Closed: 'otp-closed',
  Cooldown: 'otp-cooldown',
  TooManySends: 'otp-too-many-sends',
} as const;

// --- account deletion ----------------------------------------------------------------------------

export interface AccountDeletionInput {
  tenant: string;
  userId: number;
  /** Who asked: the user themself (`user:<id>`) or an operator. */
  requestedBy: string;
}

export interface AccountDeletionOutcome {
  status: 'deleted';
  deletedAt: string;
  documentsDeleted: number;
  kycReviewsWithdrawn: number;
}

// --- KYC review ----------------------------------------------------------------------------------

export const KYC_DOCUMENT_TYPES = ['citizenship', 'passport', 'driving_license', 'national_id'] as const;
export type KycDocumentType = (typeof KYC_DOCUMENT_TYPES)[number];

export interface KycReviewInput {
  tenant: string;
  userId: number;
  documentType: KycDocumentType;
  documentNumber: string;
  /** Storage keys of the images, already stored by the API. */
  frontImageKey: string;
  backImageKey: string | null;
  /** The app's name, which the decision's message is signed with. */
  appName: string;
}

export interface KycSubmissionRecord {
  submissionId: number;
  submittedAt: string;
}

export interface KycDecision {
  action: 'approve' | 'reject';
  /** Required to reject: the user reads it and fixes the submission. */
  reason: string | null;
  /** `admin:<id>` */
  reviewer: string;
}

export interface KycDecisionRecord {
  submissionId: number;
  status: 'approved' | 'rejected';
  reason: string | null;
  reviewedAt: string;
}

export interface KycReviewOutcome {
  submissionId: number | null;
  status: 'approved' | 'rejected' | 'withdrawn' | 'refused';
  /** Whether the user was told of the decision (a message that could not be sent does not undo it). */
  notified: boolean;
}

/** Sent with the flow's start (update-with-start): completes once the submission is recorded. */
export const kycSubmittedUpdate = defineUpdate<KycSubmissionRecord>('kycSubmitted');
/** An admin's decision; refused once the review has been decided or withdrawn. */
export const kycDecisionUpdate = defineUpdate<KycDecisionRecord, [KycDecision]>('kycDecision');
/** The account was deleted while the review waited: the review ends without a decision. */
export const kycWithdrawSignal = defineSignal<[]>('kycWithdraw');

// --- GenCharge admin invitation ------------------------------------------------------------------

export interface AdminInvitationInput {
  tenant: string;
  userId: number;
  email: string;
  name: string;
  appName: string;
  /** How long the link works from the moment it is first sent. */
  expiresInMs: number;
  /** Where the panel's set-password page is, when configured; the token is added as `?token=`. */
  setPasswordUrl?: string;
}

/** When the link stops working (or that the admin was deleted first): the token itself never enters the history. */
export type AdminInvitationOutcome = { status: 'sent'; expiresAt: string } | { status: 'cancelled' };

// --- GenCharge autopay runs -----------------------------------------------------------------------

/** One run of an autopay rule, started by the rule's Schedule or by process-due. */
export interface AutopayRunInput {
  tenant: string;
  autopayId: number;
  /**
   * The subscription flow's durations (`subscriptionTiming(config)`); `timing.dayMs` also makes a
   * cycle: the plan's validity in days times it.
   */
  timing: SubscriptionTiming;
  /**
   * A run the Schedule starts a moment before the due time (clocks differ by milliseconds) waits
   * for it, up to this long; process-due runs only rules already due and passes 0.
   */
  dueWaitMs: number;
}

/**
 * What a run did: `processed` (the cycle was bought), `failed` (the cycle was missed: `message` is
 * the refusal, e.g. `insufficient_funds`), `skipped` (not due, disabled, gone, or already processed
 * by another run of the same due date).
 */
export interface AutopayRunOutcome {
  autopayId: number;
  status: 'processed' | 'failed' | 'skipped';
  message: string;
  /** The due date the run was for, when it got that far. */
  dueDate?: string;
  /** The subscription order's reference, when one was started. */
  reference?: string;
}

/** The Schedule of one autopay rule: its ID names the rule so ops find it in the Temporal UI. */
export const autopayScheduleId = (tenant: string, autopayId: number) => `${tenant}:autopay:${autopayId}`;

// --- GenCharge: recharge subscriptions, autopay, notices -------------------------------------------

/**
 * A plan bought for a phone: the subscription flow charges the price (from the wallet, or collected
 * through the UPI/card collector first), asks the operator, then posts or voids the hold; on success
 * it keeps the plan's validity as a durable timer (reminders, then `expired`). The caller prices it:
 * `priceMinor` is the plan's price after the offer, fixed when the order was taken.
 */
export interface SubscriptionInput {
  tenant: string;
  userId: number;
  currency: string;
  /** The order's reference: the operator's client_ref and the history row's reference. */
  reference: string;
  planId: number;
  offerId: number | null;
  priceMinor: string;
  /** The 10-digit Indian mobile number being recharged, as the app shows it. */
  phoneNumber: string;
  /** `wallet` pays from the wallet; anything else (`UPI`, `Card`) is collected through the collector first. */
  paymentMethod: string;
  activationMode: 'activate' | 'queue';
  /** `recharge` (the user asked) or `autopay` (a rule's run). */
  source: 'recharge' | 'autopay';
  /** The autopay rule whose run this is, when it is one. */
  autopayId?: number;
  /** Durations from configuration (workflows read none): see `subscriptionTiming(config)` in api/surfaces/gencharge/recharge.ts. */
  timing: SubscriptionTiming;
}

export interface SubscriptionTiming {
  /** GENCHARGE_DAY_MS: the length of one day of plan validity. */
  dayMs: number;
  /** GENCHARGE_REMINDER_DAYS: days before the plan's end that reminders go out. */
  reminderDays: number[];
  purchase: PurchaseInput['timing'];
  /** For a plan paid by UPI/card: how the collection is polled and how long it may take. */
  funding: FundWalletInput['timing'];
}

/** A bought plan's validity (`runPlanValidity`): queued start, reminders, expiry, on durable timers. */
export interface PlanValidityInput {
  tenant: string;
  userId: number;
  subscriptionId: number;
  reference: string;
  planName: string;
  phoneNumber: string;
  /** ISO instants, fixed when the plan was recorded. */
  validFrom: string;
  validTo: string;
  dayMs: number;
  reminderDays: number[];
}

/** `insufficient_funds`: the wallet could not pay (nothing was held); autopay records it as a miss. */
export type SubscriptionRefusal = 'insufficient_funds' | 'payment_failed' | 'operator_failed' | 'plan_unavailable';

export interface SubscriptionOutcome {
  reference: string;
  status: FinalStatus;
  /** The history row (the spec's `txn_id`). */
  transactionId?: number;
  /** The active or queued plan row (`/recharge/my/plans` id), once the operator recharged. */
  subscriptionId?: number;
  refusal?: SubscriptionRefusal;
  failureReason?: string;
}

export interface SubscriptionState {
  reference: string;
  status: 'pending' | 'review' | 'active' | 'queued' | 'expired' | 'failed';
  transactionId?: number;
  subscriptionId?: number;
  validFrom?: string;
  validTo?: string;
  failureReason?: string;
}

export const subscriptionStateQuery = defineQuery<SubscriptionState>('subscriptionState');

/**
 * The subscription flow's workflow type. It ends once the charge is final (so the API and an
 * autopay run can wait for its result); on success it has started the plan's validity flow
 * (`runPlanValidity`, FlowType.PlanValidity), which outlives it.
 */
export const SUBSCRIBE_TO_PLAN_WORKFLOW = 'subscribeToPlan';

export interface ReferralRewardRequest {
  tenant: string;
  /** The user whose successful paid recharge this is; their referrer (if any) is rewarded once, ever. */
  referredUserId: number;
  /** The recharge that earned it (its reference). */
  reference: string;
}

export interface ReferralRewardOutcome {
  /** True only for the call that paid the reward; false when there is no referrer or it was paid before. */
  rewarded: boolean;
  rewardId?: number;
  referrerId?: number;
  rewardMinor?: string;
}

/** The referral activity, as the subscription flow calls it (implemented in activities/gencharge-referrals.ts). */
export interface GenChargeReferralActivities {
  rewardReferrer(request: ReferralRewardRequest): Promise<ReferralRewardOutcome>;
}

/** What happened to a user, kept in their in-app notifications and sent by SMS/email where their preferences allow. */
export type GenChargeNoticeKind = 'topup_credited' | 'recharge_done' | 'recharge_failed' | 'autopay_missed' | 'plan_expiring' | 'plan_expired' | 'reward_earned';

export interface GenChargeNotice {
  tenant: string;
  userId: number;
  kind: GenChargeNoticeKind;
  /** The text the user reads, in-app and in the SMS/email. */
  description: string;
  /**
   * Unique per event (e.g. `${workflowId}:reminder:1`): a retried activity stores and sends the
   * notice once.
   */
  noticeKey: string;
  /** Which preference switch, besides the channel's own, must be on for SMS/email (in-app always lands). */
  preference: 'recharge_remainders' | 'transactional_alerts';
  attachments?: Record<string, unknown>;
}

/** The notice activity, as workflows call it (implemented in activities/gencharge-notices.ts). */
export interface GenChargeNoticeActivities {
  notifyGenChargeUser(notice: GenChargeNotice): Promise<{ stored: boolean; channels: Array<'sms' | 'email'> }>;
}

// --- GenCharge announcements ---------------------------------------------------------------------

/** An admin's announcement to deliver: the row is stored first; the flow waits for `scheduledAt`. */
export interface AnnouncementDelivery {
  tenant: string;
  /** The announcement's 24-hex `_id`; the flow's business key. */
  announcementId: string;
  /** ISO instant; null or past: deliver now. */
  scheduledAt: string | null;
  /** Where a continued run picks up: recipients up to this user id have their copy. */
  afterUserId?: number;
  /** The delivery's last recipient, fixed by its first batch (see AnnouncementBatchRequest). */
  upToUserId?: number;
  deliveredSoFar?: number;
}

export interface AnnouncementDeliveryOutcome {
  announcementId: string;
  /** `cancelled`: the announcement was no longer scheduled when its time came; nobody got it. */
  status: 'delivered' | 'cancelled';
  recipients: number;
}

export interface AnnouncementBatchRequest {
  tenant: string;
  announcementId: string;
  /** Recipients are taken in user id order, after this one. */
  afterUserId: number;
  /**
   * And up to this one. The first batch leaves it out and answers the newest user then: a
   * delivery reaches the users who had an account when it began, and ends however fast people sign up.
   */
  upToUserId?: number;
}

export interface AnnouncementBatchResult {
  /** False when the announcement is no longer scheduled (nothing was delivered). */
  scheduled: boolean;
  recipients: number;
  /** The last user this batch reached; null when no recipients are left. */
  lastUserId: number | null;
  /** The delivery's last recipient, for the batches that follow. */
  upToUserId?: number;
}

/** The announcement activities, as `deliverAnnouncement` calls them (activities/gencharge-announcements.ts). */
export interface GenChargeAnnouncementActivities {
  deliverAnnouncementBatch(request: AnnouncementBatchRequest): Promise<AnnouncementBatchResult>;
  markAnnouncementDelivered(request: { tenant: string; announcementId: string }): Promise<void>;
}

// --- GenCharge database backups ------------------------------------------------------------------

/** A backup to make: its record (status running) is stored first; the flow fills it in. */
export interface BackupRun {
  tenant: string;
  /** The record's 24-hex `backup_id`; the flow's business key. */
  backupId: string;
  /** False for a selection of tables, which psql dumps the rows of besides pg_dump. */
  wholeDatabase: boolean;
}

/** A restore to run: its record (status running) is stored first, under the one-running-restore index. */
export interface BackupRestoreRun {
  tenant: string;
  backupId: string;
  restoreId: number;
  /** A whole database is loaded by pg_restore, a selection (plain SQL) by psql. */
  wholeDatabase: boolean;
}

/**
 * Which step refused: `tools` (pg_dump/pg_restore/psql missing or older than the server: the
 * server must be fixed), `dump`, `artifact` (missing, or not what the record says), `restore`.
 */
export type BackupFailureStep = 'tools' | 'dump' | 'artifact' | 'restore';

/** How a backup or restore flow ended; its record says the same. */
export interface BackupFlowOutcome {
  status: FinalStatus;
  failedStep?: BackupFailureStep;
  reason?: string;
}

export type PostgresTool = 'pg_dump' | 'pg_restore' | 'psql';

/** The column types (information_schema's words) a selection's `date_column` may have. */
export const BACKUP_DATE_COLUMN_TYPES = ['date', 'timestamp without time zone', 'timestamp with time zone'] as const;

/** What backup storage measured of a dump as it went in. */
export interface BackupArtifact {
  storageKey: string;
  sizeBytes: number;
  sha256: string;
}

export type BackupOutcomeRecord = { backupId: string; status: 'success'; artifact: BackupArtifact } | { backupId: string; status: 'failed'; reason: string };

/** The backup activities, as the backup flows call them (activities/gencharge-backup.ts). */
export interface GenChargeBackupActivities {
  /** Finds the tools and refuses (non-retryable, type UNAVAILABLE) any missing or older than the server. */
  checkPostgresTools(request: { tools: PostgresTool[] }): Promise<{ serverMajor: number; tools: Partial<Record<PostgresTool, number>> }>;
  /** Dumps what the backup's record selects straight into backup storage. */
  dumpBackup(request: { backupId: string }): Promise<BackupArtifact>;
  recordBackupOutcome(outcome: BackupOutcomeRecord): Promise<void>;
  /** Reads the stored artifact through and refuses (non-retryable) one whose size or SHA-256 differs from the record. */
  verifyBackupArtifact(request: { backupId: string }): Promise<void>;
  /** Creates the restore's target database when it does not exist. */
  prepareRestoreDatabase(request: { restoreId: number }): Promise<{ created: boolean }>;
  /** Loads the artifact into the target database (pg_restore or psql, one transaction). */
  loadBackupIntoDatabase(request: { restoreId: number }): Promise<void>;
  recordRestoreOutcome(outcome: { restoreId: number; status: FinalStatus; reason?: string }): Promise<void>;
}
