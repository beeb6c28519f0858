import { expectTrialBalanceZero } from '../support/db.js';
import { eventually } from '../support/maxtera.js';
import { MM, SA_ID, mymoolah, myMoolahTotals, uniquePhone, type MyMoolahUser } from '../support/mymoolah.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { hasValidLuhn } from '../../workflows/mymoolah-codes.js';
import { EASYPAY_NOT_REDEEMABLE } from '../../api/surfaces/mymoolah/tenant.js';

let platform: TestPlatform;
let mm: ReturnType<typeof mymoolah>;

beforeAll(async () => {
  // Long enough that nothing expires during this file; mymoolah-expiry.test.ts runs the expiry paths.
  platform = await startTestPlatform({ MYMOOLAH_VOUCHER_EXPIRY_MS: String(3600_000), MYMOOLAH_EASYPAY_EXPIRY_MS: String(3600_000) });
  mm = mymoolah(platform);
});
afterAll(async () => {
  await platform.stop();
});

// Counts are scoped to the rows a request could have written: other test files share the database.
const count = async (sql: string, params: unknown[]) => {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params);
  return Number(row!.n);
};
const vouchersOf = (user: MyMoolahUser) => count('mymoolah_vouchers where user_id = ?', [user.id]);
const historyOf = (user: MyMoolahUser) => count('wallet_transactions where user_id = ?', [user.id]);
const digits = (code: string) => code.replace(/\s/g, '');
const failure = (code: string) => ({ success: false, error: expect.any(String), code });

