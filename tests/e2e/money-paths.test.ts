import { MockActivityEnvironment } from '@temporalio/testing';
import { createHousekeepingActivities } from '../../activities/housekeeping.js';
import { PAYMENT_SIGNATURE_HEADER, signPaymentWebhook } from '../../providers/webhooks.js';
import { RAZORPAY_SIGNATURE_HEADER, signRazorpayWebhook } from '../../providers/razorpay.js';
import { purchaseDecisionSignal, purchaseStateQuery, type ReconciliationResult } from '../../workflows/contracts.js';
import { reconcileTenant } from '../../workflows/index.js';
import { expectTrialBalanceZero, uniqueId } from '../support/db.js';
import { eventually, maxtera, type MaxteraUser } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { TEST_ENV } from '../support/test-env.js';
import { requireProviderKey } from '../../core/config.js';

let platform: TestPlatform;
let m: ReturnType<typeof maxtera>;
let admin: { Authorization: string };

beforeAll(async () => {
  platform = await startTestPlatform({ PURCHASE_REQUERY_LIMIT_MS: '1500', FUNDING_ACCEPT_WAIT_MS: '6000' });
  m = maxtera(platform);
  const login = await m.api().post('/maxtera/api/v1/auth/login/').send({ email: 'admin@maxtera.local', password: TEST_ENV.SEED_ADMIN_PASSWORD });
  admin = { Authorization: `Bearer ${login.body.access}` };
});
afterAll(async () => {
  platform.sandbox.faults.set({ provider: 'vtu', mode: 'none', count: 0 });
  platform.sandbox.faults.set({ provider: 'payments', mode: 'none', count: 0 });
  await platform.stop();
});

const startDeposit = async (user: MaxteraUser, amount: number) => {
  const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount, method: 'onepipe' });
  expect(res.status).toBe(200);
  return res.body.reference as string;
};

const depositRow = async (reference: string) =>
  (await platform.orm.em.fork().execute<{ status: string; amount: string }[]>(
    'select status, amount from wallet_transactions where reference = ?',
    [reference],
  ))[0]!;

function signedWebhook(event: { eventId: string; reference: string; amountMinor: number; status?: 'success' | 'failed' }) {
  const body = JSON.stringify({
    event_id: event.eventId,
    type: 'collection.completed',
    data: { transaction_ref: event.reference, status: event.status ?? 'success', amount: event.amountMinor },
  });
  const signature = signPaymentWebhook(body, TEST_ENV.WEBHOOK_SECRET, Math.floor(Date.now() / 1000));
  return () => m.api().post('/webhooks/onepipe').set('Content-Type', 'application/json').set(PAYMENT_SIGNATURE_HEADER, signature).send(body);
}

describe('funding', () => {
  it('when the app completes the payment right after the fund call, then the reference is already payable', async () => {
    const user = await m.signUp();
    const reference = await startDeposit(user, 2500);
    const completed = await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' });
    expect(completed.status).toBe(200);
    expect(completed.body.delivered).toBe(true);
    await eventually(() => m.balance(user), (b) => b === 2500);
  });

  it('when the provider does not answer in time, then the app gets 503 and no reference', async () => {
    const user = await m.signUp();
    platform.sandbox.faults.set({ provider: 'payments', mode: 'error', count: 1000 });
    try {
      const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 100, method: 'onepipe' });
      expect(res.status).toBe(503);
      expect(res.body.reference).toBeUndefined();
    } finally {
      platform.sandbox.faults.set({ provider: 'payments', mode: 'none', count: 0 });
    }
  });

  it.each([
    ['less', 150_000, 1500],
    ['more', 350_000, 3500],
  ])('when the payer paid %s than asked, then the wallet is credited with what arrived', async (_direction, paidMinor, paidNaira) => {
    const user = await m.signUp();
    const reference = await startDeposit(user, 2500);
    await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success', amount_minor: paidMinor }).expect(200);
    await eventually(() => m.balance(user), (b) => b === paidNaira);
    expect(await depositRow(reference)).toEqual({ status: 'success', amount: String(paidMinor) });
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when a webhook was stored but its hand-off never happened, then the redelivery credits the wallet exactly once', async () => {
    const user = await m.signUp();
    const reference = await startDeposit(user, 800);
    const eventId = uniqueId('evt');
    // What an API that died between storing and handing off leaves behind.
    await platform.orm.em.fork().execute(
      `insert into webhook_events (provider, tenant, event_id, reference, payload) values ('onepipe', 'maxtera', ?, ?, '{}')`,
      [eventId, reference],
    );
    const redeliver = signedWebhook({ eventId, reference, amountMinor: 80_000 });
    const first = await redeliver();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true });
    await eventually(() => m.balance(user), (b) => b === 800);
    const again = await redeliver();
    expect(again.body).toEqual({ received: true, duplicate: true });
    await eventually(() => depositRow(reference), (r) => r.status === 'success');
    expect(await m.balance(user)).toBe(800);
  });

  it('when a provider sends an authentic event that is not final, then it is acknowledged and nothing is stored', async () => {
    const linkId = uniqueId('plink');
    const body = JSON.stringify({ entity: 'event', event: 'payment_link.partially_paid', payload: { payment_link: { entity: { id: linkId } } } });
    const res = await m.api().post('/webhooks/razorpay').set('Content-Type', 'application/json')
      .set(RAZORPAY_SIGNATURE_HEADER, signRazorpayWebhook(body, requireProviderKey(platform.config, 'RAZORPAY_WEBHOOK_SECRET', 'this test'))).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, ignored: true });
    const stored = await platform.orm.em.fork().execute('select id from webhook_events where event_id like ?', [`${linkId}%`]);
    expect(stored).toEqual([]);
  });

  it('when money arrives for a reference nobody waits for, then it is parked in suspense and an admin can place it', async () => {
    const user = await m.signUp();
    const reference = `MPX-UNKNOWN-${uniqueId()}`;
    const delivered = await signedWebhook({ eventId: uniqueId('evt'), reference, amountMinor: 4_200 })();
    expect(delivered.status).toBe(200);
    const item = await eventually(
      async () => (await m.api().get('/ops/maxtera/reviews').set(admin)).body.suspense.find((i: { reference: string }) => i.reference === reference),
      (i) => i !== undefined,
    );
    expect(item).toMatchObject({ amount: '42.00', currency: 'NGN' });

    const refused = await m.api().get('/ops/maxtera/reviews').set(user.auth);
    expect(refused.status).toBe(403);

    const resolved = await m.api().post(`/ops/maxtera/reconciliation-items/${item.id}/resolve`).set(admin)
      .send({ action: 'credit_wallet', user_id: user.id, reason: 'customer sent the receipt' });
    expect(resolved.status).toBe(202);
    await eventually(() => m.balance(user), (b) => b === 42);
    const after = (await m.api().get('/ops/maxtera/reviews').set(admin)).body.suspense;
    expect(after.find((i: { reference: string }) => i.reference === reference)).toBeUndefined();
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when a deposit timed out and its webhook was lost, then reconciliation credits it once', async () => {
    const user = await m.signUp();
    const reference = await startDeposit(user, 700);
    await eventually(() => depositRow(reference), (r) => r.status === 'failed', 30_000);
    await m.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success', lose_webhook: true }).expect(200);

    const run = () =>
      platform.temporal.workflow.execute(reconcileTenant, {
        args: ['maxtera'],
        taskQueue: platform.config.TEMPORAL_TASK_QUEUE,
        workflowId: uniqueId('reconcile'),
      });
    const first: ReconciliationResult = await run();
    expect(first.lateDepositsCredited).toContain(reference);
    expect(await m.balance(user)).toBe(700);
    const second = await run();
    expect(second.lateDepositsCredited).not.toContain(reference);
    expect(await m.balance(user)).toBe(700);
  });
});

