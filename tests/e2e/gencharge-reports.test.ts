import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { newDocumentId } from '../../api/surfaces/gencharge/document-id.js';
import { uniqueId } from '../support/db.js';
import { GC, todayInIndia, type GenChargeSession, type GenChargeUser } from '../support/gencharge.js';
import { genchargeAdmins } from '../support/gencharge-admins.js';
import { startTestPlatform } from '../support/platform.js';

const platform = await startTestPlatform();
const ga = genchargeAdmins(platform);
const api = ga.api;
afterAll(async () => {
  await platform.stop();
});

type Row = Record<string, string | number | boolean | null>;

const ADMIN_REPORTS = [
  'admins-report',
  'autopay-report',
  'backup-report',
  'current-active-plans-report',
  'offers-report',
  'plans-report',
  'referral-report',
  'role-permission-report',
  'sessions-report',
  'transactions-report',
  'archived-users-report',
  'users-report',
];

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const db = () => platform.orm.em.fork().getConnection();
const insert = async (sql: string, params: unknown[]) => Number((await db().execute<{ id: string | number }[]>(`${sql} returning id`, params))[0]!.id);

const report = (session: GenChargeSession | undefined, name: string, filters: object = {}) => {
  const call = api().post(`${GC}/reports/${name}`).send(filters);
  return session ? call.set(session.auth) : call;
};
const rowsOf = async (session: GenChargeSession, name: string, filters: object) => {
  const res = await report(session, name, filters);
  expect(res.status).toBe(200);
  return res.body.data as Row[];
};

const dayInIndia = (offsetDays: number) => new Date(Date.now() + 5.5 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

// What the tests read: two users with history, a limited admin, catalogue rows, and one of each other record.
let admin: GenChargeSession;
let limited: GenChargeSession & { roleId: number; adminId: number };
let alice: GenChargeUser;
let bob: GenChargeUser;
let archived: GenChargeUser;
let planIds: number[];
let offerIds: number[];
let aliceTxns: number[];
let bobTxn: number;
let subscriptionId: number;
let autopayId: number;
let rewardId: number;
let backupId: string;

beforeAll(async () => {
  admin = await ga.gc.superAdmin();
  [limited, alice, bob, archived] = await Promise.all([ga.adminWith(await ga.allGrantsBut(['Reports', 'read'])), ga.gc.signUp(), ga.gc.signUp(), ga.gc.signUp()]);
  await db().execute('update users set deleted_at = now() where id = ?', [archived.id]);
  await ga.gc.credit(alice, 12345n);

  const groupId = await insert('insert into gencharge_plan_groups (name) values (?)', [uniqueId('Jio reports')]);
  planIds = [
    await insert(`insert into gencharge_plans (name, price, validity_days, plan_type, group_id, criteria) values (?, 19900, 28, 'prepaid', ?, '{"operator":"JIO"}')`, [uniqueId('plan'), groupId]),
    await insert(`insert into gencharge_plans (name, price, validity_days, plan_type, group_id, status) values (?, 59900, 84, 'postpaid', ?, 'inactive')`, [uniqueId('plan'), groupId]),
  ];
  const typeId = await insert('insert into gencharge_offer_types (name) values (?)', [uniqueId('type')]);
  offerIds = [
    await insert(`insert into gencharge_offers (name, validity_days, offer_type_id, discount_type, discount_value) values (?, 30, ?, 'percentage', 1050)`, [uniqueId('offer'), typeId]),
    await insert(`insert into gencharge_offers (name, validity_days, offer_type_id, status, is_special) values (?, 10, ?, 'inactive', true)`, [uniqueId('offer'), typeId]),
  ];

  const txn = (userId: number, kind: string, amount: number, status: string, details: object) =>
    insert(`insert into wallet_transactions (tenant, user_id, kind, status, amount, currency, reference, workflow_id, details) values ('gencharge', ?, ?, ?, ?, 'INR', ?, ?, ?)`, [
      userId,
      kind,
      status,
      amount,
      uniqueId('ref'),
      uniqueId('wf'),
      JSON.stringify(details),
    ]);
  aliceTxns = [
    await txn(alice.id, 'funding', 50000, 'success', { method: 'UPI' }),
    await txn(alice.id, 'recharge', 19900, 'success', { source: 'recharge', plan_id: planIds[0], recipient: alice.phone, payment_method: 'wallet', service_type: 'prepaid' }),
    await txn(alice.id, 'referral_reward', 5000, 'pending', {}),
  ];
  bobTxn = await txn(bob.id, 'funding', 10000, 'failed', { method: 'Card' });
  subscriptionId = await insert(
    `insert into gencharge_subscriptions (user_id, plan_id, phone_number, amount, reference, transaction_id, source, payment_method, valid_from, valid_to, status)
     values (?, ?, ?, 19900, ?, ?, 'recharge', 'wallet', now(), now() + interval '28 days', 'active')`,
    [alice.id, planIds[0], alice.phone, uniqueId('sub'), aliceTxns[1]],
  );
  autopayId = await insert(`insert into gencharge_autopays (user_id, plan_id, phone_number, tag, next_due_date) values (?, ?, ?, 'mine', now() + interval '28 days')`, [alice.id, planIds[0], alice.phone]);
  rewardId = await insert(`insert into gencharge_referral_rewards (referrer_id, referred_id, reward_amount, reference) values (?, ?, 5000, ?)`, [alice.id, bob.id, uniqueId('reward')]);
  backupId = newDocumentId();
  await db().execute(
    `insert into gencharge_backups (id, backup_data, snapshot_name, status, storage_key, size_bytes, checksum, workflow_id, created_by, finished_at)
     values (?, 'daily_snapshot', ?, 'success', 'secret/key.sql', 12345, ?, ?, ?, now())`,
    [backupId, uniqueId('snap'), 'a'.repeat(64), uniqueId('wf'), admin.id],
  );
});

describe('GenCharge reports: who may read them', () => {
  it.each(ADMIN_REPORTS)('when an admin holding Reports asks for %s, then 200 {data: [...]}; without it, a mobile user 403 and anonymous 401', async (name) => {
    const ok = await report(admin, name, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: expect.any(Array) });
    expect((await report(limited, name)).status).toBe(403);
    expect((await report(alice, name)).status).toBe(403);
    expect((await report(undefined, name)).status).toBe(401);
  });

  it('when a mobile user asks for their own transactions, then only theirs come; an admin is 403 and anonymous 401', async () => {
    const mine = await rowsOf(alice, 'me/transactions-report', {});
    expect(mine.map((r) => r.txn_id).sort()).toEqual([...aliceTxns].sort());
    expect(mine.every((r) => r.user_id === alice.id)).toBe(true);
    expect((await report(admin, 'me/transactions-report')).status).toBe(403);
    expect((await report(undefined, 'me/transactions-report')).status).toBe(401);
  });
});

