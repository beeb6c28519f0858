import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.js';

/**
 * Refresh tokens rotate on use. Every token of one login shares a family; presenting a token that
 * was already rotated means it leaked, so the whole family is revoked.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  indexes: [{ properties: ['familyId'] }],
  properties: {
    id: p.string().columnType('uuid').primary(),
    userId: p.manyToOne(User).mapToPk().fieldName('user_id').foreignKeyName('refresh_tokens_user_fk').deleteRule('cascade').index(),
    tenant: p.string().length(32),
    familyId: p.string().columnType('uuid'),
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
