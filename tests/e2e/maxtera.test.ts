import { expectTrialBalanceZero } from '../support/db.js';
import { eventually, maxtera, type MaxteraUser } from '../support/maxtera.js';
import { TEST_ENV } from '../support/test-env.js';
import { startTestPlatform, workerLogs, type TestPlatform } from '../support/platform.js';
import { signPaymentWebhook, PAYMENT_SIGNATURE_HEADER } from '../../providers/webhooks.js';

let platform: TestPlatform;
let m: ReturnType<typeof maxtera>;

beforeAll(async () => {
  platform = await startTestPlatform();
  m = maxtera(platform);
});
afterAll(async () => {
  await platform.stop();
});

// Counts are scoped to the rows a request could have written: other test files share the database.
const count = async (sql: string, params: unknown[]) => {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params);
  return Number(row!.n);
};
const transactionsOf = (user: MaxteraUser) => count('wallet_transactions where user_id = ?', [user.id]);
const usersWith = (email: string) => count(`users where tenant = 'maxtera' and lower(email) = lower(?)`, [email]);

describe('Maxtera auth', () => {
  it('when a user registers, then the spec response comes back and the user can log in', async () => {
    const email = `new-${Date.now()}@example.com`;
    const res = await m.api().post('/maxtera/api/v1/auth/register/').send({ email, password: 'mypassword', phone: '+2348012345678' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ message: 'Account created successfully', user_id: expect.any(Number) });
    const login = await m.api().post('/maxtera/api/v1/auth/login/').send({ email, password: 'mypassword' });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
  });

  it('when the email is taken, then a DRF field error names it and nothing is written', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/auth/register/').send({ email: user.email.toUpperCase(), password: 'mypassword', phone: '08012345678' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ email: ['user with this email already exists.'] });
    expect(await usersWith(user.email)).toBe(1);
  });

  it.each([
    [{ password: 'mypassword', phone: '08012345678' }, 'email'],
    [{ email: 'a@example.com', password: 'short', phone: '08012345678' }, 'password'],
    [{ email: 'a@example.com', password: 'mypassword', phone: '12345' }, 'phone'],
    [{ email: 'not-an-email', password: 'mypassword', phone: '08012345678' }, 'email'],
    [{ email: 'a@example.com', password: 'mypassword', phone: 8012345678 }, 'phone'],
  ])('when registration input is invalid (%j), then 400 names the field %s', async (payload, field) => {
    // A fresh address per case, so "nothing written" cannot be hidden by an earlier case's row.
    const email = 'email' in payload && payload.email === 'a@example.com' ? `${crypto.randomUUID()}@example.com` : (payload as { email?: string }).email;
    const res = await m.api().post('/maxtera/api/v1/auth/register/').send({ ...payload, ...(email ? { email } : {}) });
    expect(res.status).toBe(400);
    expect(res.body[field]).toEqual([expect.any(String)]);
    if (email) expect(await usersWith(email)).toBe(0);
  });

  it('when the body is malformed JSON or oversized, then the envelope says so', async () => {
    const malformed = await m.api().post('/maxtera/api/v1/auth/register/').set('Content-Type', 'application/json').send('{"email": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: 'Malformed JSON in request body.' });
    const huge = await m.api().post('/maxtera/api/v1/auth/register/').send({ email: 'x'.repeat(40_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual({ detail: expect.any(String) });
  });

  it('when the password is wrong, then 401 with the simplejwt message', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/auth/login/').send({ email: user.email, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'No active account found with the given credentials' });
  });

  it('when a refresh token is rotated and the old one is reused, then the whole family is revoked', async () => {
    const user = await m.signUp();
    const rotated = await m.api().post('/maxtera/api/v1/auth/token/refresh/').send({ refresh: user.refresh });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh).not.toBe(user.refresh);
    const reuse = await m.api().post('/maxtera/api/v1/auth/token/refresh/').send({ refresh: user.refresh });
    expect(reuse.status).toBe(401);
    const afterReuse = await m.api().post('/maxtera/api/v1/auth/token/refresh/').send({ refresh: rotated.body.refresh });
    expect(afterReuse.status).toBe(401);
  });

  it('when a user logs out, then the refresh token no longer works', async () => {
    const user = await m.signUp();
    const out = await m.api().post('/maxtera/api/v1/auth/logout/').set(user.auth).send({ refresh: user.refresh });
    expect(out.status).toBe(200);
    const refresh = await m.api().post('/maxtera/api/v1/auth/token/refresh/').send({ refresh: user.refresh });
    expect(refresh.status).toBe(401);
  });

  it('when a protected endpoint is called without or with a bad token, then 401 in the DRF envelope', async () => {
    const none = await m.api().get('/maxtera/api/v1/wallet/balance/');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    const bad = await m.api().get('/maxtera/api/v1/wallet/balance/').set('Authorization', 'Bearer abc.def.ghi');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: 'Given token not valid for any token type', code: 'token_not_valid' });
  });

  it('when a route does not exist, then 404 in the DRF envelope', async () => {
    const res = await m.api().get('/maxtera/api/v1/nothing-here/');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.' });
  });
});

