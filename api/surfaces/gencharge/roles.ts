import { LockMode, UniqueConstraintViolationException, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { GenChargeAdmin, GenChargePermission, GenChargeRole, GenChargeRolePermission } from '../../../db/entities/index.js';
import { contains, pageOptions, type ListPage } from './listing.js';

type Permission = InferEntity<typeof GenChargePermission>;
type Role = InferEntity<typeof GenChargeRole>;

export interface PermissionView {
  permission_id: number;
  resource: string;
  read: boolean;
  write: boolean;
  edit: boolean;
  delete: boolean;
}

export interface RoleView {
  role_name: string;
  role_id: number;
  permissions: PermissionView[];
}

export interface RoleInput {
  name: string;
  permissionIds: number[];
}

export const permissionView = (p: Permission): PermissionView => ({
  permission_id: p.id,
  resource: p.resource,
  read: p.read,
  write: p.write,
  edit: p.edit,
  delete: p.delete,
});

export const ROLE_SORT_COLUMNS = { role_id: 'id', role_name: 'name' } as const;

export async function listPermissions(em: EntityManager): Promise<PermissionView[]> {
  const rows = await em.fork().find(GenChargePermission, {}, { orderBy: { id: 'asc' } });
  return rows.map(permissionView);
}

/** The roles with their permissions in full, in the order given. */
async function views(em: EntityManager, roles: Role[]): Promise<RoleView[]> {
  if (!roles.length) return [];
  const grants = await em.find(GenChargeRolePermission, { role: { $in: roles.map((r) => r.id) } }, { populate: ['permission'], orderBy: { permission: { id: 'asc' } } });
  return roles.map((role) => ({
    role_name: role.name,
    role_id: role.id,
    permissions: grants.filter((g) => g.role.id === role.id).map((g) => permissionView(g.permission)),
  }));
}

export async function listRoles(em: EntityManager, page: ListPage, filters: { role_name?: string | undefined }): Promise<{ items: RoleView[]; total: number }> {
  const fork = em.fork();
  const where = filters.role_name ? { name: contains(filters.role_name) } : {};
  const [roles, total] = await fork.findAndCount(GenChargeRole, where, pageOptions(page, ROLE_SORT_COLUMNS) as never);
  return { items: await views(fork, roles), total };
}

export async function getRole(em: EntityManager, roleId: number): Promise<RoleView> {
  const fork = em.fork();
  const role = await fork.findOne(GenChargeRole, { id: roleId });
  if (!role) throw roleNotFound();
  return (await views(fork, [role]))[0]!;
}

export async function createRole(em: EntityManager, input: RoleInput): Promise<RoleView> {
  const fork = em.fork();
  const role = await saving(() =>
    fork.transactional(async (tx) => {
      const ids = await knownPermissions(tx, input.permissionIds);
      const created = tx.create(GenChargeRole, { name: input.name });
      await tx.flush();
      for (const id of ids) tx.create(GenChargeRolePermission, { role: created.id, permission: id });
      await tx.flush();
      return created;
    }),
  );
  return getRole(em, role.id);
}

/** Replaces the name and the permission set; the super-admin role keeps everything, always. */
export async function updateRole(em: EntityManager, roleId: number, input: RoleInput): Promise<RoleView> {
  await saving(() =>
    em.fork().transactional(async (tx) => {
      const role = await tx.findOne(GenChargeRole, { id: roleId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw roleNotFound();
      if (role.superAdmin) throw publicError(FailureType.Conflict, 'The Super Admin role cannot be changed');
      const ids = await knownPermissions(tx, input.permissionIds);
      role.name = input.name;
      role.updatedAt = new Date();
      await tx.nativeDelete(GenChargeRolePermission, { role: roleId });
      for (const id of ids) tx.create(GenChargeRolePermission, { role: roleId, permission: id });
      await tx.flush();
    }),
  );
  return getRole(em, roleId);
}

/** A role some admin holds stays: the admin must be given another role first. */
export async function deleteRole(em: EntityManager, roleId: number): Promise<void> {
  await em.fork().transactional(async (tx) => {
    const role = await tx.findOne(GenChargeRole, { id: roleId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!role) throw roleNotFound();
    if (role.superAdmin) throw publicError(FailureType.Conflict, 'The Super Admin role cannot be deleted');
    if (await tx.count(GenChargeAdmin, { role: roleId })) throw publicError(FailureType.Conflict, 'The role is assigned to admins; give them another role first');
    await tx.nativeDelete(GenChargeRolePermission, { role: roleId });
    await tx.nativeDelete(GenChargeRole, { id: roleId });
  });
}

export async function findRoleByName(em: EntityManager, name: string): Promise<Role | null> {
  return em.fork().findOne(GenChargeRole, { name });
}

export const roleNotFound = () => publicError(FailureType.NotFound, 'Role not found');

/** The distinct ids asked for; an id that names no permission is a 422 on that item, like pydantic's. */
async function knownPermissions(tx: EntityManager, requested: number[]): Promise<number[]> {
  const ids = [...new Set(requested)];
  const found = new Set((await tx.find(GenChargePermission, { id: { $in: ids } }, { fields: ['id'] })).map((p) => p.id));
  const issues = requested.flatMap((id, index) =>
    found.has(id) ? [] : [{ path: ['permission_ids', index], message: `Value error, permission ${id} does not exist`, code: 'custom', location: 'body' as const }],
  );
  if (issues.length) throw new DomainError(FailureType.Validation, issues[0]!.message, { issues });
  return ids;
}

async function saving<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw publicError(FailureType.Conflict, 'A role with this name already exists', undefined, { cause: err });
    throw err;
  }
}
