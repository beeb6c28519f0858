import { uniqueId } from './db.js';
import { GC, gencharge, newEmail, newIndianMobile, type GenChargeSession } from './gencharge.js';
import { eventually } from './maxtera.js';
import type { TestPlatform } from './platform.js';

export type Verb = 'read' | 'write' | 'edit' | 'delete';
export type Grant = [resource: string, verb: Verb];

export interface GenChargePermissionRow {
  permission_id: number;
  resource: string;
  read: boolean;
  write: boolean;
  edit: boolean;
  delete: boolean;
}

export interface InvitedAdmin {
  adminId: number;
  email: string;
  phone: string;
  name: string;
  roleId: number;
}

export const ADMIN_PASSWORD = 'admin-invited-pass-1';

/** Roles, invited admins and mobile-user tokens for the GenCharge admin tests. */
export function genchargeAdmins(platform: TestPlatform) {
  const gc = gencharge(platform);
  const api = gc.api;

  let catalogue: Promise<GenChargePermissionRow[]> | undefined;
  async function permissions(): Promise<GenChargePermissionRow[]> {
    catalogue ??= gc.superAdmin().then(async (s) => {
      const res = await api().get(`${GC}/role/permissions/all`).set(s.auth);
      if (res.status !== 200) throw new Error(`permissions failed: ${res.status} ${res.text}`);
      return res.body as GenChargePermissionRow[];
    });
    return catalogue;
  }

  /** The id of the permission row granting exactly `verb` on `resource`. */
  async function permissionId([resource, verb]: Grant): Promise<number> {
    const row = (await permissions()).find((p) => p.resource === resource && p[verb] && ['read', 'write', 'edit', 'delete'].filter((v) => p[v as Verb]).length === 1);
    if (!row) throw new Error(`no permission ${verb} on ${resource}`);
    return row.permission_id;
  }

  /** Every single-verb grant there is, but the ones named. */
  async function allGrantsBut(...excluded: Grant[]): Promise<Grant[]> {
    const verbs: Verb[] = ['read', 'write', 'edit', 'delete'];
    return (await permissions())
      .map((p): Grant => [p.resource, verbs.find((v) => p[v])!])
      .filter(([resource, verb]) => !excluded.some(([r, v]) => r === resource && v === verb));
  }

  async function createRole(grants: Grant[], name = uniqueId('role')): Promise<{ role_id: number; role_name: string; permissions: GenChargePermissionRow[] }> {
    const s = await gc.superAdmin();
    const ids = await Promise.all(grants.map(permissionId));
    const res = await api().post(`${GC}/role/`).set(s.auth).send({ role_name: name, permission_ids: ids });
    if (res.status !== 201) throw new Error(`create role failed: ${res.status} ${res.text}`);
    return res.body;
  }

  /** POST /admin/ as the super-admin; the invitation email goes out through the flow. */
  async function invite(roleId: number, opts: { email?: string; phone?: string; name?: string } = {}): Promise<InvitedAdmin> {
    const s = await gc.superAdmin();
    const email = opts.email ?? newEmail();
    const phone = opts.phone ?? newIndianMobile();
    const name = opts.name ?? 'Ops';
    const res = await api().post(`${GC}/admin/`).set(s.auth).send({ name, email, phone_number: phone, role_id: roleId });
    if (res.status !== 201) throw new Error(`create admin failed: ${res.status} ${res.text}`);
    return { adminId: res.body.admin_id, email, phone, name, roleId };
  }

  /** The one-time token of the newest invitation email to `email`, once it has arrived. */
  async function invitationToken(email: string): Promise<string> {
    const res = await eventually(
      () => api().get('/sandbox/outbox').query({ to: email }),
      (r) => /Token: (\S+)/.test(r.body.messages?.[0]?.body ?? ''),
    );
    return /Token: (\S+)/.exec(res.body.messages[0].body)![1]!;
  }

  /** An admin whose role grants exactly `grants`, invited, with a password set, signed in. */
  async function adminWith(grants: Grant[]): Promise<GenChargeSession & InvitedAdmin> {
    const role = await createRole(grants);
    const admin = await invite(role.role_id);
    const token = await invitationToken(admin.email);
    const set = await api().post(`${GC}/admin/set-password`).send({ token, password: ADMIN_PASSWORD });
    if (set.status !== 200) throw new Error(`set-password failed: ${set.status} ${set.text}`);
    return { ...admin, ...(await gc.adminLogin(admin.email, ADMIN_PASSWORD)) };
  }

  /** A signed-in mobile user, through sign-up. */
  const mobileUser = (): Promise<GenChargeSession> => gc.signUp();

  return { gc, api, permissions, permissionId, allGrantsBut, createRole, invite, invitationToken, adminWith, mobileUser };
}