describe('Maxtera wallet funding', () => {
  it('when a deposit is started and the provider confirms, then the wallet is credited once and history shows success', async () => {
    const user = await m.signUp();
    expect(await m.balance(user)).toBe(0);
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 2000, method: 'onepipe' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'pending', reference: expect.stringMatching(/^MPX-\d{8,}$/) });
    const reference = res.body.reference as string;
    await eventually(() => m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
    await eventually(() => m.balance(user), (b) => b === 2000);
    // The provider redelivers the same event: nothing moves twice.
    const again = await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' });
    expect(again.status).toBe(200);
    const history = await eventually(
      () => m.api().get('/maxtera/api/v1/transactions/').set(user.auth),
      (r) => r.body[0]?.status === 'success',
    );
    expect(history.body).toEqual([
      { id: expect.any(Number), type: 'Funding', amount: 2000, status: 'success', reference, created_at: expect.stringMatching(/Z$/) },
    ]);
    expect(await m.balance(user)).toBe(2000);
  });

  it('when the provider reports the payment failed, then nothing is credited and the deposit shows failed', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 500 });
    await eventually(() => m.api().post(`/sandbox/payments/${res.body.reference}/complete`).send({ status: 'failed' }), (r) => r.status === 200);
    const history = await eventually(() => m.api().get('/maxtera/api/v1/transactions/').set(user.auth), (r) => r.body[0]?.status === 'failed');
    expect(history.body[0]).toMatchObject({ type: 'Funding', amount: 500, status: 'failed' });
    expect(await m.balance(user)).toBe(0);
  });

  it('when the webhook is lost, then polling finds the completed payment and credits it', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 300 });
    const completed = await eventually(
      () => m.api().post(`/sandbox/payments/${res.body.reference}/complete`).send({ status: 'success', lose_webhook: true }),
      (r) => r.status === 200,
    );
    expect(completed.body.delivered).toBe(false);
    await eventually(() => m.balance(user), (b) => b === 300);
    const [event] = await platform.orm.em.fork().execute<{ n: string }[]>('select count(*) as n from webhook_events where reference = ?', [res.body.reference]);
    expect(Number(event!.n)).toBe(0);
  });

  it('when the payment is never completed, then the deposit ends failed at its deadline and nothing is credited', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 900 });
    const history = await eventually(
      () => m.api().get('/maxtera/api/v1/transactions/').set(user.auth),
      (r) => r.body[0]?.status === 'failed',
      Number(platform.config.FUNDING_TIMEOUT_MS) + 10_000,
    );
    expect(history.body[0]).toMatchObject({ type: 'Funding', amount: 900, status: 'failed', reference: res.body.reference });
    expect(await m.balance(user)).toBe(0);
  });

  it('when the provider confirms a payment after the deposit was given up, then the wallet is still credited, once', async () => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 650 });
    const reference: string = res.body.reference;
    await eventually(
      () => m.api().get('/maxtera/api/v1/transactions/').set(user.auth),
      (r) => r.body[0]?.status === 'failed',
      Number(platform.config.FUNDING_TIMEOUT_MS) + 10_000,
    );
    const late = await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' });
    expect(late.body).toMatchObject({ delivered: true, httpStatus: 200 });
    await eventually(() => m.balance(user), (b) => b === 650);
    const redelivered = await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' });
    expect(redelivered.status).toBe(200);
    const history = await m.api().get('/maxtera/api/v1/transactions/').set(user.auth);
    expect(history.body).toEqual([expect.objectContaining({ reference, status: 'success', amount: 650 })]);
    expect(await m.balance(user)).toBe(650);
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when a webhook is signed with the wrong secret or is stale, then it is refused and nothing changes', async () => {
    const body = JSON.stringify({ event_id: 'evt-forged', type: 'collection.completed', data: { transaction_ref: 'MPX-1', status: 'success', amount: 100 } });
    const now = Math.floor(Date.now() / 1000);
    const wrongSecret = await m.api().post('/webhooks/onepipe').set('Content-Type', 'application/json')
      .set(PAYMENT_SIGNATURE_HEADER, signPaymentWebhook(body, 'not-the-secret-at-all', now)).send(body);
    expect(wrongSecret.status).toBe(401);
    const stale = await m.api().post('/webhooks/onepipe').set('Content-Type', 'application/json')
      .set(PAYMENT_SIGNATURE_HEADER, signPaymentWebhook(body, TEST_ENV.WEBHOOK_SECRET, now - 3600)).send(body);
    expect(stale.status).toBe(401);
    const stored = await platform.orm.em.fork().execute(`select id from webhook_events where event_id = 'evt-forged'`);
    expect(stored).toEqual([]);
  });

  it.each([[0], [-5], [10_000_000_000], [12.345], ['abc'], [null]])('when the amount is %p, then 400 names amount', async (amount) => {
    const user = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount, method: 'onepipe' });
    expect(res.status).toBe(400);
    expect(res.body.amount).toEqual([expect.any(String)]);
    expect(await transactionsOf(user)).toBe(0);
  });
});

