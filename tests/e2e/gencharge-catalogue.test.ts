import { randomUUID } from 'node:crypto';
import { uniqueId } from '../support/db.js';
import { GC, gencharge, type GenChargeSession } from '../support/gencharge.js';
import { ISO } from '../support/matchers.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

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

const post = (path: string, body: object) => gc.api().post(`${GC}${path}`).set(admin.auth).send(body);
const put = (path: string, body: object) => gc.api().put(`${GC}${path}`).set(admin.auth).send(body);
const get = (path: string, query: Record<string, string | number | boolean> = {}) => gc.api().get(`${GC}${path}`).set(admin.auth).query(query);
const del = (path: string) => gc.api().delete(`${GC}${path}`).set(admin.auth);

async function newGroup(name = uniqueId('group')): Promise<{ group_id: number; group_name: string }> {
  const res = await post('/plans/plan-group', { group_name: name });
  expect(res.status).toBe(201);
  return res.body;
}

async function newPlan(groupId: number, fields: Record<string, unknown> = {}) {
  const res = await post('/plans/plan', { plan_name: uniqueId('plan'), price: 199, validity: 28, plan_type: 'prepaid', group_id: groupId, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}

async function newOfferType(name = uniqueId('type')): Promise<{ offer_type_id: number; offer_type_name: string }> {
  const res = await post('/offers/offer_type', { offer_type_name: name });
  expect(res.status).toBe(201);
  return res.body;
}

async function newOffer(typeId: number, fields: Record<string, unknown> = {}) {
  const res = await post('/offers/offers', { offer_name: uniqueId('offer'), offer_validity: 30, offer_type_id: typeId, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}

/** How many plans carry this name fragment: refused writes must leave it unchanged. */
const plansNamed = async (fragment: string) => Number((await get('/plans/plan', { plan_name: fragment })).headers['x-total-count']);
const offersNamed = async (fragment: string) => Number((await get('/offers/offers', { offer_name: fragment })).headers['x-total-count']);

describe('GenCharge plan groups', () => {
  it('when an admin creates, reads, lists, renames and deletes a group, then each answer is the spec shape', async () => {
    const name = uniqueId('Data Packs');
    const created = await post('/plans/plan-group', { group_name: name });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ group_id: expect.any(Number), group_name: name });
    const id = created.body.group_id;

    expect((await get(`/plans/plan-group/${id}`)).body).toEqual({ group_id: id, group_name: name });
    const listed = await get('/plans/plan-group', { group_name: name.toUpperCase() });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([{ group_id: id, group_name: name }]);
    expect(listed.headers['x-total-count']).toBe('1');

    const renamed = await put(`/plans/plan-group/${id}`, { group_name: `${name} (4G/5G)` });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ group_id: id, group_name: `${name} (4G/5G)` });

    const deleted = await del(`/plans/plan-group/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await get(`/plans/plan-group/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Plan group not found' });
    expect((await del(`/plans/plan-group/${id}`)).status).toBe(404);
  });

  it('when a group name is taken, then creating or renaming to it is a 409 that changes nothing', async () => {
    const first = await newGroup();
    const second = await newGroup();
    const again = await post('/plans/plan-group', { group_name: first.group_name });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: 'A plan group with this name already exists' });
    expect((await get('/plans/plan-group', { group_name: first.group_name })).headers['x-total-count']).toBe('1');

    const rename = await put(`/plans/plan-group/${second.group_id}`, { group_name: first.group_name });
    expect(rename.status).toBe(409);
    expect((await get(`/plans/plan-group/${second.group_id}`)).body).toEqual(second);
  });

  it('when a group still has plans, then deleting it is a 409 and the group stays', async () => {
    const group = await newGroup();
    await newPlan(group.group_id);
    const res = await del(`/plans/plan-group/${group.group_id}`);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: 'Plan group has plans; move or delete them first' });
    expect((await get(`/plans/plan-group/${group.group_id}`)).status).toBe(200);
  });

  it('when the name is blank or the id is not a number, then it is a 422', async () => {
    const blank = await post('/plans/plan-group', { group_name: '  ' });
    expect(blank.status).toBe(422);
    expect(blank.body.detail).toEqual([{ loc: ['body', 'group_name'], msg: expect.any(String), type: 'string_too_short' }]);
    const missing = await post('/plans/plan-group', {});
    expect(missing.body.detail).toEqual([{ loc: ['body', 'group_name'], msg: expect.any(String), type: 'missing' }]);
    expect((await get('/plans/plan-group/abc')).status).toBe(422);
    expect((await get('/plans/plan-group/99999999999')).status).toBe(422);
  });
});

