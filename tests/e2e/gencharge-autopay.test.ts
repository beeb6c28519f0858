import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { createAutopay, deleteAutopay, updateAutopay, type AutopayDeps } from '../../api/surfaces/gencharge/autopay.js';
import { DomainError, FailureType } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { eventually } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { TEST_ENV } from '../support/test-env.js';

let platform: TestPlatform;
let gc: ReturnType<typeof gencharge>;
let admin: GenChargeSession;

beforeAll(async () => {
  platform = await startTestPlatform();
  gc = gencharge(platform);
  admin = await gc.superAdmin();
});
afterAll(async () => {
  await platform.stop();
});

const DAY_MS = Number(TEST_ENV.GENCHARGE_DAY_MS);
/** A due date on a whole second, as rules keep them. */
const inDays = (days: number) => new Date(Math.ceil((Date.now() + days * 24 * 3600_000) / 1000) * 1000).toISOString();
const scheduleOf = (autopayId: number) => platform.temporal.schedule.getHandle(`gencharge:autopay:${autopayId}`);

let group: Promise<number> | undefined;
async function newPlan(fields: { price?: number; validity?: number; status?: 'active' | 'inactive'; group_id?: number } = {}): Promise<{ plan_id: number; price: number; validity: number }> {
  group ??= gc
    .api()
    .post(`${GC}/plans/plan-group`)
    .set(admin.auth)
    .send({ group_name: `Jio Prepaid ${uniqueId('autopay')}` })
    .then((res) => res.body.group_id as number);
  const res = await gc
    .api()
    .post(`${GC}/plans/plan`)
    .set(admin.auth)
    .send({ plan_name: uniqueId('plan'), price: 199, validity: 28, plan_type: 'prepaid', group_id: await group, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}

const create = (user: GenChargeSession, body: object) => gc.api().post(`${GC}/autopay/create_autopay`).set(user.auth).send(body);
const read = (user: GenChargeSession, id: number) => gc.api().get(`${GC}/autopay/get_autopay/${id}`).set(user.auth);
const edit = (user: GenChargeSession, id: number, body: object) => gc.api().patch(`${GC}/autopay/${id}`).set(user.auth).send(body);
const remove = (user: GenChargeSession, id: number) => gc.api().delete(`${GC}/autopay/${id}`).set(user.auth);
const mine = (user: GenChargeSession, query: object = {}) => gc.api().get(`${GC}/autopay/get_all_autopay`).set(user.auth).query(query);
const allRules = (query: object = {}) => gc.api().get(`${GC}/autopay/admin/all`).set(admin.auth).query(query);

async function newRule(user: GenChargeUser, fields: Record<string, unknown> = {}) {
  const plan = fields.plan_id ? undefined : await newPlan();
  const res = await create(user, { plan_id: plan?.plan_id, phone_number: user.phone, tag: 'regular', next_due_date: inDays(30), ...fields });
  expect(res.status).toBe(201);
  return res.body as { autopay_id: number; plan_id: number; next_due_date: string; status: string };
}

describe('GenCharge autopay rules', () => {
  it('when a user creates, reads, lists, edits and deletes a rule, then each answer is the spec shape', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const due = inDays(10);
    const created = await create(user, { plan_id: plan.plan_id, phone_number: `+91 ${user.phone}`, tag: 'regular', next_due_date: due, status: 'enabled' });
    expect(created.status).toBe(201);
    const rule = {
      autopay_id: expect.any(Number),
      user_id: user.id,
      plan_id: plan.plan_id,
      status: 'enabled',
      phone_number: user.phone,
      tag: 'regular',
      next_due_date: due,
      created_at: ISO,
      last_run_status: null,
      last_run_at: null,
      last_failure_reason: null,
      missed_count: 0,
    };
    expect(created.body).toEqual(rule);
    const id = created.body.autopay_id;

    expect((await read(user, id)).body).toEqual({ ...rule, autopay_id: id });
    expect((await mine(user)).body).toEqual({ items: [{ ...rule, autopay_id: id }], total: 1, page: 1, size: 20, pages: 1 });

    const newDue = inDays(12);
    const edited = await edit(user, id, { tag: 'weekly', next_due_date: newDue, status: 'disabled' });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ autopay_id: id, status: 'disabled', next_due_date: newDue });
    expect((await read(user, id)).body).toMatchObject({ tag: 'weekly', status: 'disabled', next_due_date: newDue, plan_id: plan.plan_id });

    const deleted = await remove(user, id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await read(user, id)).status).toBe(404);
    expect((await remove(user, id)).status).toBe(404);
    expect((await mine(user)).body).toEqual({ items: [], total: 0, page: 1, size: 20, pages: 0 });
  });

  it('when a create is retried with the same Idempotency-Key, then it answers the first rule and makes no second one', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const body = { plan_id: plan.plan_id, phone_number: user.phone, next_due_date: inDays(5) };
    const key = uniqueId('autopay-key');
    const first = await create(user, body).set('Idempotency-Key', key);
    const retried = await create(user, body).set('Idempotency-Key', key);
    expect(first.status).toBe(201);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect((await create(user, { ...body, tag: 'other' }).set('Idempotency-Key', key)).status).toBe(422);
    expect((await mine(user)).body.total).toBe(1);
  });

  it('when the request is invalid, then it is a 422 in the FastAPI shape and no rule is written', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const retired = await newPlan({ status: 'inactive' });
    const noOperatorGroup = (await gc.api().post(`${GC}/plans/plan-group`).set(admin.auth).send({ group_name: uniqueId('Data Packs') })).body.group_id;
    const noOperator = await newPlan({ group_id: noOperatorGroup });
    const valid = { plan_id: plan.plan_id, phone_number: user.phone, next_due_date: inDays(1) };
    const cases: Array<[object, string[]]> = [
      [{ ...valid, phone_number: '12345' }, ['body', 'phone_number']],
      [{ ...valid, phone_number: '5876543210' }, ['body', 'phone_number']],
      [{ ...valid, next_due_date: new Date(Date.now() - 60_000).toISOString() }, ['body', 'next_due_date']],
      [{ ...valid, next_due_date: 'tomorrow' }, ['body', 'next_due_date']],
      [{ ...valid, next_due_date: '2030-01-01T09:00:00' }, ['body', 'next_due_date']],
      [{ ...valid, plan_id: 2_000_000_000 }, ['body', 'plan_id']],
      [{ ...valid, plan_id: retired.plan_id }, ['body', 'plan_id']],
      [{ ...valid, plan_id: noOperator.plan_id }, ['body', 'plan_id']],
      [{ ...valid, plan_id: 'abc' }, ['body', 'plan_id']],
      [{ ...valid, status: 'paused' }, ['body', 'status']],
      [{ phone_number: user.phone, next_due_date: inDays(1) }, ['body', 'plan_id']],
    ];
    for (const [body, loc] of cases) {
      const res = await create(user, body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, msg: expect.any(String), type: expect.any(String) })]));
    }
    expect((await mine(user)).body.total).toBe(0);

    const rule = await newRule(user, { plan_id: plan.plan_id });
    for (const body of [{ phone_number: 'x' }, { plan_id: retired.plan_id }, { next_due_date: '2001-01-01T00:00:00Z' }, { status: 'on' }]) {
      expect((await edit(user, rule.autopay_id, body)).status).toBe(422);
    }
    expect((await read(user, rule.autopay_id)).body).toMatchObject({ plan_id: plan.plan_id, phone_number: user.phone, status: 'enabled', next_due_date: rule.next_due_date });
    expect((await gc.api().get(`${GC}/autopay/get_autopay/abc`).set(user.auth)).status).toBe(422);
  });

  it("when a user asks for another user's rule, then it is 404 and the rule is untouched", async () => {
    const owner = await gc.signUp();
    const other = await gc.signUp();
    const rule = await newRule(owner);
    expect((await read(other, rule.autopay_id)).status).toBe(404);
    expect((await read(other, rule.autopay_id)).body).toEqual({ detail: 'Autopay not found' });
    expect((await edit(other, rule.autopay_id, { status: 'disabled' })).status).toBe(404);
    expect((await remove(other, rule.autopay_id)).status).toBe(404);
    expect((await mine(other)).body.total).toBe(0);
    expect((await read(owner, rule.autopay_id)).body).toMatchObject({ status: 'enabled' });
    expect((await scheduleOf(rule.autopay_id).describe()).state.paused).toBe(false);
    expect((await gc.api().get(`${GC}/autopay/get_all_autopay`)).status).toBe(401);
    expect((await gc.api().get(`${GC}/autopay/admin/all`).set(owner.auth)).status).toBe(403);
  });

  it('when an admin deletes a plan a rule buys, then the plan is retired, not deleted, and the rule keeps it', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const rule = await newRule(user, { plan_id: plan.plan_id });
    const deleted = await gc.api().delete(`${GC}/plans/plan/${plan.plan_id}`).set(admin.auth);
    expect(deleted.status).toBe(200);
    expect((await gc.api().get(`${GC}/plans/plan/${plan.plan_id}`).set(admin.auth)).body).toMatchObject({ status: 'inactive' });
    expect((await read(user, rule.autopay_id)).body).toMatchObject({ plan_id: plan.plan_id });
  });

  it('when an admin lists all rules, then the filters and pages apply', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const first = await newRule(user, { plan_id: plan.plan_id });
    const second = await newRule(user, { plan_id: plan.plan_id, status: 'disabled' });
    const byUser = await allRules({ user_id: user.id });
    expect(byUser.status).toBe(200);
    expect(byUser.body).toMatchObject({ total: 2, page: 1, size: 20, pages: 1 });
    expect(byUser.body.items.map((r: { autopay_id: number }) => r.autopay_id)).toEqual([second.autopay_id, first.autopay_id]);
    expect((await allRules({ user_id: user.id, status: 'disabled' })).body.items).toEqual([expect.objectContaining({ autopay_id: second.autopay_id, status: 'disabled', user_id: user.id })]);
    expect((await allRules({ plan_id: plan.plan_id, size: 1, page: 2 })).body).toMatchObject({ items: [expect.objectContaining({ autopay_id: first.autopay_id })], total: 2, page: 2, size: 1, pages: 2 });
    expect((await allRules({ status: 'sometimes' })).status).toBe(422);
  });
});