describe('Maxtera purchases', () => {
  let user: MaxteraUser;
  beforeAll(async () => {
    user = await m.signUp();
    await m.fund(user, 20_000);
  });

  it('when airtime is bought, then the spec response comes back and the wallet is debited', async () => {
    const before = await m.balance(user);
    const res = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'MTN', amount: 100, phone_number: '08012345678' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', reference: expect.stringMatching(/^MTN-\d{8}-\d{3,}$/) });
    expect(await m.balance(user)).toBe(before - 100);
  });

  it('when a data plan is bought, then its catalogue price is charged', async () => {
    const plans = await m.api().get('/maxtera/api/v1/data/plans/?network=airtel').set(user.auth);
    expect(plans.status).toBe(200);
    const plan = plans.body.find((p: { plan: string }) => p.plan === '1GB');
    expect(plan).toMatchObject({ network: 'AIRTEL', plan: '1GB', amount: expect.any(Number) });
    const before = await m.balance(user);
    const res = await m.api().post('/maxtera/api/v1/data/purchase/').set(user.auth).send({ network: 'AIRTEL', plan: '1GB', phone_number: '08012345678' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', reference: expect.stringMatching(/^AIRTEL-DATA-\d{3,}$/) });
    expect(await m.balance(user)).toBe(before - plan.amount);
  });

  it('when a bill is paid, then the spec response carries a transaction id', async () => {
    const services = await m.api().get('/maxtera/api/v1/bills/services/').set(user.auth);
    expect(services.body.map((s: { service_type: string }) => s.service_type)).toEqual(expect.arrayContaining(['DSTV', 'IKEDC']));
    const res = await m.api().post('/maxtera/api/v1/bills/pay/').set(user.auth).send({ service_type: 'DSTV', smartcard_number: '1234567890', amount: 4800 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', transaction_id: expect.stringMatching(/^BILL-\d+$/) });
  });

  it.each([
    ['/maxtera/api/v1/airtime/purchase/', { network: 'ETISALAT', amount: 100, phone_number: '08012345678' }, 'network'],
    ['/maxtera/api/v1/airtime/purchase/', { network: 'MTN', amount: 0, phone_number: '08012345678' }, 'amount'],
    ['/maxtera/api/v1/airtime/purchase/', { network: 'MTN', amount: -100, phone_number: '08012345678' }, 'amount'],
    ['/maxtera/api/v1/airtime/purchase/', { network: 'MTN', amount: 1e12, phone_number: '08012345678' }, 'amount'],
    ['/maxtera/api/v1/airtime/purchase/', { network: 'MTN', amount: '100', phone_number: '0801' }, 'phone_number'],
    ['/maxtera/api/v1/airtime/purchase/', { amount: 100, phone_number: '08012345678' }, 'network'],
    ['/maxtera/api/v1/data/purchase/', { network: 'MTN', plan: '900TB', phone_number: '08012345678' }, 'plan'],
    ['/maxtera/api/v1/bills/pay/', { service_type: 'NETFLIX', smartcard_number: '1234567890', amount: 4800 }, 'service_type'],
    ['/maxtera/api/v1/bills/pay/', { service_type: 'DSTV', smartcard_number: 'abc', amount: 4800 }, 'smartcard_number'],
    ['/maxtera/api/v1/bills/pay/', { service_type: 'DSTV', smartcard_number: '1234567890', amount: 999_999 }, 'amount'],
  ])('when %s gets %j, then 400 names %s and nothing is written', async (path, payload, field) => {
    const before = await transactionsOf(user);
    const balance = await m.balance(user);
    const res = await m.api().post(path).set(user.auth).send(payload);
    expect(res.status).toBe(400);
    expect(res.body[field]).toEqual([expect.any(String)]);
    expect(await transactionsOf(user)).toBe(before);
    expect(await m.balance(user)).toBe(balance);
  });

  it('when the wallet cannot cover a purchase, then 400 insufficient balance and nothing is recorded', async () => {
    const poor = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(poor.auth).send({ network: 'GLO', amount: 100, phone_number: '08051234567' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Insufficient wallet balance.' });
    expect(await transactionsOf(poor)).toBe(0);
  });

  it('when a purchase is refused in the worker, then the worker\'s log line carries the request id', async () => {
    const poor = await m.signUp();
    const requestId = `req-${poor.id}-refused`;
    const res = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(poor.auth).set('X-Request-Id', requestId)
      .send({ network: 'MTN', amount: 100, phone_number: '08031234567' });
    expect(res.status).toBe(400);
    const line = workerLogs.find((e) => e.meta?.requestId === requestId);
    expect(line?.meta).toMatchObject({ requestId, activityType: 'openPurchase', workflowType: 'purchase' });
  });

  it('when the transactions are listed, then pages, filters and totals work', async () => {
    const owner = await m.signUp();
    await m.fund(owner, 1000);
    for (const amount of [100, 200, 300]) {
      const bought = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(owner.auth).send({ network: 'GLO', amount, phone_number: '08051234567' });
      expect(bought.body.status).toBe('success');
    }
    const list = (q: string) => m.api().get(`/maxtera/api/v1/transactions/${q}`).set(owner.auth);

    const first = await list('?page_size=2');
    expect(first.headers['x-total-count']).toBe('4');
    expect(first.headers.link).toContain('rel="next"');
    expect(first.body.map((t: { type: string; amount: number }) => [t.type, t.amount])).toEqual([['Airtime', 300], ['Airtime', 200]]);
    const second = await list('?page_size=2&page=2');
    expect(second.body.map((t: { type: string; amount: number }) => [t.type, t.amount])).toEqual([['Airtime', 100], ['Funding', 1000]]);
    expect(second.headers.link).toContain('rel="prev"');
    expect((await list('?page_size=2&page=3')).body).toEqual([]);
    expect((await list('?type=Funding')).body).toHaveLength(1);
    expect((await list('?type=airtime&status=success')).body).toHaveLength(3);
    expect((await list('?status=failed')).body).toEqual([]);

    const bad = await list('?page=0');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ page: ['Ensure this value is greater than or equal to 1.'] });
    const tooBig = await list('?page_size=1000');
    expect(tooBig.body).toEqual({ page_size: ['Ensure this value is less than or equal to 100.'] });
  });
});

describe('Maxtera purchases when the provider misbehaves', () => {
  let user: MaxteraUser;
  beforeAll(async () => {
    user = await m.signUp();
    await m.fund(user, 5_000);
  });

  const buyAirtime = () =>
    m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'AIRTEL', amount: 200, phone_number: '08021234567' });

  async function expectLastTransaction(status: string) {
    const res = await m.api().get('/maxtera/api/v1/transactions/?page_size=1').set(user.auth);
    expect(res.body[0]).toMatchObject({ type: 'Airtime', amount: 200, status });
  }

  it('when the provider returns an error, then the hold is voided and the purchase shows failed', async () => {
    const before = await m.balance(user);
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'error', count: 1 });
    const res = await buyAirtime();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', reference: expect.any(String) });
    expect(await m.balance(user)).toBe(before);
    await expectLastTransaction('failed');
  });

  it('when the provider times out and the re-query says failed, then the hold is voided', async () => {
    const before = await m.balance(user);
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'timeout', count: 1, outcome: 'failed' });
    const res = await buyAirtime();
    expect(res.body.status).toBe('failed');
    expect(await m.balance(user)).toBe(before);
    await expectLastTransaction('failed');
  });

  it('when the provider times out and the re-query says delivered, then the hold is posted, not refunded', async () => {
    const before = await m.balance(user);
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'timeout', count: 1, outcome: 'success' });
    const res = await buyAirtime();
    expect(res.body.status).toBe('success');
    expect(await m.balance(user)).toBe(before - 200);
    expect(platform.sandbox.vtuDeliveries(res.body.reference)).toBe(1);
    await expectLastTransaction('success');
  });

  it('when the provider answers pending, then the flow re-queries until it is final', async () => {
    const before = await m.balance(user);
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'pending', count: 1, outcome: 'success' });
    const res = await buyAirtime();
    expect(res.body.status).toBe('success');
    expect(await m.balance(user)).toBe(before - 200);
  });
});

