import { uniqueId } from '../support/db.js';
import { GC, gencharge, todayInIndia, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { eventually } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;
let jioGroup: number;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
  admin = await gc.superAdmin();
  jioGroup = (await adminPost('/plans/plan-group', { group_name: `Jio Prepaid ${uniqueId('g')}` })).body.group_id;
});
afterAll(async () => {
  await platform.stop();
});

const adminPost = (path: string, body: object) => gc.api().post(`${GC}${path}`).set(admin.auth).send(body);
const adminGet = (path: string, query: Record<string, string | number> = {}) => gc.api().get(`${GC}${path}`).set(admin.auth).query(query);
const userPost = (user: GenChargeUser, path: string, body: object) => gc.api().post(`${GC}${path}`).set(user.auth).send(body);
const userGet = (user: GenChargeUser, path: string, query: Record<string, string | number> = {}) => gc.api().get(`${GC}${path}`).set(user.auth).query(query);

async function newPlan(fields: Record<string, unknown> = {}): Promise<{ plan_id: number; plan_name: string }> {
  const res = await adminPost('/plans/plan', { plan_name: uniqueId('plan'), price: 699, validity: 28, plan_type: 'prepaid', group_id: jioGroup, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}

let offerType: number | undefined;
async function newOffer(fields: Record<string, unknown> = {}): Promise<{ offer_id: number }> {
  offerType ??= (await adminPost('/offers/offer_type', { offer_type_name: uniqueId('type') })).body.offer_type_id;
  const res = await adminPost('/offers/offers', { offer_name: uniqueId('offer'), offer_validity: 30, offer_type_id: offerType, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}

const balance = async (user: GenChargeUser) => (await userGet(user, '/user/me')).body.wallet_balance as number;

const noticesOf = async (user: { id: number }) =>
  (await platform.orm.em.fork().execute<{ kind: string; description: string }[]>('select kind, description from gencharge_notifications where user_id = ? order by created_at', [user.id])).map((n) => n.kind);

const smsTo = async (user: GenChargeUser) =>
  ((await gc.api().get('/sandbox/outbox').query({ to: `+91${user.phone}` })).body.messages as Array<{ body: string }>).map((m) => m.body);

const subscribe = (user: GenChargeUser, body: Record<string, unknown>) =>
  userPost(user, '/recharge/subscribe', { phone_number: user.phone, payment_method: 'wallet', source: 'recharge', activation_mode: 'activate', ...body });

describe('GenCharge wallet top-up', () => {
  it('when a user tops up and the collector confirms, then the top-up turns success and the wallet is credited once, with a notice', async () => {
    const user = await gc.signUp();
    const started = await userPost(user, '/recharge/wallet/topup', { amount: 500, phone_number: user.phone, payment_method: 'upi' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      txn_id: expect.any(Number),
      category: 'wallet',
      txn_type: 'credit',
      amount: '500.00',
      source: 'wallet_topup',
      status: 'pending',
      payment_method: 'UPI',
      created_at: ISO,
      reference: expect.stringMatching(/^GCT-\d+$/),
      payment_url: expect.any(String),
    });
    const { reference, txn_id } = started.body;
    expect(await balance(user)).toBe(0);

    await eventually(() => gc.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
    const mine = await eventually(() => userGet(user, '/recharge/my/transactions'), (r) => r.body.transactions?.[0]?.status === 'success');
    expect(mine.body).toEqual({
      transactions: [{ txn_id, category: 'wallet', txn_type: 'credit', amount: '500.00', source: 'wallet_topup', status: 'success', payment_method: 'UPI', reference, created_at: ISO }],
      total: 1,
      page: 1,
      size: 10,
      pages: 1,
    });
    expect(await balance(user)).toBe(500);
    await eventually(() => noticesOf(user), (kinds) => kinds.includes('topup_credited'));

    // The collector's confirmation again credits nothing more.
    await gc.api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' });
    await eventually(() => userGet(user, '/recharge/my/transactions'), (r) => r.status === 200);
    expect(await balance(user)).toBe(500);
    expect((await noticesOf(user)).filter((k) => k === 'topup_credited')).toHaveLength(1);
  });

  it('when the top-up body is invalid, then it is a 422 and nothing is started', async () => {
    const user = await gc.signUp();
    const res = await userPost(user, '/recharge/wallet/topup', { amount: -5, phone_number: user.phone, payment_method: 'Cash' });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort()).toEqual(['body.amount', 'body.payment_method']);
    expect((await userGet(user, '/recharge/my/transactions')).body.total).toBe(0);
  });
});

describe('GenCharge subscribe', () => {
  it('when a user subscribes from the wallet with an offer, then the offer price is charged and the plan is active', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    const offer = await newOffer({ discount_type: 'percentage', discount_value: 10, criteria: { plan_ids: [plan.plan_id] } });

    const res = await subscribe(user, { plan_id: plan.plan_id, offer_id: offer.offer_id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      txn_id: expect.any(Number),
      category: 'service',
      txn_type: 'debit',
      // 699 less 10% is 629.10; operators take whole rupees.
      amount: '629.00',
      service_type: 'prepaid',
      plan_id: plan.plan_id,
      offer_id: offer.offer_id,
      source: 'recharge',
      status: 'success',
      payment_method: 'wallet',
      created_at: ISO,
      reference: expect.stringMatching(/^GCR-\d+$/),
    });
    expect(await balance(user)).toBe(371);

    const plans = await userGet(user, '/recharge/my/plans');
    expect(plans.body).toEqual({
      plans: [
        {
          id: expect.any(Number),
          user_id: user.id,
          plan_id: plan.plan_id,
          phone_number: user.phone,
          valid_from: ISO,
          valid_to: ISO,
          status: 'active',
          plan: { plan_id: plan.plan_id, plan_name: plan.plan_name, plan_type: 'prepaid', status: 'active', created_at: ISO },
        },
      ],
      total: 1,
      page: 1,
      size: 10,
      pages: 1,
    });
    const { valid_from, valid_to } = plans.body.plans[0];
    expect(Date.parse(valid_to) - Date.parse(valid_from)).toBe(28 * 2000);

    const txns = await userGet(user, '/recharge/my/transactions', { category: 'service' });
    expect(txns.body.transactions).toEqual([
      expect.objectContaining({ txn_id: res.body.txn_id, category: 'service', txn_type: 'debit', amount: '629.00', source: 'recharge', status: 'success', plan_id: plan.plan_id, offer_id: offer.offer_id, service_type: 'prepaid', phone_number: user.phone }),
    ]);
    await eventually(() => noticesOf(user), (kinds) => kinds.includes('recharge_done'));
  });

  it('when the offer is inactive, not for this plan or unknown, or the plan is unknown, then it is a clear 4xx and nothing is charged', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    const other = await newPlan();
    const inactive = await newOffer({ status: 'inactive', discount_type: 'flat', discount_value: 50 });
    const elsewhere = await newOffer({ discount_type: 'flat', discount_value: 50, criteria: { plan_ids: [other.plan_id] } });

    const refusedInactive = await subscribe(user, { plan_id: plan.plan_id, offer_id: inactive.offer_id });
    expect(refusedInactive.status).toBe(400);
    expect(refusedInactive.body).toEqual({ detail: 'Offer is not active' });
    const refusedElsewhere = await subscribe(user, { plan_id: plan.plan_id, offer_id: elsewhere.offer_id });
    expect(refusedElsewhere.status).toBe(400);
    expect(refusedElsewhere.body).toEqual({ detail: 'Offer is not applicable to this plan' });
    const unknownOffer = await subscribe(user, { plan_id: plan.plan_id, offer_id: 2_000_000_000 });
    expect(unknownOffer.status).toBe(404);
    expect(unknownOffer.body).toEqual({ detail: 'Offer not found' });
    const unknownPlan = await subscribe(user, { plan_id: 2_000_000_000 });
    expect(unknownPlan.status).toBe(404);
    expect(unknownPlan.body).toEqual({ detail: 'Plan not found' });

    const noOperatorGroup = (await adminPost('/plans/plan-group', { group_name: uniqueId('Data Packs') })).body.group_id;
    const noOperator = await newPlan({ group_id: noOperatorGroup });
    const unnamed = await subscribe(user, { plan_id: noOperator.plan_id });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.detail[0].loc).toEqual(['body', 'plan_id']);

    expect(await balance(user)).toBe(1000);
    expect((await userGet(user, '/recharge/my/transactions')).body.total).toBe(0);
  });

  it('when the wallet cannot pay, then it is 400 Insufficient wallet balance and nothing is held or written', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 10_000n);
    const plan = await newPlan();
    const res = await subscribe(user, { plan_id: plan.plan_id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Insufficient wallet balance' });
    expect(await balance(user)).toBe(100);
    expect((await userGet(user, '/recharge/my/transactions')).body.total).toBe(0);
    expect((await userGet(user, '/recharge/my/plans')).body.total).toBe(0);
    const [holds] = await platform.orm.em.fork().execute<{ n: string }[]>(
      `select count(*) as n from ledger_holds h join ledger_accounts a on a.id = h.debit_account_id where a.user_id = ?`,
      [user.id],
    );
    expect(Number(holds!.n)).toBe(0);
    expect(await noticesOf(user)).toEqual([]);
  });

  it('when a subscribe is retried with the same Idempotency-Key, then it answers the first recharge and charges once', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    const key = uniqueId('key');
    const order = { phone_number: user.phone, plan_id: plan.plan_id, payment_method: 'wallet', source: 'recharge', activation_mode: 'activate' };
    const first = await gc.api().post(`${GC}/recharge/subscribe`).set(user.auth).set('Idempotency-Key', key).send(order);
    const again = await gc.api().post(`${GC}/recharge/subscribe`).set(user.auth).set('Idempotency-Key', key).send(order);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await balance(user)).toBe(301);
    expect((await userGet(user, '/recharge/my/transactions')).body.total).toBe(1);
  });

  it('when the offer has expired (created_at + offer_validity days), then it is 400 and nothing is charged', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    const offer = await newOffer({ offer_validity: 3, discount_type: 'flat', discount_value: 50 });
    // A GenCharge day lasts 2 s in tests: three of them are long past for an offer made a minute ago.
    await platform.orm.em.fork().execute(`update gencharge_offers set created_at = now() - interval '1 minute' where id = ?`, [offer.offer_id]);
    const res = await subscribe(user, { plan_id: plan.plan_id, offer_id: offer.offer_id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Offer has expired' });
    expect(await balance(user)).toBe(1000);

    // The public list a customer picks offers from shows only offers a subscription still takes.
    const running = await newOffer({ offer_validity: 30, discount_type: 'flat', discount_value: 50 });
    const publicIds = ((await gc.api().get(`${GC}/offers/offers/public`).query({ limit: 500, sort_by: 'created_at', sort_order: 'desc' })).body as Array<{ offer_id: number }>).map((o) => o.offer_id);
    expect(publicIds).toContain(running.offer_id);
    expect(publicIds).not.toContain(offer.offer_id);
  });

  it('when the operator refuses the recharge, then the hold is voided, the balance is unchanged and the recharge failed', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    platform.sandbox.faults.set({ provider: 'recharge', mode: 'error', count: 1 });
    const res = await subscribe(user, { plan_id: plan.plan_id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', txn_id: expect.any(Number), failure_reason: expect.any(String) });
    expect(await balance(user)).toBe(1000);
    expect((await userGet(user, '/recharge/my/transactions')).body.transactions).toEqual([expect.objectContaining({ txn_id: res.body.txn_id, status: 'failed' })]);
    expect((await userGet(user, '/recharge/my/plans')).body.total).toBe(0);
    await eventually(() => noticesOf(user), (kinds) => kinds.includes('recharge_failed'));
  });

  it.each([
    ['pending', 2],
    ['timeout', 1],
  ] as const)('when the operator answer is ambiguous (%s), then it is re-queried to success and charged once', async (mode, count) => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan();
    platform.sandbox.faults.set({ provider: 'recharge', mode, count, outcome: 'success' });
    const res = await subscribe(user, { plan_id: plan.plan_id });
    expect([200, 202]).toContain(res.status);
    const txns = await eventually(() => userGet(user, '/recharge/my/transactions'), (r) => r.body.transactions?.[0]?.status === 'success');
    expect(txns.body.total).toBe(1);
    expect(await balance(user)).toBe(301);
    await eventually(() => userGet(user, '/recharge/my/plans'), (r) => r.body.total === 1);
  });

  it('when a user pays by UPI, then the answer is pending with the payment to make, and the plan is bought once paid', async () => {
    const user = await gc.signUp();
    const plan = await newPlan({ price: 199 });
    const res = await subscribe(user, { plan_id: plan.plan_id, payment_method: 'UPI' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      txn_id: null,
      status: 'pending',
      amount: '199.00',
      payment_method: 'UPI',
      payment_reference: expect.stringMatching(/^GCR-\d+-PAY$/),
      payment_url: expect.any(String),
    });
    await eventually(() => gc.api().post(`/sandbox/payments/${res.body.payment_reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
    const txns = await eventually(() => userGet(user, '/recharge/my/transactions', { category: 'service' }), (r) => r.body.transactions?.[0]?.status === 'success');
    expect(txns.body.transactions[0]).toMatchObject({ amount: '199.00', payment_method: 'UPI', reference: res.body.reference });
    // Collected into the wallet, then spent from it.
    expect(await balance(user)).toBe(0);
    const plans = await eventually(() => userGet(user, '/recharge/my/plans'), (r) => r.body.total === 1);
    expect(plans.body.plans[0]).toMatchObject({ plan_id: plan.plan_id, status: 'active' });
  });
});

describe('GenCharge plan validity', () => {
  it('when a 1-day plan runs out, then it reminds (by SMS only where recharge_remainders allows) and expires', async () => {
    const reminded = await gc.signUp();
    const quiet = await gc.signUp();
    await gc.setPreferences(quiet, { recharge_remainders: false });
    const plan = await newPlan({ price: 19, validity: 1 });
    for (const user of [reminded, quiet]) {
      await gc.credit(user, 10_000n);
      expect((await subscribe(user, { plan_id: plan.plan_id })).status).toBe(200);
    }
    for (const user of [reminded, quiet]) {
      await eventually(() => userGet(user, '/recharge/my/plans'), (r) => r.body.plans?.[0]?.status === 'expired');
      const kinds = await eventually(() => noticesOf(user), (k) => k.includes('plan_expired'));
      expect(kinds).toEqual(expect.arrayContaining(['recharge_done', 'plan_expiring', 'plan_expired']));
    }
    expect((await smsTo(reminded)).some((body) => /expires in 1 day/.test(body))).toBe(true);
    expect((await smsTo(quiet)).some((body) => /expires in 1 day/.test(body))).toBe(false);
    // Transactional alerts are still on for the quiet user: the recharge itself was told.
    expect((await smsTo(quiet)).some((body) => /was successful/.test(body))).toBe(true);
  });

  it('when a plan is queued behind the current one, then it starts when the current one ends', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 10_000n);
    const plan = await newPlan({ price: 19, validity: 2 });
    expect((await subscribe(user, { plan_id: plan.plan_id })).status).toBe(200);
    expect((await subscribe(user, { plan_id: plan.plan_id, activation_mode: 'queue' })).status).toBe(200);
    const listed = await userGet(user, '/recharge/my/plans');
    const [queued, current] = listed.body.plans;
    expect(current.status).toBe('active');
    expect(queued.status).toBe('queued');
    expect(queued.valid_from).toBe(current.valid_to);

    // The current plan's expiry and the queued one's start are two flows' timers at the same instant.
    await eventually(() => userGet(user, '/recharge/my/plans'), (r) => r.body.plans[0].status === 'active' && r.body.plans[1].status === 'expired');
    await eventually(() => userGet(user, '/recharge/my/plans', { status: 'expired' }), (r) => r.body.total === 2);
  });
});

describe('GenCharge recharge lists', () => {
  it('when an admin lists bought plans and transactions, then filters and pages apply', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const plan = await newPlan({ price: 99 });
    for (let i = 0; i < 3; i++) expect((await subscribe(user, { plan_id: plan.plan_id })).status).toBe(200);

    const page2 = await adminGet('/recharge/admin/active-plans', { user_id: user.id, size: 2, page: 2 });
    expect(page2.status).toBe(200);
    expect(page2.body).toMatchObject({ total: 3, page: 2, size: 2, pages: 2 });
    expect(page2.body.plans).toHaveLength(1);
    expect((await adminGet('/recharge/admin/active-plans', { phone_number: user.phone, plan_id: plan.plan_id })).body.total).toBe(3);
    expect((await adminGet('/recharge/admin/active-plans', { user_id: user.id, status: 'expired' })).body.total).toBe(0);

    const txns = await adminGet('/recharge/admin/transactions', { user_id: user.id, source: 'recharge', status: 'success' });
    expect(txns.body).toMatchObject({ total: 3, page: 1, size: 10, pages: 1 });
    expect(txns.body.transactions[0]).toMatchObject({ user_id: user.id, category: 'service', amount: '99.00' });
    expect((await adminGet('/recharge/admin/transactions', { user_id: user.id, source: 'wallet_topup' })).body.total).toBe(0);
    expect((await adminGet('/recharge/admin/transactions', { user_id: user.id, date_to: '2000-01-01' })).body.total).toBe(0);
    const today = todayInIndia();
    expect((await userGet(user, '/recharge/my/transactions', { date_from: today, txn_type: 'debit' })).body.total).toBe(3);

    expect((await userGet(user, '/recharge/admin/transactions')).status).toBe(403);
    expect((await adminGet('/recharge/admin/transactions', { page: 0 })).status).toBe(422);
  });
});

describe('GenCharge referral reward on a first paid recharge', () => {
  it('when a referred user makes two recharges at once, then the referrer earns the reward once, sees it in /referrals/me and history, and is told', async () => {
    const referrer = await gc.signUp();
    const referred = await gc.signUp({ refereeCode: referrer.referralCode });
    await gc.credit(referred, 100_000n);
    const plan = await newPlan({ price: 99 });
    const before = await balance(referrer);

    const racing = await Promise.all([subscribe(referred, { plan_id: plan.plan_id }), subscribe(referred, { plan_id: plan.plan_id, activation_mode: 'queue' })]);
    expect(racing.map((r) => [r.status, r.body.status])).toEqual([
      [200, 'success'],
      [200, 'success'],
    ]);

    const rewardRupees = platform.config.GENCHARGE_REFERRAL_REWARD_MINOR / 100;
    expect(await balance(referrer)).toBe(before + rewardRupees);
    const mine = await userGet(referrer, '/referrals/me');
    expect(mine.body).toMatchObject({ total: 1, items: [{ referrer_id: referrer.id, referred_id: referred.id, status: 'earned', reward_amount: rewardRupees.toFixed(2) }] });
    const history = await userGet(referrer, '/recharge/my/transactions');
    expect(history.body.transactions).toEqual([expect.objectContaining({ category: 'wallet', txn_type: 'credit', source: 'referral_reward', amount: rewardRupees.toFixed(2) })]);
    expect(await noticesOf(referrer)).toEqual(['reward_earned']);

    // A later recharge of the same user earns nothing more.
    expect((await subscribe(referred, { plan_id: plan.plan_id, activation_mode: 'queue' })).body.status).toBe('success');
    expect(await balance(referrer)).toBe(before + rewardRupees);
  });

  it('when a user who registered without a referral code recharges, then nobody is rewarded', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 10_000n);
    const plan = await newPlan({ price: 99 });
    expect((await subscribe(user, { plan_id: plan.plan_id })).body.status).toBe('success');
    const rewards = await platform.orm.em.fork().execute('select 1 from gencharge_referral_rewards where referred_id = ?', [user.id]);
    expect(rewards).toHaveLength(0);
  });
});