describe('MyMoolah identity', () => {
  it('when a user registers, then the spec shape comes back and login works by mobile number and by email', async () => {
    const phone = uniquePhone();
    const email = `andre-${Date.now()}@example.com`;
    const res = await mm.api().post(`${MM}/auth/register`).send({ name: 'Andre Van Test', email, phoneNumber: phone, password: 'Password123!', idNumber: SA_ID, idType: 'south_african_id' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'User registered successfully.',
      token: expect.any(String),
      refreshToken: expect.any(String),
      user: { id: expect.any(Number), phone, email, firstName: 'Andre', lastName: 'Van Test', kycStatus: 'not_started', role: 'user' },
    });
    const byPhone = await mm.api().post(`${MM}/auth/login`).send({ identifier: phone, password: 'Password123!' });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toMatchObject({ success: true, message: 'Login successful.', token: expect.any(String), user: { id: res.body.user.id, phone, kycStatus: 'not_started' } });
    const localFormat = await mm.api().post(`${MM}/auth/login`).send({ identifier: `0${phone.slice(3)}`, password: 'Password123!' });
    expect(localFormat.status).toBe(200);
    const byEmail = await mm.api().post(`${MM}/auth/login`).send({ identifier: email.toUpperCase(), password: 'Password123!' });
    expect(byEmail.status).toBe(200);
  });

  it('when the mobile number is taken, then 409 and no second account; a passport is accepted as another idType', async () => {
    const user = await mm.signUp();
    const dup = await mm.api().post(`${MM}/auth/register`).send({ name: 'Other Person', email: `other-${Date.now()}@example.com`, phoneNumber: user.phone, password: 'Password123!', idNumber: 'A12345678', idType: 'passport' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual(failure('USER_EXISTS'));
    expect(await count('mymoolah_profiles where phone = ?', [user.phone])).toBe(1);
    const passport = await mm.api().post(`${MM}/auth/register`).send({ name: 'Pat Passport', email: `pp-${Date.now()}@example.com`, phoneNumber: uniquePhone(), password: 'Password123!', idNumber: 'A12345678', idType: 'passport' });
    expect(passport.status).toBe(201);
  });

  it.each([
    ['a wrong check digit', { idNumber: '8001015009088' }],
    ['an impossible date', { idNumber: '8013015009085' }],
    ['letters in the ID number', { idNumber: '80010150090AB' }],
    ['a non-South-African mobile', { phoneNumber: '+2348012345678' }],
    ['a short password', { password: 'short' }],
    ['an unknown idType', { idType: 'drivers_licence' }],
  ])('when registration has %s, then 400 and nothing is written', async (_case, change) => {
    const email = `bad-${crypto.randomUUID()}@example.com`;
    const res = await mm.api().post(`${MM}/auth/register`).send({ name: 'Bad Input', email, phoneNumber: uniquePhone(), password: 'Password123!', idNumber: SA_ID, idType: 'south_african_id', ...change });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failure('VALIDATION_ERROR'));
    expect(await count(`users where tenant = 'mymoolah' and email = ?`, [email])).toBe(0);
  });

  it('when the password is wrong or the token missing, then 401 in the MyMoolah envelope; a refresh token rotates once', async () => {
    const user = await mm.signUp();
    expect((await mm.api().post(`${MM}/auth/login`).send({ identifier: user.phone, password: 'wrong-password' })).body).toEqual({
      success: false,
      error: 'Invalid credentials',
      code: 'AUTHENTICATION_FAILED',
    });
    expect((await mm.api().get(`${MM}/wallets/balance`)).body).toEqual({ success: false, error: 'Access token required', code: 'UNAUTHORIZED' });
    const refreshed = await mm.api().post(`${MM}/auth/refresh`).send({ refreshToken: user.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({ success: true, message: expect.any(String), token: expect.any(String), refreshToken: expect.any(String) });
    expect((await mm.api().get(`${MM}/wallets/balance`).set('Authorization', `Bearer ${refreshed.body.token}`)).status).toBe(200);
    expect((await mm.api().post(`${MM}/auth/refresh`).send({ refreshToken: user.refreshToken })).status).toBe(401);
  });

  it('when the development admin signs in with admin@mymoolah.local, then the token carries the admin role', async () => {
    const admin = await mm.admin();
    const tb = await mm.api().get(`${MM}/ledger/trial-balance`).set(admin);
    expect(tb.status).toBe(200);
  });
});

describe('MyMoolah wallet and settings', () => {
  it('when a user deposits through Peach and the payment completes, then balance and paginated history show it', async () => {
    const user = await mm.signUp();
    expect((await mm.api().get(`${MM}/wallets/balance`).set(user.auth)).body).toEqual({
      success: true,
      message: 'Balance retrieved successfully',
      data: { walletId: expect.stringMatching(/^WAL-\d{8}$/), balance: 0, currency: 'ZAR', status: 'active' },
    });
    const reference = await mm.deposit(user, 1000);
    await mm.deposit(user, 250.5);
    const page = await eventually(() => mm.api().get(`${MM}/wallets/transactions?page=1&limit=1`).set(user.auth), (r) => r.body.data?.transactions?.[0]?.status === 'success');
    expect(page.body.data.pagination).toEqual({ currentPage: 1, itemsPerPage: 1, totalItems: 2, totalPages: 2 });
    expect(page.body.data.transactions[0]).toEqual({
      id: expect.any(Number),
      transactionId: expect.stringMatching(/^MMD-/),
      type: 'deposit',
      direction: 'credit',
      amount: 250.5,
      status: 'success',
      description: 'Wallet deposit',
      currency: 'ZAR',
      createdAt: expect.any(String),
    });
    const second = await mm.api().get(`${MM}/wallets/transactions?page=2&limit=1`).set(user.auth);
    expect(second.body.data.transactions[0]).toMatchObject({ transactionId: reference, amount: 1000 });
    expect((await mm.api().get(`${MM}/wallets/transactions?limit=0`).set(user.auth)).status).toBe(400);
  });

  it.each([[0], [-5], [10.005], ['abc']])('when a deposit of %p is asked, then 400 INVALID_AMOUNT and nothing is written', async (amount) => {
    const user = await mm.signUp();
    const res = await mm.api().post(`${MM}/wallets/deposit`).set(user.auth).send({ amount });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failure('INVALID_AMOUNT'));
    expect(await historyOf(user)).toBe(0);
  });

  it('when settings are read and changed, then the change is kept and invalid values are refused', async () => {
    const user = await mm.signUp();
    const read = await mm.api().get(`${MM}/settings`).set(user.auth);
    expect(read.body).toEqual({
      success: true,
      message: 'User settings retrieved successfully',
      data: {
        settings: { userId: user.id, quickAccessServices: ['vouchers', 'airtime'], showBalance: true, language: 'en', displayCurrency: 'ZAR' },
        enabledServices: expect.arrayContaining(['vouchers', 'easypay']),
      },
    });
    const changed = await mm.api().put(`${MM}/settings`).set(user.auth).send({ showBalance: false, quickAccessServices: ['easypay'] });
    expect(changed.status).toBe(200);
    expect((await mm.api().get(`${MM}/settings`).set(user.auth)).body.data.settings).toMatchObject({ showBalance: false, quickAccessServices: ['easypay'], language: 'en' });
    const bad = await mm.api().put(`${MM}/settings`).set(user.auth).send({ language: 'klingon' });
    expect(bad.status).toBe(400);
    expect((await mm.api().get(`${MM}/settings`).set(user.auth)).body.data.settings.language).toBe('en');
  });
});

describe('MyMoolah vouchers', () => {
  it('when a voucher is issued, then the wallet pays into the float and the 16-digit code is shown in groups of four', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 1000);
    const res = await mm.api().post(`${MM}/vouchers/issue`).set(user.auth).send({ original_amount: 500, issued_to: 'friend@example.com' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'Voucher issued successfully',
      data: { id: expect.any(Number), voucherCode: expect.stringMatching(/^\d{4} \d{4} \d{4} \d{4}$/), originalAmount: '500.00', balance: '500.00', status: 'active', expiresAt: expect.any(String) },
    });
    expect(hasValidLuhn(digits(res.body.data.voucherCode))).toBe(true);
    expect(await mm.balance(user)).toBe(500);
    const history = await mm.api().get(`${MM}/wallets/transactions`).set(user.auth);
    expect(history.body.data.transactions[0]).toMatchObject({ type: 'voucher_purchase', direction: 'debit', amount: -500, status: 'success' });
    const list = await mm.api().get(`${MM}/vouchers/`).set(user.auth);
    expect(list.body.data.vouchers).toEqual([
      expect.objectContaining({ id: res.body.data.id, voucherCode: res.body.data.voucherCode, easyPayCode: null, originalAmount: '500.00', balance: '500.00', status: 'active', voucherType: 'standard' }),
    ]);
    expect((await mm.api().get(`${MM}/vouchers/active`).set(user.auth)).body.data.vouchers).toHaveLength(1);
    expect((await mm.api().get(`${MM}/vouchers/redeemed`).set(user.auth)).body.data.vouchers).toHaveLength(0);
    expect((await mm.voucher(user, res.body.data.voucherCode)).body.data).toMatchObject({ id: res.body.data.id, status: 'active' });
  });

  it('when vouchers are listed a page at a time, then each page holds its share, newest first, with the pagination block', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 100);
    const issued: number[] = [];
    for (const amount of [10, 20, 30]) issued.push((await mm.issue(user, amount)).id);
    const first = await mm.api().get(`${MM}/vouchers/?page=1&limit=2`).set(user.auth);
    expect(first.body.data.vouchers.map((v: { id: number }) => v.id)).toEqual([issued[2], issued[1]]);
    expect(first.body.data.pagination).toEqual({ currentPage: 1, itemsPerPage: 2, totalItems: 3, totalPages: 2 });
    const second = await mm.api().get(`${MM}/vouchers/active?page=2&limit=2`).set(user.auth);
    expect(second.body.data.vouchers.map((v: { id: number }) => v.id)).toEqual([issued[0]]);
    const bad = await mm.api().get(`${MM}/vouchers/?page=0`).set(user.auth);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, code: expect.any(String) });
  });

  it('when the wallet cannot pay for a voucher, then 400 INSUFFICIENT_BALANCE and nothing is written', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 100);
    const res = await mm.api().post(`${MM}/vouchers/issue`).set(user.auth).send({ original_amount: 500 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failure('INSUFFICIENT_BALANCE'));
    expect(await vouchersOf(user)).toBe(0);
    expect(await mm.balance(user)).toBe(100);
  });

  it('when a voucher is redeemed in parts, then the balance falls, the last part makes it redeemed and the history lists each part', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 500);
    const v = await mm.issue(user, 500);
    const first = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 250, merchant_id: 'MERCHANT123' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      message: 'Voucher redeemed successfully',
      data: { voucher_id: v.id, redeemed_amount: '250.00', remaining_balance: '250.00', redemption_count: 1, status: 'active' },
    });
    const last = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: digits(v.voucherCode), amount: '250.00' });
    expect(last.body.data).toMatchObject({ remaining_balance: '0.00', redemption_count: 2, status: 'redeemed' });
    const again = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 1 });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(failure('INSUFFICIENT_BALANCE'));
    const redemptions = await mm.api().get(`${MM}/vouchers/${v.id}/redemptions`).set(user.auth);
    expect(redemptions.body.data).toMatchObject({ voucher_id: v.id, voucher_code: v.voucherCode, redemption_count: 2, status: 'redeemed', balance: '0.00' });
    expect(redemptions.body.data.redemptions.map((r: { amount: string }) => r.amount)).toEqual(['250.00', '250.00']);
    expect((await mm.api().get(`${MM}/vouchers/redeemed`).set(user.auth)).body.data.vouchers).toHaveLength(1);
    const summary = await mm.api().get(`${MM}/vouchers/balance-summary`).set(user.auth);
    expect(summary.body.data).toMatchObject({ redeemed: { count: 1, value: '500.00' }, active: { count: 0, value: '0.00' }, total: { count: 1, value: '500.00' } });
  });

  it('when ten redemptions of R100 race on a R500 voucher, then exactly five succeed and the balance never goes below zero', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 500);
    const v = await mm.issue(user, 500);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 100 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status !== 200).map((r) => r.body.code)).toEqual(Array(5).fill('INSUFFICIENT_BALANCE'));
    expect(await count('mymoolah_voucher_redemptions where voucher_id = ?', [v.id])).toBe(5);
    expect((await mm.voucher(user, v.voucherCode)).body.data).toMatchObject({ balance: '0.00', status: 'redeemed' });
  });

  it('when a redemption is retried with the same Idempotency-Key, then it is redeemed once', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 300);
    const v = await mm.issue(user, 300);
    const send = () => mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).set('Idempotency-Key', `redeem-${v.id}`).send({ voucher_code: v.voucherCode, amount: 100 });
    const [a, b] = [await send(), await send()];
    expect(a.body).toEqual(b.body);
    expect((await mm.voucher(user, v.voucherCode)).body.data.balance).toBe('200.00');
  });

  it('when redeem input is bad, then the spec\'s codes come back and nothing is written', async () => {
    const user = await mm.signUp();
    const other = await mm.signUp();
    await mm.deposit(user, 200);
    await mm.deposit(other, 100);
    const v = await mm.issue(user, 100);
    const theirs = await mm.issue(other, 100);
    const ep = await mm.easyPay(user, 50);
    const code = digits(v.voucherCode);
    const badCheck = `${code.slice(0, 15)}${(Number(code.at(-1)) + 1) % 10}`;
    const cases: Array<[Record<string, unknown>, number, string, string?]> = [
      [{ voucher_code: ep.easypay_code, amount: 10 }, 400, 'INVALID_VOUCHER_CODE', EASYPAY_NOT_REDEEMABLE],
      [{ voucher_code: '12345', amount: 10 }, 400, 'INVALID_VOUCHER_CODE'],
      [{ voucher_code: '1234abcd5678efgh', amount: 10 }, 400, 'INVALID_VOUCHER_CODE'],
      [{ voucher_code: badCheck, amount: 10 }, 400, 'INVALID_VOUCHER_CODE'],
      [{ voucher_code: code, amount: 0 }, 400, 'INVALID_AMOUNT'],
      [{ voucher_code: code, amount: -10 }, 400, 'INVALID_AMOUNT'],
      [{ voucher_code: code, amount: 1.005 }, 400, 'INVALID_AMOUNT'],
      [{ voucher_code: code, amount: 100.01 }, 400, 'INSUFFICIENT_BALANCE'],
      [{ voucher_code: '4000000000000002', amount: 10 }, 404, 'VOUCHER_NOT_FOUND'],
      [{ voucher_code: theirs.voucherCode, amount: 10 }, 404, 'VOUCHER_NOT_FOUND'],
    ];
    for (const [payload, status, errorCode, message] of cases) {
      const res = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send(payload);
      expect({ payload, status: res.status, body: res.body }).toEqual({ payload, status, body: { success: false, error: message ?? expect.any(String), code: errorCode } });
    }
    expect(await count('mymoolah_voucher_redemptions r join mymoolah_vouchers v on v.id = r.voucher_id where v.user_id in (?, ?)', [user.id, other.id])).toBe(0);
    expect((await mm.voucher(other, theirs.voucherCode)).body.data.balance).toBe('100.00');
  });

  it.each([[{ original_amount: 0 }], [{ original_amount: -50 }], [{ original_amount: 10.123 }], [{ original_amount: 'ten' }], [{}]])(
    'when a voucher issue has %j, then 400 INVALID_AMOUNT and nothing is written',
    async (payload) => {
      const user = await mm.signUp();
      for (const path of ['vouchers/issue', 'vouchers/easypay/issue']) {
        const res = await mm.api().post(`${MM}/${path}`).set(user.auth).send(payload);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(failure('INVALID_AMOUNT'));
      }
      expect(await vouchersOf(user)).toBe(0);
    },
  );
});

