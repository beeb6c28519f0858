import { GENCHARGE_USER_STATUSES, GENCHARGE_USER_TYPES } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import { autopayDeps, stopAutopaysOf } from './autopay.js';
import { LIST_HEADERS_NOTE, listQuery, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Email, Empty, ERRORS, PositiveId } from './schemas.js';
import {
  archiveUser,
  getPreferences,
  listUsers,
  PREFERENCE_FLAGS,
  putPreferences,
  setBlocked,
  updateEmail,
  updateProfile,
  USER_SORT_COLUMNS,
  userView,
  type PreferenceFlags,
  type UserRecordView,
} from './users.js';

const UserType = z.enum(GENCHARGE_USER_TYPES);
const UserStatus = z.enum(GENCHARGE_USER_STATUSES);
const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-11-10T10:00:00.000Z' });
const Rupees = z.number().openapi({ description: 'Wallet balance in rupees', example: 0 });

const UserListItem = z
  .object({
    user_id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    referral_code: z.string(),
    user_type: UserType,
    status: UserStatus,
    wallet_balance: Rupees,
    created_at: Timestamp,
  })
  .openapi('GenChargeUserListItem');
const ArchivedUser = UserListItem.extend({ referee_code: z.string().nullable(), deleted_at: Timestamp }).openapi('GenChargeArchivedUser');
const UserStatusView = z
  .object({ user_id: z.number().int(), status: UserStatus, phone_number: z.string().nullable(), user_type: UserType, created_at: Timestamp })
  .openapi('GenChargeUserStatus');
