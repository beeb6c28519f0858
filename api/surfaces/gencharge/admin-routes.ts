import { WorkflowIdReusePolicy } from '@temporalio/common';
import { FlowType, flowWorkflowId } from '../../../workflows/contracts.js';
import { inviteGenChargeAdmin } from '../../../workflows/index.js';
import { requireUser } from '../../auth.js';
import { startFlow } from '../../flows.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import {
  ADMIN_INVITATION_TTL_MS,
  ADMIN_SORT_COLUMNS,
  adminAwaitingPassword,
  createAdmin,
  deleteAdmin,
  getAdmin,
  listAdmins,
  setPasswordWithInvitation,
  updateAdmin,
  type RoleRef,
} from './admin-accounts.js';
import { LIST_HEADERS_NOTE, listQuery, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Email, Empty, ERRORS, IndianMobile, PersonName } from './schemas.js';
import { GENCHARGE, GENCHARGE_APP_NAME } from './tenant.js';

export const AdminBody = z
  .object({
    admin_id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    role_id: z.number().int(),
    created_at: z.string(),
    updated_at: z.string().nullable(),
  })
  .openapi('GenChargeAdmin');

const RoleId = z.number().int().positive();
const RoleName = z.string().trim().min(1).max(64);

const CreateAdminRequest = z
  .object({ name: PersonName, email: Email, phone_number: IndianMobile, role_id: RoleId.optional(), role_name: RoleName.optional() })
  .superRefine((v, ctx) => {
    if (v.role_id === undefined && v.role_name === undefined) ctx.addIssue({ code: 'custom', path: ['role_id'], message: 'Field required: role_id or role_name' });
  })
  .openapi('GenChargeCreateAdminRequest', { example: { name: 'Ops', email: 'ops@example.com', phone_number: '8888888888', role_id: 4 } });

const UpdateAdminRequest = z
  .object({
    name: PersonName.optional(),
    email: Email.optional(),
    phone_number: IndianMobile.optional(),
    role_id: RoleId.optional(),
    role_name: RoleName.optional(),
  })
  .openapi('GenChargeUpdateAdminRequest', { example: { name: 'Ops Two', email: 'ops2@example.com', role_name: 'Operator' } });

const UpdateSelfRequest = z
  .object({ name: PersonName.optional(), email: Email.optional(), phone_number: IndianMobile.optional() })
  .openapi('GenChargeUpdateSelfRequest', { example: { email: 'new-admin@example.com' } });

const SetPasswordRequest = z
  .object({
    token: z.string().min(1).max(256),
    password: z.string().min(8, 'Password must be at least 8 characters').max(128),
  })
  .openapi('GenChargeSetPasswordRequest');

const AdminParams = z.object({ phone_number: IndianMobile });

const AdminsQuery = listQuery(
  {
    name: z.string().max(100).optional().openapi({ description: 'Part of the name' }),
    email: z.string().max(254).optional().openapi({ description: 'Part of the email' }),
    phone_number: z.string().max(20).optional().openapi({ description: 'Part of the phone number' }),
    role_name: z.string().max(64).optional().openapi({ description: 'Part of the role name' }),
  },
  ADMIN_SORT_COLUMNS,
  'admin_id',
);

const roleRef = (v: { role_id?: number | undefined; role_name?: string | undefined }): RoleRef | undefined =>
  v.role_id !== undefined ? { id: v.role_id } : v.role_name !== undefined ? { name: v.role_name } : undefined;

const ROLE_NOTE = 'The role is named by `role_id` or `role_name` (the id wins if both are given); an unknown role is a 422.';

