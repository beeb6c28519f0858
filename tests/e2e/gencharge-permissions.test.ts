import { startTestPlatform } from '../support/platform.js';
import { GC, type GenChargeSession } from '../support/gencharge.js';
import { genchargeAdmins, type Grant, type Verb } from '../support/gencharge-admins.js';

/**
 * Generated from the published document: every operation that declares `x-permission` is called
 * by a mobile user, by an admin whose role grants everything but that permission, and by an admin
 * whose role grants exactly it. A route added with `adminRoute` is covered without editing this file.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Operation {
  method: Method;
  path: string;
  permission: { resource: string; action: Verb };
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
}

const platform = await startTestPlatform();
const doc = (await genchargeAdmins(platform).api().get('/openapi.json')).body as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
const operations: Operation[] = Object.entries(doc.paths ?? {})
  .filter(([path]) => path.startsWith(`${GC}/`))
  .flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op && typeof op === 'object' && 'x-permission' in op)
      .map(([method, op]) => ({ ...op, method: method as Method, path, permission: (op as Record<string, unknown>)['x-permission'] as Operation['permission'] })),
  );

const ga = genchargeAdmins(platform);
afterAll(async () => {
  await platform.stop();
});

/** A path the router accepts: phone numbers where the route is keyed by one, a number nobody has otherwise. */
const concrete = (op: Operation) =>
  op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name.includes('phone') ? '9000000001' : '999999')).replace(new RegExp(`^${GC}`), '');

const sessions = new Map<string, Promise<GenChargeSession>>();
const once = (key: string, make: () => Promise<GenChargeSession>) => {
  if (!sessions.has(key)) sessions.set(key, make());
  return sessions.get(key)!;
};
const mobileUser = () => once('mobile', () => ga.mobileUser());
const adminWithout = (grant: Grant) => once(`without:${grant.join(':')}`, async () => ga.adminWith(await ga.allGrantsBut(grant)));
const adminWithOnly = (grant: Grant) => once(`only:${grant.join(':')}`, () => ga.adminWith([grant]));

const call = (op: Operation, session: GenChargeSession) => ga.api()[op.method](`${GC}${concrete(op)}`).set(session.auth).send({});

it('publishes x-permission on the admin routes of this surface', () => {
  const declared = operations.map((op) => `${op.method.toUpperCase()} ${op.path.replace(GC, '')} ${op.permission.resource}:${op.permission.action}`);
  expect(declared).toEqual(
    expect.arrayContaining([
      'GET /role/ Roles:read',
      'POST /role/ Roles:write',
      'GET /role/{role_id} Roles:read',
      'PUT /role/{role_id} Roles:edit',
      'DELETE /role/{role_id} Roles:delete',
      'GET /role/permissions/all Roles:read',
      'GET /admin/ Admins:read',
      'POST /admin/ Admins:write',
      'PATCH /admin/{phone_number} Admins:edit',
      'DELETE /admin/{phone_number} Admins:delete',
      'POST /user/admin/block/{user_id} Users:write',
      'DELETE /user/admin/{user_id} Users:delete',
      'PUT /plans/plan/{plan_id} Plans:edit',
      'DELETE /offers/offer_type/{offer_type_id} Offers:delete',
    ]),
  );
  // Each one documents that it can refuse the caller.
  expect(operations.filter((op) => !('401' in op.responses && '403' in op.responses)).map((op) => `${op.method} ${op.path}`)).toEqual([]);
});

function permissionMatrix(op: Operation): void {
  const grant: Grant = [op.permission.resource, op.permission.action];

  it('when a mobile user calls it, then it is 403', async () => {
    const res = await call(op, await mobileUser());
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it('when an admin whose role grants everything else calls it, then it is 403', async () => {
    const res = await call(op, await adminWithout(grant));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Not enough permissions' });
  });

  it('when an admin whose role grants exactly that permission calls it, then it is let through', async () => {
    const res = await call(op, await adminWithOnly(grant));
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });
}

// An empty table would fail the file before its teardown runs; the test above fails instead.
if (operations.length) describe.each(operations)('$method $path needs $permission.resource:$permission.action', permissionMatrix);