describe('GenCharge autopay schedules', () => {
  it('when a rule is created, paused, edited, resumed and deleted, then its Temporal Schedule follows', async () => {
    const user = await gc.signUp();
    const plan = await newPlan({ validity: 28 });
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: inDays(3) });
    const schedule = scheduleOf(rule.autopay_id);

    const created = await schedule.describe();
    expect(created.state.paused).toBe(false);
    expect(created.spec.intervals).toEqual([{ every: 28 * DAY_MS, offset: Date.parse(rule.next_due_date) % (28 * DAY_MS) }]);
    expect(created.spec.startAt!.getTime()).toBeLessThanOrEqual(Date.parse(rule.next_due_date));
    expect(created.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runAutopay', args: [expect.objectContaining({ tenant: 'gencharge', autopayId: rule.autopay_id, timing: expect.objectContaining({ dayMs: DAY_MS }) })] });
    expect(created.memo).toMatchObject({ autopayId: rule.autopay_id });
    // The first run is the rule's due date: a cycle on the grid, never before it.
    expect(created.info.nextActionTimes[0]?.toISOString()).toBe(rule.next_due_date);

    expect((await edit(user, rule.autopay_id, { status: 'disabled' })).status).toBe(200);
    expect((await schedule.describe()).state.paused).toBe(true);

    const other = await newPlan({ validity: 7 });
    const due = inDays(5);
    expect((await edit(user, rule.autopay_id, { plan_id: other.plan_id, next_due_date: due, status: 'enabled' })).body).toEqual({ autopay_id: rule.autopay_id, status: 'enabled', next_due_date: due });
    const edited = await schedule.describe();
    expect(edited.state.paused).toBe(false);
    expect(edited.spec.intervals).toEqual([{ every: 7 * DAY_MS, offset: Date.parse(due) % (7 * DAY_MS) }]);
    expect(edited.info.nextActionTimes[0]?.toISOString()).toBe(due);

    expect((await remove(user, rule.autopay_id)).status).toBe(200);
    await expect(schedule.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('when a rule is created disabled, then its Schedule exists paused', async () => {
    const user = await gc.signUp();
    const rule = await newRule(user, { status: 'disabled' });
    const described = await scheduleOf(rule.autopay_id).describe();
    expect(described.state.paused).toBe(true);
    expect(described.typedSearchAttributes.getAll()).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 'gencharge' }), expect.objectContaining({ value: String(user.id) }), expect.objectContaining({ value: 'autopay-run' })]),
    );
  });

  it('when a rule is resumed after its due date passed while disabled, then it moves on to its first cycle from now', async () => {
    const user = await gc.signUp();
    const plan = await newPlan({ validity: 28 });
    const asked = new Date(Date.now() + 1500);
    const due = new Date(Math.ceil(asked.getTime() / 1000) * 1000).toISOString();
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: asked.toISOString(), status: 'disabled' });
    // Kept to the second, rounded up: Schedules fire on whole seconds, never before the date.
    expect(rule.next_due_date).toBe(due);
    await eventually(async () => Date.now(), (now) => now > Date.parse(due));
    const resumed = await edit(user, rule.autopay_id, { status: 'enabled' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.next_due_date).toBe(new Date(Date.parse(due) + 28 * DAY_MS).toISOString());
    expect((await scheduleOf(rule.autopay_id).describe()).state.paused).toBe(false);
    expect((await remove(user, rule.autopay_id)).status).toBe(200);
  });

  it('when a user deletes their account or an admin archives one, then their rules are disabled and their Schedules paused', async () => {
    for (const archive of [(u: GenChargeUser) => gc.api().delete(`${GC}/user/me`).set(u.auth), (u: GenChargeUser) => gc.api().delete(`${GC}/user/admin/${u.id}`).set(admin.auth)]) {
      const user = await gc.signUp();
      const enabled = await newRule(user);
      const disabled = await newRule(user, { status: 'disabled' });
      expect((await archive(user)).status).toBe(200);
      const rows = await platform.orm.em.fork().execute<{ id: string; status: string }[]>('select id, status from gencharge_autopays where user_id = ? order by id', [user.id]);
      expect(rows.map((r) => [Number(r.id), r.status])).toEqual([
        [enabled.autopay_id, 'disabled'],
        [disabled.autopay_id, 'disabled'],
      ]);
      expect((await scheduleOf(enabled.autopay_id).describe()).state.paused).toBe(true);
    }
  });
});