/** Admins of the panel: their own profile, the admin list, invitations, and setting the invited password. */
export function registerAdminRoutes({ deps, route, adminOnly, adminRoute, authLimit }: GenChargeRoutes): void {
  const { em } = deps;

  /**
   * Starts the invitation flow. A run still sending is joined rather than doubled; after a closed
   * run a new one starts, with a token of its own (earlier unused tokens work until one is spent).
   */
  async function sendInvitation(admin: { admin_id: number; email: string; name: string }, requestId: string): Promise<void> {
    const base = deps.config.PUBLIC_BASE_URL;
    await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
      workflow: inviteGenChargeAdmin,
      workflowId: flowWorkflowId(GENCHARGE.slug, FlowType.AdminInvitation, String(admin.admin_id)),
      args: [
        {
          tenant: GENCHARGE.slug,
          userId: admin.admin_id,
          email: admin.email,
          name: admin.name,
          appName: GENCHARGE_APP_NAME,
          expiresInMs: ADMIN_INVITATION_TTL_MS,
          ...(base && { setPasswordUrl: `${base.replace(/\/$/, '')}/gencharge/admin/set-password` }),
        },
      ],
      tenant: GENCHARGE.slug,
      userId: admin.admin_id,
      flowType: FlowType.AdminInvitation,
      requestId,
      idReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }

  route(
    {
      method: 'get',
      path: '/admin/me',
      summary: 'Get the signed-in admin',
      description: 'Any admin, whatever the role.',
      secured: true,
      responses: { 200: { description: 'The admin', schema: AdminBody }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 404: ERRORS.notFound },
    },
    ...adminOnly,
    async (req, res) => {
      res.json(await getAdmin(em, requireUser(req).id));
    },
  );

  route(
    {
      method: 'patch',
      path: '/admin/me',
      summary: 'Update the signed-in admin',
      description: 'Name, email and phone number; the role is changed by another admin. A taken email or phone number is 409.',
      secured: true,
      body: UpdateSelfRequest,
      responses: {
        200: { description: 'Updated', schema: AdminBody },
        401: ERRORS.unauthorized,
        403: ERRORS.forbidden,
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    ...adminOnly,
    async (req, res) => {
      const changes = body(req, UpdateSelfRequest);
      res.json(await updateAdmin(em, { userId: requireUser(req).id }, { name: changes.name, email: changes.email, mobile: changes.phone_number }));
    },
  );

  route(
    {
      method: 'post',
      path: '/admin/set-password',
      summary: 'Set the password of an invited admin',
      description:
        'The token comes from the invitation email a new admin receives. It works once, for 72 hours; an unknown, used or expired token is 400 with a detail that says which. The password is 8-128 characters. Afterwards the admin signs in at /auth/login with email and password.',
      secured: false,
      body: SetPasswordRequest,
      responses: { 200: { description: 'Password set', schema: Empty }, 400: { description: 'Unknown, used or expired token', schema: ERRORS.notFound.schema }, 422: ERRORS.invalid, 429: ERRORS.throttled },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, SetPasswordRequest);
      await setPasswordWithInvitation(em, input.token, input.password);
      res.json({});
    },
  );

  adminRoute(
    'Admins',
    {
      method: 'get',
      path: '/admin/',
      summary: 'List admins',
      description: `Filtered by \`name\`, \`email\`, \`phone_number\` and \`role_name\` (each: part of it), sorted by any column of the answer. ${LIST_HEADERS_NOTE}`,
      query: AdminsQuery,
      responses: { 200: { description: 'Admins', schema: z.array(AdminBody) }, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const q = query(req, AdminsQuery);
      const { items, total } = await listAdmins(em, q, q);
      sendList(res, items, total);
    },
  );

  adminRoute(
    'Admins',
    {
      method: 'post',
      path: '/admin/',
      summary: 'Create an admin and invite them',
      description: `The new admin has no password: the invitation flow (\`gencharge:admin-invitation:<admin_id>\`) emails them a one-time token, valid 72 hours, for /admin/set-password. A taken email or phone number is 409. ${ROLE_NOTE}`,
      body: CreateAdminRequest,
      responses: {
        201: { description: 'Created; the invitation is on its way', schema: AdminBody },
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      const input = body(req, CreateAdminRequest);
      const admin = await createAdmin(em, { name: input.name, email: input.email, mobile: input.phone_number, role: roleRef(input)! });
      await sendInvitation({ admin_id: admin.admin_id, email: input.email, name: input.name }, String(req.id));
      res.status(201).json(admin);
    },
  );

  adminRoute(
    'Admins',
    {
      method: 'post',
      path: '/admin/:phone_number/invitation',
      summary: 'Send an admin a new invitation',
      description:
        'For an admin who has not set a password yet: the invitation email was lost, or its token expired. A new invitation flow emails a new one-time token, valid 72 hours (while one is still sending, that one goes on instead). An admin who has set a password is 409. Not in the spec; added so an expired invitation is never a dead end.',
      params: AdminParams,
      responses: {
        202: { description: 'The invitation is on its way', schema: Empty },
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      const admin = await adminAwaitingPassword(em, params(req, AdminParams).phone_number);
      await sendInvitation(admin, String(req.id));
      res.status(202).json({});
    },
  );

  adminRoute(
    'Admins',
    {
      method: 'patch',
      path: '/admin/:phone_number',
      summary: 'Update an admin (by phone number)',
      description: `Name, email, phone number and role. A taken email or phone number is 409, and so is taking the Super Admin role from its last holder. ${ROLE_NOTE}`,
      params: AdminParams,
      body: UpdateAdminRequest,
      responses: {
        200: { description: 'Updated', schema: AdminBody },
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      const { phone_number } = params(req, AdminParams);
      const changes = body(req, UpdateAdminRequest);
      res.json(await updateAdmin(em, { mobile: phone_number }, { name: changes.name, email: changes.email, mobile: changes.phone_number, role: roleRef(changes) }));
    },
  );

  adminRoute(
    'Admins',
    {
      method: 'delete',
      path: '/admin/:phone_number',
      summary: 'Delete an admin (by phone number)',
      description: 'Their sessions end at once and open invitations are voided; the email can be used again. Nobody deletes themselves, and the last Super Admin stays (409).',
      params: AdminParams,
      responses: {
        200: { description: 'Deleted', schema: Empty },
        404: ERRORS.notFound,
        409: ERRORS.conflict,
        422: ERRORS.invalid,
      },
    },
    async (req, res) => {
      await deleteAdmin(em, requireUser(req).id, params(req, AdminParams).phone_number);
      res.json({});
    },
  );
}