describe('GenCharge reports: rows and filters', () => {
  it('when transactions are filtered by ids, then each shows as the history does, with the plan a recharge bought', async () => {
    const rows = await rowsOf(admin, 'transactions-report', { txn_ids: [...aliceTxns, bobTxn], order_by: 'txn_id', order_dir: 'asc' });
    expect(rows.map((r) => r.txn_id)).toEqual([...aliceTxns, bobTxn]);
    expect(rows[0]).toEqual({
      txn_id: aliceTxns[0],
      user_id: alice.id,
      category: 'wallet',
      txn_type: 'credit',
      amount: '500.00',
      source: 'wallet_topup',
      status: 'success',
      payment_method: 'UPI',
      reference: expect.any(String),
      service_type: null,
      plan_id: null,
      plan_name: null,
      offer_id: null,
      phone_number: null,
      subscription_id: null,
      valid_from: null,
      valid_to: null,
      subscription_status: null,
      created_at: ISO,
    });
    expect(rows[1]).toMatchObject({ category: 'service', txn_type: 'debit', amount: '199.00', source: 'recharge', plan_id: planIds[0], phone_number: alice.phone, subscription_id: subscriptionId, subscription_status: 'active', valid_to: ISO });
  });

  it('when filtered by status, category, source, payment method, user and dates, then only the matching rows come', async () => {
    const ids = { txn_ids: [...aliceTxns, bobTxn] };
    const txnIds = async (filters: object) => (await rowsOf(admin, 'transactions-report', { ...ids, ...filters, order_by: 'txn_id', order_dir: 'asc' })).map((r) => r.txn_id);
    expect(await txnIds({ statuses: ['failed'] })).toEqual([bobTxn]);
    expect(await txnIds({ categories: ['service'] })).toEqual([aliceTxns[1]]);
    expect(await txnIds({ txn_types: ['credit'], user_ids: [alice.id] })).toEqual([aliceTxns[0], aliceTxns[2]]);
    expect(await txnIds({ sources: ['wallet_topup'] })).toEqual([aliceTxns[0], bobTxn]);
    expect(await txnIds({ payment_methods: ['Card', 'wallet'] })).toEqual([aliceTxns[1], bobTxn]);
    expect(await txnIds({ plan_ids: [planIds[0]] })).toEqual([aliceTxns[1]]);
    expect(await txnIds({ start_date: todayInIndia(), end_date: todayInIndia() })).toEqual([...aliceTxns, bobTxn]);
    expect(await txnIds({ start_date: dayInIndia(1) })).toEqual([]);
    expect(await txnIds({ end_date: dayInIndia(-1) })).toEqual([]);
    expect(await txnIds({ statuses: [] })).toEqual([]);
  });

  it('when ordered and windowed, then order_dir, limit and offset apply and limit 0 is every row', async () => {
    const ids = { txn_ids: aliceTxns };
    const amounts = async (filters: object) => (await rowsOf(admin, 'transactions-report', { ...ids, order_by: 'amount', ...filters })).map((r) => r.amount);
    expect(await amounts({ order_dir: 'asc' })).toEqual(['50.00', '199.00', '500.00']);
    expect(await amounts({})).toEqual(['500.00', '199.00', '50.00']);
    expect(await amounts({ order_dir: 'asc', limit: 2 })).toEqual(['50.00', '199.00']);
    expect(await amounts({ order_dir: 'asc', limit: 2, offset: 2 })).toEqual(['500.00']);
    expect(await amounts({ order_dir: 'asc', limit: 0, offset: 1 })).toEqual(['199.00', '500.00']);
  });

  it('when each report is filtered by the ids this test made, then it shows those rows as the report defines them', async () => {
    expect(await rowsOf(admin, 'offers-report', { offer_ids: offerIds, statuses: ['active'] })).toEqual([
      expect.objectContaining({ offer_id: offerIds[0], discount_type: 'percentage', discount_value: '10.50', is_special: false, criteria: '{}', status: 'active', created_at: ISO }),
    ]);
    expect((await rowsOf(admin, 'offers-report', { offer_ids: offerIds, is_special: true })).map((r) => r.offer_id)).toEqual([offerIds[1]]);
    expect(await rowsOf(admin, 'plans-report', { plan_ids: planIds, plan_types: ['prepaid'] })).toEqual([
      expect.objectContaining({ plan_id: planIds[0], price: '199.00', validity: 28, criteria: '{"operator":"JIO"}', status: 'active' }),
    ]);
    expect((await rowsOf(admin, 'plans-report', { plan_ids: planIds, statuses: ['inactive'] })).map((r) => r.plan_id)).toEqual([planIds[1]]);
    expect(await rowsOf(admin, 'current-active-plans-report', { user_ids: [alice.id, bob.id] })).toEqual([
      expect.objectContaining({ subscription_id: subscriptionId, user_id: alice.id, plan_id: planIds[0], amount: '199.00', status: 'active' }),
    ]);
    expect(await rowsOf(admin, 'autopay-report', { autopay_ids: [autopayId], statuses: ['enabled'] })).toEqual([
      expect.objectContaining({ autopay_id: autopayId, user_id: alice.id, plan_id: planIds[0], plan_price: '199.00', tag: 'mine', missed_count: 0 }),
    ]);
    expect(await rowsOf(admin, 'autopay-report', { autopay_ids: [autopayId], statuses: ['disabled'] })).toEqual([]);
    expect(await rowsOf(admin, 'referral-report', { referrer_ids: [alice.id] })).toEqual([
      expect.objectContaining({ reward_id: rewardId, referrer_id: alice.id, referred_id: bob.id, referrer_phone: alice.phone, referral_code: alice.referralCode, reward_amount: '50.00', status: 'earned' }),
    ]);
    const backups = await rowsOf(admin, 'backup-report', { backup_ids: [backupId] });
    expect(backups).toEqual([expect.objectContaining({ backup_id: backupId, backup_status: 'success', size_bytes: 12345, checksum: 'a'.repeat(64), created_by: admin.id })]);
    expect(JSON.stringify(backups)).not.toContain('secret/key.sql');
    expect(await rowsOf(admin, 'users-report', { user_ids: [alice.id, archived.id] })).toEqual([
      expect.objectContaining({ user_id: alice.id, phone_number: alice.phone, email: alice.email, referral_code: alice.referralCode, user_type: 'prepaid', status: 'active', wallet_balance: '123.45' }),
    ]);
    expect(await rowsOf(admin, 'archived-users-report', { user_ids: [alice.id, archived.id], start_date: todayInIndia() })).toEqual([
      expect.objectContaining({ user_id: archived.id, deleted_at: ISO }),
    ]);
    expect(await rowsOf(admin, 'admins-report', { admin_ids: [limited.adminId] })).toEqual([
      expect.objectContaining({ admin_id: limited.adminId, role_id: limited.roleId, super_admin: false, status: 'active' }),
    ]);
    const grants = await rowsOf(admin, 'role-permission-report', { role_ids: [limited.roleId], order_by: 'resource', order_dir: 'asc' });
    expect(grants.map((r) => r.resource)).toContain('Reports');
    expect(grants.find((r) => r.resource === 'Reports')).toEqual(expect.objectContaining({ read: false, write: true, edit: true, delete: true }));
    expect(grants.find((r) => r.resource === 'Users')).toEqual(expect.objectContaining({ read: true, write: true, edit: true, delete: true }));
    const sessions = await rowsOf(admin, 'sessions-report', { user_ids: [alice.id] });
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions.every((s) => s.user_id === alice.id && s.user_role === 'user')).toBe(true);
    expect(sessions.some((s) => s.status === 'active' && s.ended_at === null && s.expires_at !== null)).toBe(true);
  });
});