interface RunRow {
  due_date: Date;
  status: string;
  reference: string;
  failure_reason: string | null;
  amount: string | null;
}

/** The rule's recorded cycles, oldest first, with what each charged (the history row of its reference). */
const runsOf = async (autopayId: number) =>
  (
    await platform.orm.em.fork().execute<RunRow[]>(
      `select r.due_date, r.status, r.reference, r.failure_reason, t.amount::text as amount
       from gencharge_autopay_runs r left join wallet_transactions t on t.reference = r.reference and t.status = 'success'
       where r.autopay_id = ? order by r.due_date`,
      [autopayId],
    )
  ).map((r) => ({ ...r, due_date: new Date(r.due_date) }));
const successes = async (autopayId: number) => (await runsOf(autopayId)).filter((r) => r.status === 'success');
/** Recharges of this user the history shows as done: each cycle's charge, and nothing else. */
const rechargesOf = async (user: { id: number }) =>
  (await platform.orm.em.fork().execute<{ reference: string; amount: string }[]>("select reference, amount::text as amount from wallet_transactions where user_id = ? and kind = 'recharge' and status = 'success'", [user.id]));
const balance = async (user: GenChargeSession) => (await gc.api().get(`${GC}/user/me`).set(user.auth)).body.wallet_balance as number;
const processDue = () => gc.api().post(`${GC}/autopay/admin/process-due`).set(admin.auth).send();
/** No run of the rule's Schedule is in flight: what was charged so far is final. */
const settled = (autopayId: number) => eventually(() => scheduleOf(autopayId).describe(), (d) => d.info.runningActions.length === 0, 30_000);
const soon = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();

