import { defineEntity, p } from '@mikro-orm/core';

export const DataPlan = defineEntity({
  name: 'DataPlan',
  tableName: 'data_plans',
  uniques: [{ properties: ['tenant', 'network', 'code'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.string().length(32),
    network: p.string().length(16),
    code: p.string().length(32),
    name: p.string(),
    price: p.bigint('bigint'),
    validityDays: p.integer(),
    active: p.boolean().default(true),
  },
});

export const BillService = defineEntity({
  name: 'BillService',
  tableName: 'bill_services',
  uniques: [{ properties: ['tenant', 'code'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.string().length(32),
    code: p.string().length(32),
    name: p.string(),
    category: p.enum(['cable', 'electricity', 'internet', 'water'] as const),
    minAmount: p.bigint('bigint'),
    maxAmount: p.bigint('bigint'),
    active: p.boolean().default(true),
  },
});
