import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type request from 'supertest';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { eventually } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let ga: ReturnType<typeof genchargeAdmins>;
let admin: GenChargeSession;
/** An admin whose role grants everything but reading analytics. */
let limited: GenChargeSession;

beforeAll(async () => {
  const storageDir = join(process.env.TEST_DATA_DIR ?? '.data/test', `analytics-${randomUUID()}`);
  platform = await startTestPlatform({ GENCHARGE_CONTENT_STORAGE_DIR: storageDir });
  gc = gencharge(platform);
  ga = genchargeAdmins(platform);
  admin = await gc.superAdmin();
  limited = await ga.adminWith(await ga.allGrantsBut(['Analytics', 'read']));
});
afterAll(async () => {
  await platform.stop();
});

const ADMIN_PATHS = [
  '/analytics/admins',
  '/analytics/current-active-plans',
  '/analytics/offers',
  '/analytics/plans',
  '/analytics/referrals',
  '/analytics/transactions',
  '/analytics/users-archive',
  '/analytics/users',
];

const get = (path: string, session?: GenChargeSession, q: Record<string, string> = {}) => {
  const req = gc.api().get(`${GC}${path}`).query(q);
  return session ? req.set(session.auth) : req;
};
const sql = <T = unknown>(text: string, params: unknown[] = []) => platform.orm.em.fork().execute<T[]>(text, params);

/**
 * Other test files write to the same database all the time, so exact numbers are read in months
 * long past, where only this file's rows are (moved there after they were made). Each test takes
 * its own month.
 */
let nextMonth = (1975 + randomInt(0, 30)) * 12;
function quietMonth() {
  const month = nextMonth++;
  const prefix = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
  /** A day of the month, `YYYY-MM-DD`. */
  const day = (n: number) => `${prefix}-${String(n).padStart(2, '0')}`;
  /** An instant on a day, at a time of day in India. */
  const at = (n: number, time = '12:00') => `${day(n)}T${time}:00+05:30`;
  return { day, at };
}

/** The points of a series that count something. */
const nonEmpty = <P extends { count: number }>(series: P[]) => series.filter((p) => p.count > 0);

const ANALYTICS_SHAPE = {
  range: { from: expect.any(String), to: expect.any(String), granularity: expect.stringMatching(/^(day|week|month)$/), time_zone: 'Asia/Kolkata', periods: expect.any(Number) },
  totals: expect.any(Object),
  by_status: expect.any(Object),
  by_type: expect.any(Object),
  breakdowns: expect.any(Object),
  series: expect.any(Array),
};

describe('GenCharge analytics access', () => {
  it.each(ADMIN_PATHS)('when %s is read, then an admin with Analytics read gets the shape, an admin without it 403, and no one signed in 401', async (path) => {
    const ok = await get(path, admin);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(ANALYTICS_SHAPE);
    // The default: the last 30 India days, today included, every one present.
    expect(ok.body.range.granularity).toBe('day');
    expect(ok.body.series).toHaveLength(30);
    expect(ok.body.range.periods).toBe(30);

    const refused = await get(path, limited);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: expect.any(String) });
    expect((await get(path)).status).toBe(401);
  });

  it('when the backup analytics are read without signing in, then they answer', async () => {
    const res = await get('/analytics/backup');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ANALYTICS_SHAPE);
  });

  it('when a user reads their own analytics, then they answer by month; an admin is refused, and no one signed in is 401', async () => {
    const user = await gc.signUp();
    const mine = await get('/analytics/me/users', user);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(ANALYTICS_SHAPE);
    expect(mine.body.range.granularity).toBe('month');
    expect(mine.body.series).toHaveLength(12);
    expect(mine.body.series.every((p: { period: string; amount: string }) => /^\d{4}-\d\d-01$/.test(p.period) && p.amount === '0.00')).toBe(true);
    expect(mine.body.totals).toMatchObject({ recharges: 0, spent: '0.00', plans_bought: 0, active_plans: 0, wallet_balance: '0.00' });

    expect((await get('/analytics/me/users', admin)).status).toBe(403);
    expect((await get('/analytics/me/users')).status).toBe(401);
  });

  it('when an admin is granted only Analytics read, then they read analytics', async () => {
    const analyst = await ga.adminWith([['Analytics', 'read']]);
    expect((await get('/analytics/transactions', analyst)).status).toBe(200);
  });
});

