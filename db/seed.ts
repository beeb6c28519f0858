import argon2 from 'argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureSystemAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';

const MAXTERA_DATA_PLANS: Array<[network: string, code: string, name: string, priceNaira: number, days: number]> = [
  ['MTN', '500MB', 'MTN 500MB - 30 days', 150, 30],
  ['MTN', '1GB', 'MTN 1GB - 30 days', 300, 30],
  ['MTN', '2GB', 'MTN 2GB - 30 days', 600, 30],
  ['MTN', '5GB', 'MTN 5GB - 30 days', 1500, 30],
  ['AIRTEL', '500MB', 'Airtel 500MB - 30 days', 150, 30],
  ['AIRTEL', '1GB', 'Airtel 1GB - 30 days', 300, 30],
  ['AIRTEL', '2GB', 'Airtel 2GB - 30 days', 600, 30],
  ['GLO', '1GB', 'Glo 1GB - 30 days', 280, 30],
  ['GLO', '2GB', 'Glo 2GB - 30 days', 560, 30],
  ['9MOBILE', '1GB', '9mobile 1GB - 30 days', 300, 30],
  ['9MOBILE', '2GB', '9mobile 2GB - 30 days', 600, 30],
];

const MAXTERA_BILL_SERVICES: Array<[code: string, name: string, category: string, minNaira: number, maxNaira: number]> = [
  ['DSTV', 'DStv subscription', 'cable', 1000, 100_000],
  ['GOTV', 'GOtv subscription', 'cable', 500, 50_000],
  ['STARTIMES', 'StarTimes subscription', 'cable', 500, 50_000],
  ['IKEDC', 'Ikeja Electric prepaid', 'electricity', 500, 500_000],
  ['EKEDC', 'Eko Electric prepaid', 'electricity', 500, 500_000],
  ['AEDC', 'Abuja Electric prepaid', 'electricity', 500, 500_000],
];

export interface SeedOptions {
  adminPassword: string;
}

/** Development data: idempotent, so every start can run it. */
export async function seedDevelopment(em: EntityManager, opts: SeedOptions): Promise<void> {
  await em.transactional(async (tx) => {
    const tenants = await tx.execute<{ slug: string; currency: string }[]>('select slug, currency from tenants');
    const hash = await argon2.hash(opts.adminPassword, { type: argon2.argon2id });
    for (const t of tenants) {
      await tx.execute(
        `insert into users (tenant, email, password_hash, role) values (?, ?, ?, 'admin')
         on conflict (tenant, email) do nothing`,
        [t.slug, `admin@${t.slug}.local`, hash],
      );
      for (const code of Object.values(SYSTEM_ACCOUNTS)) {
        await ensureSystemAccount(tx, { tenant: t.slug, currency: t.currency }, code);
      }
    }
    for (const [network, code, name, price, days] of MAXTERA_DATA_PLANS) {
      await tx.execute(
        `insert into data_plans (tenant, network, code, name, price, validity_days) values ('maxtera', ?, ?, ?, ?, ?)
         on conflict (tenant, network, code) do nothing`,
        [network, code, name, price * 100, days],
      );
    }
    for (const [code, name, category, min, max] of MAXTERA_BILL_SERVICES) {
      await tx.execute(
        `insert into bill_services (tenant, code, name, category, min_amount, max_amount) values ('maxtera', ?, ?, ?, ?, ?)
         on conflict (tenant, code) do nothing`,
        [code, name, category, min * 100, max * 100],
      );
    }
  });
}
