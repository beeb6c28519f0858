import { getAddress } from 'ethers';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { toMajorNumber } from '../../../core/money.js';
import {
  directReferralsCount,
  findProfile,
  isProfileComplete,
  maxReferralDepth,
  type ProfileFacts,
  type TreeMember,
} from '../../../core/xclera-matrix.js';
import { XCLERA } from './tenant.js';

/** The spec's timestamps: UTC with microseconds and no zone suffix, as the Django backend gave them. */
export const specTime = (d: Date | null) => (d ? d.toISOString().replace(/\.(\d{3})Z$/, '.$1000') : null);
export const usdt = (minor: bigint | string) => toMajorNumber(BigInt(minor), XCLERA.currency);

export async function profileOf(em: EntityManager, userId: number): Promise<ProfileFacts> {
  const profile = await findProfile(em, { userId });
  if (!profile) throw new DomainError(FailureType.NotFound, `no xclera profile ${userId}`, { resource: 'profile' });
  return profile;
}

export function ownOnly(callerId: number, profileId: number): void {
  if (callerId !== profileId) throw publicError(FailureType.Forbidden, "Only the profile's own wallet may do this.");
}

export async function profileView(em: EntityManager, p: ProfileFacts) {
  const referrer = p.referrerId === null ? null : await findProfile(em, { userId: p.referrerId });
  return {
    id: p.userId,
    username: p.username,
    country: p.country,
    phone_number: p.phoneNumber,
    email: p.email,
    wallet_address: getAddress(p.address),
    referrer: p.referrerId,
    referrer_username: referrer?.username ?? null,
    current_level: p.currentLevel,
    direct_referrals_count: await directReferralsCount(em, p.userId),
    max_referral_depth: await maxReferralDepth(em, p.userId),
    is_registered_on_chain: p.isRegisteredOnChain,
    date_registered: specTime(p.dateRegistered),
    is_profile_complete: isProfileComplete(p),
  };
}

export const memberView = (m: ProfileFacts | TreeMember) => ({
  id: m.userId,
  username: m.username,
  wallet_address: getAddress(m.address),
  current_level: m.currentLevel,
  is_registered_on_chain: m.isRegisteredOnChain,
  date_registered: specTime(m.dateRegistered),
  ...('depth' in m ? { depth: m.depth } : {}),
});
