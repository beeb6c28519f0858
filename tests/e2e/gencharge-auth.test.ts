import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { GC, gencharge, newClient, newIndianMobile } from '../support/gencharge.js';
import { TEST_ENV } from '../support/test-env.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
});
afterAll(async () => {
  await platform.stop();
});

describe('GenCharge password sign-in (admins)', () => {
  it('when the seeded super-admin signs in, then the tokens are a bearer pair and refresh rotates them', async () => {
    const res = await gc.api().post(`${GC}/auth/login`).send({ email: 'admin@gencharge.local', password: TEST_ENV.SEED_ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer' });

    const rotated = await gc.api().post(`${GC}/auth/refresh`).send({ refresh_token: res.body.refresh_token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(res.body.refresh_token);

    // The first refresh token was spent: showing it again ends the whole session.
    const reused = await gc.api().post(`${GC}/auth/refresh`).send({ refresh_token: res.body.refresh_token });
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual({ detail: 'Could not validate credentials' });
    const afterReuse = await gc.api().post(`${GC}/auth/refresh`).set('Authorization', `Bearer ${rotated.body.refresh_token}`).send();
    expect(afterReuse.status).toBe(401);
  });

  it('when the password is wrong or the email unknown, then both answer the same 401', async () => {
    for (const body of [{ email: 'admin@gencharge.local', password: 'wrong-password' }, { email: 'nobody@gencharge.local', password: 'whatever-1' }]) {
      const res = await gc.api().post(`${GC}/auth/login`).send(body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Incorrect username or password' });
    }
  });

  it('when an admin logs out, then the access token stops working at once', async () => {
    const admin = await gc.adminLogin('admin@gencharge.local', TEST_ENV.SEED_ADMIN_PASSWORD);
    const out = await gc.api().post(`${GC}/auth/logout`).set(admin.auth);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({});
    const again = await gc.api().post(`${GC}/auth/logout`).set(admin.auth);
    expect(again.status).toBe(401);
  });

  it('when the login body is neither a phone nor an email and password, then it is a 422 naming the missing fields', async () => {
    const res = await gc.api().post(`${GC}/auth/login`).send({ email: 'admin@gencharge.local' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([{ loc: ['body', 'password'], msg: expect.any(String), type: 'missing' }]);
  });
});

describe('GenCharge phone login', () => {
  it('when one client asks for a login code and then a sign-up code, then each route counts the phone it was given', async () => {
    const client = newClient();
    const phone = newIndianMobile();
    const login = await gc.api().post(`${GC}/auth/login`).set('X-Forwarded-For', client).send({ phone_number: phone });
    expect(login.status).toBe(200);
    // An unregistered number gets the same answer as a registered one, and no code.
    expect(await gc.codesSentTo(`+91${phone}`)).toEqual([]);
    const signup = await gc.api().post(`${GC}/auth/signup`).set('X-Forwarded-For', client).send({ phone_number: phone, user_type: 'prepaid' });
    expect(signup.status).toBe(200);
    expect(await gc.latestCode(`+91${phone}`)).toMatch(/^\d{6}$/);
    const again = await gc.api().post(`${GC}/auth/login`).set('X-Forwarded-For', client).send({ phone_number: newIndianMobile() });
    expect(again.status).toBe(200);
  });

  it('when a registered user logs in by SMS code, then the tokens work and logging out ends them', async () => {
    const user = await gc.signUp();
    const session = await gc.logIn(user.phone);
    expect(session.id).toBe(user.id);
    expect((await gc.api().get(`${GC}/user/me`).set(session.auth)).status).toBe(200);
    expect((await gc.api().post(`${GC}/auth/logout`).set(session.auth)).status).toBe(200);
    expect((await gc.api().get(`${GC}/user/me`).set(session.auth)).status).toBe(401);
    // The sign-up session is another login and stays.
    expect((await gc.api().get(`${GC}/user/me`).set(user.auth)).status).toBe(200);
  });
});
