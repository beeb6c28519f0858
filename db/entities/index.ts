export * from './currency.js';
export * from './tenant.js';
export * from './user.js';
export * from './refresh-token.js';
export * from './ledger.js';
export * from './wallet-transaction.js';
export * from './catalogue.js';
export * from './platform.js';
export * from './reconciliation.js';
export * from './xclera.js';
export * from './mymoolah.js';
export * from './otp.js';
export * from './chargeghar.js';
export * from './gencharge.js';
export * from './gencharge-notifications.js';
export * from './gencharge-autopay.js';
export * from './gencharge-recharge.js';
export * from './gencharge-referrals.js';
export * from './gencharge-content.js';
export * from './gencharge-backups.js';

import { Currency } from './currency.js';
import { Tenant } from './tenant.js';
import { User } from './user.js';
import { RefreshToken } from './refresh-token.js';
import { LedgerAccount, JournalEntry, JournalLine, LedgerHold } from './ledger.js';
import { WalletTransaction } from './wallet-transaction.js';
import { DataPlan, BillService } from './catalogue.js';
import { IdempotencyRecord, ReferenceSequence, WebhookEvent } from './platform.js';
import { ReconciliationItem } from './reconciliation.js';
import { XcleraLevel, XcleraLoginNonce, XcleraProfile, XcleraWallet } from './xclera.js';
import { MyMoolahEasyPaySettlement, MyMoolahLedgerAccount, MyMoolahProfile, MyMoolahVoucher, MyMoolahVoucherRedemption } from './mymoolah.js';
import { OtpVerification } from './otp.js';
import { ChargeGharProfile, ChargeGharDevice, ChargeGharKycSubmission } from './chargeghar.js';
import {
  GenChargeAdmin,
  GenChargeAdminInvite,
  GenChargeOffer,
  GenChargeOfferType,
  GenChargePendingSignup,
  GenChargePermission,
  GenChargePlan,
  GenChargePlanGroup,
  GenChargePreferences,
  GenChargeProfile,
  GenChargeRole,
  GenChargeRolePermission,
} from './gencharge.js';
import { GenChargeNotification } from './gencharge-notifications.js';
import { GenChargeAutopay, GenChargeAutopayRun } from './gencharge-autopay.js';
import { GenChargeSubscription } from './gencharge-recharge.js';
import { GenChargeAnnouncement } from './gencharge-notifications.js';
import { GenChargeReferralReward } from './gencharge-referrals.js';
import { GenChargeContent, GenChargeContact } from './gencharge-content.js';
import { GenChargeBackup, GenChargeBackupRestore } from './gencharge-backups.js';

export const ENTITIES = [
  Currency,
  Tenant,
  User,
  RefreshToken,
  LedgerAccount,
  JournalEntry,
  JournalLine,
  LedgerHold,
  WalletTransaction,
  DataPlan,
  BillService,
  IdempotencyRecord,
  WebhookEvent,
  ReferenceSequence,
  ReconciliationItem,
  XcleraWallet, XcleraLoginNonce, XcleraProfile, XcleraLevel,
  MyMoolahProfile, MyMoolahVoucher, MyMoolahVoucherRedemption, MyMoolahEasyPaySettlement, MyMoolahLedgerAccount,
  OtpVerification, ChargeGharProfile, ChargeGharDevice, ChargeGharKycSubmission,
  GenChargeProfile, GenChargePreferences, GenChargePendingSignup, GenChargePermission, GenChargeRole, GenChargeRolePermission,
  GenChargeAdmin, GenChargeAdminInvite, GenChargePlanGroup, GenChargePlan, GenChargeOfferType, GenChargeOffer,
  GenChargeNotification,
  GenChargeAutopay, GenChargeAutopayRun,
  GenChargeSubscription,
  GenChargeReferralReward, GenChargeAnnouncement,
  GenChargeContent, GenChargeContact,
  GenChargeBackup, GenChargeBackupRestore,
];
