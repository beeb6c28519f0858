import { LockMode, UniqueConstraintViolationException, type FilterQuery, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { hashVerificationToken } from '../../../core/otp.js';
import { revokeAllSessions } from '../../../core/tokens.js';
import { setPassword } from '../../../core/users.js';
import { GenChargeAdmin, GenChargeAdminInvite, GenChargeRole, User } from '../../../db/entities/index.js';
import { contains, pageOptions, type ListPage } from './listing.js';
import { fromE164, GENCHARGE, toE164 } from './tenant.js';

type Admin = InferEntity<typeof GenChargeAdmin>;
type AdminFilter = FilterQuery<Admin>;

/** How long an invitation link works. */
export const ADMIN_INVITATION_TTL_MS = 72 * 3_600_000;

export interface AdminView {
  admin_id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  role_id: number;
  created_at: string;
  updated_at: string | null;
}

/** A role named by id or by name (the spec's body names it; the panel knows ids). */
export type RoleRef = { id: number } | { name: string };

export interface NewAdmin {
  name: string;
  email: string;
  /** The 10 digits. */
  mobile: string;
  role: RoleRef;
}

export interface AdminChanges {
  name?: string | undefined;
  email?: string | undefined;
  mobile?: string | undefined;
  role?: RoleRef | undefined;
}

export const ADMIN_SORT_COLUMNS = ['admin_id', 'name', 'email', 'phone_number', 'role_id', 'created_at', 'updated_at'] as const;

export interface AdminFilters {
  name?: string | undefined;
  email?: string | undefined;
  phone_number?: string | undefined;
  role_name?: string | undefined;
}

export const adminView = (admin: Admin): AdminView => ({
  admin_id: admin.user.id,
  name: admin.name,
  email: admin.user.email ?? null,
  phone_number: fromE164(admin.phone),
  role_id: admin.role,
  created_at: admin.createdAt.toISOString(),
  updated_at: admin.updatedAt?.toISOString() ?? null,
});

export const adminNotFound = () => publicError(FailureType.NotFound, 'Admin not found');

/** The API's sort names and the properties they order by; an admin's id is its user's. */
const ADMIN_SORT_PROPERTIES: Record<(typeof ADMIN_SORT_COLUMNS)[number], string> = {
  admin_id: 'user',
  name: 'name',
  email: 'user.email',
  phone_number: 'phone',
  role_id: 'role',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
};

export async function listAdmins(em: EntityManager, page: ListPage, filters: AdminFilters): Promise<{ items: AdminView[]; total: number }> {
  const fork = em.fork();
  const where: AdminFilter = { user: { deletedAt: null, ...(filters.email && { email: contains(filters.email) }) } };
  if (filters.name) where.name = contains(filters.name);
  if (filters.phone_number) where.phone = contains(filters.phone_number);
  if (filters.role_name) {
    const roles = await fork.find(GenChargeRole, { name: contains(filters.role_name) }, { fields: ['id'] });
    where.role = { $in: roles.map((r) => r.id) };
  }
  const [admins, total] = await fork.findAndCount(GenChargeAdmin, where, { populate: ['user'], ...pageOptions(page, ADMIN_SORT_PROPERTIES, 'user') } as never);
  return { items: admins.map(adminView), total };
}

export async function getAdmin(em: EntityManager, userId: number): Promise<AdminView> {
  const admin = await em.fork().findOne(GenChargeAdmin, { user: { id: userId, deletedAt: null } }, { populate: ['user'] });
  if (!admin) throw adminNotFound();
  return adminView(admin);
}

/**
 * The admin a new invitation goes to: one who has not set a password yet. One who has is a 409:
 * they sign in, and an invitation must never become a way to take over a working account.
 */
export async function adminAwaitingPassword(em: EntityManager, mobile: string): Promise<AdminView & { name: string; email: string }> {
  const admin = await em.fork().findOne(GenChargeAdmin, { phone: toE164(mobile), user: { deletedAt: null } }, { populate: ['user'] });
  if (!admin) throw adminNotFound();
  if (admin.user.passwordHash) throw publicError(FailureType.Conflict, 'This admin has already set a password');
  const view = adminView(admin);
  return { ...view, email: admin.user.email! };
}

/**
 * A platform user (role admin, no password yet) and its admin row, in one transaction. The
 * password is set through the invitation the caller then sends.
 */
export async function createAdmin(em: EntityManager, input: NewAdmin): Promise<AdminView> {
  const userId = await saving(() =>
    em.fork().transactional(async (tx) => {
      const roleId = await resolveRole(tx, input.role);
      await refuseTaken(tx, { email: input.email, mobile: input.mobile });
      const user = tx.create(User, { tenant: GENCHARGE.slug, email: input.email, role: 'admin' });
      await tx.flush();
      tx.create(GenChargeAdmin, { user: user.id, name: input.name, phone: toE164(input.mobile), role: roleId });
      await tx.flush();
      return user.id;
    }),
  );
  return getAdmin(em, userId);
}

/**
 * Changes an admin, found by phone number or user id. Taking the Super Admin role from the last admin who
 * holds it is refused, so the panel always keeps someone who can do everything.
 */
export async function updateAdmin(em: EntityManager, target: { mobile: string } | { userId: number }, changes: AdminChanges): Promise<AdminView> {
  const userId = await saving(() =>
    em.fork().transactional(async (tx) => {
      const admin = await lockAdmin(tx, target);
      if (changes.email !== undefined || changes.mobile !== undefined) {
        await refuseTaken(tx, { email: changes.email, mobile: changes.mobile }, admin.user.id);
      }
      if (changes.role !== undefined) {
        const roleId = await resolveRole(tx, changes.role);
        if (roleId !== admin.role) await refuseLosingLastSuperAdmin(tx, admin);
        admin.role = roleId;
      }
      if (changes.name !== undefined) admin.name = changes.name;
      if (changes.mobile !== undefined) admin.phone = toE164(changes.mobile);
      if (changes.email !== undefined) admin.user.email = changes.email;
      admin.updatedAt = new Date();
      await tx.flush();
      return admin.user.id;
    }),
  );
  return getAdmin(em, userId);
}

/**
 * Removes the admin row and archives the user (its email is free again), ends every session and
 * voids open invitations. Nobody deletes themselves, and the last super-admin stays.
 */
export async function deleteAdmin(em: EntityManager, actorId: number, mobile: string): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const admin = await lockAdmin(tx, { mobile });
    if (admin.user.id === actorId) throw publicError(FailureType.Conflict, 'You cannot delete your own admin account');
    await refuseLosingLastSuperAdmin(tx, admin);
    const userId = admin.user.id;
    await tx.nativeDelete(GenChargeAdmin, { user: userId });
    await tx.nativeUpdate(User, { id: userId }, { deletedAt: new Date() });
    await tx.nativeDelete(GenChargeAdminInvite, { user: userId });
    await revokeAllSessions(tx, GENCHARGE.slug, userId);
  });
}