describe('GenCharge analytics query', () => {
  const invalidAt = (res: request.Response) => (res.body.detail as Array<{ loc: string[] }>).map((d) => d.loc.join('.'));

  it('when granularity, from or to is not one the query knows, then it is a 422 on that field', async () => {
    const bad = await get('/analytics/users', admin, { granularity: 'year' });
    expect(bad.status).toBe(422);
    expect(invalidAt(bad)).toEqual(['query.granularity']);
    const badFrom = await get('/analytics/users', admin, { from: '2025-13-01' });
    expect(badFrom.status).toBe(422);
    expect(invalidAt(badFrom)).toEqual(['query.from']);
    const badTo = await get('/analytics/backup', undefined, { to: 'yesterday' });
    expect(badTo.status).toBe(422);
    expect(invalidAt(badTo)).toEqual(['query.to']);
  });

  it('when from is after to, then it is a 422 that says so', async () => {
    const res = await get('/analytics/transactions', admin, { from: '2025-11-10', to: '2025-11-01' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([{ loc: ['query', 'from'], msg: expect.stringContaining('from must not be after to'), type: expect.any(String) }]);
  });

  it('when a range holds more than 366 periods, then it is a 422 that says how to ask; 366 days answer', async () => {
    const leapYear = await get('/analytics/users', admin, { from: '2024-01-01', to: '2024-12-31' });
    expect(leapYear.status).toBe(200);
    expect(leapYear.body.series).toHaveLength(366);

    const tooMany = await get('/analytics/users', admin, { from: '2024-01-01', to: '2025-01-01' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.detail[0]).toMatchObject({ loc: ['query', 'from'], msg: expect.stringContaining('at most 366 periods') });
    const weeks = await get('/analytics/users', admin, { from: '2000-01-01', to: '2020-01-01', granularity: 'week' });
    expect(weeks.status).toBe(422);

    const months = await get('/analytics/users', admin, { from: '2020-01-01', to: '2025-01-01', granularity: 'month' });
    expect(months.status).toBe(200);
    expect(months.body.series).toHaveLength(61);
    expect(months.body.series[0].period).toBe('2020-01-01');
    expect(months.body.series[60].period).toBe('2025-01-01');
  });
});

describe('GenCharge users analytics', () => {
  it('when users sign up, then each lands in its India day (empty days as zeros), its week and its month, and live counts grow', async () => {
    const before = (await get('/analytics/users', admin)).body;
    const [a, b, c] = [await gc.signUp(), await gc.signUp(), await gc.signUp({ userType: 'postpaid' })];
    const after = (await get('/analytics/users', admin)).body;
    expect(after.by_type.prepaid - (before.by_type.prepaid ?? 0)).toBeGreaterThanOrEqual(2);
    expect(after.by_type.postpaid - (before.by_type.postpaid ?? 0)).toBeGreaterThanOrEqual(1);
    expect(after.by_status.active - (before.by_status.active ?? 0)).toBeGreaterThanOrEqual(3);
    expect(after.totals.signups - before.totals.signups).toBeGreaterThanOrEqual(3);

    const m = quietMonth();
    // 00:15 on the 5th in India is still the 4th in UTC: it counts on the 5th.
    await moveProfile(a, m.at(3, '10:00'));
    await moveProfile(b, m.at(3, '23:30'));
    await moveProfile(c, m.at(5, '00:15'));

    const days = await get('/analytics/users', admin, { from: m.day(1), to: m.day(7) });
    expect(days.status).toBe(200);
    expect(days.body.range).toEqual({ from: m.day(1), to: m.day(7), granularity: 'day', time_zone: 'Asia/Kolkata', periods: 7 });
    expect(days.body.series).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => ({ period: m.day(n), count: n === 3 ? 2 : n === 5 ? 1 : 0 })));
    expect(days.body.totals.signups).toBe(3);

    const weeks = await get('/analytics/users', admin, { from: m.day(1), to: m.day(28), granularity: 'week' });
    expect(weeks.status).toBe(200);
    const mondayOf = (day: string) => {
      const date = new Date(`${day}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
      return date.toISOString().slice(0, 10);
    };
    expect(weeks.body.series[0].period).toBe(mondayOf(m.day(1)));
    expect(weeks.body.series.every((p: { period: string }) => new Date(`${p.period}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    const expectedWeeks = new Map<string, number>();
    for (const [day, n] of [[m.day(3), 2], [m.day(5), 1]] as const) expectedWeeks.set(mondayOf(day), (expectedWeeks.get(mondayOf(day)) ?? 0) + n);
    expect(nonEmpty(weeks.body.series)).toEqual([...expectedWeeks].map(([period, count]) => ({ period, count })));

    const later = quietMonth();
    const months = await get('/analytics/users', admin, { from: m.day(1), to: later.day(20), granularity: 'month' });
    expect(months.body.series).toEqual([
      { period: m.day(1), count: 3 },
      { period: later.day(1), count: 0 },
    ]);
  });

  it('when a user is archived, then the archive analytics count them on the day they were archived, by their type', async () => {
    const before = (await get('/analytics/users-archive', admin)).body;
    const user = await gc.signUp({ userType: 'postpaid' });
    expect((await gc.api().delete(`${GC}/user/admin/${user.id}`).set(admin.auth)).status).toBe(200);
    const after = (await get('/analytics/users-archive', admin)).body;
    expect(after.by_type.postpaid - (before.by_type.postpaid ?? 0)).toBeGreaterThanOrEqual(1);
    expect(after.totals.archived_users - before.totals.archived_users).toBeGreaterThanOrEqual(1);

    const m = quietMonth();
    await sql('update users set deleted_at = ? where id = ?', [m.at(10), user.id]);
    const res = await get('/analytics/users-archive', admin, { from: m.day(9), to: m.day(11) });
    expect(res.body.totals.archived_in_range).toBe(1);
    expect(res.body.series).toEqual([
      { period: m.day(9), count: 0 },
      { period: m.day(10), count: 1 },
      { period: m.day(11), count: 0 },
    ]);
    // An archived user is not a live one.
    const live = await get('/analytics/users', admin);
    expect(live.body.totals.archived_users).toBeGreaterThanOrEqual(after.totals.archived_users);
  });
});

async function moveProfile(user: { id: number }, at: string) {
  await sql('update gencharge_profiles set created_at = ? where user_id = ?', [at, user.id]);
}

describe('GenCharge admins analytics', () => {
  it('when an admin is added, then they count by role and status, and on the day they were added', async () => {
    const before = (await get('/analytics/admins', admin)).body;
    const role = await ga.createRole([['Plans', 'read']]);
    const invited = await ga.invite(role.role_id);
    const after = (await get('/analytics/admins', admin)).body;
    expect(after.by_type[role.role_name]).toBe(1);
    expect(after.breakdowns.by_role).toContainEqual({ key: String(role.role_id), label: role.role_name, count: 1 });
    expect(after.by_status.invited - (before.by_status.invited ?? 0)).toBeGreaterThanOrEqual(1);

    const m = quietMonth();
    await sql('update gencharge_admins set created_at = ? where user_id = ?', [m.at(2), invited.adminId]);
    const res = await get('/analytics/admins', admin, { from: m.day(1), to: m.day(3) });
    expect(res.body.totals.new_admins).toBe(1);
    expect(res.body.series.map((p: { count: number }) => p.count)).toEqual([0, 1, 0]);
  });
});

describe('GenCharge recharge analytics', () => {
  let user: GenChargeUser;
  let plan: { plan_id: number; plan_name: string };
  let offer: { offer_id: number; offer_name: string };
  let group: { group_id: number; name: string };
  let offerType: { offer_type_id: number; name: string };
  const m = quietMonth();
  const adminPost = (path: string, body: object) => gc.api().post(`${GC}${path}`).set(admin.auth).send(body);

  beforeAll(async () => {
    const groupName = `Jio Prepaid ${uniqueId('g')}`;
    group = { group_id: (await adminPost('/plans/plan-group', { group_name: groupName })).body.group_id, name: groupName };
    const planRes = await adminPost('/plans/plan', { plan_name: uniqueId('plan'), price: 699, validity: 365, plan_type: 'prepaid', group_id: group.group_id });
    expect(planRes.status).toBe(201);
    plan = planRes.body;
    const typeName = uniqueId('type');
    offerType = { offer_type_id: (await adminPost('/offers/offer_type', { offer_type_name: typeName })).body.offer_type_id, name: typeName };
    const offerRes = await adminPost('/offers/offers', {
      offer_name: uniqueId('offer'),
      offer_validity: 30,
      offer_type_id: offerType.offer_type_id,
      discount_type: 'percentage',
      discount_value: 10,
      criteria: { plan_ids: [plan.plan_id] },
    });
    expect(offerRes.status).toBe(201);
    offer = offerRes.body;

    user = await gc.signUp();
    await gc.credit(user, 100_000n);
    const bought = await gc
      .api()
      .post(`${GC}/recharge/subscribe`)
      .set(user.auth)
      .send({ phone_number: user.phone, payment_method: 'wallet', source: 'recharge', activation_mode: 'activate', plan_id: plan.plan_id, offer_id: offer.offer_id });
    expect(bought.status).toBe(200);
    await eventually(() => get('/recharge/my/plans', user), (r) => r.body.plans?.[0]?.status === 'active');
    await eventually(() => get('/recharge/my/transactions', user), (r) => r.body.transactions?.[0]?.status === 'success');
    // The purchase is done: move it (the history row and the bought plan) to the 15th of a quiet month.
    await sql("update wallet_transactions set created_at = ? where tenant = 'gencharge' and user_id = ?", [m.at(15), user.id]);
    await sql('update gencharge_subscriptions set created_at = ?, valid_from = ? where user_id = ?', [m.at(15), m.at(15), user.id]);
  });

  const onThe15th = { from: m.day(14), to: m.day(16) };
  const points = (amount: string) => [
    { period: m.day(14), count: 0, amount: '0.00' },
    { period: m.day(15), count: 1, amount },
    { period: m.day(16), count: 0, amount: '0.00' },
  ];

  it('when a plan is bought with an offer, then the plans analytics count it and sum what it cost, by plan and group', async () => {
    const res = await get('/analytics/plans', admin, onThe15th);
    expect(res.status).toBe(200);
    // 699 less 10% is 629.10; operators take whole rupees.
    expect(res.body.totals).toMatchObject({ subscriptions: 1, subscription_amount: '629.00' });
    expect(res.body.series).toEqual(points('629.00'));
    expect(res.body.breakdowns.top_plans).toEqual([{ key: String(plan.plan_id), label: plan.plan_name, count: 1, amount: '629.00' }]);
    const now = await get('/analytics/plans', admin);
    expect(now.body.breakdowns.by_group).toContainEqual({ key: String(group.group_id), label: group.name, count: 1 });
    expect(now.body.by_status.active).toBeGreaterThanOrEqual(1);
  });

  it('when a plan is bought with an offer, then the offers analytics count the offer used', async () => {
    const res = await get('/analytics/offers', admin, onThe15th);
    expect(res.body.totals).toMatchObject({ offers_used: 1, offer_sales_amount: '629.00' });
    expect(res.body.series).toEqual(points('629.00'));
    expect(res.body.breakdowns.top_offers).toEqual([{ key: String(offer.offer_id), label: offer.offer_name, count: 1, amount: '629.00' }]);
    expect(res.body.by_type[offerType.name]).toBe(1);
  });

  it('when a plan is active, then the current active plans show it by plan and operator, and its start in the series', async () => {
    const res = await get('/analytics/current-active-plans', admin, onThe15th);
    expect(res.body.breakdowns.by_plan).toContainEqual({ key: String(plan.plan_id), label: plan.plan_name, count: 1, amount: '629.00', valid_to: ISO });
    expect(res.body.breakdowns.by_operator.find((o: { key: string }) => o.key === 'JIO').count).toBeGreaterThanOrEqual(1);
    expect(res.body.totals).toMatchObject({ started_in_range: 1, started_amount: '629.00' });
    expect(res.body.totals.active_subscriptions).toBeGreaterThanOrEqual(1);
    expect(res.body.series).toEqual(points('629.00'));
  });

  it('when a recharge succeeds, then the transactions analytics count it by status and kind and sum it', async () => {
    const res = await get('/analytics/transactions', admin, onThe15th);
    expect(res.body.totals).toEqual({
      transactions: 1,
      successful: 1,
      pending: 0,
      failed: 0,
      success_amount: '629.00',
      topup_amount: '0.00',
      recharge_amount: '629.00',
      referral_reward_amount: '0.00',
    });
    expect(res.body.by_status).toEqual({ success: 1 });
    expect(res.body.by_type).toEqual({ recharge: 1 });
    expect(res.body.breakdowns.by_kind).toEqual([{ key: 'recharge', label: 'recharge', count: 1, amount: '629.00' }]);
    expect(res.body.series).toEqual(points('629.00'));
  });

  it('when the user reads their own analytics, then they see what they spent, their plan and their balance', async () => {
    const res = await get('/analytics/me/users', user, { ...onThe15th, granularity: 'day' });
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({
      recharges: 1,
      spent: '629.00',
      topped_up: '0.00',
      transactions: 1,
      plans_bought: 1,
      plans_bought_amount: '629.00',
      active_plans: 1,
      wallet_balance: '371.00',
    });
    expect(res.body.series).toEqual(points('629.00'));
    expect(res.body.breakdowns.active_plans).toEqual([{ key: String(plan.plan_id), label: plan.plan_name, count: 1, amount: '629.00', valid_to: ISO }]);
    // Another user's analytics hold none of it.
    const other = await gc.signUp();
    expect((await get('/analytics/me/users', other, onThe15th)).body.totals).toMatchObject({ recharges: 0, plans_bought: 0, active_plans: 0 });
  });
});

describe('GenCharge referral analytics', () => {
  it('when rewards are earned, then they are counted and summed in their period, with the referrers', async () => {
    const [referrer, first, second] = [await gc.signUp(), await gc.signUp(), await gc.signUp()];
    const m = quietMonth();
    for (const [referred, day] of [[first, 4], [second, 20]] as const) {
      await sql("insert into gencharge_referral_rewards (referrer_id, referred_id, reward_amount, status, reference, created_at) values (?, ?, 5000, 'earned', ?, ?)", [
        referrer.id,
        referred.id,
        uniqueId('reward'),
        m.at(day),
      ]);
    }
    const res = await get('/analytics/referrals', admin, { from: m.day(1), to: m.day(28), granularity: 'week' });
    expect(res.body.totals).toMatchObject({ rewards: 2, reward_amount: '100.00', referrers: 1 });
    expect(res.body.by_status).toEqual({ earned: 2 });
    expect(nonEmpty<{ count: number; amount: string }>(res.body.series).map((p) => p.amount)).toEqual(['50.00', '50.00']);
    expect(res.body.series.length).toBeGreaterThanOrEqual(4);
  });
});

describe('GenCharge backup analytics', () => {
  it('when backups were made, then anyone reads their counts, size and last success, and nothing that locates or explains them', async () => {
    const m = quietMonth();
    const secrets = { key: `backups/${uniqueId('key')}.dump`, checksum: randomBytes(32).toString('hex'), reason: `pg_dump failed at /srv/${uniqueId('path')}`, snapshot: uniqueId('snapshot') };
    const ids: string[] = [];
    const backup = (status: 'success' | 'failed', fields: { selection?: string; size?: number; reason?: string; day: number }) => {
      const id = randomBytes(12).toString('hex');
      ids.push(id);
      return sql(
        `insert into gencharge_backups (id, backup_data, selection, status, snapshot_name, storage_key, size_bytes, checksum, failure_reason, workflow_id, created_at, finished_at)
         values (?, 'db', ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          fields.selection ?? null,
          status,
          `${secrets.snapshot}-${ids.length}`,
          status === 'success' ? secrets.key : null,
          fields.size ?? null,
          status === 'success' ? secrets.checksum : null,
          fields.reason ?? null,
          uniqueId('wf'),
          m.at(fields.day),
          m.at(fields.day, '12:05'),
        ],
      );
    };
    // No running row: a backup flow elsewhere might wait for one to finish. The rows go again at the end.
    try {
      await backup('success', { size: 4096, day: 2 });
      await backup('failed', { reason: secrets.reason, day: 2 });
      await backup('failed', { reason: secrets.reason, selection: JSON.stringify([{ table_name: 'users', date_column: 'created_at', start_date: m.day(1), end_date: m.day(2) }]), day: 3 });

      const res = await get('/analytics/backup', undefined, { from: m.day(1), to: m.day(3) });
      expect(res.status).toBe(200);
      expect(res.body.totals).toMatchObject({ backups: 3, successful: 1, failed: 2, running: 0, last_success_at: ISO, last_backup_at: ISO });
      expect(res.body.totals.stored_bytes).toBeGreaterThanOrEqual(4096);
      expect(res.body.by_status).toEqual({ success: 1, failed: 2 });
      expect(res.body.by_type).toEqual({ full: 2, tables: 1 });
      expect(res.body.series.map((p: { count: number }) => p.count)).toEqual([0, 2, 1]);
      const text = JSON.stringify(res.body);
      for (const secret of [...Object.values(secrets), 'storage_key', 'checksum', 'failure_reason', 'snapshot_name', '/srv/']) expect(text).not.toContain(secret);
    } finally {
      await sql('delete from gencharge_backups where id in (?)', [ids]);
    }
  });
});

describe('GenCharge testing utilities', () => {
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  const createDemo = (fields: Record<string, string>, image?: { bytes: Buffer; filename: string; contentType: string }) => {
    const req = gc.api().post(`${GC}/test/api/content`);
    for (const [name, value] of Object.entries(fields)) req.field(name, value);
    if (image) req.attach('image', image.bytes, { filename: image.filename, contentType: image.contentType });
    return req;
  };

  it('when the sample dashboard is read, then an admin with Analytics read gets headline numbers; others are refused', async () => {
    const res = await get('/test/admin/stats', admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      range: expect.objectContaining({ granularity: 'day', periods: 30 }),
      users: expect.any(Number),
      signups: expect.any(Number),
      active_subscriptions: expect.any(Number),
      transactions: expect.any(Number),
      success_amount: expect.stringMatching(/^\d+\.\d\d$/),
      recharge_amount: expect.stringMatching(/^\d+\.\d\d$/),
      topup_amount: expect.stringMatching(/^\d+\.\d\d$/),
      referral_rewards: expect.any(Number),
      series: expect.any(Array),
    });
    expect(res.body.series).toHaveLength(30);
    expect((await get('/test/admin/stats', limited)).status).toBe(403);
    expect((await get('/test/admin/stats')).status).toBe(401);
    expect((await get('/test/admin/stats', admin, { granularity: 'hour' })).status).toBe(422);
  });

  it('when demo content is created without signing in, then it is stored with its image, and deleting it removes both', async () => {
    const created = await createDemo({ title: 'Hello', body: 'Body' }, { bytes: PNG, filename: 'x.png', contentType: 'image/png' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ _id: expect.stringMatching(/^[0-9a-f]{24}$/), content_type: 'demo', title: 'Hello', body: 'Body', created_by: null, image_url: expect.stringMatching(/^\/gencharge\/static\/uploads\/.+\.png$/) });
    const image = await gc.api().get(created.body.image_url);
    expect(image.status).toBe(200);
    expect(Buffer.compare(image.body as Buffer, PNG)).toBe(0);

    const deleted = await gc.api().delete(`${GC}/test/api/content/${created.body._id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await gc.api().get(created.body.image_url)).status).toBe(404);
    expect((await gc.api().delete(`${GC}/test/api/content/${created.body._id}`)).status).toBe(404);
  });

  it('when the image is not an image, or missing, then it is a 422 on the image and nothing is stored', async () => {
    const title = uniqueId('demo');
    const notImage = await createDemo({ title, body: 'Body' }, { bytes: Buffer.from('%PDF-1.4 not an image'), filename: 'x.png', contentType: 'image/png' });
    expect(notImage.status).toBe(422);
    expect(notImage.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([['body', 'image']]);
    const missing = await createDemo({ title, body: 'Body' });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual([{ loc: ['body', 'image'], msg: 'Field required', type: expect.any(String) }]);
    const noTitle = await createDemo({ body: 'Body' }, { bytes: PNG, filename: 'x.png', contentType: 'image/png' });
    expect(noTitle.status).toBe(422);
    expect(await sql('select id from gencharge_content where title = ?', [title])).toEqual([]);
  });

  it.each(['FAQ', 'demo'])('when content an admin wrote (type %s) is deleted through the sample route, then it is not found and stays', async (type) => {
    const res = await gc.api().post(`${GC}/content/admin`).set(admin.auth).field('content_type', type).field('title', uniqueId('faq')).field('body', 'Help');
    expect(res.status).toBe(201);
    expect((await gc.api().delete(`${GC}/test/api/content/${res.body._id}`)).status).toBe(404);
    expect(await sql('select id from gencharge_content where id = ?', [res.body._id])).toHaveLength(1);
    expect((await gc.api().delete(`${GC}/content/admin/${res.body._id}`).set(admin.auth)).status).toBe(200);
    expect((await gc.api().delete(`${GC}/test/api/content/not-an-id`)).status).toBe(422);
  });
});