describe('Maxtera money safety', () => {
  it('when 50 purchases race against a balance that covers 10, then exactly 10 succeed and nothing goes negative', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'MTN', amount: 100, phone_number: '08031234567' }),
      ),
    );
    // On a loaded machine some answers may be `pending` (202): their flows still finish, so count final outcomes.
    const accepted = results.filter((r) => r.status === 200 || r.status === 202).map((r) => r.body.reference as string);
    const refused = results.filter((r) => r.status === 400);
    const final = await eventually(
      () =>
        platform.orm.em.fork().execute<{ status: string }[]>('select status from wallet_transactions where reference in (?)', [accepted]),
      // A pending answer whose flow then found no funds leaves no row, so wait for the ten, then settle.
      (rows) => rows.every((r) => r.status !== 'pending') && rows.filter((r) => r.status === 'success').length >= 10,
      60_000,
    );
    expect(final.filter((r) => r.status === 'success')).toHaveLength(10);
    expect(refused.length).toBeGreaterThan(0);
    refused.forEach((r) => expect(r.body).toEqual({ detail: 'Insufficient wallet balance.' }));
    expect(await m.balance(user)).toBe(0);
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when the same Idempotency-Key is sent 20 times, then one purchase happens and every response is identical', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const send = () =>
      m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).set('Idempotency-Key', `buy-${user.id}`)
        .send({ network: 'MTN', amount: 150, phone_number: '08031234567' });
    const first = await send();
    const rest = await Promise.all(Array.from({ length: 19 }, send));
    expect(first.status).toBe(200);
    for (const r of rest) {
      expect(r.status).toBe(200);
      expect(r.text).toBe(first.text);
    }
    expect(await m.balance(user)).toBe(850);
    const history = await m.api().get('/maxtera/api/v1/transactions/?type=Airtime').set(user.auth);
    expect(history.body).toHaveLength(1);
  });

  it('when concurrent duplicates race on one key, then one effect and the others see 409 or the replay', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const send = () =>
      m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).set('Idempotency-Key', `race-${user.id}`)
        .send({ network: 'MTN', amount: 100, phone_number: '08031234567' });
    const results = await Promise.all(Array.from({ length: 10 }, send));
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(await m.balance(user)).toBe(900);
  });

  it('when an Idempotency-Key is reused with another body, then 422 and no second purchase', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const key = `reuse-${user.id}`;
    const first = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).set('Idempotency-Key', key)
      .send({ network: 'MTN', amount: 100, phone_number: '08031234567' });
    expect(first.status).toBe(200);
    const second = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).set('Idempotency-Key', key)
      .send({ network: 'MTN', amount: 200, phone_number: '08031234567' });
    expect(second.status).toBe(422);
    expect(second.body).toEqual({ detail: expect.stringContaining('Idempotency-Key') });
    expect(await m.balance(user)).toBe(900);
  });
});
