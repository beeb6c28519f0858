import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureWalletAccount } from './accounts.js';
import type { UserRecord } from './users.js';

/**
 * Users who sign in with a verified phone number or email (a one-time code) rather than a
 * password. Deleted accounts keep their row for the ledger but are nobody's any more: lookups skip
 * them, and their identifier can register anew.
 */
export interface VerifiedIdentifier {
  identifier: string;
  channel: 'sms' | 'email';
}

const column = (id: VerifiedIdentifier) => (id.channel === 'sms' ? 'phone' : 'email');

export async function findLiveUserByIdentifier(em: EntityManager, tenant: string, id: VerifiedIdentifier): Promise<UserRecord | null> {
  const [row] = await em.execute<{ id: string; email: string | null; phone: string | null; role: 'user' | 'admin' }[]>(
    `select id, email, phone, role from users where tenant = ? and ${column(id)} = ? and deleted_at is null order by id limit 1`,
    [tenant, id.identifier],
  );
  return row ? { id: Number(row.id), tenant, email: row.email, phone: row.phone, role: row.role } : null;
}

/**
 * Creates a user for a verified identifier, with their wallet, inside the caller's transaction.
 * Registrations of one identifier are serialised, so two racing sign-ups cannot both pass the
 * "no live account yet" check; `existing` is the live account that won, if any.
 */
export async function createVerifiedUser(
  tx: EntityManager,
  at: { tenant: string; currency: string },
  id: VerifiedIdentifier,
): Promise<{ created: UserRecord } | { existing: UserRecord }> {
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`register:${at.tenant}:${id.identifier}`]);
  const existing = await findLiveUserByIdentifier(tx, at.tenant, id);
  if (existing) return { existing };
  const [row] = await tx.execute<{ id: string }[]>(`insert into users (tenant, ${column(id)}) values (?, ?) returning id`, [at.tenant, id.identifier]);
  const userId = Number(row!.id);
  await ensureWalletAccount(tx, at, userId);
  return {
    created: {
      id: userId,
      tenant: at.tenant,
      email: id.channel === 'email' ? id.identifier : null,
      phone: id.channel === 'sms' ? id.identifier : null,
      role: 'user',
    },
  };
}