/**
 * Spends an invitation token: the admin's password is set and the token (and any other open
 * invitation of theirs) is used up. Unknown, used and expired tokens are 400s that say which.
 */
export async function setPasswordWithInvitation(em: EntityManager, token: string, password: string): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const invite = await tx.findOne(GenChargeAdminInvite, { tokenHash: hashVerificationToken(token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!invite) throw publicError(FailureType.Validation, 'Invalid invitation token');
    if (invite.usedAt) throw publicError(FailureType.Validation, 'This invitation has already been used');
    if (invite.expiresAt.getTime() <= Date.now()) throw publicError(FailureType.Validation, 'This invitation has expired; ask an admin to invite you again');
    if (!(await setPassword(tx, GENCHARGE.slug, invite.user, password))) throw publicError(FailureType.Validation, 'Invalid invitation token');
    await tx.nativeUpdate(GenChargeAdminInvite, { user: invite.user, usedAt: null }, { usedAt: new Date() });
  });
}

async function lockAdmin(tx: EntityManager, target: { mobile: string } | { userId: number }): Promise<Admin> {
  const where: AdminFilter = 'mobile' in target ? { phone: toE164(target.mobile) } : { user: target.userId };
  const admin = await tx.findOne(GenChargeAdmin, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!admin) throw adminNotFound();
  await tx.populate(admin, ['user']);
  return admin;
}

/** The super-admin role row is locked first, so two removals of the last two super-admins cannot both pass. */
async function refuseLosingLastSuperAdmin(tx: EntityManager, admin: Admin): Promise<void> {
  const superRole = await tx.findOne(GenChargeRole, { id: admin.role, superAdmin: true }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!superRole) return;
  const holders = await tx.count(GenChargeAdmin, { role: superRole.id, user: { deletedAt: null } });
  if (holders <= 1) throw publicError(FailureType.Conflict, 'The last Super Admin cannot be removed or demoted');
}

async function resolveRole(tx: EntityManager, ref: RoleRef): Promise<number> {
  const role = await tx.findOne(GenChargeRole, 'id' in ref ? { id: ref.id } : { name: ref.name });
  if (role) return role.id;
  const field = 'id' in ref ? 'role_id' : 'role_name';
  const message = `Value error, role ${'id' in ref ? ref.id : `"${ref.name}"`} does not exist`;
  throw new DomainError(FailureType.Validation, message, { issues: [{ path: [field], message, code: 'custom', location: 'body' }] });
}

/** Emails are unique among live GenCharge accounts (users and admins alike); phones among admins. */
async function refuseTaken(tx: EntityManager, wanted: { email?: string | undefined; mobile?: string | undefined }, exceptUserId?: number): Promise<void> {
  const others = exceptUserId === undefined ? {} : { id: { $ne: exceptUserId } };
  if (wanted.email !== undefined && (await tx.count(User, { tenant: GENCHARGE.slug, email: wanted.email, deletedAt: null, ...others }))) {
    throw publicError(FailureType.Conflict, 'An account with this email already exists');
  }
  if (wanted.mobile !== undefined) {
    const phoneOwner = await tx.findOne(GenChargeAdmin, { phone: toE164(wanted.mobile) }, { fields: ['user'] });
    if (phoneOwner && phoneOwner.user.id !== exceptUserId) throw publicError(FailureType.Conflict, 'An admin with this phone number already exists');
  }
}

/** Two requests racing for one email or phone: the unique index decides, and the loser gets the same 409. */
async function saving<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      const phone = /gencharge_admins_phone/.test(err.message);
      throw publicError(FailureType.Conflict, phone ? 'An admin with this phone number already exists' : 'An account with this email already exists', undefined, { cause: err });
    }
    throw err;
  }
}
