import argon2 from 'argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureSystemAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import { SURFACE_SEEDS } from './seeds/index.js';

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
         on conflict (tenant, email) where deleted_at is null do nothing`,
        [t.slug, `admin@${t.slug}.local`, hash],
      );
      for (const code of Object.values(SYSTEM_ACCOUNTS)) {
        await ensureSystemAccount(tx, { tenant: t.slug, currency: t.currency }, code);
      }
    }
  });
  for (const seed of SURFACE_SEEDS) await seed(em.fork());
}