// A small RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

const asCsv = (value: Row[string]) => (value === null ? '' : String(value));

const binary = (res: Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('GenCharge reports: exports', () => {
  // Read when the tests run, after the rows exist.
  const filtersOf = (name: string): object =>
    ({
      'transactions-report': { txn_ids: [...aliceTxns, bobTxn] },
      'offers-report': { offer_ids: offerIds },
      'role-permission-report': { role_ids: [limited.roleId] },
      'users-report': { user_ids: [alice.id, bob.id] },
    })[name]!;
  const exported = ['transactions-report', 'offers-report', 'role-permission-report', 'users-report'];

  it.each(exported)('when %s is exported as CSV, then the file parsed back is the JSON answer row for row', async (name) => {
    const filters = filtersOf(name);
    const json = await rowsOf(admin, name, filters);
    expect(json.length).toBeGreaterThan(0);
    const res = await report(admin, name, { ...filters, export_type: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${name}-\\d{8}T\\d{6}Z\\.csv"$`));
    const [header, ...lines] = parseCsv(res.text);
    expect(header).toEqual(Object.keys(json[0]!));
    expect(lines).toEqual(json.map((row) => Object.values(row).map(asCsv)));
  });

  it.each(exported)('when %s is exported as XLSX, then the sheet read back is the JSON answer row for row, with its types', async (name) => {
    const filters = filtersOf(name);
    const json = await rowsOf(admin, name, filters);
    const res = await report(admin, name, { ...filters, export_type: 'xlsx' }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${name}-\\d{8}T\\d{6}Z\\.xlsx"$`));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const columns = Object.keys(json[0]!);
    const read: Row[] = [];
    sheet.eachRow((row, number) => {
      const cells = columns.map((_c, i) => (row.getCell(i + 1).value ?? null) as Row[string]);
      if (number === 1) expect(cells).toEqual(columns);
      else read.push(Object.fromEntries(columns.map((c, i) => [c, cells[i]!])));
    });
    expect(read).toEqual(json);
  });

  it('when an export matches no rows, then the file still has its header', async () => {
    const res = await report(admin, 'offers-report', { offer_ids: [2147483647], export_type: 'csv' });
    expect(res.status).toBe(200);
    expect(parseCsv(res.text)).toEqual([['offer_id', 'offer_name', 'offer_type_id', 'offer_type_name', 'offer_validity', 'is_special', 'discount_type', 'discount_value', 'description', 'criteria', 'status', 'created_at', 'updated_at']]);
  });

  it('when the caller exports their own transactions, then only theirs are in the file', async () => {
    const res = await report(alice, 'me/transactions-report', { export_type: 'csv', order_by: 'txn_id', order_dir: 'asc' });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="my-transactions-report-/);
    const [header, ...lines] = parseCsv(res.text);
    expect(lines.map((line) => Number(line[header!.indexOf('txn_id')]))).toEqual(aliceTxns);
  });
});

describe('GenCharge reports: bad filters', () => {
  it.each([
    ['an unknown order_by', { order_by: 'password_hash' }, 'order_by'],
    ['a negative offset', { offset: -1 }, 'offset'],
    ['an unknown export_type', { export_type: 'pdf' }, 'export_type'],
    ['a date that is not one', { start_date: '2025-13-45' }, 'start_date'],
    ['an unknown key', { offer_idz: [1] }, 'offer_idz'],
    ['a limit over the maximum', { limit: 100_001 }, 'limit'],
    ['ids that are not ids', { offer_ids: ['x'] }, 'offer_ids'],
    ['an unknown status', { statuses: ['gone'] }, 'statuses'],
  ])('when the body has %s, then 422 in the FastAPI shape and no file', async (_what, body, field) => {
    const res = await report(admin, 'offers-report', { ...body, export_type: (body as { export_type?: string }).export_type ?? 'csv' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc: field ? expect.arrayContaining(['body', field]) : expect.arrayContaining(['body']), msg: expect.any(String), type: expect.any(String) })]));
  });

  it('when a text filter carries a NUL, then 422 rather than a database error', async () => {
    const res = await report(admin, 'transactions-report', { payment_methods: ['UPI\u0000'] });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].loc).toEqual(['body', 'payment_methods', 0]);
  });

  it('when the body has unknown keys, then each is named as pydantic names extra fields', async () => {
    const res = await report(admin, 'users-report', { user_id: 1, sort: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { loc: ['body', 'user_id'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
      { loc: ['body', 'sort'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
  });
});
