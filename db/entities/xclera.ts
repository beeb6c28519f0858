import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/** An Xclera user's identity: the wallet address (lowercase) whose signature logs them in. */
export const XcleraWallet = defineEntity({
  name: 'XcleraWallet',
  tableName: 'xclera_wallets',
  checks: [{ name: 'xclera_wallets_address_check', expression: "address ~ '^0x[0-9a-f]{40}$'" }],
  properties: {
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').primary().foreignKeyName('xclera_wallets_user_fk').deleteRule('cascade'),
    address: p.string().length(42).unique(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/** A sign-in challenge: used once, before it expires. */
export const XcleraLoginNonce = defineEntity({
  name: 'XcleraLoginNonce',
  tableName: 'xclera_login_nonces',
  properties: {
    nonce: p.string().length(32).primary(),
    address: p.string().length(42),
    expiresAt: p.datetime().index(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/** A member of the matrix: profile details, referrer and the level confirmed on chain. */
export const XcleraProfile = defineEntity({
  name: 'XcleraProfile',
  tableName: 'xclera_profiles',
  checks: [{ name: 'xclera_profiles_level_check', expression: 'current_level >= 0' }],
  properties: {
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').primary().foreignKeyName('xclera_profiles_user_fk').deleteRule('cascade'),
    username: p.string().length(64).nullable().unique(),
    country: p.string().length(64).nullable(),
    phoneNumber: p.string().length(20).nullable(),
    email: p.string().length(254).nullable(),
    referrerId: p.manyToOne(User).mapToPk().fieldName('referrer_id').nullable().foreignKeyName('xclera_profiles_referrer_fk').index(),
    currentLevel: p.integer().default(0),
    isRegisteredOnChain: p.boolean().default(false),
    dateRegistered: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** The level table: price and service fee in USDT minor units, and what a member needs to reach it. */
export const XcleraLevel = defineEntity({
  name: 'XcleraLevel',
  tableName: 'xclera_levels',
  checks: [{ name: 'xclera_levels_amounts_check', expression: 'level_number > 0 and price > 0 and service_fee >= 0' }],
  properties: {
    levelNumber: p.integer().primary().autoincrement(false),
    price: p.bigint('bigint'),
    serviceFee: p.bigint('bigint').default(0),
    minDirectReferrals: p.integer().default(0),
    minReferralDepth: p.integer().default(0),
    requiresCompleteProfile: p.boolean().default(false),
  },
});