describe('purchases whose outcome stays unknown', () => {
  const buy = (user: MaxteraUser) =>
    m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'MTN', amount: 300, phone_number: '08031234567' });

  async function purchaseUnderReview(user: MaxteraUser): Promise<{ reference: string; workflowId: string }> {
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'pending', count: 10_000, outcome: 'success' });
    const res = await buy(user);
    const reference: string = res.body.reference;
    const review = await eventually(
      async () => (await m.api().get('/ops/maxtera/reviews').set(admin)).body.purchases.find((p: { reference: string }) => p.reference === reference),
      (p) => p !== undefined,
    );
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'none', count: 0 });
    return { reference, workflowId: review.workflow_id };
  }

  it('when an admin voids a purchase under review, then the user is refunded and the hold is released', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const { reference, workflowId } = await purchaseUnderReview(user);
    expect(await m.balance(user)).toBe(700);
    expect(await platform.temporal.workflow.getHandle(workflowId).query(purchaseStateQuery)).toMatchObject({ status: 'review' });

    const decided = await m.api().post(`/ops/maxtera/purchases/${reference}/decision`).set(admin).send({ action: 'void', reason: 'VTpass says never delivered' });
    expect(decided.status).toBe(202);
    await eventually(() => m.balance(user), (b) => b === 1000);
    const [row] = await platform.orm.em.fork().execute<{ status: string; under_review: boolean }[]>(
      'select status, under_review from wallet_transactions where reference = ?',
      [reference],
    );
    expect(row).toEqual({ status: 'failed', under_review: false });
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when an operator posts a purchase under review from the Temporal side, then the money is kept once', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const { workflowId } = await purchaseUnderReview(user);
    // The same signal the README's `temporal workflow signal` command sends.
    await platform.temporal.workflow.getHandle(workflowId).signal(purchaseDecisionSignal, { action: 'post', reason: 'delivered per VTpass report', operator: 'ops:test' });
    const outcome = await platform.temporal.workflow.getHandle(workflowId).result();
    expect(outcome).toMatchObject({ status: 'success' });
    expect(await m.balance(user)).toBe(700);
  });

  it('when the housekeeping sweep meets an expired hold of a live flow or of a review, then it leaves the hold to its flow', async () => {
    const user = await m.signUp();
    await m.fund(user, 1000);
    const { reference, workflowId } = await purchaseUnderReview(user);
    const em = platform.orm.em.fork();
    await em.execute(
      `update ledger_holds set expires_at = now() - interval '1 minute' where id = (select hold_id from wallet_transactions where reference = ?)`,
      [reference],
    );
    const sweep = createHousekeepingActivities({ orm: platform.orm, temporal: platform.temporal });
    await new MockActivityEnvironment().run(sweep.voidHoldsOfClosedFlows);
    const [hold] = await em.execute<{ status: string }[]>(
      'select h.status from ledger_holds h join wallet_transactions t on t.hold_id = h.id where t.reference = ?',
      [reference],
    );
    expect(hold!.status).toBe('pending');
    expect(await m.balance(user)).toBe(700);
    await platform.temporal.workflow.getHandle(workflowId).signal(purchaseDecisionSignal, { action: 'void', reason: 'cleanup', operator: 'ops:test' });
    await eventually(() => m.balance(user), (b) => b === 1000);
  });
});