describe('GenCharge autopay when Temporal cannot be reached', () => {
  it('when the Schedule cannot be created, changed or deleted, then the write is refused as unavailable and the rule is as it was', async () => {
    const user = await gc.signUp();
    const plan = await newPlan();
    const rule = await newRule(user, { plan_id: plan.plan_id });
    const nowhere = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' }) });
    const deps: AutopayDeps = {
      em: platform.orm.em,
      temporal: nowhere,
      taskQueue: 'nowhere',
      timing: { dayMs: DAY_MS, reminderDays: [1], purchase: { requeryIntervalMs: 300, requeryLimitMs: 1000, holdTtlMs: 60_000 }, funding: { pollIntervalMs: 1000, timeoutMs: 1000 } },
      logger: createLogger('silent'),
      temporalDeadlineMs: 1500,
    };
    const unavailable = expect.objectContaining({ constructor: DomainError, type: FailureType.Unavailable });
    try {
      await expect(createAutopay(deps, user.id, { plan_id: plan.plan_id, phone_number: user.phone, next_due_date: new Date(Date.parse(inDays(2))), status: 'enabled' })).rejects.toEqual(unavailable);
      await expect(updateAutopay(deps, user.id, rule.autopay_id, { status: 'disabled', next_due_date: new Date(Date.parse(inDays(3))) })).rejects.toEqual(unavailable);
      await expect(deleteAutopay(deps, user.id, rule.autopay_id)).rejects.toEqual(unavailable);
    } finally {
      await nowhere.connection.close();
    }
    expect((await mine(user)).body.items).toEqual([expect.objectContaining({ autopay_id: rule.autopay_id, status: 'enabled', next_due_date: rule.next_due_date })]);
    expect((await scheduleOf(rule.autopay_id).describe()).state.paused).toBe(false);
  });
});

