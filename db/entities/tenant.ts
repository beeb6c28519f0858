import { defineEntity, p } from '@mikro-orm/core';

/** One row per app the platform runs; everything else carries its slug. */
export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    slug: p.string().length(32).primary(),
    name: p.string(),
    currency: p.string().length(3),
    settings: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
