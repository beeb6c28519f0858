import { defineEntity, p } from '@mikro-orm/core';
import { Currency } from './currency.js';

/** One row per app the platform runs; everything else carries its slug. */
export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    slug: p.string().length(32).primary(),
    name: p.string(),
    currency: p.manyToOne(Currency).mapToPk().fieldName('currency').foreignKeyName('tenants_currency_fk'),
    settings: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