describe('GenCharge autopay cycles', () => {
  it('when a funded rule runs three cycles, is paused, resumed and moved to another plan, then each cycle is charged once at its plan price', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 100_00n);
    const plan = await newPlan({ price: 10, validity: 2 });
    const dearer = await newPlan({ price: 15, validity: 2 });
    const cycle = 2 * DAY_MS;
    const due = soon(2000);
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: due });

    await eventually(() => successes(rule.autopay_id), (runs) => runs.length >= 3, 60_000);
    expect((await edit(user, rule.autopay_id, { status: 'disabled' })).status).toBe(200);
    expect((await scheduleOf(rule.autopay_id).describe()).state.paused).toBe(true);
    await settled(rule.autopay_id);

    const paused = await runsOf(rule.autopay_id);
    expect(paused.every((r) => r.status === 'success' && r.amount === '1000')).toBe(true);
    expect(paused.slice(0, 3).map((r) => r.due_date.toISOString())).toEqual([0, 1, 2].map((n) => new Date(Date.parse(due) + n * cycle).toISOString()));
    expect(new Set(paused.map((r) => r.reference)).size).toBe(paused.length);
    expect((await rechargesOf(user)).length).toBe(paused.length);
    expect(await balance(user)).toBe(100 - 10 * paused.length);
    const shown = (await read(user, rule.autopay_id)).body;
    expect(shown).toMatchObject({ status: 'disabled', last_run_status: 'success', missed_count: 0, last_failure_reason: null });
    expect(shown.next_due_date).toBe(new Date(Date.parse(due) + paused.length * cycle).toISOString());

    // Paused: the cycle that comes due while disabled is neither run by the Schedule nor by process-due.
    await eventually(async () => Date.now(), (now) => now > Date.parse(shown.next_due_date) + 1000);
    expect((await processDue()).body).not.toContainEqual(expect.objectContaining({ autopay_id: rule.autopay_id }));
    expect((await runsOf(rule.autopay_id)).length).toBe(paused.length);

    const resumed = await edit(user, rule.autopay_id, { status: 'enabled' });
    expect(resumed.status).toBe(200);
    expect(Date.parse(resumed.body.next_due_date)).toBeGreaterThan(Date.parse(shown.next_due_date));
    await eventually(() => successes(rule.autopay_id), (runs) => runs.length > paused.length, 30_000);

    expect((await edit(user, rule.autopay_id, { plan_id: dearer.plan_id })).status).toBe(200);
    await eventually(() => successes(rule.autopay_id), (runs) => runs.some((r) => r.amount === '1500'), 30_000);
    expect((await remove(user, rule.autopay_id)).status).toBe(200);
    // Deleting the rule removes the runs' record with it; the history keeps each charge once.
    await eventually(() => rechargesOf(user), (rows) => rows.length >= paused.length + 2);
    const charges = await rechargesOf(user);
    expect(new Set(charges.map((c) => c.reference)).size).toBe(charges.length);
    expect(charges.map((c) => c.amount)).toContain('1500');
  });

  it('when process-due runs twice at once for a rule whose cycle has come, then the cycle is charged once', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 50_00n);
    const plan = await newPlan({ price: 10, validity: 28 });
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: inDays(30) });
    // As if the Schedule's run had been missed (Temporal down at the time): the cycle is due, nothing runs it but process-due.
    const [moved] = await platform.orm.em
      .fork()
      .execute<{ due: Date }[]>("update gencharge_autopays set next_due_date = date_trunc('second', now()) - interval '1 second' where id = ? returning next_due_date as due", [rule.autopay_id]);
    const due = new Date(moved!.due);

    const answers = await Promise.all([processDue(), processDue()]);
    for (const answer of answers) expect(answer.status).toBe(200);
    const rows = answers.flatMap((a) => (a.body as Array<{ autopay_id: number; status: string; message: string }>).filter((r) => r.autopay_id === rule.autopay_id));
    // One run bought the cycle; the other call joined it, met the bought cycle, or found it no longer due.
    expect(rows).toContainEqual({ autopay_id: rule.autopay_id, status: 'processed', message: 'success' });
    for (const row of rows) {
      expect([
        JSON.stringify({ status: 'processed', message: 'success' }),
        JSON.stringify({ status: 'skipped', message: 'already processed' }),
        JSON.stringify({ status: 'skipped', message: 'not due' }),
      ]).toContain(JSON.stringify({ status: row.status, message: row.message }));
    }
    const again = await processDue();
    expect(again.body).not.toContainEqual(expect.objectContaining({ autopay_id: rule.autopay_id }));

    const runs = await runsOf(rule.autopay_id);
    expect(runs).toEqual([expect.objectContaining({ status: 'success', amount: '1000', due_date: due })]);
    expect((await rechargesOf(user)).length).toBe(1);
    expect(await balance(user)).toBe(40);
    expect((await read(user, rule.autopay_id)).body).toMatchObject({ last_run_status: 'success', next_due_date: new Date(due.getTime() + 28 * DAY_MS).toISOString() });
    expect((await remove(user, rule.autopay_id)).status).toBe(200);
  });

  it('when process-due races the Schedule for the same cycle, then the cycle is charged once', async () => {
    const user = await gc.signUp();
    await gc.credit(user, 50_00n);
    const plan = await newPlan({ price: 10, validity: 28 });
    const due = soon(2000);
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: due });
    await eventually(async () => Date.now(), (now) => now >= Date.parse(due));

    const answers = await Promise.all([processDue(), processDue()]);
    for (const answer of answers) expect(answer.status).toBe(200);
    await eventually(() => runsOf(rule.autopay_id), (runs) => runs.length > 0);
    await settled(rule.autopay_id);
    expect(await runsOf(rule.autopay_id)).toEqual([expect.objectContaining({ status: 'success', amount: '1000', due_date: new Date(due) })]);
    expect((await rechargesOf(user)).length).toBe(1);
    expect(await balance(user)).toBe(40);
    expect((await remove(user, rule.autopay_id)).status).toBe(200);
  });

  it('when the wallet cannot pay a cycle, then the miss is recorded on the rule, the user is told, and nothing is charged', async () => {
    const user = await gc.signUp();
    const plan = await newPlan({ price: 10, validity: 28 });
    const due = soon(2000);
    const rule = await newRule(user, { plan_id: plan.plan_id, next_due_date: due });

    const missed = await eventually(async () => (await read(user, rule.autopay_id)).body, (r) => r.last_run_status === 'missed', 30_000);
    expect(missed).toMatchObject({
      status: 'enabled',
      last_run_status: 'missed',
      last_failure_reason: 'insufficient_funds',
      missed_count: 1,
      last_run_at: ISO,
      // The missed cycle is behind it: the rule waits for its next one.
      next_due_date: new Date(Date.parse(due) + 28 * DAY_MS).toISOString(),
    });
    expect(await runsOf(rule.autopay_id)).toEqual([expect.objectContaining({ status: 'missed', failure_reason: 'insufficient_funds', amount: null })]);
    expect(await rechargesOf(user)).toEqual([]);
    expect(await balance(user)).toBe(0);

    // The miss is recorded first, then told.
    const notices = await eventually(
      () => platform.orm.em.fork().execute<{ kind: string; description: string }[]>("select kind, description from gencharge_notifications where user_id = ? and kind = 'autopay_missed'", [user.id]),
      (rows) => rows.length > 0,
    );
    expect(notices).toEqual([{ kind: 'autopay_missed', description: expect.stringContaining('wallet balance was too low') }]);
    const sms = await eventually(
      async () => ((await gc.api().get('/sandbox/outbox').query({ to: `+91${user.phone}` })).body.messages as Array<{ body: string }>).map((m) => m.body),
      (bodies) => bodies.some((b) => b.includes('Autopay could not recharge')),
    );
    expect(sms.filter((b) => b.includes('Autopay could not recharge'))).toHaveLength(1);

    // The run ended cleanly: completed with the miss as its answer, not failing and retrying.
    await settled(rule.autopay_id);
    const [action] = (await scheduleOf(rule.autopay_id).describe()).info.recentActions;
    const run = platform.temporal.workflow.getHandle(action!.action.workflow.workflowId, action!.action.workflow.firstExecutionRunId);
    expect((await run.describe()).status.name).toBe('COMPLETED');
    expect(await run.result()).toMatchObject({ autopayId: rule.autopay_id, status: 'failed', message: 'insufficient_funds' });
    expect((await remove(user, rule.autopay_id)).status).toBe(200);
  });
});