describe('GenCharge plans', () => {
  it('when an admin creates, reads, updates and deletes a plan, then price is rupees and every field round-trips', async () => {
    const group = await newGroup();
    const name = uniqueId('1.5GB/day 84d');
    const created = await post('/plans/plan', {
      plan_name: name,
      validity: 84,
      most_popular: true,
      plan_type: 'prepaid',
      group_id: group.group_id,
      description: 'Unlimited calls + 1.5GB/day',
      criteria: { circle: 'KA' },
      price: 699.5,
    });
    expect(created.status).toBe(201);
    const plan = {
      plan_id: expect.any(Number),
      plan_name: name,
      price: 699.5,
      validity: 84,
      plan_type: 'prepaid',
      group_id: group.group_id,
      description: 'Unlimited calls + 1.5GB/day',
      criteria: { circle: 'KA' },
      most_popular: true,
      status: 'active',
      created_at: ISO,
    };
    expect(created.body).toEqual(plan);
    const id = created.body.plan_id;
    const [row] = await platform.orm.em.getConnection().execute('select price from gencharge_plans where id = ?', [id]);
    expect(String(row?.price)).toBe('69950');

    expect((await get(`/plans/plan/${id}`)).body).toEqual(created.body);

    const other = await newGroup();
    const updated = await put(`/plans/plan/${id}`, { plan_name: `${name} (New)`, price: 749, group_id: other.group_id, status: 'inactive', most_popular: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...created.body, plan_name: `${name} (New)`, price: 749, group_id: other.group_id, status: 'inactive', most_popular: false });
    expect((await get(`/plans/plan/${id}`)).body).toEqual(updated.body);

    const deleted = await del(`/plans/plan/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await get(`/plans/plan/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Plan not found' });
    expect((await del(`/plans/plan/${id}`)).status).toBe(404);
    expect((await put(`/plans/plan/${id}`, { price: 10 })).status).toBe(404);
  });

  it('when the group does not exist, then creating or moving a plan is a 404 that writes nothing', async () => {
    const name = uniqueId('orphan');
    const res = await post('/plans/plan', { plan_name: name, price: 99, validity: 28, plan_type: 'prepaid', group_id: 2_000_000_000 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Plan group not found' });
    expect(await plansNamed(name)).toBe(0);

    const plan = await newPlan((await newGroup()).group_id);
    const move = await put(`/plans/plan/${plan.plan_id}`, { group_id: 2_000_000_000, plan_name: 'moved' });
    expect(move.status).toBe(404);
    expect((await get(`/plans/plan/${plan.plan_id}`)).body).toEqual(plan);
  });

  it('when price, validity or plan type are out of range, then it is a 422 naming the field and nothing is written', async () => {
    const group = await newGroup();
    const name = uniqueId('bad');
    const base = { plan_name: name, price: 99, validity: 28, plan_type: 'prepaid', group_id: group.group_id };
    const cases: [Record<string, unknown>, string][] = [
      [{ price: 0 }, 'price'],
      [{ price: -5 }, 'price'],
      [{ price: 10.555 }, 'price'],
      [{ price: '99' }, 'price'],
      [{ validity: 0 }, 'validity'],
      [{ validity: 1.5 }, 'validity'],
      [{ plan_type: 'corporate' }, 'plan_type'],
      [{ criteria: [1, 2] }, 'criteria'],
      [{ plan_name: undefined }, 'plan_name'],
    ];
    for (const [change, field] of cases) {
      const res = await post('/plans/plan', { ...base, ...change });
      expect(res.status).toBe(422);
      expect(res.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([['body', field]]);
    }
    expect(await plansNamed(name)).toBe(0);

    const plan = await newPlan(group.group_id);
    const update = await put(`/plans/plan/${plan.plan_id}`, { price: 0, plan_name: 'never' });
    expect(update.status).toBe(422);
    expect((await get(`/plans/plan/${plan.plan_id}`)).body).toEqual(plan);
  });

  it('when the body is broken JSON or not JSON at all, then it is a 422, never a server error', async () => {
    const broken = await gc.api().post(`${GC}/plans/plan`).set(admin.auth).set('Content-Type', 'application/json').send('{"plan_name": ');
    expect(broken.status).toBe(422);
    expect(broken.body).toEqual({ detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] });
    const text = await gc.api().post(`${GC}/offers/offers`).set(admin.auth).set('Content-Type', 'text/plain').send('offer');
    expect(text.status).toBe(422);
    expect(text.body.detail.map((d: { type: string }) => d.type)).toEqual(['missing', 'missing', 'missing']);
  });

  it('when an admin filters, sorts and pages plans, then the order is stable and X-Total-Count counts every match', async () => {
    const group = await newGroup();
    const a = await newPlan(group.group_id, { price: 299, validity: 28, plan_type: 'prepaid' });
    const b = await newPlan(group.group_id, { price: 199, validity: 56, plan_type: 'postpaid', most_popular: true });
    const c = await newPlan(group.group_id, { price: 299, validity: 84, plan_type: 'prepaid', status: 'inactive' });
    const ids = (res: { body: { plan_id: number }[] }) => res.body.map((p) => p.plan_id);

    const byPrice = await get('/plans/plan', { group_id: group.group_id, sort_by: 'price', sort_order: 'desc' });
    expect(byPrice.status).toBe(200);
    expect(byPrice.headers['x-total-count']).toBe('3');
    // a and c tie on price: the id breaks the tie, in the same direction.
    expect(ids(byPrice)).toEqual([c.plan_id, a.plan_id, b.plan_id]);
    expect(byPrice.body[2]).toEqual(b);

    const page = await get('/plans/plan', { group_id: group.group_id, sort_by: 'price', sort_order: 'desc', skip: 1, limit: 1 });
    expect(ids(page)).toEqual([a.plan_id]);
    expect(page.headers['x-total-count']).toBe('3');

    expect(ids(await get('/plans/plan', { group_id: group.group_id, plan_type: 'prepaid' }))).toEqual([a.plan_id, c.plan_id]);
    expect(ids(await get('/plans/plan', { group_id: group.group_id, status: 'inactive' }))).toEqual([c.plan_id]);
    expect(ids(await get('/plans/plan', { group_id: group.group_id, most_popular: true }))).toEqual([b.plan_id]);
    expect(ids(await get('/plans/plan', { group_id: group.group_id, most_popular: false, sort_by: 'validity', sort_order: 'desc' }))).toEqual([c.plan_id, a.plan_id]);
    expect(ids(await get('/plans/plan', { group_name: group.group_name }))).toEqual([a.plan_id, b.plan_id, c.plan_id]);
    expect(ids(await get('/plans/plan', { plan_name: b.plan_name }))).toEqual([b.plan_id]);

    const refused: Record<string, string | number>[] = [{ sort_by: 'password' }, { skip: -1 }, { limit: 0 }, { limit: 501 }, { most_popular: 'maybe' }, { status: 'deleted' }];
    for (const bad of refused) {
      const res = await get('/plans/plan', bad);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc[0]).toBe('query');
    }
  });

  it('when anyone lists public plans, then no token is needed and only active plans show, in the public shape', async () => {
    const group = await newGroup();
    const active = await newPlan(group.group_id, { price: 149.99, description: 'Talk time' });
    const inactive = await newPlan(group.group_id, { status: 'inactive' });
    const res = await gc.api().get(`${GC}/plans/public/all`).query({ group_id: group.group_id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        plan_id: active.plan_id,
        plan_name: active.plan_name,
        plan_type: 'prepaid',
        price: 149.99,
        validity: 28,
        group_id: group.group_id,
        description: 'Talk time',
        most_popular: false,
      },
    ]);
    expect(res.headers['x-total-count']).toBe('1');

    // Retiring the active one and re-activating the other swaps them.
    await put(`/plans/plan/${active.plan_id}`, { status: 'inactive' });
    await put(`/plans/plan/${inactive.plan_id}`, { status: 'active' });
    const after = await gc.api().get(`${GC}/plans/public/all`).query({ group_id: group.group_id });
    expect(after.body.map((p: { plan_id: number }) => p.plan_id)).toEqual([inactive.plan_id]);
  });

  it('when a plan is still referred to, then deleting it retires it (inactive) instead of removing it', async () => {
    const plan = await newPlan((await newGroup()).group_id);
    // Stands in for part 2's subscriptions table, which refers to plans the same way.
    const table = `gc_test_plan_refs_${randomUUID().slice(0, 8)}`;
    const connection = platform.orm.em.getConnection();
    await connection.execute(`create table ${table} (plan_id integer not null references gencharge_plans(id))`);
    try {
      await connection.execute(`insert into ${table} (plan_id) values (?)`, [plan.plan_id]);
      const res = await del(`/plans/plan/${plan.plan_id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect((await get(`/plans/plan/${plan.plan_id}`)).body).toEqual({ ...plan, status: 'inactive' });
      const publicList = await gc.api().get(`${GC}/plans/public/all`).query({ group_id: plan.group_id });
      expect(publicList.body).toEqual([]);
    } finally {
      await connection.execute(`drop table ${table}`);
    }
  });
});

describe('GenCharge offer types', () => {
  it('when an admin creates, reads, lists, renames and deletes an offer type, then each answer is the spec shape', async () => {
    const name = uniqueId('Festive Offer');
    const created = await post('/offers/offer_type', { offer_type_name: name });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ offer_type_id: expect.any(Number), offer_type_name: name });
    const id = created.body.offer_type_id;

    expect((await get(`/offers/offer_type/${id}`)).body).toEqual(created.body);
    const listed = await get('/offers/offer_type', { offer_type_name: name });
    expect(listed.body).toEqual([created.body]);
    expect(listed.headers['x-total-count']).toBe('1');

    const renamed = await put(`/offers/offer_type/${id}`, { offer_type_name: `${name} New Year` });
    expect(renamed.body).toEqual({ offer_type_id: id, offer_type_name: `${name} New Year` });

    const deleted = await del(`/offers/offer_type/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await get(`/offers/offer_type/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Offer type not found' });
  });

  it('when the name is taken, or the type still has offers, then it is a 409 that changes nothing', async () => {
    const type = await newOfferType();
    const again = await post('/offers/offer_type', { offer_type_name: type.offer_type_name });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: 'An offer type with this name already exists' });

    await newOffer(type.offer_type_id);
    const res = await del(`/offers/offer_type/${type.offer_type_id}`);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: 'Offer type has offers; move or delete them first' });
    expect((await get(`/offers/offer_type/${type.offer_type_id}`)).body).toEqual(type);
  });
});

describe('GenCharge offers', () => {
  it('when an admin creates, reads, updates and deletes an offer, then the offer type is nested and the discount round-trips', async () => {
    const type = await newOfferType();
    const name = uniqueId('Diwali 10% OFF');
    const created = await post('/offers/offers', {
      offer_name: name,
      offer_validity: 30,
      offer_type_id: type.offer_type_id,
      is_special: true,
      criteria: { min_price: 199 },
      description: 'Festival offer',
      status: 'active',
      discount_type: 'percentage',
      discount_value: 12.5,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      offer_id: expect.any(Number),
      offer_name: name,
      offer_validity: 30,
      offer_type: type,
      is_special: true,
      criteria: { min_price: 199 },
      description: 'Festival offer',
      discount_type: 'percentage',
      discount_value: 12.5,
      status: 'active',
      created_at: ISO,
    });
    const id = created.body.offer_id;
    const [row] = await platform.orm.em.getConnection().execute('select discount_type, discount_value from gencharge_offers where id = ?', [id]);
    expect({ type: row?.discount_type, value: String(row?.discount_value) }).toEqual({ type: 'percentage', value: '1250' });
    expect((await get(`/offers/offers/${id}`)).body).toEqual(created.body);

    const otherType = await newOfferType();
    const updated = await put(`/offers/offers/${id}`, { offer_name: `${name} 12%`, offer_validity: 45, offer_type_id: otherType.offer_type_id, discount_type: 'flat', discount_value: 50 });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...created.body, offer_name: `${name} 12%`, offer_validity: 45, offer_type: otherType, discount_type: 'flat', discount_value: 50 });
    expect((await get(`/offers/offers/${id}`)).body).toEqual(updated.body);

    const noDiscount = await put(`/offers/offers/${id}`, { discount_type: null, discount_value: null });
    expect(noDiscount.body).toMatchObject({ discount_type: null, discount_value: null, offer_name: `${name} 12%` });

    const deleted = await del(`/offers/offers/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await get(`/offers/offers/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'Offer not found' });
  });

  it('when the offer type does not exist, then creating or moving an offer is a 404 that writes nothing', async () => {
    const name = uniqueId('orphan-offer');
    const res = await post('/offers/offers', { offer_name: name, offer_validity: 30, offer_type_id: 2_000_000_000 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Offer type not found' });
    expect(await offersNamed(name)).toBe(0);

    const offer = await newOffer((await newOfferType()).offer_type_id);
    const move = await put(`/offers/offers/${offer.offer_id}`, { offer_type_id: 2_000_000_000 });
    expect(move.status).toBe(404);
    expect((await get(`/offers/offers/${offer.offer_id}`)).body).toEqual(offer);
  });

  it('when validity or the discount is out of range, then it is a 422 naming the field and nothing is written', async () => {
    const type = await newOfferType();
    const name = uniqueId('bad-offer');
    const base = { offer_name: name, offer_validity: 30, offer_type_id: type.offer_type_id };
    const cases: [Record<string, unknown>, string][] = [
      [{ offer_validity: 0 }, 'offer_validity'],
      [{ discount_type: 'percentage', discount_value: 100.5 }, 'discount_value'],
      [{ discount_type: 'percentage', discount_value: 0 }, 'discount_value'],
      [{ discount_type: 'flat', discount_value: 1.005 }, 'discount_value'],
      [{ discount_type: 'flat' }, 'discount_value'],
      [{ discount_value: 10 }, 'discount_type'],
      [{ discount_type: 'bogo', discount_value: 1 }, 'discount_type'],
      [{ is_special: 'yes' }, 'is_special'],
    ];
    for (const [change, field] of cases) {
      const res = await post('/offers/offers', { ...base, ...change });
      expect(res.status).toBe(422);
      expect(res.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([['body', field]]);
    }
    expect(await offersNamed(name)).toBe(0);
    expect((await post('/offers/offers', { ...base, discount_type: 'percentage', discount_value: 100 })).status).toBe(201);
  });

  it('when an admin filters, sorts and pages offers, then X-Total-Count counts every match', async () => {
    const type = await newOfferType();
    const a = await newOffer(type.offer_type_id, { offer_validity: 10, is_special: true, discount_type: 'flat', discount_value: 20 });
    const b = await newOffer(type.offer_type_id, { offer_validity: 30, status: 'inactive' });
    const c = await newOffer(type.offer_type_id, { offer_validity: 20, discount_type: 'percentage', discount_value: 5 });
    const ids = (res: { body: { offer_id: number }[] }) => res.body.map((o) => o.offer_id);

    const byValidity = await get('/offers/offers', { offer_type_id: type.offer_type_id, sort_by: 'offer_validity' });
    expect(ids(byValidity)).toEqual([a.offer_id, c.offer_id, b.offer_id]);
    expect(byValidity.headers['x-total-count']).toBe('3');
    expect(byValidity.body[0]).toEqual(a);

    const page = await get('/offers/offers', { offer_type_id: type.offer_type_id, sort_order: 'desc', limit: 2 });
    expect(ids(page)).toEqual([c.offer_id, b.offer_id]);
    expect(page.headers['x-total-count']).toBe('3');

    expect(ids(await get('/offers/offers', { offer_type_name: type.offer_type_name, is_special: true }))).toEqual([a.offer_id]);
    expect(ids(await get('/offers/offers', { offer_type_id: type.offer_type_id, status: 'inactive' }))).toEqual([b.offer_id]);
    expect(ids(await get('/offers/offers', { offer_type_id: type.offer_type_id, discount_type: 'percentage' }))).toEqual([c.offer_id]);
    expect(ids(await get('/offers/offers', { offer_name: c.offer_name }))).toEqual([c.offer_id]);
    expect((await get('/offers/offers', { sort_by: 'discount_value' })).status).toBe(422);
  });

  it('when anyone lists public offers, then no token is needed and only active offers show, in the public shape', async () => {
    const type = await newOfferType();
    const active = await newOffer(type.offer_type_id, { is_special: true, description: 'Festival offer', discount_type: 'flat', discount_value: 25.5 });
    await newOffer(type.offer_type_id, { status: 'inactive' });
    const res = await gc.api().get(`${GC}/offers/offers/public`).query({ offer_type_id: type.offer_type_id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        offer_id: active.offer_id,
        offer_name: active.offer_name,
        offer_validity: 30,
        offer_type: type,
        is_special: true,
        description: 'Festival offer',
        discount_type: 'flat',
        discount_value: 25.5,
      },
    ]);
    expect(res.headers['x-total-count']).toBe('1');
  });

  it('when an offer is still referred to, then deleting it retires it (inactive) instead of removing it', async () => {
    const offer = await newOffer((await newOfferType()).offer_type_id);
    const table = `gc_test_offer_refs_${randomUUID().slice(0, 8)}`;
    const connection = platform.orm.em.getConnection();
    await connection.execute(`create table ${table} (offer_id integer not null references gencharge_offers(id))`);
    try {
      await connection.execute(`insert into ${table} (offer_id) values (?)`, [offer.offer_id]);
      const res = await del(`/offers/offers/${offer.offer_id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect((await get(`/offers/offers/${offer.offer_id}`)).body).toEqual({ ...offer, status: 'inactive' });
    } finally {
      await connection.execute(`drop table ${table}`);
    }
  });
});

describe('GenCharge catalogue access', () => {
  it('when there is no token, then admin catalogue routes answer 401 and write nothing', async () => {
    const name = uniqueId('anon');
    const res = await gc.api().post(`${GC}/plans/plan-group`).send({ group_name: name });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Not authenticated' });
    expect((await get('/plans/plan-group', { group_name: name })).body).toEqual([]);
    expect((await gc.api().get(`${GC}/offers/offers/1`)).status).toBe(401);
  });

  it('when a mobile user calls an admin catalogue route, then it is a 403 and nothing is written', async () => {
    const user = await gc.signUp();
    const name = uniqueId('by-user');
    const res = await gc.api().post(`${GC}/offers/offer_type`).set(user.auth).send({ offer_type_name: name });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Not enough permissions' });
    expect((await get('/offers/offer_type', { offer_type_name: name })).body).toEqual([]);
    expect((await gc.api().get(`${GC}/plans/plan`).set(user.auth)).status).toBe(403);
    // The public lists are open to users too.
    expect((await gc.api().get(`${GC}/plans/public/all`).set(user.auth)).status).toBe(200);
  });

  it('when the OpenAPI document is read, then each admin catalogue route names its permission and the public lists need no token', async () => {
    const { paths } = (await gc.api().get('/openapi.json')).body;
    expect(paths[`${GC}/plans/plan`].post['x-permission']).toEqual({ resource: 'Plans', action: 'write' });
    expect(paths[`${GC}/plans/plan-group/{group_id}`].put['x-permission']).toEqual({ resource: 'Plans', action: 'edit' });
    expect(paths[`${GC}/offers/offers/{offer_id}`].delete['x-permission']).toEqual({ resource: 'Offers', action: 'delete' });
    expect(paths[`${GC}/offers/offer_type`].get['x-permission']).toEqual({ resource: 'Offers', action: 'read' });
    for (const path of [`${GC}/plans/public/all`, `${GC}/offers/offers/public`]) {
      expect(paths[path].get.security).toBeUndefined();
      expect(paths[path].get['x-permission']).toBeUndefined();
    }
    expect(paths[`${GC}/offers/offers`].post.description).toContain('discount_type');
  });
});
