import { createHash } from 'node:crypto';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { uniqueId } from '../support/db.js';
import { GC, newEmail, newIndianMobile } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { eventually } from '../support/maxtera.js';
import { ADMIN_PASSWORD, genchargeAdmins } from '../support/gencharge-admins.js';
import { TEST_ENV } from '../support/test-env.js';

let platform: TestPlatform;
let ga: ReturnType<typeof genchargeAdmins>;

beforeAll(async () => {
  platform = await startTestPlatform();
  ga = genchargeAdmins(platform);
});
afterAll(async () => {
  await platform.stop();
});

const superAdmin = () => ga.gc.superAdmin();
const api = () => ga.api();

async function rowCount(sql: string, values: unknown[]): Promise<number> {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, values);
  return Number(row!.n);
}

describe('GenCharge roles', () => {
  it('when the permissions are listed, then each resource has one permission per verb, in full', async () => {
    const res = await api().get(`${GC}/role/permissions/all`).set((await superAdmin()).auth);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(14 * 4);
    expect(res.body).toContainEqual({ permission_id: expect.any(Number), resource: 'Roles', read: false, write: true, edit: false, delete: false });
  });

  it('when a role is created, then it answers 201 with its permissions in full, and reads back the same', async () => {
    const s = await superAdmin();
    const ids = [await ga.permissionId(['Plans', 'read']), await ga.permissionId(['Plans', 'edit'])];
    const name = uniqueId('Support');
    const res = await api().post(`${GC}/role/`).set(s.auth).send({ role_name: name, permission_ids: [...ids, ids[0]] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      role_name: name,
      role_id: expect.any(Number),
      permissions: [
        { permission_id: ids[0], resource: 'Plans', read: true, write: false, edit: false, delete: false },
        { permission_id: ids[1], resource: 'Plans', read: false, write: false, edit: true, delete: false },
      ].sort((a, b) => a.permission_id! - b.permission_id!),
    });
    const got = await api().get(`${GC}/role/${res.body.role_id}`).set(s.auth);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const listed = await api().get(`${GC}/role/`).query({ role_name: name }).set(s.auth);
    expect(listed.status).toBe(200);
    expect(listed.headers['x-total-count']).toBe('1');
    expect(listed.body).toEqual([res.body]);
  });

  it('when a role name is taken, then it is 409 and no second role is written', async () => {
    const role = await ga.createRole([['Plans', 'read']]);
    const res = await api().post(`${GC}/role/`).set((await superAdmin()).auth).send({ role_name: role.role_name, permission_ids: [] });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: 'A role with this name already exists' });
    expect(await rowCount('gencharge_roles where name = ?', [role.role_name])).toBe(1);
  });

  it('when a permission id names no permission, then it is 422 on that item and nothing is written', async () => {
    const name = uniqueId('Ghost');
    const res = await api().post(`${GC}/role/`).set((await superAdmin()).auth).send({ role_name: name, permission_ids: [await ga.permissionId(['Plans', 'read']), 999999] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ loc: ['body', 'permission_ids', 1], msg: 'Value error, permission 999999 does not exist', type: 'value_error' }] });
    expect(await rowCount('gencharge_roles where name = ?', [name])).toBe(0);
  });

  it('when a role is updated, then its name and permission set are replaced', async () => {
    const s = await superAdmin();
    const role = await ga.createRole([['Plans', 'read'], ['Plans', 'write']]);
    const offers = await ga.permissionId(['Offers', 'delete']);
    const name = uniqueId('Support Plus');
    const res = await api().put(`${GC}/role/${role.role_id}`).set(s.auth).send({ role_name: name, permission_ids: [offers] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ role_name: name, role_id: role.role_id, permissions: [{ permission_id: offers, resource: 'Offers', read: false, write: false, edit: false, delete: true }] });
    expect((await api().get(`${GC}/role/${role.role_id}`).set(s.auth)).body).toEqual(res.body);

    const other = await ga.createRole([['Plans', 'read']]);
    const taken = await api().put(`${GC}/role/${role.role_id}`).set(s.auth).send({ role_name: other.role_name, permission_ids: [] });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ detail: 'A role with this name already exists' });
    expect((await api().get(`${GC}/role/${role.role_id}`).set(s.auth)).body).toEqual(res.body);
  });

  it('when the Super Admin role is edited or deleted, then it is 409 and it keeps every permission', async () => {
    const s = await superAdmin();
    const [superRole] = await platform.orm.em.fork().execute<{ id: number }[]>('select id from gencharge_roles where super_admin');
    const put = await api().put(`${GC}/role/${superRole!.id}`).set(s.auth).send({ role_name: 'Not so super', permission_ids: [] });
    expect(put.status).toBe(409);
    expect(put.body).toEqual({ detail: 'The Super Admin role cannot be changed' });
    const del = await api().delete(`${GC}/role/${superRole!.id}`).set(s.auth);
    expect(del.status).toBe(409);
    expect(del.body).toEqual({ detail: 'The Super Admin role cannot be deleted' });
    const got = await api().get(`${GC}/role/${superRole!.id}`).set(s.auth);
    expect(got.body.role_name).toBe('Super Admin');
    expect(got.body.permissions).toHaveLength(14 * 4);
  });

  it('when a role an admin holds is deleted, then it is 409 until the admin is gone, and then 404 after', async () => {
    const s = await superAdmin();
    const role = await ga.createRole([['Plans', 'read']]);
    const admin = await ga.invite(role.role_id);
    const refused = await api().delete(`${GC}/role/${role.role_id}`).set(s.auth);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'The role is assigned to admins; give them another role first' });
    expect(await rowCount('gencharge_roles where id = ?', [role.role_id])).toBe(1);

    expect((await api().delete(`${GC}/admin/${admin.phone}`).set(s.auth)).status).toBe(200);
    const deleted = await api().delete(`${GC}/role/${role.role_id}`).set(s.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await api().get(`${GC}/role/${role.role_id}`).set(s.auth);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Role not found' });
    expect((await api().put(`${GC}/role/${role.role_id}`).set(s.auth).send({ role_name: uniqueId('x'), permission_ids: [] })).status).toBe(404);
  });

  it('when role requests are malformed, then they are 422 in FastAPI style', async () => {
    const s = await superAdmin();
    const badId = await api().get(`${GC}/role/abc`).set(s.auth);
    expect(badId.status).toBe(422);
    expect(badId.body.detail[0].loc).toEqual(['path', 'role_id']);
    const missing = await api().post(`${GC}/role/`).set(s.auth).send({ permission_ids: [] });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ detail: [{ loc: ['body', 'role_name'], msg: expect.any(String), type: 'missing' }] });
    const badList = await api().post(`${GC}/role/`).set(s.auth).send({ role_name: uniqueId('r'), permission_ids: 'all' });
    expect(badList.status).toBe(422);
    expect((await api().get(`${GC}/role/`).query({ sort_by: 'password' }).set(s.auth)).status).toBe(422);
    expect((await api().get(`${GC}/role/`).query({ skip: -1 }).set(s.auth)).status).toBe(422);
    const badJson = await api().post(`${GC}/role/`).set(s.auth).set('Content-Type', 'application/json').send('{"role_name":');
    expect(badJson.status).toBe(422);
  });
});

