import { expectTrialBalanceZero } from '../support/db.js';
import { eventually } from '../support/maxtera.js';
import { MM, mymoolah } from '../support/mymoolah.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let mm: ReturnType<typeof mymoolah>;

// Expiry durations are configuration: seconds here, so the flows' durable timers fire within the test.
const LIFETIME_MS = 3000;
beforeAll(async () => {
  platform = await startTestPlatform({ MYMOOLAH_VOUCHER_EXPIRY_MS: String(LIFETIME_MS), MYMOOLAH_EASYPAY_EXPIRY_MS: String(LIFETIME_MS) });
  mm = mymoolah(platform);
});
afterAll(async () => {
  await platform.stop();
});

const waitForExpiry = (user: Awaited<ReturnType<typeof mm.signUp>>, code: string) =>
  eventually(() => mm.voucher(user, code), (r) => r.body.data?.status === 'expired', LIFETIME_MS + 15_000);

describe('MyMoolah voucher expiry (durable timers in each voucher\'s flow)', () => {
  it('when a pending EasyPay voucher is never paid, then at its expiry it is refunded in full and can no longer be paid', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 200);
    const ep = await mm.easyPay(user, 150);
    expect(await mm.balance(user)).toBe(50);
    await waitForExpiry(user, ep.easypay_code);
    expect(await mm.balance(user)).toBe(200);
    const history = await mm.api().get(`${MM}/wallets/transactions`).set(user.auth);
    expect(history.body.data.transactions[0]).toMatchObject({ type: 'voucher_refund', direction: 'credit', amount: 150 });
    const late = await mm.network({ easypay_code: ep.easypay_code, amount: 150, transaction_id: `TX-late-${ep.id}` });
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ success: false, code: 'VOUCHER_EXPIRED' });
    const cancel = await mm.api().post(`${MM}/vouchers/${ep.id}/cancel`).set(user.auth);
    expect(cancel.body).toMatchObject({ success: false, code: 'VOUCHER_EXPIRED' });
  });

  it('when an active voucher expires partly used, then its remaining balance returns to the wallet and redemption is refused', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 100);
    const v = await mm.issue(user, 100);
    const redeemed = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 40 });
    expect(redeemed.status).toBe(200);
    const expired = await waitForExpiry(user, v.voucherCode);
    expect(expired.body.data).toMatchObject({ balance: '0.00', originalAmount: '100.00' });
    expect(await mm.balance(user)).toBe(60);
    const after = await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 10 });
    expect(after.status).toBe(400);
    expect(after.body).toMatchObject({ success: false, code: 'VOUCHER_EXPIRED' });
    const summary = await mm.api().get(`${MM}/vouchers/balance-summary`).set(user.auth);
    expect(summary.body.data.expired).toEqual({ count: 1, value: '100.00' });
  });

  it('when a settled EasyPay voucher expires unused, then its whole balance is refunded', async () => {
    const user = await mm.signUp();
    await mm.deposit(user, 80);
    const ep = await mm.easyPay(user, 80);
    const paid = await mm.network({ easypay_code: ep.easypay_code, amount: 80, transaction_id: `TX-exp-${ep.id}` });
    expect(paid.status).toBe(200);
    await waitForExpiry(user, ep.easypay_code);
    expect(await mm.balance(user)).toBe(80);
    await expectTrialBalanceZero(platform.orm.em);
  });
});
