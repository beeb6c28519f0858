import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

export const CHARGEGHAR_GENDERS = ['male', 'female', 'other'] as const;
export const CHARGEGHAR_LANGUAGES = ['en', 'ne'] as const;
export const CHARGEGHAR_KYC_STATUSES = ['not_submitted', 'pending', 'approved', 'rejected'] as const;
export type ChargeGharKycStatus = (typeof CHARGEGHAR_KYC_STATUSES)[number];
export const CHARGEGHAR_DEVICE_PLATFORMS = ['android', 'ios', 'web'] as const;
export const KYC_SUBMISSION_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export const KYC_DOCUMENT_TYPE_VALUES = ['citizenship', 'passport', 'driving_license', 'national_id'] as const;

/**
 * A ChargeGhar user's profile, beside the platform's `users` row. `kycStatus` mirrors the latest
 * KYC submission so that the admin list can filter on it.
 */
export const ChargeGharProfile = defineEntity({
  name: 'ChargeGharProfile',
  tableName: 'chargeghar_profiles',
  indexes: [{ properties: ['kycStatus'] }],
  properties: {
    user: p.manyToOne(User).primary().fieldName('user_id').foreignKeyName('chargeghar_profiles_user_fk').deleteRule('no action').updateRule('no action'),
    fullName: p.string().length(120).nullable(),
    dateOfBirth: p.string().columnType('date').nullable(),
    gender: p.enum(CHARGEGHAR_GENDERS).nullable(),
    address: p.string().length(255).nullable(),
    preferredLanguage: p.enum(CHARGEGHAR_LANGUAGES).default('en'),
    kycStatus: p.enum(CHARGEGHAR_KYC_STATUSES).default('not_submitted'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** A phone or browser a user signed in on, with its push token; one row per user and device. */
export const ChargeGharDevice = defineEntity({
  name: 'ChargeGharDevice',
  tableName: 'chargeghar_devices',
  uniques: [{ properties: ['user', 'deviceId'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('chargeghar_devices_user_fk'),
    deviceId: p.string().length(128),
    /** A push token reaches one installation, so it belongs to one row at a time. */
    fcmToken: p.string().length(512).unique(),
    platform: p.enum(CHARGEGHAR_DEVICE_PLATFORMS),
    appVersion: p.string().length(32),
    osVersion: p.string().length(32).nullable(),
    deviceName: p.string().length(100).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** One KYC submission and its review; a resubmission is a new row. At most one waits per user. */
export const ChargeGharKycSubmission = defineEntity({
  name: 'ChargeGharKycSubmission',
  tableName: 'chargeghar_kyc_submissions',
  indexes: [
    {
      name: 'chargeghar_kyc_submissions_one_pending_index',
      expression: `create unique index "chargeghar_kyc_submissions_one_pending_index" on "chargeghar_kyc_submissions" ("user_id") where status = 'pending'`,
    },
  ],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('chargeghar_kyc_submissions_user_fk').index(),
    /** The review flow; recording its submission twice finds this row. */
    workflowId: p.string().unique(),
    documentType: p.enum(KYC_DOCUMENT_TYPE_VALUES),
    /** Erased (null) when the account is deleted, like the images. */
    documentNumber: p.string().length(64).nullable(),
    frontImageKey: p.string().nullable(),
    backImageKey: p.string().nullable(),
    status: p.enum(KYC_SUBMISSION_STATUSES).default('pending'),
    rejectionReason: p.string().length(500).nullable(),
    reviewedBy: p.string().length(64).nullable(),
    reviewedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
