import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

export const GENCHARGE_USER_TYPES = ['prepaid', 'postpaid'] as const;
export type GenChargeUserType = (typeof GENCHARGE_USER_TYPES)[number];
/** `inactive` is the user's own choice (deactivate); `blocked` is an admin's. */
export const GENCHARGE_USER_STATUSES = ['active', 'inactive', 'blocked'] as const;
export type GenChargeUserStatus = (typeof GENCHARGE_USER_STATUSES)[number];
export const GENCHARGE_CATALOGUE_STATUSES = ['active', 'inactive'] as const;
export type GenChargeCatalogueStatus = (typeof GENCHARGE_CATALOGUE_STATUSES)[number];
export const GENCHARGE_DISCOUNT_TYPES = ['percentage', 'flat'] as const;
export type GenChargeDiscountType = (typeof GENCHARGE_DISCOUNT_TYPES)[number];

/**
 * A GenCharge mobile user's profile, beside the platform's `users` row (which holds the phone in
 * E.164 and the email). Archiving a user sets `users.deleted_at` and keeps this row, so the
 * archived list still shows who they were; the phone can then sign up as a new user.
 */
export const GenChargeProfile = defineEntity({
  name: 'GenChargeProfile',
  tableName: 'gencharge_profiles',
  // createdAt: sign-ups in a date range (analytics).
  indexes: [{ properties: ['status'] }, { properties: ['userType'] }, { properties: ['createdAt'] }],
  properties: {
    user: p.manyToOne(User).primary().fieldName('user_id').foreignKeyName('gencharge_profiles_user_fk').deleteRule('no action').updateRule('no action'),
    name: p.string().length(100),
    userType: p.enum(GENCHARGE_USER_TYPES),
    status: p.enum(GENCHARGE_USER_STATUSES).default('active'),
    /** This user's own code, which others enter as `referee_code` when they register. */
    referralCode: p.string().length(12).unique(),
    /** The referral code this user registered with, if any (always another user's `referralCode`). */
    refereeCode: p.string().length(12).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** The eight notification and privacy switches of a user; defaults are what a new account gets. */
export const GenChargePreferences = defineEntity({
  name: 'GenChargePreferences',
  tableName: 'gencharge_preferences',
  properties: {
    user: p.manyToOne(User).primary().fieldName('user_id').foreignKeyName('gencharge_preferences_user_fk').deleteRule('no action').updateRule('no action'),
    emailNotification: p.boolean().default(true),
    smsNotification: p.boolean().default(true),
    marketingCommunication: p.boolean().default(false),
    /** (sic) the spec's spelling, kept so the mobile app's field matches. */
    rechargeRemainders: p.boolean().default(true),
    promotionalOffers: p.boolean().default(false),
    transactionalAlerts: p.boolean().default(true),
    dataAnalytics: p.boolean().default(true),
    thirdPartyIntegrations: p.boolean().default(false),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** A sign-up in progress: the account type chosen at `/auth/signup`, read back by `/auth/register`. */
export const GenChargePendingSignup = defineEntity({
  name: 'GenChargePendingSignup',
  tableName: 'gencharge_pending_signups',
  properties: {
    /** E.164, as the one-time code was sent to it. */
    phone: p.string().length(20).primary(),
    userType: p.enum(GENCHARGE_USER_TYPES),
    requestedAt: p.datetime().defaultRaw('now()'),
  },
});

/**
 * One grant on one resource of the admin API: which verbs (read = GET, write = POST, edit =
 * PUT/PATCH, delete = DELETE) it allows. Roles are sets of these rows.
 */
export const GenChargePermission = defineEntity({
  name: 'GenChargePermission',
  tableName: 'gencharge_permissions',
  uniques: [{ properties: ['resource', 'read', 'write', 'edit', 'delete'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    resource: p.string().length(32),
    read: p.boolean().default(false),
    write: p.boolean().default(false),
    edit: p.boolean().default(false),
    delete: p.boolean().default(false),
  },
});

export const GenChargeRole = defineEntity({
  name: 'GenChargeRole',
  tableName: 'gencharge_roles',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(64).unique(),
    /** The seeded role that may do everything; it cannot be edited or deleted, and keeps at least one admin. */
    superAdmin: p.boolean().default(false),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().nullable(),
  },
});

export const GenChargeRolePermission = defineEntity({
  name: 'GenChargeRolePermission',
  tableName: 'gencharge_role_permissions',
  properties: {
    role: p.manyToOne(GenChargeRole).primary().fieldName('role_id').foreignKeyName('gencharge_role_permissions_role_fk').deleteRule('cascade'),
    permission: p.manyToOne(GenChargePermission).primary().fieldName('permission_id').foreignKeyName('gencharge_role_permissions_permission_fk').index(),
  },
});

/**
 * An admin of the GenCharge panel: a platform `users` row (role admin; email, password) with a
 * name, a phone number (the key the admin API updates and deletes by, so unique here) and a role.
 * A role in use cannot be deleted. Deleting an admin removes this row and archives the user row.
 */
export const GenChargeAdmin = defineEntity({
  name: 'GenChargeAdmin',
  tableName: 'gencharge_admins',
  properties: {
    user: p.manyToOne(User).primary().fieldName('user_id').foreignKeyName('gencharge_admins_user_fk').deleteRule('no action').updateRule('no action'),
    name: p.string().length(100),
    /** E.164 (+91...). */
    phone: p.string().length(20).unique(),
    role: p.manyToOne(GenChargeRole).mapToPk().fieldName('role_id').foreignKeyName('gencharge_admins_role_fk').deleteRule('no action').index(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().nullable(),
  },
});

/** The one-time link token a new admin sets their password with; only its hash is kept. */
export const GenChargeAdminInvite = defineEntity({
  name: 'GenChargeAdminInvite',
  tableName: 'gencharge_admin_invites',
  properties: {
    tokenHash: p.string().length(64).primary(),
    user: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('gencharge_admin_invites_user_fk').deleteRule('cascade').index(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export const GenChargePlanGroup = defineEntity({
  name: 'GenChargePlanGroup',
  tableName: 'gencharge_plan_groups',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100).unique(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/** A recharge plan; `price` is in paise. A plan something uses is retired (inactive), not deleted. */
export const GenChargePlan = defineEntity({
  name: 'GenChargePlan',
  tableName: 'gencharge_plans',
  indexes: [{ properties: ['status', 'planType'] }],
  checks: [
    { name: 'gencharge_plans_price_check', expression: 'price > 0' },
    { name: 'gencharge_plans_validity_check', expression: 'validity_days > 0' },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(150),
    price: p.bigint('bigint'),
    validityDays: p.integer(),
    planType: p.enum(GENCHARGE_USER_TYPES),
    // A group with plans cannot be deleted: the default `no action` refuses it.
    group: p.manyToOne(GenChargePlanGroup).mapToPk().fieldName('group_id').foreignKeyName('gencharge_plans_group_fk').deleteRule('no action').index(),
    description: p.text().nullable(),
    criteria: p.json<Record<string, unknown>>().default('{}'),
    mostPopular: p.boolean().default(false),
    status: p.enum(GENCHARGE_CATALOGUE_STATUSES).default('active'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().nullable(),
  },
});

export const GenChargeOfferType = defineEntity({
  name: 'GenChargeOfferType',
  tableName: 'gencharge_offer_types',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100).unique(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/**
 * An offer: a discount on plans for `validityDays` from its creation. The discount is a
 * percentage (0–100, `discountValue` in basis points) or a flat amount (`discountValue` in
 * paise); `criteria` narrows which plans it applies to.
 */
export const GenChargeOffer = defineEntity({
  name: 'GenChargeOffer',
  tableName: 'gencharge_offers',
  indexes: [{ properties: ['status'] }],
  checks: [
    { name: 'gencharge_offers_validity_check', expression: 'validity_days > 0' },
    {
      name: 'gencharge_offers_discount_check',
      expression: "(discount_type is null and discount_value is null) or (discount_type = 'percentage' and discount_value between 1 and 10000) or (discount_type = 'flat' and discount_value > 0)",
    },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(150),
    validityDays: p.integer(),
    offerType: p.manyToOne(GenChargeOfferType).mapToPk().fieldName('offer_type_id').foreignKeyName('gencharge_offers_offer_type_fk').deleteRule('no action').index(),
    isSpecial: p.boolean().default(false),
    criteria: p.json<Record<string, unknown>>().default('{}'),
    description: p.text().nullable(),
    discountType: p.enum(GENCHARGE_DISCOUNT_TYPES).nullable(),
    discountValue: p.bigint('bigint').nullable(),
    status: p.enum(GENCHARGE_CATALOGUE_STATUSES).default('active'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().nullable(),
  },
});
