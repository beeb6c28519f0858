import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from './tenant.js';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * A user belongs to exactly one tenant: the same email in two apps is two users. Only live users
 * hold their email: an archived account (GenCharge) keeps it for the record, and the address can
 * sign up again.
 */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  indexes: [
    { properties: ['tenant', 'phone'] },
    {
      name: 'users_tenant_email_unique',
      expression: 'create unique index "users_tenant_email_unique" on "users" ("tenant", "email") where deleted_at is null',
    },
  ],
  // Xclera users have neither: their wallet address (xclera_wallets) identifies them.
  checks: [{ name: 'users_contact_check', expression: "email is not null or phone is not null or tenant = 'xclera'" }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.manyToOne(Tenant).mapToPk().fieldName('tenant').foreignKeyName('users_tenant_fk'),
    email: p.string().nullable(),
    phone: p.string().length(20).nullable(),
    passwordHash: p.text().nullable().hidden(),
    role: p.enum(USER_ROLES).default('user'),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Set when the account was deleted: the row stays (the ledger refers to it), its personal data is erased. */
    deletedAt: p.datetime().nullable(),
  },
});
