import type { Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType } from '../../../core/errors.js';
import { ChargeGharProfile, User } from '../../../db/entities/index.js';

/** `{ success: true, data }`, the spec's success envelope. */
export function send(res: Response, data: unknown, status = 200): void {
  res.status(status).json({ success: true, data });
}

type UserRow = { id: number; email?: string | null; phone?: string | null; role: 'user' | 'admin'; createdAt: Date; deletedAt?: Date | null };
type ProfileRow = {
  fullName?: string | null;
  dateOfBirth?: string | null;
  gender?: 'male' | 'female' | 'other' | null;
  address?: string | null;
  preferredLanguage: 'en' | 'ne';
  kycStatus: 'not_submitted' | 'pending' | 'approved' | 'rejected';
  createdAt: Date;
  updatedAt: Date;
};

/** The signed-in user's account and profile; a user without a profile row (none yet) reads as empty. */
export async function loadAccount(em: EntityManager, tenant: string, userId: number): Promise<{ user: UserRow; profile: ProfileRow | null }> {
  const fork = em.fork();
  const user = await fork.findOne(User, { id: userId, tenant });
  if (!user || user.deletedAt) throw new DomainError(FailureType.Unauthenticated, `user ${userId} is gone`, { reason: 'invalid' });
  const profile = await fork.findOne(ChargeGharProfile, { user: userId });
  return { user, profile };
}

export function userData(user: UserRow, profile: ProfileRow | null) {
  return {
    id: user.id,
    phone: user.phone ?? null,
    email: user.email ?? null,
    full_name: profile?.fullName ?? null,
    role: user.role,
    kyc_status: profile?.kycStatus ?? 'not_submitted',
    date_joined: user.createdAt.toISOString(),
  };
}

export function profileData(user: UserRow, profile: ProfileRow | null) {
  return {
    id: user.id,
    phone: user.phone ?? null,
    email: user.email ?? null,
    full_name: profile?.fullName ?? null,
    date_of_birth: profile?.dateOfBirth ?? null,
    gender: profile?.gender ?? null,
    address: profile?.address ?? null,
    preferred_language: profile?.preferredLanguage ?? 'en',
    kyc_status: profile?.kycStatus ?? 'not_submitted',
    created_at: (profile?.createdAt ?? user.createdAt).toISOString(),
    updated_at: (profile?.updatedAt ?? user.createdAt).toISOString(),
  };
}
