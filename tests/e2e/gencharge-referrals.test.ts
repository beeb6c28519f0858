import { MockActivityEnvironment } from '@temporalio/testing';
import { createGenChargeReferralActivities } from '../../activities/gencharge-referrals.js';
import type { ReferralRewardOutcome } from '../../workflows/contracts.js';
import { expectTrialBalanceZero, uniqueId } from '../support/db.js';
import { GC, gencharge, todayInIndia, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;
let activities: ReturnType<typeof createGenChargeReferralActivities>;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
  admin = await gc.superAdmin();
  activities = createGenChargeReferralActivities({ orm: platform.orm, genchargeReferralRewardMinor: platform.config.GENCHARGE_REFERRAL_REWARD_MINOR });
});
afterAll(async () => {
  await platform.stop();
});

const REWARD_RUPEES = () => platform.config.GENCHARGE_REFERRAL_REWARD_MINOR / 100;

/** The activity as a flow calls it after a successful paid recharge of `referred`. */
const reward = (referred: { id: number }, reference = uniqueId('RCH')): Promise<ReferralRewardOutcome> =>
  new MockActivityEnvironment().run(activities.rewardReferrer, { tenant: 'gencharge', referredUserId: referred.id, reference });

const balance = async (user: GenChargeSession) => (await gc.api().get(`${GC}/user/me`).set(user.auth)).body.wallet_balance as number;
const rewardRows = (referredId: number) =>
  platform.orm.em.fork().execute<{ referrer_id: string; reward_amount: string }[]>('select referrer_id, reward_amount from gencharge_referral_rewards where referred_id = ?', [referredId]);
const rewardHistory = (referrerId: number) =>
  platform.orm.em.fork().execute<{ amount: string; status: string }[]>("select amount, status from wallet_transactions where user_id = ? and kind = 'referral_reward'", [referrerId]);

async function referrerWithReferred(count: number): Promise<{ referrer: GenChargeUser; referred: GenChargeUser[] }> {
  const referrer = await gc.signUp();
  const referred: GenChargeUser[] = [];
  for (let i = 0; i < count; i++) referred.push(await gc.signUp({ refereeCode: referrer.referralCode }));
  return { referrer, referred };
}

describe('GenCharge referral reward (rewardReferrer)', () => {
  it('when two recharges of a referred user race, then the referrer is paid once, from the rewards account, with one history row', async () => {
    const { referrer, referred: [friend] } = await referrerWithReferred(1);
    const outcomes = await Promise.all([reward(friend!), reward(friend!), reward(friend!)]);
    const paid = outcomes.filter((o) => o.rewarded);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toEqual({ rewarded: true, rewardId: expect.any(Number), referrerId: referrer.id, rewardMinor: String(platform.config.GENCHARGE_REFERRAL_REWARD_MINOR) });
    expect(outcomes.filter((o) => !o.rewarded)).toEqual([{ rewarded: false }, { rewarded: false }]);
    expect(await balance(referrer)).toBe(REWARD_RUPEES());
    expect(await rewardRows(friend!.id)).toEqual([{ referrer_id: String(referrer.id), reward_amount: String(platform.config.GENCHARGE_REFERRAL_REWARD_MINOR) }]);
    expect(await rewardHistory(referrer.id)).toEqual([{ amount: String(platform.config.GENCHARGE_REFERRAL_REWARD_MINOR), status: 'success' }]);
    const history = await gc.api().get(`${GC}/recharge/my/transactions`).set(referrer.auth);
    expect(history.body.transactions).toEqual([
      expect.objectContaining({ category: 'wallet', txn_type: 'credit', amount: REWARD_RUPEES().toFixed(2), source: 'referral_reward', status: 'success' }),
    ]);
    await expectTrialBalanceZero(platform.orm.em);
  });

  it('when the paying call is retried (same recharge), then it answers as it did and pays nothing more; a later recharge earns nothing', async () => {
    const { referrer, referred: [friend] } = await referrerWithReferred(1);
    const reference = uniqueId('RCH');
    const first = await reward(friend!, reference);
    expect(first.rewarded).toBe(true);
    expect(await reward(friend!, reference)).toEqual(first);
    expect(await reward(friend!)).toEqual({ rewarded: false });
    expect(await balance(referrer)).toBe(REWARD_RUPEES());
  });

  it('when the user registered without a referral code, then nobody is rewarded and nothing is written', async () => {
    const loner = await gc.signUp();
    expect(await reward(loner)).toEqual({ rewarded: false });
    expect(await rewardRows(loner.id)).toEqual([]);
  });

  it('when the referrer archived their account, then nobody is rewarded', async () => {
    const { referrer, referred: [friend] } = await referrerWithReferred(1);
    expect((await gc.api().delete(`${GC}/user/me`).set(referrer.auth)).status).toBe(200);
    expect(await reward(friend!)).toEqual({ rewarded: false });
    expect(await rewardRows(friend!.id)).toEqual([]);
  });

  it('when rewards are configured off (0), then nothing is paid', async () => {
    const off = createGenChargeReferralActivities({ orm: platform.orm, genchargeReferralRewardMinor: 0 });
    const { referred: [friend] } = await referrerWithReferred(1);
    expect(await new MockActivityEnvironment().run(off.rewardReferrer, { tenant: 'gencharge', referredUserId: friend!.id, reference: uniqueId('RCH') })).toEqual({ rewarded: false });
    expect(await rewardRows(friend!.id)).toEqual([]);
  });
});

