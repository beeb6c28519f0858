import type { RequestHandler } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType, publicError } from '../../../core/errors.js';
import { requireUser } from '../../auth.js';
import type { PermissionAction, Resource } from './tenant.js';

/** True when the admin's role is the super-admin role or holds a permission row granting the action on the resource. */
export async function adminMay(em: EntityManager, adminId: number, resource: Resource, action: PermissionAction): Promise<boolean> {
  // `action` is one of four column names (typed), never user input.
  const [row] = await em.fork().execute<{ allowed: boolean }[]>(
    `select exists (
       select 1 from gencharge_admins a join gencharge_roles r on r.id = a.role_id
       where a.user_id = ? and (r.super_admin or exists (
         select 1 from gencharge_role_permissions rp join gencharge_permissions p on p.id = rp.permission_id
         where rp.role_id = r.id and p.resource = ? and p."${action}"))
     ) as allowed`,
    [adminId, resource],
  );
  return row?.allowed === true;
}

/** After a signed-in check: only an admin whose role grants `action` on `resource` goes on. */
export function requirePermission(em: EntityManager, resource: Resource, action: PermissionAction): RequestHandler {
  return async (req, _res, next) => {
    const caller = requireUser(req);
    if (caller.role !== 'admin' || !(await adminMay(em, caller.id, resource, action))) {
      throw publicError(FailureType.Forbidden, 'Not enough permissions');
    }
    next();
  };
}

/** After a signed-in check: admins only (their own profile), whatever their role. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (requireUser(req).role !== 'admin') throw publicError(FailureType.Forbidden, 'Not enough permissions');
  next();
};

/** After a signed-in check: mobile users only; admins have no wallet or profile here. */
export const requireMobileUser: RequestHandler = (req, _res, next) => {
  if (requireUser(req).role !== 'user') throw publicError(FailureType.Forbidden, 'Only GenCharge users can do this');
  next();
};
