import type { EntityManager } from '@mikro-orm/postgresql';
import { ChargeGharProfile, User } from '../entities/index.js';

/**
 * ChargeGhar's development admin. The platform seed creates `admin@chargeghar.local` (role
 * admin) for every tenant; ChargeGhar signs in with one-time codes only, so this admin signs in
 * by requesting a login code for that email and reading it from GET /sandbox/outbox. Here it gets
 * the profile the app's screens and the admin list expect.
 */
export async function seedChargeGhar(em: EntityManager): Promise<void> {
  const admin = await em.findOne(User, { tenant: 'chargeghar', email: 'admin@chargeghar.local' });
  if (!admin) return;
  await em.upsert(
    ChargeGharProfile,
    { user: admin.id, fullName: 'ChargeGhar Admin', preferredLanguage: 'en' },
    { onConflictFields: ['user'], onConflictAction: 'ignore' },
  );
}
