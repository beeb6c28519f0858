import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from './tenant.js';

export const OTP_CHANNELS = ['sms', 'email'] as const;

/**
 * What a verified one-time code earns: a short-lived token (only its hash is kept) that proves
 * control of the identifier for one purpose, and works once.
 */
export const OtpVerification = defineEntity({
  name: 'OtpVerification',
  tableName: 'otp_verifications',
  indexes: [{ properties: ['tenant', 'identifier'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.manyToOne(Tenant).mapToPk().fieldName('tenant').foreignKeyName('otp_verifications_tenant_fk'),
    identifier: p.string().length(254),
    channel: p.enum(OTP_CHANNELS),
    purpose: p.string().length(32),
    tokenHash: p.string().length(64).unique(),
    /** The OTP flow that verified the code. */
    workflowId: p.string(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
