import { defineEntity, p } from '@mikro-orm/core';
import { Currency } from './currency.js';
import { Tenant } from './tenant.js';

export const RECONCILIATION_KINDS = ['unmatched_payment'] as const;
export type ReconciliationKind = (typeof RECONCILIATION_KINDS)[number];
export const RECONCILIATION_STATUSES = ['open', 'resolved'] as const;

/**
 * Money the platform holds but could not place (a payment nobody was waiting for). The money
 * sits in the tenant's suspense account until an operator resolves the item.
 */
export const ReconciliationItem = defineEntity({
  name: 'ReconciliationItem',
  tableName: 'reconciliation_items',
  uniques: [{ properties: ['tenant', 'kind', 'reference'] }],
  indexes: [{ properties: ['tenant', 'status'] }],
  checks: [{ name: 'reconciliation_items_amount_check', expression: 'amount > 0' }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.manyToOne(Tenant).mapToPk().fieldName('tenant').foreignKeyName('reconciliation_items_tenant_fk'),
    kind: p.enum(RECONCILIATION_KINDS),
    status: p.enum(RECONCILIATION_STATUSES).default('open'),
    /** The provider's reference or event id the money arrived under. */
    reference: p.string(),
    amount: p.bigint('bigint'),
    currency: p.manyToOne(Currency).mapToPk().fieldName('currency').foreignKeyName('reconciliation_items_currency_fk'),
    /** The suspense posting that parked the money. */
    entryId: p.bigint('bigint').nullable(),
    details: p.json<Record<string, unknown>>().default('{}'),
    resolution: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    resolvedAt: p.datetime().nullable(),
  },
});