describe('GenCharge referral history', () => {
  it('when a referrer earned two rewards, then /referrals/me lists them newest first in the spec page, and the referred users see none', async () => {
    const { referrer, referred: [first, second] } = await referrerWithReferred(2);
    await reward(first!);
    await reward(second!);
    const res = await gc.api().get(`${GC}/referrals/me`).set(referrer.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { reward_id: expect.any(Number), referrer_id: referrer.id, referred_id: second!.id, reward_amount: REWARD_RUPEES().toFixed(2), status: 'earned', created_at: ISO, claimed_at: ISO },
        { reward_id: expect.any(Number), referrer_id: referrer.id, referred_id: first!.id, reward_amount: REWARD_RUPEES().toFixed(2), status: 'earned', created_at: ISO, claimed_at: ISO },
      ],
      total: 2,
      page: 1,
      size: 20,
      pages: 1,
    });
    const paged = await gc.api().get(`${GC}/referrals/me`).set(referrer.auth).query({ page: 2, size: 1 });
    expect(paged.body).toEqual({ items: [expect.objectContaining({ referred_id: first!.id })], total: 2, page: 2, size: 1, pages: 2 });
    const theirs = await gc.api().get(`${GC}/referrals/me`).set(first!.auth);
    expect(theirs.body).toEqual({ items: [], total: 0, page: 1, size: 20, pages: 0 });
    expect((await gc.api().get(`${GC}/referrals/me`).set(referrer.auth).query({ page: 0 })).status).toBe(422);
    expect((await gc.api().get(`${GC}/referrals/me`).set(admin.auth)).status).toBe(403);
    expect((await gc.api().get(`${GC}/referrals/me`)).status).toBe(401);
  });

  it('when an admin lists all rewards, then filters narrow them, and only the Referrals read permission may list', async () => {
    const { referrer, referred: [first, second] } = await referrerWithReferred(2);
    await reward(first!);
    await reward(second!);
    const all = (query: Record<string, string | number>, who: GenChargeSession = admin) => gc.api().get(`${GC}/referrals/admin/all`).set(who.auth).query(query);
    const byReferrer = await all({ referrer_id: referrer.id });
    expect(byReferrer.status).toBe(200);
    expect(byReferrer.body).toMatchObject({ total: 2, page: 1, size: 20, pages: 1 });
    expect(byReferrer.body.items.map((r: { referred_id: number }) => r.referred_id)).toEqual([second!.id, first!.id]);
    expect((await all({ referred_id: first!.id })).body.items).toEqual([expect.objectContaining({ referrer_id: referrer.id, referred_id: first!.id, status: 'earned' })]);
    const today = todayInIndia();
    expect((await all({ referrer_id: referrer.id, start_date: today, end_date: today, status: 'earned' })).body.total).toBe(2);
    expect((await all({ referrer_id: referrer.id, end_date: '2020-01-01' })).body).toEqual({ items: [], total: 0, page: 1, size: 20, pages: 0 });
    expect((await all({})).body.total).toBeGreaterThanOrEqual(2);
    expect((await all({ status: 'paid' })).status).toBe(422);
    expect((await all({ start_date: 'yesterday' })).status).toBe(422);

    const admins = genchargeAdmins(platform);
    const reader = await admins.adminWith([['Referrals', 'read']]);
    expect((await all({ referrer_id: referrer.id }, reader)).body.total).toBe(2);
    const other = await admins.adminWith([['Users', 'read']]);
    expect((await all({}, other)).status).toBe(403);
    expect((await all({}, referrer)).status).toBe(403);
  });
});
