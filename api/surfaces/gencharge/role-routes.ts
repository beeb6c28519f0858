import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import { LIST_HEADERS_NOTE, listQuery, sendList } from './listing.js';
import { createRole, deleteRole, getRole, listPermissions, listRoles, updateRole } from './roles.js';
import type { GenChargeRoutes } from './router.js';
import { Empty, ERRORS, PositiveId } from './schemas.js';

export const PermissionBody = z
  .object({ permission_id: z.number().int(), resource: z.string(), read: z.boolean(), write: z.boolean(), edit: z.boolean(), delete: z.boolean() })
  .openapi('GenChargePermission');

export const RoleBody = z
  .object({ role_name: z.string(), role_id: z.number().int(), permissions: z.array(PermissionBody) })
  .openapi('GenChargeRole', { description: 'A role with its permissions in full.' });

const RoleRequest = z
  .object({
    role_name: z.string().trim().min(1).max(64),
    permission_ids: z.array(z.number().int().positive()).max(200),
  })
  .openapi('GenChargeRoleRequest', { example: { role_name: 'Support', permission_ids: [1, 2, 3] } });

const RoleParams = z.object({ role_id: PositiveId });

const RolesQuery = listQuery({ role_name: z.string().max(64).optional().openapi({ description: 'Part of the role name' }) }, ['role_id', 'role_name'], 'role_id');

const UNKNOWN_PERMISSION = 'A permission id that names no permission is a 422 on that item of `permission_ids`.';

/** Roles (sets of permissions) and the permission catalogue; the Super Admin role is fixed. */
export function registerRoleRoutes({ deps, adminRoute }: GenChargeRoutes): void {
  const { em } = deps;

  adminRoute(
    'Roles',
    {
      method: 'get',
      path: '/role/',
      summary: 'List roles',
      description: `Filtered by \`role_name\` (part of it), sorted by role_id or role_name. ${LIST_HEADERS_NOTE}`,
      query: RolesQuery,
      responses: { 200: { description: 'Roles', schema: z.array(RoleBody) }, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const q = query(req, RolesQuery);
      const { items, total } = await listRoles(em, q, { role_name: q.role_name });
      sendList(res, items, total);
    },
  );

  adminRoute(
    'Roles',
    {
      method: 'post',
      path: '/role/',
      summary: 'Create a role with permission ids',
      description: `Role names are unique (409). ${UNKNOWN_PERMISSION}`,
      body: RoleRequest,
      responses: {
        201: { description: 'Created', schema: RoleBody },
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      const input = body(req, RoleRequest);
      res.status(201).json(await createRole(em, { name: input.role_name, permissionIds: input.permission_ids }));
    },
  );

  adminRoute(
    'Roles',
    {
      method: 'get',
      path: '/role/permissions/all',
      summary: 'List all permissions',
      description: 'One permission per resource and verb (read = GET, write = POST, edit = PUT/PATCH, delete = DELETE); roles are built from their ids.',
      responses: { 200: { description: 'Permissions', schema: z.array(PermissionBody) }, 403: ERRORS.forbidden },
    },
    async (_req, res) => {
      res.json(await listPermissions(em));
    },
  );

  adminRoute(
    'Roles',
    {
      method: 'get',
      path: '/role/:role_id',
      summary: 'Get a role',
      params: RoleParams,
      responses: { 200: { description: 'The role', schema: RoleBody }, 404: ERRORS.notFound, 422: ERRORS.invalid },
    },
    async (req, res) => {
      res.json(await getRole(em, params(req, RoleParams).role_id));
    },
  );

  adminRoute(
    'Roles',
    {
      method: 'put',
      path: '/role/:role_id',
      summary: 'Update a role: name and permissions',
      description: `The permission set is replaced by \`permission_ids\`. The Super Admin role cannot be changed (409); a taken name is 409. ${UNKNOWN_PERMISSION}`,
      params: RoleParams,
      body: RoleRequest,
      responses: {
        200: { description: 'Updated', schema: RoleBody },
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      const { role_id } = params(req, RoleParams);
      const input = body(req, RoleRequest);
      res.json(await updateRole(em, role_id, { name: input.role_name, permissionIds: input.permission_ids }));
    },
  );

  adminRoute(
    'Roles',
    {
      method: 'delete',
      path: '/role/:role_id',
      summary: 'Delete a role',
      description: 'The Super Admin role, and a role any admin holds, cannot be deleted (409).',
      params: RoleParams,
      responses: {
        200: { description: 'Deleted', schema: Empty },
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      await deleteRole(em, params(req, RoleParams).role_id);
      res.json({});
    },
  );
}