describe('GenCharge admins and their invitation', () => {
  it('when an admin is created, then the invitation email carries a one-time token that sets the password, after which email and password sign in', async () => {
    const role = await ga.createRole([['Plans', 'read']]);
    const email = newEmail();
    const phone = newIndianMobile();
    const res = await api().post(`${GC}/admin/`).set((await superAdmin()).auth).send({ name: 'Ops', email: email.toUpperCase(), phone_number: `+91 ${phone}`, role_id: role.role_id });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ admin_id: expect.any(Number), name: 'Ops', email, phone_number: phone, role_id: role.role_id, created_at: ISO, updated_at: null });
    const stored = await platform.orm.em.fork().execute<{ role: string; tenant: string; password_hash: string | null; phone: string }[]>(
      'select u.role, u.tenant, u.password_hash, a.phone from users u join gencharge_admins a on a.user_id = u.id where u.id = ?',
      [res.body.admin_id],
    );
    expect(stored).toEqual([{ role: 'admin', tenant: 'gencharge', password_hash: null, phone: `+91${phone}` }]);

    const token = await ga.invitationToken(email);
    const flow = await platform.temporal.workflow.getHandle(`gencharge:admin-invitation:${res.body.admin_id}`).result();
    expect(flow).toEqual({ status: 'sent', expiresAt: ISO });
    const hoursLeft = (Date.parse((flow as { expiresAt: string }).expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(71.9);
    expect(hoursLeft).toBeLessThanOrEqual(72);
    const [invite] = await platform.orm.em.fork().execute<{ token_hash: string }[]>('select token_hash from gencharge_admin_invites where user_id = ?', [res.body.admin_id]);
    // Only the token's hash is kept.
    expect(invite!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));

    expect((await api().post(`${GC}/auth/login`).send({ email, password: ADMIN_PASSWORD })).status).toBe(401);
    const set = await api().post(`${GC}/admin/set-password`).send({ token, password: ADMIN_PASSWORD });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({});
    const session = await ga.gc.adminLogin(email, ADMIN_PASSWORD);
    const me = await api().get(`${GC}/admin/me`).set(session.auth);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);

    const again = await api().post(`${GC}/admin/set-password`).send({ token, password: 'another-password-2' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: 'This invitation has already been used' });
    expect((await api().post(`${GC}/auth/login`).send({ email, password: 'another-password-2' })).status).toBe(401);
  });

  it('when an invitation has expired, then a new one can be sent until the admin sets a password, and then it is 409', async () => {
    const role = await ga.createRole([['Plans', 'read']]);
    const admin = await ga.invite(role.role_id);
    const first = await ga.invitationToken(admin.email);
    // The email lands a moment before its flow closes; a resend while it runs joins it (no new token).
    await platform.temporal.workflow.getHandle(`gencharge:admin-invitation:${admin.adminId}`).result();
    await platform.orm.em.fork().execute(`update gencharge_admin_invites set expires_at = now() - interval '1 second' where user_id = ?`, [admin.adminId]);
    const s = await superAdmin();

    const resent = await api().post(`${GC}/admin/${admin.phone}/invitation`).set(s.auth);
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({});
    const second = await eventually(() => ga.invitationToken(admin.email), (token) => token !== first);
    expect((await api().post(`${GC}/admin/set-password`).send({ token: first, password: ADMIN_PASSWORD })).body).toEqual({
      detail: 'This invitation has expired; ask an admin to invite you again',
    });
    expect((await api().post(`${GC}/admin/set-password`).send({ token: second, password: ADMIN_PASSWORD })).status).toBe(200);
    await ga.gc.adminLogin(admin.email, ADMIN_PASSWORD);

    // A working account is never re-invited: a token would let its holder replace the password.
    const refused = await api().post(`${GC}/admin/${admin.phone}/invitation`).set(s.auth);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'This admin has already set a password' });
    expect(await rowCount('gencharge_admin_invites where user_id = ?', [admin.adminId])).toBe(2);
    expect((await api().post(`${GC}/admin/9000000002/invitation`).set(s.auth)).status).toBe(404);
  });

  it('when the token is unknown, expired or the password too short, then nothing is set', async () => {
    const role = await ga.createRole([['Plans', 'read']]);
    const admin = await ga.invite(role.role_id);
    const token = await ga.invitationToken(admin.email);

    const unknown = await api().post(`${GC}/admin/set-password`).send({ token: 'not-a-token', password: ADMIN_PASSWORD });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ detail: 'Invalid invitation token' });
    const short = await api().post(`${GC}/admin/set-password`).send({ token, password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body).toEqual({ detail: [{ loc: ['body', 'password'], msg: 'Password must be at least 8 characters', type: 'string_too_short' }] });

    await platform.orm.em.fork().execute(`update gencharge_admin_invites set expires_at = now() - interval '1 second' where user_id = ?`, [admin.adminId]);
    const expired = await api().post(`${GC}/admin/set-password`).send({ token, password: ADMIN_PASSWORD });
    expect(expired.status).toBe(400);
    expect(expired.body).toEqual({ detail: 'This invitation has expired; ask an admin to invite you again' });
    expect(await rowCount('users where id = ? and password_hash is not null', [admin.adminId])).toBe(0);
  });

  it('when the email or phone number is taken, then it is 409 and no account is written', async () => {
    const s = await superAdmin();
    const role = await ga.createRole([['Plans', 'read']]);
    const first = await ga.invite(role.role_id);
    const takenEmail = await api().post(`${GC}/admin/`).set(s.auth).send({ name: 'Dup', email: first.email, phone_number: newIndianMobile(), role_id: role.role_id });
    expect(takenEmail.status).toBe(409);
    expect(takenEmail.body).toEqual({ detail: 'An account with this email already exists' });
    const email = newEmail();
    const takenPhone = await api().post(`${GC}/admin/`).set(s.auth).send({ name: 'Dup', email, phone_number: '9999999999', role_id: role.role_id });
    expect(takenPhone.status).toBe(409);
    expect(takenPhone.body).toEqual({ detail: 'An admin with this phone number already exists' });
    expect(await rowCount(`users where tenant = 'gencharge' and email = ?`, [email])).toBe(0);

    const patched = await api().patch(`${GC}/admin/${first.phone}`).set(s.auth).send({ phone_number: '9999999999' });
    expect(patched.status).toBe(409);
  });

  it('when admin bodies are invalid, then they are 422 naming the field', async () => {
    const s = await superAdmin();
    const res = await api().post(`${GC}/admin/`).set(s.auth).send({ name: 'X', email: 'not-an-email', phone_number: '12345', role_id: 1 });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([
      ['body', 'email'],
      ['body', 'phone_number'],
    ]);
    const noRole = await api().post(`${GC}/admin/`).set(s.auth).send({ name: 'X', email: newEmail(), phone_number: newIndianMobile() });
    expect(noRole.status).toBe(422);
    expect(noRole.body.detail[0].loc).toEqual(['body', 'role_id']);
    const unknownRole = await api().post(`${GC}/admin/`).set(s.auth).send({ name: 'X', email: newEmail(), phone_number: newIndianMobile(), role_id: 999999 });
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body).toEqual({ detail: [{ loc: ['body', 'role_id'], msg: 'Value error, role 999999 does not exist', type: 'value_error' }] });
    expect((await api().patch(`${GC}/admin/abc`).set(s.auth).send({})).status).toBe(422);
    expect((await api().get(`${GC}/admin/`).query({ sort_by: 'password' }).set(s.auth)).status).toBe(422);
    expect((await api().get(`${GC}/admin/`).query({ limit: 501 }).set(s.auth)).status).toBe(422);
  });

  it('when an admin updates themselves, then name, email and phone change but not the role', async () => {
    const admin = await ga.adminWith([['Plans', 'read']]);
    const email = newEmail();
    const phone = newIndianMobile();
    const res = await api().patch(`${GC}/admin/me`).set(admin.auth).send({ name: 'Renamed', email, phone_number: phone, role_id: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ admin_id: admin.adminId, name: 'Renamed', email, phone_number: phone, role_id: admin.roleId, created_at: ISO, updated_at: ISO });
    await ga.gc.adminLogin(email, ADMIN_PASSWORD);
  });

  it('when an admin is updated by phone number, then the role can be named by name', async () => {
    const s = await superAdmin();
    const from = await ga.createRole([['Plans', 'read']]);
    const to = await ga.createRole([['Offers', 'read']]);
    const admin = await ga.invite(from.role_id);
    const phone = newIndianMobile();
    const res = await api().patch(`${GC}/admin/${admin.phone}`).set(s.auth).send({ name: 'Ops Two', phone_number: phone, role_name: to.role_name });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ admin_id: admin.adminId, name: 'Ops Two', email: admin.email, phone_number: phone, role_id: to.role_id, created_at: ISO, updated_at: ISO });
    const gone = await api().patch(`${GC}/admin/${admin.phone}`).set(s.auth).send({ name: 'Nobody' });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Admin not found' });
  });

  it('when an admin deletes themselves, or the last Super Admin is removed or demoted, then it is 409', async () => {
    const admin = await ga.adminWith([['Admins', 'delete'], ['Admins', 'edit']]);
    const self = await api().delete(`${GC}/admin/${admin.phone}`).set(admin.auth);
    expect(self.status).toBe(409);
    expect(self.body).toEqual({ detail: 'You cannot delete your own admin account' });

    const holders = await rowCount('gencharge_admins a join gencharge_roles r on r.id = a.role_id where r.super_admin', []);
    if (holders === 1) {
      const last = await api().delete(`${GC}/admin/9999999999`).set(admin.auth);
      expect(last.status).toBe(409);
      expect(last.body).toEqual({ detail: 'The last Super Admin cannot be removed or demoted' });
      const demoted = await api().patch(`${GC}/admin/9999999999`).set(admin.auth).send({ role_id: admin.roleId });
      expect(demoted.status).toBe(409);
    }
    expect(await rowCount(`gencharge_admins where phone = '+919999999999'`, [])).toBe(1);
    await ga.gc.adminLogin('admin@gencharge.local', TEST_ENV.SEED_ADMIN_PASSWORD);
  });

  it('when an admin is deleted, then their sessions end, they cannot sign in, and the email can be invited again', async () => {
    const s = await superAdmin();
    const admin = await ga.adminWith([['Plans', 'read']]);
    expect((await api().get(`${GC}/admin/me`).set(admin.auth)).status).toBe(200);
    const res = await api().delete(`${GC}/admin/${admin.phone}`).set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await api().get(`${GC}/admin/me`).set(admin.auth)).status).toBe(401);
    expect((await api().post(`${GC}/auth/refresh`).send({ refresh_token: admin.refresh })).status).toBe(401);
    expect((await api().post(`${GC}/auth/login`).send({ email: admin.email, password: ADMIN_PASSWORD })).status).toBe(401);
    expect((await api().delete(`${GC}/admin/${admin.phone}`).set(s.auth)).status).toBe(404);
    const again = await ga.invite(admin.roleId, { email: admin.email, phone: admin.phone });
    expect(again.adminId).not.toBe(admin.adminId);
  });

  it('when admins are listed, then filters, sorting and paging apply and X-Total-Count counts the matches', async () => {
    const s = await superAdmin();
    const role = await ga.createRole([['Plans', 'read']]);
    const tag = uniqueId('Lst');
    const made = [];
    for (const name of [`${tag} Charlie`, `${tag} Alpha`, `${tag} Bravo`]) made.push(await ga.invite(role.role_id, { name }));
    const list = (q: Record<string, unknown>) => api().get(`${GC}/admin/`).query(q).set(s.auth);

    const byName = await list({ name: tag.toLowerCase(), sort_by: 'name', sort_order: 'desc' });
    expect(byName.status).toBe(200);
    expect(byName.headers['x-total-count']).toBe('3');
    expect(byName.body.map((a: { name: string }) => a.name)).toEqual([`${tag} Charlie`, `${tag} Bravo`, `${tag} Alpha`]);

    const page = await list({ name: tag, sort_by: 'admin_id', skip: 1, limit: 1 });
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body).toEqual([
      { admin_id: made[1]!.adminId, name: `${tag} Alpha`, email: made[1]!.email, phone_number: made[1]!.phone, role_id: role.role_id, created_at: ISO, updated_at: null },
    ]);

    const byRole = await list({ role_name: role.role_name });
    expect(byRole.body.map((a: { admin_id: number }) => a.admin_id).sort()).toEqual(made.map((m) => m.adminId).sort());
    const byEmail = await list({ email: made[2]!.email.toUpperCase() });
    expect(byEmail.body.map((a: { admin_id: number }) => a.admin_id)).toEqual([made[2]!.adminId]);
    const byPhone = await list({ phone_number: made[0]!.phone });
    expect(byPhone.body.map((a: { admin_id: number }) => a.admin_id)).toEqual([made[0]!.adminId]);
    const byEmailSort = await list({ name: tag, sort_by: 'email' });
    expect(byEmailSort.body.map((a: { email: string }) => a.email)).toEqual(made.map((m) => m.email).sort());
  });

  it('when a mobile user or an admin without the Admins permission calls admin routes, then it is 403; /admin/me is any admin', async () => {
    const user = await ga.mobileUser();
    expect((await api().get(`${GC}/admin/me`).set(user.auth)).status).toBe(403);
    const admin = await ga.adminWith([['Plans', 'read']]);
    expect((await api().get(`${GC}/admin/me`).set(admin.auth)).status).toBe(200);
    const list = await api().get(`${GC}/admin/`).set(admin.auth);
    expect(list.status).toBe(403);
    expect(list.body).toEqual({ detail: 'Not enough permissions' });
    expect((await api().get(`${GC}/admin/`)).status).toBe(401);
  });
});

