import type { Orm } from '../../db/orm.js';
import { CURRENCY_EXPONENTS } from '../../core/money.js';
import { openIsolatedTestOrm } from '../support/db.js';

let orm: Orm;
beforeAll(async () => {
  // A database built by the migrations alone, which no running test (or the rate-limit store) touches.
  orm = await openIsolatedTestOrm();
});
afterAll(async () => {
  await orm.close();
});

describe('entities and migrations', () => {
  it('when the migrated database is compared with the entities, then there is nothing to change', async () => {
    // `safe: false` and `dropTables: true` so that a constraint, column or table only one side has
    // shows up too, not just what an update would add.
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).toBe('');
  });

  it('when the currencies table is read, then it holds exactly the exponents workflow code uses', async () => {
    const rows = await orm.em.fork().execute<{ code: string; exponent: number }[]>('select code, exponent from currencies order by code');
    expect(Object.fromEntries(rows.map((r) => [r.code, r.exponent]))).toEqual(CURRENCY_EXPONENTS);
  });

  it('when tenants are read, then each holds money in a known currency and Xclera in USDT', async () => {
    const rows = await orm.em.fork().execute<{ slug: string; currency: string }[]>('select slug, currency from tenants');
    for (const row of rows) expect(Object.keys(CURRENCY_EXPONENTS)).toContain(row.currency);
    expect(rows.find((r) => r.slug === 'xclera')?.currency).toBe('USDT');
  });
});
