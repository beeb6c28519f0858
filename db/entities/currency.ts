import { defineEntity, p } from '@mikro-orm/core';

/**
 * Every currency the platform holds money in, with its exponent (minor units per major unit are
 * 10^exponent). `core/money.ts` mirrors these rows for workflow code, and a test keeps the two equal.
 */
export const Currency = defineEntity({
  name: 'Currency',
  tableName: 'currencies',
  checks: [{ name: 'currencies_exponent_check', expression: 'exponent >= 0 and exponent <= 18' }],
  properties: {
    code: p.string().length(8).primary(),
    exponent: p.integer(),
  },
});