const MyProfile = z
  .object({
    user_id: z.number().int(),
    name: z.string(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    user_type: UserType,
    status: UserStatus,
    wallet_balance: Rupees,
    created_at: Timestamp,
  })
  .openapi('GenChargeMyProfile');
const MyEmail = MyProfile.omit({ name: true }).openapi('GenChargeMyEmail');

const flagShape = Object.fromEntries(PREFERENCE_FLAGS.map((flag) => [flag, z.boolean()])) as Record<keyof PreferenceFlags, z.ZodBoolean>;
const PreferencesBody = z.object(flagShape).openapi('GenChargePreferencesRequest');
const PreferencesView = z.object({ user_id: z.number().int(), ...flagShape }).openapi('GenChargePreferences');

const UsersQuery = listQuery(
  {
    name: z.string().max(100).optional(),
    email: z.string().max(254).optional(),
    phone: z.string().max(20).optional().openapi({ description: 'Part of the phone number' }),
    status: UserStatus.optional(),
    user_type: UserType.optional(),
  },
  ['user_id', 'name', 'email', 'phone_number', 'user_type', 'status', 'created_at'],
  'user_id',
);
const ArchivedQuery = listQuery(UsersQuery.pick({ name: true, email: true, phone: true, status: true, user_type: true }).shape, [...Object.keys(USER_SORT_COLUMNS)] as [
  keyof typeof USER_SORT_COLUMNS,
  ...(keyof typeof USER_SORT_COLUMNS)[],
], 'deleted_at');
const UserIdParams = z.object({ user_id: PositiveId });
const EmailBody = z.object({ email: Email }).openapi('GenChargeEmailUpdate');
const SwitchTypeBody = z.object({ user_type: UserType }).openapi('GenChargeSwitchType');

const listItem = ({ referee_code: _referee, deleted_at: _deleted, ...item }: UserRecordView) => item;
const statusView = (u: UserRecordView) => ({ user_id: u.user_id, status: u.status, phone_number: u.phone_number, user_type: u.user_type, created_at: u.created_at });
const myProfile = (u: UserRecordView) => ({
  user_id: u.user_id,
  name: u.name,
  email: u.email,
  phone_number: u.phone_number,
  user_type: u.user_type,
  status: u.status,
  wallet_balance: u.wallet_balance,
  created_at: u.created_at,
});

const FILTERS_NOTE = 'Filters: `name`, `email` and `phone` match any part (case-insensitive), `status` and `user_type` exactly.';

export function registerUserRoutes({ deps, route, adminRoute, userOnly }: GenChargeRoutes): void {
  const { em } = deps;
  const autopay = autopayDeps(deps);
  const me = (req: Parameters<typeof requireUser>[0]) => requireUser(req).id;

  adminRoute(
    'Users',
    {
      method: 'get',
      path: '/user/admin',
      summary: 'Users (admin)',
      description: `Live mobile users with their wallet balance in rupees. ${FILTERS_NOTE} ${LIST_HEADERS_NOTE}`,
      query: UsersQuery,
      responses: { 200: { description: 'A page of users', schema: z.array(UserListItem) }, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const { skip, limit, sort_by, sort_order, ...filters } = query(req, UsersQuery);
      const page = await listUsers(em, filters, { skip, limit, sort_by, sort_order });
      sendList(res, page.items.map(listItem), page.total);
    },
  );

  adminRoute(
    'Users',
    {
      method: 'get',
      path: '/user/admin/archived',
      summary: 'Archived users (admin)',
      description: `Users archived by an admin or by themselves, with when (\`deleted_at\`); newest archive last by default. ${FILTERS_NOTE} ${LIST_HEADERS_NOTE}`,
      query: ArchivedQuery,
      responses: { 200: { description: 'A page of archived users', schema: z.array(ArchivedUser) }, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const { skip, limit, sort_by, sort_order, ...filters } = query(req, ArchivedQuery);
      const page = await listUsers(em, filters, { skip, limit, sort_by, sort_order }, true);
      sendList(res, page.items, page.total);
    },
  );

  for (const blocked of [true, false]) {
    adminRoute(
      'Users',
      {
        method: 'post',
        path: `/user/admin/${blocked ? 'block' : 'unblock'}/:user_id`,
        summary: blocked ? 'Block a user (admin)' : 'Unblock a user (admin)',
        description: blocked
          ? 'The user is signed out everywhere at once and gets no login code until unblocked. Blocking a blocked user changes nothing.'
          : 'A blocked account becomes active again and the user can request a login code; an account the user deactivated stays inactive.',
        params: UserIdParams,
        responses: { 200: { description: 'The new status', schema: UserStatusView }, 404: ERRORS.notFound, 422: ERRORS.invalid },
      },
      async (req, res) => {
        const { user_id } = params(req, UserIdParams);
        res.json(statusView(await setBlocked(em, user_id, blocked)));
      },
    );
  }

  adminRoute(
    'Users',
    {
      method: 'delete',
      path: '/user/admin/:user_id',
      summary: 'Archive a user (admin)',
      description: 'Archives the user: signed out everywhere, their autopay rules disabled (Schedules paused), listed under /user/admin/archived, wallet history kept. The phone number and email can sign up again.',
      params: UserIdParams,
      responses: { 200: { description: 'Archived', schema: Empty }, 404: ERRORS.notFound, 422: ERRORS.invalid },
    },
    async (req, res) => {
      const { user_id } = params(req, UserIdParams);
      await archiveUser(em, user_id);
      await stopAutopaysOf(autopay, user_id);
      res.json({});
    },
  );

  route(
    {
      method: 'get',
      path: '/user/me',
      summary: 'My profile',
      description: 'With the wallet balance in rupees as the ledger has it now.',
      secured: true,
      responses: { 200: { description: 'My profile', schema: MyProfile }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden },
    },
    ...userOnly,
    async (req, res) => {
      res.json(myProfile(await userView(em, me(req))));
    },
  );

  route(
    {
      method: 'delete',
      path: '/user/me',
      summary: 'Delete my account',
      description: 'Archives the account, signs out everywhere and stops its autopay rules. The phone number can sign up again as a new account.',
      secured: true,
      responses: { 200: { description: 'Deleted', schema: Empty }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden },
    },
    ...userOnly,
    async (req, res) => {
      await archiveUser(em, me(req));
      await stopAutopaysOf(autopay, me(req));
      res.json({});
    },
  );

  route(
    {
      method: 'put',
      path: '/user/me/email',
      summary: 'Change my email',
      description: 'An email another account uses is a 409.',
      secured: true,
      body: EmailBody,
      responses: { 200: { description: 'Updated', schema: MyEmail }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 409: ERRORS.conflict, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      const { name: _name, ...updated } = myProfile(await updateEmail(em, me(req), body(req, EmailBody).email));
      res.json(updated);
    },
  );

  route(
    {
      method: 'put',
      path: '/user/me/switch-type',
      summary: 'Switch between prepaid and postpaid',
      secured: true,
      body: SwitchTypeBody,
      responses: { 200: { description: 'Switched', schema: UserStatusView }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      res.json(statusView(await updateProfile(em, me(req), { userType: body(req, SwitchTypeBody).user_type })));
    },
  );

  for (const active of [false, true]) {
    route(
      {
        method: 'post',
        path: active ? '/user/me/reactivate' : '/user/me/deactivate',
        summary: active ? 'Reactivate my account' : 'Deactivate my account',
        description: active
          ? 'The account becomes active again.'
          : 'The account becomes inactive until reactivated; the user can still log in (to reactivate). A blocked account cannot change its own status (403).',
        secured: true,
        responses: { 200: { description: 'The new status', schema: UserStatusView }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden },
      },
      ...userOnly,
      async (req, res) => {
        res.json(statusView(await updateProfile(em, me(req), { status: active ? 'active' : 'inactive' })));
      },
    );
  }

  route(
    {
      method: 'get',
      path: '/user/preference',
      summary: 'My preferences',
      description: 'The eight notification and privacy switches.',
      secured: true,
      responses: { 200: { description: 'My preferences', schema: PreferencesView }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden },
    },
    ...userOnly,
    async (req, res) => {
      res.json(await getPreferences(em, me(req)));
    },
  );

  route(
    {
      method: 'put',
      path: '/user/preference',
      summary: 'Replace my preferences',
      description: 'All eight switches are required; the answer is what is stored.',
      secured: true,
      body: PreferencesBody,
      responses: { 200: { description: 'Stored', schema: PreferencesView }, 401: ERRORS.unauthorized, 403: ERRORS.forbidden, 422: ERRORS.invalid },
    },
    ...userOnly,
    async (req, res) => {
      res.json(await putPreferences(em, me(req), body(req, PreferencesBody)));
    },
  );
}
