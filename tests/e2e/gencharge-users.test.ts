import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { DEFAULT_PREFERENCES, GC, gencharge, newClient, newEmail, newIndianMobile, type GenChargeUser } from '../support/gencharge.js';
import { uniqueId } from '../support/db.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
});
afterAll(async () => {
  await platform.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Sign-up up to the verification token: the phone's code, verified. */
async function verifiedPhone(phone = newIndianMobile(), userType: 'prepaid' | 'postpaid' = 'prepaid', client = newClient()) {
  const before = await gc.codesSentTo(`+91${phone}`);
  const started = await gc.api().post(`${GC}/auth/signup`).set('X-Forwarded-For', client).send({ phone_number: phone, user_type: userType });
  expect(started.status).toBe(200);
  const otp = await gc.latestCode(`+91${phone}`, before);
  const verified = await gc.api().post(`${GC}/auth/verify-otp-signup`).set('X-Forwarded-For', client).send({ phone_number: phone, otp });
  expect(verified.status).toBe(200);
  return { phone, client, token: verified.body.access_token as string, verified: verified.body };
}

async function usersWithEmail(email: string): Promise<number> {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from users where tenant = 'gencharge' and email = ?`, [email]);
  return Number(row!.n);
}

async function usersWithPhone(phone: string): Promise<{ id: string; deleted_at: Date | null }[]> {
  return platform.orm.em.fork().execute(`select id, deleted_at from users where tenant = 'gencharge' and phone = ? order by id`, [`+91${phone}`]);
}

describe('GenCharge sign-up and registration', () => {
  it('when a new phone signs up, verifies its code and registers, then the profile has its own referral code, a zero wallet and working tokens', async () => {
    const phone = newIndianMobile();
    const client = newClient();
    const started = await gc.api().post(`${GC}/auth/signup`).set('X-Forwarded-For', client).send({ phone_number: `+91 ${phone}`, user_type: 'postpaid' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ message: expect.any(String), expires_in: expect.any(Number) });
    const otp = await gc.latestCode(`+91${phone}`);
    const verified = await gc.api().post(`${GC}/auth/verify-otp-signup`).set('X-Forwarded-For', client).send({ phone_number: phone, otp });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number) });

    const email = newEmail();
    const registered = await gc.api().post(`${GC}/auth/register`).set(bearer(verified.body.access_token)).send({ name: ' Akhil ', email: email.toUpperCase() });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({
      user_id: expect.any(Number),
      name: 'Akhil',
      email,
      phone_number: phone,
      referral_code: expect.stringMatching(/^[A-Z2-9]{8}$/),
      referee_code: null,
      user_type: 'postpaid',
      status: 'active',
      wallet_balance: 0,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
    });

    const me = await gc.api().get(`${GC}/user/me`).set(bearer(registered.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user_id: registered.body.user_id,
      name: 'Akhil',
      email,
      phone_number: phone,
      user_type: 'postpaid',
      status: 'active',
      wallet_balance: 0,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    const other = await gc.signUp();
    expect(other.referralCode).not.toBe(registered.body.referral_code);
  });

  it("when registering with another user's referral code, then it is kept as the referee code", async () => {
    const referrer = await gc.signUp();
    const { token } = await verifiedPhone();
    const res = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email: newEmail(), referee_code: referrer.referralCode.toLowerCase() });
    expect(res.status).toBe(201);
    expect(res.body.referee_code).toBe(referrer.referralCode);
  });

  it("when the referee code is no live user's referral code, then it is a 422 on referee_code, nothing is written and the token still registers", async () => {
    const { token, phone } = await verifiedPhone();
    const email = newEmail();
    const refused = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email, referee_code: 'NOSUCH99' });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ detail: [{ loc: ['body', 'referee_code'], msg: expect.any(String), type: 'value_error' }] });
    expect(await usersWithEmail(email)).toBe(0);
    expect(await usersWithPhone(phone)).toEqual([]);

    const archived = await gc.signUp();
    expect((await gc.api().delete(`${GC}/user/me`).set(archived.auth)).status).toBe(200);
    const gone = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email, referee_code: archived.referralCode });
    expect(gone.status).toBe(422);

    const retried = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email });
    expect(retried.status).toBe(201);
  });

  it('when the verification token is used twice or shown to another route, then it is refused', async () => {
    const { token } = await verifiedPhone();
    const elsewhere = await gc.api().get(`${GC}/user/me`).set(bearer(token));
    expect(elsewhere.status).toBe(401);
    const first = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email: newEmail() });
    expect(first.status).toBe(201);
    const email = newEmail();
    const second = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email });
    expect(second.status).toBe(401);
    expect(await usersWithEmail(email)).toBe(0);
    const none = await gc.api().post(`${GC}/auth/register`).send({ name: 'Ben', email });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: 'Not authenticated' });
    // An access token is not a verification token either.
    const signedIn = await gc.api().post(`${GC}/auth/register`).set(bearer(first.body.access_token)).send({ name: 'Ben', email });
    expect(signedIn.status).toBe(401);
  });

  it('when the phone already has an account, then sign-up is a 409 and no code is sent', async () => {
    const user = await gc.signUp();
    const before = await gc.codesSentTo(`+91${user.phone}`);
    const res = await gc.api().post(`${GC}/auth/signup`).set('X-Forwarded-For', newClient()).send({ phone_number: user.phone, user_type: 'prepaid' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: 'An account with this phone number already exists. Log in instead.' });
    expect(await gc.codesSentTo(`+91${user.phone}`)).toEqual(before);
    const pending = await platform.orm.em.fork().execute(`select 1 from gencharge_pending_signups where phone = ?`, [`+91${user.phone}`]);
    expect(pending).toEqual([]);
  });

  it('when the email is taken, then registration is a 409, nothing is written and the token is still good', async () => {
    const user = await gc.signUp();
    const { token, phone } = await verifiedPhone();
    const refused = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email: user.email });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'An account with this email already exists.' });
    expect(await usersWithPhone(phone)).toEqual([]);
    const retried = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'Ben', email: newEmail() });
    expect(retried.status).toBe(201);
  });

  it('when the phone got an account between verifying and registering, then registration is a 409', async () => {
    const phone = newIndianMobile();
    const first = await verifiedPhone(phone);
    const second = await verifiedPhone(phone);
    expect((await gc.api().post(`${GC}/auth/register`).set(bearer(second.token)).send({ name: 'Ben', email: newEmail() })).status).toBe(201);
    const late = await gc.api().post(`${GC}/auth/register`).set(bearer(first.token)).send({ name: 'Ben', email: newEmail() });
    expect(late.status).toBe(409);
    expect((await usersWithPhone(phone)).length).toBe(1);
  });

  it('when the sign-up code is wrong, then it is a 400 with the attempts left', async () => {
    const phone = newIndianMobile();
    const client = newClient();
    await gc.api().post(`${GC}/auth/signup`).set('X-Forwarded-For', client).send({ phone_number: phone, user_type: 'prepaid' });
    const otp = await gc.latestCode(`+91${phone}`);
    const wrong = otp === '000000' ? '111111' : '000000';
    const res = await gc.api().post(`${GC}/auth/verify-otp-signup`).set('X-Forwarded-For', client).send({ phone_number: phone, otp: wrong });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Invalid code. 4 attempts remaining.' });
  });

  it('when sign-up bodies are invalid, malformed or of another type, then they are 4xx, never 5xx', async () => {
    const bad = await gc.api().post(`${GC}/auth/signup`).send({ phone_number: '12345', user_type: 'corporate' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
      ['body', 'phone_number'],
      ['body', 'user_type'],
    ]);
    const malformed = await gc.api().post(`${GC}/auth/signup`).set('Content-Type', 'application/json').send('{"phone_number":');
    expect(malformed.status).toBe(422);
    const text = await gc.api().post(`${GC}/auth/signup`).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
    const { token } = await verifiedPhone();
    const nul = await gc.api().post(`${GC}/auth/register`).set(bearer(token)).send({ name: 'A\u0000B', email: `a\u0000${newEmail()}` });
    expect(nul.status).toBe(422);
    expect(nul.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
      ['body', 'name'],
      ['body', 'email'],
    ]);
  });
});

describe('GenCharge my account', () => {
  it('when the wallet is credited, then my profile shows the balance in rupees', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 12_345n);
    const me = await gc.api().get(`${GC}/user/me`).set(user.auth);
    expect(me.status).toBe(200);
    expect(me.body.wallet_balance).toBe(123.45);
  });

  it('when I change my email, then it is mine, and an email another account uses is a 409', async () => {
    const user = await gc.signUp();
    const other = await gc.signUp();
    const email = newEmail();
    const changed = await gc.api().put(`${GC}/user/me/email`).set(user.auth).send({ email });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      user_id: user.id,
      email,
      phone_number: user.phone,
      user_type: 'prepaid',
      status: 'active',
      wallet_balance: 0,
      created_at: expect.any(String),
    });
    const same = await gc.api().put(`${GC}/user/me/email`).set(user.auth).send({ email });
    expect(same.status).toBe(200);
    const taken = await gc.api().put(`${GC}/user/me/email`).set(user.auth).send({ email: other.email });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ detail: 'An account with this email already exists.' });
    const admin = await gc.api().put(`${GC}/user/me/email`).set(user.auth).send({ email: 'admin@gencharge.local' });
    expect(admin.status).toBe(409);
    const invalid = await gc.api().put(`${GC}/user/me/email`).set(user.auth).send({ email: 'not-an-email' });
    expect(invalid.status).toBe(422);
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).body.email).toBe(email);
  });

  it('when I switch my account type, then the answer and my profile show it', async () => {
    const user = await gc.signUp();
    const res = await gc.api().put(`${GC}/user/me/switch-type`).set(user.auth).send({ user_type: 'postpaid' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: user.id, user_type: 'postpaid', status: 'active', phone_number: user.phone, created_at: expect.any(String) });
    const bad = await gc.api().put(`${GC}/user/me/switch-type`).set(user.auth).send({ user_type: 'corporate' });
    expect(bad.status).toBe(422);
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).body.user_type).toBe('postpaid');
  });

  it('when I deactivate, then I am inactive and can still log in and reactivate', async () => {
    const user = await gc.signUp();
    const off = await gc.api().post(`${GC}/user/me/deactivate`).set(user.auth);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ user_id: user.id, status: 'inactive', phone_number: user.phone, user_type: 'prepaid', created_at: expect.any(String) });
    const session = await gc.logIn(user.phone);
    // Unblocking is about blocks: it leaves the user's own choice alone.
    const admin = await gc.superAdmin();
    expect((await gc.api().post(`${GC}/user/admin/unblock/${user.id}`).set(admin.auth)).body.status).toBe('inactive');
    const on = await gc.api().post(`${GC}/user/me/reactivate`).set(session.auth);
    expect(on.status).toBe(200);
    expect(on.body.status).toBe('active');
  });

  it('when I replace my preferences, then reading them back gives what I sent; a missing switch is a 422', async () => {
    const user = await gc.signUp();
    const defaults = await gc.api().get(`${GC}/user/preference`).set(user.auth);
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({ user_id: user.id, ...DEFAULT_PREFERENCES });
    const flipped = Object.fromEntries(Object.entries(defaults.body).filter(([k]) => k !== 'user_id').map(([k, v]) => [k, !v]));
    const put = await gc.api().put(`${GC}/user/preference`).set(user.auth).send(flipped);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ user_id: user.id, ...flipped });
    expect((await gc.api().get(`${GC}/user/preference`).set(user.auth)).body).toEqual({ user_id: user.id, ...flipped });

    const { data_analytics: _dropped, ...partial } = flipped;
    const missing = await gc.api().put(`${GC}/user/preference`).set(user.auth).send(partial);
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual([{ loc: ['body', 'data_analytics'], msg: expect.any(String), type: 'missing' }]);
    const malformed = await gc.api().put(`${GC}/user/preference`).set(user.auth).set('Content-Type', 'application/json').send('{');
    expect(malformed.status).toBe(422);
  });

  it('when I delete my account, then my tokens stop working, admins see it archived, and the phone can sign up again', async () => {
    const user = await gc.signUp({ name: uniqueId('Gone') });
    const res = await gc.api().delete(`${GC}/user/me`).set(user.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).status).toBe(401);
    expect((await gc.api().post(`${GC}/auth/refresh`).send({ refresh_token: user.refresh })).status).toBe(401);

    const admin = await gc.superAdmin();
    const archived = await gc.api().get(`${GC}/user/admin/archived`).set(admin.auth).query({ phone: user.phone });
    expect(archived.status).toBe(200);
    expect(archived.body).toEqual([
      {
        user_id: user.id,
        name: expect.stringMatching(/^Gone-/),
        email: user.email,
        phone_number: user.phone,
        referral_code: user.referralCode,
        referee_code: null,
        user_type: 'prepaid',
        status: 'active',
        wallet_balance: 0,
        created_at: expect.any(String),
        deleted_at: expect.any(String),
      },
    ]);
    const live = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ phone: user.phone });
    expect(live.body).toEqual([]);

    const again = await gc.signUp({ phone: user.phone, email: user.email });
    expect(again.id).not.toBe(user.id);
    expect((await gc.api().get(`${GC}/user/me`).set(again.auth)).body.phone_number).toBe(user.phone);
  });

  it('when an admin calls a mobile-user route, then it is a 403; without a token a 401', async () => {
    const admin = await gc.superAdmin();
    expect((await gc.api().get(`${GC}/user/me`).set(admin.auth)).status).toBe(403);
    expect((await gc.api().get(`${GC}/user/preference`)).status).toBe(401);
  });
});

describe('GenCharge users (admin)', () => {
  it('when an admin blocks a user, then their tokens stop at once and they get no login code, and unblocking lets them in again', async () => {
    const admin = await gc.superAdmin();
    const user = await gc.signUp();
    // A login code asked for before the block cannot be verified after it.
    const client = newClient();
    const sentBefore = await gc.codesSentTo(`+91${user.phone}`);
    await gc.api().post(`${GC}/auth/login`).set('X-Forwarded-For', client).send({ phone_number: user.phone });
    const pendingCode = await gc.latestCode(`+91${user.phone}`, sentBefore);

    const blocked = await gc.api().post(`${GC}/user/admin/block/${user.id}`).set(admin.auth);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ user_id: user.id, status: 'blocked', phone_number: user.phone, user_type: 'prepaid', created_at: expect.any(String) });
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).status).toBe(401);
    expect((await gc.api().post(`${GC}/auth/refresh`).send({ refresh_token: user.refresh })).status).toBe(401);

    const verify = await gc.api().post(`${GC}/auth/verify-otp-login`).set('X-Forwarded-For', client).type('form').send({ username: user.phone, password: pendingCode });
    expect(verify.status).toBe(403);

    const before = await gc.codesSentTo(`+91${user.phone}`);
    const asked = await gc.api().post(`${GC}/auth/login`).set('X-Forwarded-For', newClient()).send({ phone_number: user.phone });
    expect(asked.status).toBe(200);
    expect(await gc.codesSentTo(`+91${user.phone}`)).toEqual(before);

    const listed = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ phone: user.phone, status: 'blocked' });
    expect(listed.body.map((u: { user_id: number }) => u.user_id)).toEqual([user.id]);

    const unblocked = await gc.api().post(`${GC}/user/admin/unblock/${user.id}`).set(admin.auth);
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.status).toBe('active');
    const session = await gc.logIn(user.phone);
    expect((await gc.api().get(`${GC}/user/me`).set(session.auth)).status).toBe(200);
  });

  it('when an admin archives a user, then the user is signed out, listed as archived, and a second archive is a 404', async () => {
    const admin = await gc.superAdmin();
    const user = await gc.signUp();
    const res = await gc.api().delete(`${GC}/user/admin/${user.id}`).set(admin.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).status).toBe(401);
    const archived = await gc.api().get(`${GC}/user/admin/archived`).set(admin.auth).query({ email: user.email });
    expect(archived.body.map((u: { user_id: number }) => u.user_id)).toEqual([user.id]);
    expect(archived.headers['x-total-count']).toBe('1');
    const again = await gc.api().delete(`${GC}/user/admin/${user.id}`).set(admin.auth);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'User not found' });
  });

  it('when the user id is unknown, not a number or out of range, then it is a 404 or a 422', async () => {
    const admin = await gc.superAdmin();
    expect((await gc.api().post(`${GC}/user/admin/block/2147483000`).set(admin.auth)).status).toBe(404);
    expect((await gc.api().post(`${GC}/user/admin/block/${admin.id}`).set(admin.auth)).status).toBe(404);
    for (const id of ['abc', '0', '2147483648', '99999999999999999999']) {
      const res = await gc.api().post(`${GC}/user/admin/block/${id}`).set(admin.auth);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['path', 'user_id']);
    }
  });

  it('when the admin list is filtered, sorted and paged, then pages are stable and X-Total-Count counts the matches', async () => {
    const admin = await gc.superAdmin();
    const tag = uniqueId('List');
    const users: GenChargeUser[] = [];
    for (const [suffix, type] of [
      ['b', 'prepaid'],
      ['a', 'postpaid'],
      ['c', 'prepaid'],
      ['a', 'prepaid'],
    ] as const) {
      users.push(await gc.signUp({ name: `${tag} ${suffix}`, userType: type }));
    }
    const list = (q: Record<string, string | number>) => gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ name: tag, ...q });

    const all = await list({ sort_by: 'name', sort_order: 'asc' });
    expect(all.status).toBe(200);
    expect(all.headers['x-total-count']).toBe('4');
    // Ties on name keep user id order.
    const [b, a1, c, a2] = users.map((u) => u.id);
    expect(all.body.map((u: { user_id: number }) => u.user_id)).toEqual([a1, a2, b, c]);
    expect(all.body[0]).toEqual({
      user_id: a1,
      name: `${tag} a`,
      email: users[1]!.email,
      phone_number: users[1]!.phone,
      referral_code: users[1]!.referralCode,
      user_type: 'postpaid',
      status: 'active',
      wallet_balance: 0,
      created_at: expect.any(String),
    });

    const desc = await list({ sort_by: 'name', sort_order: 'desc' });
    expect(desc.body.map((u: { user_id: number }) => u.user_id)).toEqual([c, b, a2, a1]);

    const pages = [await list({ sort_by: 'name', skip: 0, limit: 3 }), await list({ sort_by: 'name', skip: 3, limit: 3 })];
    expect(pages.flatMap((p) => p.body.map((u: { user_id: number }) => u.user_id))).toEqual([a1, a2, b, c]);
    expect(pages.map((p) => p.headers['x-total-count'])).toEqual(['4', '4']);

    // A column of the user row (a relation of the profile) sorts too.
    const byEmailDesc = await list({ sort_by: 'email', sort_order: 'desc' });
    const emailsDesc = users.map((u) => ({ id: u.id, email: u.email })).sort((x, y) => (x.email < y.email ? 1 : -1));
    expect(byEmailDesc.body.map((u: { user_id: number }) => u.user_id)).toEqual(emailsDesc.map((u) => u.id));

    const prepaid = await list({ user_type: 'prepaid' });
    expect(prepaid.body.map((u: { user_id: number }) => u.user_id)).toEqual([b, c, a2]);
    expect(prepaid.headers['x-total-count']).toBe('3');
    const byEmail = await list({ email: users[2]!.email.toUpperCase() });
    expect(byEmail.body.map((u: { user_id: number }) => u.user_id)).toEqual([c]);
    const byPhone = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ phone: users[3]!.phone });
    expect(byPhone.body.map((u: { user_id: number }) => u.user_id)).toEqual([a2]);
    const wildcard = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ name: `${tag}%` });
    expect(wildcard.body).toEqual([]);
  });

  it('when the list query is invalid, then it is a 422; a mobile user gets a 403', async () => {
    const admin = await gc.superAdmin();
    const unknownSort = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ sort_by: 'password_hash' });
    expect(unknownSort.status).toBe(422);
    expect(unknownSort.body.detail[0].loc).toEqual(['query', 'sort_by']);
    const negative = await gc.api().get(`${GC}/user/admin/archived`).set(admin.auth).query({ skip: -1 });
    expect(negative.status).toBe(422);
    expect(negative.body.detail[0].loc).toEqual(['query', 'skip']);
    const status = await gc.api().get(`${GC}/user/admin`).set(admin.auth).query({ status: 'sleeping' });
    expect(status.status).toBe(422);
    const user = await gc.signUp();
    expect((await gc.api().get(`${GC}/user/admin`).set(user.auth)).status).toBe(403);
    expect((await gc.api().post(`${GC}/user/admin/block/${user.id}`).set(user.auth)).status).toBe(403);
  });
});