describe('GenCharge admin and role routes without a token', () => {
  it('when each is called without a token, then it is 401; set-password is public and documented', async () => {
    const rows: [string, string][] = [
      ['get', '/admin/me'],
      ['patch', '/admin/me'],
      ['get', '/admin/'],
      ['post', '/admin/'],
      ['patch', '/admin/9876543210'],
      ['delete', '/admin/9876543210'],
      ['get', '/role/'],
      ['post', '/role/'],
      ['get', '/role/1'],
      ['put', '/role/1'],
      ['delete', '/role/1'],
      ['get', '/role/permissions/all'],
    ];
    for (const [method, path] of rows) {
      const res = await api()[method as 'get'](`${GC}${path}`).send({});
      expect({ method, path, status: res.status, body: res.body }).toEqual({ method, path, status: 401, body: { detail: 'Not authenticated' } });
    }
    const doc = (await api().get('/openapi.json')).body;
    const setPassword = doc.paths[`${GC}/admin/set-password`].post;
    expect(setPassword.security).toBeUndefined();
    expect(Object.keys(setPassword.responses).sort()).toEqual(['200', '400', '422', '429']);
    expect(doc.paths[`${GC}/admin/`].post['x-permission']).toEqual({ resource: 'Admins', action: 'write' });
  });
});
