import argon2 from 'argon2';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { DomainError, FailureType } from './errors.js';
import { ensureWalletAccount } from './accounts.js';

export interface NewUser {
  tenant: string;
  currency: string;
  email: string;
  phone: string;
  password: string;
}

export interface UserRecord {
  id: number;
  tenant: string;
  email: string | null;
  phone: string | null;
  role: 'user' | 'admin';
}

const ARGON2_OPTIONS = { type: argon2.argon2id } as const;
/** Verifying against this keeps a login for an unknown email as slow as one for a known email. */
let dummyHash: Promise<string> | undefined;

/**
 * Creates the user and their wallet account together, so every user can be paid into at once.
 * `within` adds an app's own rows (a profile) to the same transaction.
 */
export async function registerUser(
  em: EntityManager,
  input: NewUser,
  opts: { within?: (tx: EntityManager, userId: number) => Promise<void> } = {},
): Promise<UserRecord> {
  const passwordHash = await argon2.hash(input.password, ARGON2_OPTIONS);
  try {
    return await em.fork().transactional(async (tx) => {
      const [row] = await tx.execute<{ id: string }[]>(
        `insert into users (tenant, email, phone, password_hash) values (?, ?, ?, ?) returning id`,
        [input.tenant, input.email.toLowerCase(), input.phone, passwordHash],
      );
      const id = Number(row!.id);
      await ensureWalletAccount(tx, input, id);
      await opts.within?.(tx, id);
      return { id, tenant: input.tenant, email: input.email.toLowerCase(), phone: input.phone, role: 'user' as const };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new DomainError(FailureType.Validation, 'user with this email already exists.', {
        fields: { email: ['user with this email already exists.'] },
      });
    }
    throw err;
  }
}

export async function verifyPassword(em: EntityManager, tenant: string, email: string, password: string): Promise<UserRecord | null> {
  const [row] = await em.fork().execute<{ id: string; email: string; phone: string | null; role: 'user' | 'admin'; password_hash: string | null }[]>(
    'select id, email, phone, role, password_hash from users where tenant = ? and email = ? and deleted_at is null',
    [tenant, email.toLowerCase()],
  );
  if (!row?.password_hash) {
    dummyHash ??= argon2.hash('not-a-real-password', ARGON2_OPTIONS);
    await argon2.verify(await dummyHash, password);
    return null;
  }
  if (!(await argon2.verify(row.password_hash, password))) return null;
  return { id: Number(row.id), tenant, email: row.email, phone: row.phone, role: row.role };
}

export async function findUser(em: EntityManager, tenant: string, id: number): Promise<UserRecord | null> {
  const [row] = await em.fork().execute<{ id: string; email: string | null; phone: string | null; role: 'user' | 'admin' }[]>(
    'select id, email, phone, role from users where tenant = ? and id = ?',
    [tenant, id],
  );
  return row ? { id: Number(row.id), tenant, email: row.email, phone: row.phone, role: row.role } : null;
}

/** Sets a live user's password (hashed as at registration); false when there is no such live user. */
export async function setPassword(em: EntityManager, tenant: string, userId: number, password: string): Promise<boolean> {
  const passwordHash = await argon2.hash(password, ARGON2_OPTIONS);
  const rows = await em.execute<{ id: string }[]>('update users set password_hash = ? where id = ? and tenant = ? and deleted_at is null returning id', [
    passwordHash,
    userId,
    tenant,
  ]);
  return rows.length > 0;
}