describe('MyMoolah EasyPay', () => {
  it('when an EasyPay voucher is created, paid at a till and redeemed in parts, then it goes pending, active, redeemed', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 600);
    const res = await mm.api().post(`${MM}/vouchers/easypay/issue`).set(user.auth).send({ original_amount: 500 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'EasyPay voucher created successfully',
      data: {
        id: expect.any(Number),
        easypay_code: expect.stringMatching(/^91234\d{9}$/),
        easypay_code_display: expect.stringMatching(/^9 1234 \d{4} \d{4} \d$/),
        amount: '500.00',
        status: 'pending_payment',
        expires_at: expect.any(String),
        sms_sent: false,
      },
    });
    const ep = res.body.data.easypay_code as string;
    expect(hasValidLuhn(ep)).toBe(true);
    expect(await mm.balance(user)).toBe(100);
    const pending = await mm.voucher(user, ep);
    expect(pending.body.data).toMatchObject({ status: 'pending_payment', voucherCode: null, easyPayCode: res.body.data.easypay_code_display, voucherType: 'easypay_pending' });

    expect((await mm.api().post('/mymoolah/billpayment/v1/easypay/process').send({ easypay_code: ep, amount: 500, transaction_id: 'x' })).status).toBe(401);
    expect((await mm.network({ easypay_code: ep, amount: 500, transaction_id: 'x' }, 'not-the-network-key-at-all')).status).toBe(401);
    expect((await mm.network({ easypay_code: ep, amount: 499, transaction_id: `TX-${ep}-short` })).body).toEqual(failure('INVALID_AMOUNT'));

    const paid = await mm.network({ easypay_code: ep, amount: 500, transaction_id: `TX-${ep}`, merchant_id: 'SHOPRITE-0042' });
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({ success: true, message: 'Payment processed', data: { easypay_code: ep, transaction_id: `TX-${ep}`, status: 'accepted', amount: '500.00' } });
    const redelivered = await mm.network({ easypay_code: ep, amount: 500, transaction_id: `TX-${ep}`, merchant_id: 'SHOPRITE-0042' });
    expect(redelivered.status).toBe(200);
    expect(await count('mymoolah_easypay_settlements where transaction_id = ?', [`TX-${ep}`])).toBe(1);

    const active = (await mm.voucher(user, ep)).body.data;
    expect(active).toMatchObject({ status: 'active', easyPayCode: res.body.data.easypay_code_display, voucherType: 'easypay_active', balance: '500.00' });
    expect(active.voucherCode).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect((await mm.voucher(user, active.voucherCode)).body.data.id).toBe(res.body.data.id);
    const again = await mm.api().post(`${MM}/vouchers/easypay/settlement`).set(user.auth).send({ easypay_code: ep, settlement_amount: 500, transaction_id: `TX-${ep}-other` });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(failure('VOUCHER_ALREADY_SETTLED'));
    const cancelSettled = await mm.api().post(`${MM}/vouchers/${res.body.data.id}/cancel`).set(user.auth);
    expect(cancelSettled.status).toBe(409);

    await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: active.voucherCode, amount: 300 });
    const rest = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: active.voucherCode, amount: 200 });
    expect(rest.body.data).toMatchObject({ remaining_balance: '0.00', status: 'redeemed' });
    expect(await mm.balance(user)).toBe(100);
  });

  it('when the owner settles through /vouchers/easypay/settlement, then the MMVoucher code comes back', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 200);
    const ep = await mm.easyPay(user, 200);
    const res = await mm.api().post(`${MM}/vouchers/easypay/settlement`).set(user.auth).send({ easypay_code: ep.easypay_code, settlement_amount: 200, merchant_id: 'MERCHANT123', transaction_id: `TX-api-${ep.id}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'EasyPay voucher settled successfully',
      data: { easypay_code: ep.easypay_code, mm_voucher_code: expect.stringMatching(/^\d{4} \d{4} \d{4} \d{4}$/), status: 'active' },
    });
    const other = await mm.signUp();
    const foreign = await mm.api().post(`${MM}/vouchers/easypay/settlement`).set(other.auth).send({ easypay_code: ep.easypay_code, settlement_amount: 200, transaction_id: 'TX-foreign' });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(failure('VOUCHER_NOT_FOUND'));
    for (const bad of [{ easypay_code: '91234388661920', settlement_amount: 200, transaction_id: 'T1' }, { easypay_code: '9123438866', settlement_amount: 200, transaction_id: 'T2' }]) {
      const res2 = await mm.api().post(`${MM}/vouchers/easypay/settlement`).set(user.auth).send(bad);
      expect(res2.status).toBe(400);
      expect(res2.body).toEqual(failure('INVALID_VOUCHER_CODE'));
    }
  });

  it('when a pending EasyPay voucher is cancelled, then it is refunded in full with a refund transaction, and can no longer be paid', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 300);
    const ep = await mm.easyPay(user, 130);
    const other = await mm.signUp();
    expect((await mm.api().post(`${MM}/vouchers/${ep.id}/cancel`).set(other.auth)).body).toEqual(failure('VOUCHER_NOT_FOUND'));
    const res = await mm.api().post(`${MM}/vouchers/${ep.id}/cancel`).set(user.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'EasyPay voucher cancelled successfully',
      data: { voucherId: String(ep.id), easyPayCode: ep.easypay_code, originalAmount: 130, refundAmount: 130, newWalletBalance: 300, cancelledAt: expect.any(String), transactionId: `VCH-${ep.id}-REFUND` },
    });
    expect(await mm.balance(user)).toBe(300);
    expect((await mm.api().post(`${MM}/vouchers/${ep.id}/cancel`).set(user.auth)).body).toEqual(failure('VOUCHER_CANCELLED'));
    const history = await mm.api().get(`${MM}/wallets/transactions`).set(user.auth);
    expect(history.body.data.transactions[0]).toMatchObject({ transactionId: `VCH-${ep.id}-REFUND`, type: 'voucher_refund', direction: 'credit', amount: 130 });
    const paid = await mm.network({ easypay_code: ep.easypay_code, amount: 130, transaction_id: `TX-after-cancel-${ep.id}` });
    expect(paid.status).toBe(409);
    expect(paid.body).toEqual(failure('VOUCHER_CANCELLED'));
    expect(await mm.balance(user)).toBe(300);
    const standard = await mm.issue(user, 50);
    expect((await mm.api().post(`${MM}/vouchers/${standard.id}/cancel`).set(user.auth)).body).toEqual(failure('VOUCHER_NOT_CANCELLABLE'));
    expect((await mm.api().post(`${MM}/vouchers/999999999/cancel`).set(user.auth)).status).toBe(404);
    expect((await mm.api().post(`${MM}/vouchers/abc/cancel`).set(user.auth)).status).toBe(400);
  });

  it('when settlement races cancellation and the network redelivers, then there is one outcome and money is conserved', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 1000);
    const before = await myMoolahTotals(platform);
    const vouchers = await Promise.all(Array.from({ length: 4 }, () => mm.easyPay(user, 100)));
    const outcomes = await Promise.all(
      vouchers.map(async (ep) => {
        const [paid, paidAgain, cancelled] = await Promise.all([
          mm.network({ easypay_code: ep.easypay_code, amount: 100, transaction_id: `TX-race-${ep.id}` }),
          mm.network({ easypay_code: ep.easypay_code, amount: 100, transaction_id: `TX-race-${ep.id}` }),
          mm.api().post(`${MM}/vouchers/${ep.id}/cancel`).set(user.auth),
        ]);
        const status = (await mm.voucher(user, ep.easypay_code)).body.data.status as string;
        return { paid: paid.status, paidAgain: paidAgain.status, cancelled: cancelled.status, status };
      }),
    );
    for (const o of outcomes) {
      // Either the payment won (both deliveries accepted, the cancel refused) or the cancel did (both refused).
      if (o.status === 'active') expect(o).toEqual({ paid: 200, paidAgain: 200, cancelled: 409, status: 'active' });
      else expect(o).toEqual({ paid: 409, paidAgain: 409, cancelled: 200, status: 'cancelled' });
    }
    const active = outcomes.filter((o) => o.status === 'active').length;
    expect(await mm.balance(user)).toBe(1000 - 100 * active);
    const after = await myMoolahTotals(platform);
    expect(after.debits - before.debits).toBe(after.credits - before.credits);
    await expectTrialBalanceZero(platform.orm.em);
  });
});

describe('MyMoolah payments', () => {
  it('when airtime is bought through Flash and data through MobileMart, then each settles and the wallet pays once', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 500);
    const flash = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'airtime', productCode: 'VODACOM', accountNumber: '0825571055', amount: 50 });
    expect(flash.status).toBe(200);
    expect(flash.body).toEqual({ success: true, message: 'Purchase successful', data: { reference: expect.stringMatching(/^FLS-\d+$/), status: 'success', amount: 50 } });
    const mobile = await mm.api().post(`${MM}/mobilemart/process`).set(user.auth).send({ productType: 'data', network: 'MTN', productCode: '1GB-30D', accountNumber: '0825571055', amount: 99 });
    expect(mobile.status).toBe(200);
    expect(mobile.body.data).toMatchObject({ reference: expect.stringMatching(/^MMT-\d+$/), status: 'success' });
    expect(platform.sandbox.sellerDeliveries('flash', flash.body.data.reference)).toBe(1);
    const power = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'electricity', productCode: 'ESKOM', accountNumber: '12345678901', amount: 100 });
    expect(power.body.data).toMatchObject({ status: 'success', token: expect.stringMatching(/^\d{20}$/) });
    expect(await mm.balance(user)).toBe(251);
    // The token outlives the purchase answer: the history keeps it for the buyer.
    const history = await mm.api().get(`${MM}/wallets/transactions`).set(user.auth);
    expect(history.body.data.transactions.find((t: { transactionId: string }) => t.transactionId === power.body.data.reference)).toMatchObject({ token: power.body.data.token });
  });

  it('when the provider fails or the wallet is short, then nothing is charged', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 100);
    platform.sandbox.faults.set({ provider: 'mobilemart', mode: 'error', count: 1 });
    const failed = await mm.api().post(`${MM}/mobilemart/process`).set(user.auth).send({ productType: 'airtime', network: 'MTN', accountNumber: '0825571055', amount: 20 });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ success: false, data: { status: 'failed' } });
    platform.sandbox.faults.set({ provider: 'flash', mode: 'timeout', count: 1, outcome: 'success' });
    const requeried = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'airtime', productCode: 'MTN', accountNumber: '0825571055', amount: 30 });
    expect(requeried.body.data).toMatchObject({ status: 'success' });
    const short = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'airtime', productCode: 'MTN', accountNumber: '0825571055', amount: 500 });
    expect(short.status).toBe(400);
    expect(short.body).toEqual(failure('INSUFFICIENT_BALANCE'));
    const bad = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'airtime', productCode: 'MTN', accountNumber: 'abc', amount: 0 });
    expect(bad.status).toBe(400);
    expect(await mm.balance(user)).toBe(70);
  });
});

describe('MyMoolah Ledger API', () => {
  it('when a non-admin calls it, then 403', async () => {
    const user = await mm.signUp();
    const res = await mm.api().get(`${MM}/ledger/trial-balance`).set(user.auth);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(failure('FORBIDDEN'));
  });

  it('when an admin opens an account and credits a wallet from it, then the wallet shows it at once and the trial balance balances', async () => {
    const admin = await mm.admin();
    const user = await mm.signUp();
    const code = `CASH-${Date.now()}`;
    const opened = await mm.api().post(`${MM}/ledger/accounts`).set(admin).send({ code, name: 'Cash at bank', type: 'asset', normalSide: 'debit' });
    expect(opened.status).toBe(201);
    expect(opened.body).toEqual({ success: true, message: expect.any(String), data: { id: expect.any(Number), code, name: 'Cash at bank', type: 'asset', normalSide: 'debit', currency: 'ZAR' } });
    expect((await mm.api().post(`${MM}/ledger/accounts`).set(admin).send({ code, name: 'Again', type: 'asset', normalSide: 'debit' })).status).toBe(409);

    const walletId = (await mm.api().get(`${MM}/wallets/balance`).set(user.auth)).body.data.walletId as string;
    const reference = `FUND-${user.id}`;
    const entry = { reference, description: 'Manual funding', lines: [{ accountCode: code, dc: 'debit', amount: 100.5 }, { accountCode: `wallet:${user.id}`, dc: 'credit', amount: 100.5 }] };
    const posted = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send(entry);
    expect(posted.status).toBe(201);
    expect(posted.body.data).toMatchObject({ reference, lines: [{ accountCode: code, accountName: 'Cash at bank', dc: 'debit', amount: 100.5 }, { accountCode: `wallet:${user.id}`, dc: 'credit', amount: 100.5 }] });
    expect(await mm.balance(user)).toBe(100.5);
    const history = await mm.api().get(`${MM}/wallets/transactions`).set(user.auth);
    expect(history.body.data.transactions[0]).toMatchObject({ type: 'adjustment', direction: 'credit', amount: 100.5, description: 'Manual funding' });
    const replay = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send(entry);
    expect(replay.status).toBe(200);
    expect(replay.body.data.id).toBe(posted.body.data.id);
    const reused = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send({ ...entry, lines: [{ ...entry.lines[0], amount: 5 }, { ...entry.lines[1], amount: 5 }] });
    expect(reused.status).toBe(409);
    // A walletId names the same account.
    const byWalletId = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send({ reference: `${reference}-2`, description: 'Correction', lines: [{ accountCode: walletId, dc: 'debit', amount: 0.5 }, { accountCode: code, dc: 'credit', amount: 0.5 }] });
    expect(byWalletId.status).toBe(201);
    expect(await mm.balance(user)).toBe(100);

    const tb = await mm.api().get(`${MM}/ledger/trial-balance`).set(admin);
    expect(tb.status).toBe(200);
    const rows = tb.body.data.balances as Array<Record<string, unknown>>;
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: `wallet:${user.id}`, name: 'Wallet: Andre Test', walletId, balance: 100, creditBalance: 100 }),
      expect.objectContaining({ code: 'voucher:float', name: 'Voucher float' }),
      expect.objectContaining({ code: 'clearing:payments', name: expect.any(String) }),
      expect.objectContaining({ code: 'suspense', name: 'Suspense' }),
      expect.objectContaining({ code, name: 'Cash at bank', balance: 100, debitBalance: 100 }),
    ]));
    expect(tb.body.data.totals.debits).toBe(tb.body.data.totals.credits);
    expect(tb.body.data.totals.balanced).toBe(true);
  });

  it.each([
    ['unbalanced', [{ accountCode: 'suspense', dc: 'debit', amount: 10 }, { accountCode: 'voucher:float', dc: 'credit', amount: 9 }], 'VALIDATION_ERROR'],
    ['an unknown account', [{ accountCode: 'NOPE-1', dc: 'debit', amount: 10 }, { accountCode: 'suspense', dc: 'credit', amount: 10 }], 'ACCOUNT_NOT_FOUND'],
    ['three decimals', [{ accountCode: 'suspense', dc: 'debit', amount: 10.001 }, { accountCode: 'clearing:vouchers', dc: 'credit', amount: 10.001 }], 'VALIDATION_ERROR'],
    ['a zero amount', [{ accountCode: 'suspense', dc: 'debit', amount: 0 }, { accountCode: 'clearing:vouchers', dc: 'credit', amount: 0 }], 'VALIDATION_ERROR'],
    ['a negative amount', [{ accountCode: 'suspense', dc: 'debit', amount: -10 }, { accountCode: 'clearing:vouchers', dc: 'credit', amount: -10 }], 'VALIDATION_ERROR'],
    ['one line', [{ accountCode: 'suspense', dc: 'debit', amount: 10 }], 'VALIDATION_ERROR'],
  ])('when a journal entry is %s, then a clear 400 and nothing is posted', async (_case, lines, code) => {
    const admin = await mm.admin();
    const reference = `BAD-${crypto.randomUUID().slice(0, 8)}`;
    const res = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send({ reference, description: 'bad', lines });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failure(code));
    expect(await count('journal_entries where idempotency_key = ?', [`mymoolah:ledger-api:${reference}`])).toBe(0);
  });

  it('when an entry would overdraw a wallet, then INSUFFICIENT_BALANCE and nothing is posted', async () => {
    const admin = await mm.admin();
    const user = await mm.signUp();
    const reference = `OVER-${user.id}`;
    const res = await mm.api().post(`${MM}/ledger/journal-entries`).set(admin).send({ reference, description: 'too much', lines: [{ accountCode: `wallet:${user.id}`, dc: 'debit', amount: 10 }, { accountCode: 'suspense', dc: 'credit', amount: 10 }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failure('INSUFFICIENT_BALANCE'));
    expect(await historyOf(user)).toBe(0);
  });
});
