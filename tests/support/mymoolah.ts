import { randomInt } from 'node:crypto';
import request from 'supertest';
import type { TestPlatform } from './platform.js';
import { eventually } from './maxtera.js';
import { uniqueId } from './db.js';
import { TEST_ENV } from './test-env.js';

export const MM = '/mymoolah/api/v1';
/** A valid South African ID number (1 January 1980, check digit 7). */
export const SA_ID = '8001015009087';

export interface MyMoolahUser {
  id: number;
  phone: string;
  email: string;
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

export const uniquePhone = () => `+2782${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

export function mymoolah(platform: TestPlatform) {
  const api = () => request(platform.url);

  async function signUp(): Promise<MyMoolahUser> {
    const phone = uniquePhone();
    const email = `${uniqueId('mm')}@example.com`;
    const res = await api().post(`${MM}/auth/register`).send({ name: 'Andre Test', email, phoneNumber: phone, password: 'Password123!', idNumber: SA_ID, idType: 'south_african_id' });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
    return { id: res.body.user.id, phone, email, token: res.body.token, refreshToken: res.body.refreshToken, auth: { Authorization: `Bearer ${res.body.token}` } };
  }

  async function admin(): Promise<{ Authorization: string }> {
    const res = await api().post(`${MM}/auth/login`).send({ identifier: 'admin@mymoolah.local', password: TEST_ENV.SEED_ADMIN_PASSWORD });
    if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
    return { Authorization: `Bearer ${res.body.token}` };
  }

  async function balance(user: MyMoolahUser): Promise<number> {
    const res = await api().get(`${MM}/wallets/balance`).set(user.auth);
    if (res.status !== 200) throw new Error(`balance failed: ${res.status} ${res.text}`);
    return res.body.data.balance;
  }

  /** A deposit through the real funding flow: Peach sandbox checkout, its signed webhook, the credit. */
  async function deposit(user: MyMoolahUser, amount: number): Promise<string> {
    const before = await balance(user);
    const started = await api().post(`${MM}/wallets/deposit`).set(user.auth).send({ amount });
    if (started.status !== 200) throw new Error(`deposit failed: ${started.status} ${started.text}`);
    const reference: string = started.body.data.reference;
    await eventually(() => api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
    await eventually(() => balance(user), (b) => b === before + amount);
    return reference;
  }

  async function issue(user: MyMoolahUser, amount: number) {
    const res = await api().post(`${MM}/vouchers/issue`).set(user.auth).send({ original_amount: amount });
    if (res.status !== 201) throw new Error(`issue failed: ${res.status} ${res.text}`);
    return res.body.data as { id: number; voucherCode: string; balance: string; expiresAt: string };
  }

  async function easyPay(user: MyMoolahUser, amount: number) {
    const res = await api().post(`${MM}/vouchers/easypay/issue`).set(user.auth).send({ original_amount: amount });
    if (res.status !== 201) throw new Error(`EasyPay issue failed: ${res.status} ${res.text}`);
    return res.body.data as { id: number; easypay_code: string; amount: string; expires_at: string };
  }

  /** The EasyPay network paying a number at a till, with its own credential. */
  const network = (body: Record<string, unknown>, key: string = platform.config.EASYPAY_API_KEY!) =>
    api().post('/mymoolah/billpayment/v1/easypay/process').set('Authorization', `Bearer ${key}`).send(body);

  const voucher = async (user: MyMoolahUser | { Authorization: string }, code: string) =>
    api().get(`${MM}/vouchers/code/${encodeURIComponent(code)}`).set('auth' in user ? user.auth : user);

  return { api, signUp, admin, balance, deposit, issue, easyPay, network, voucher };
}

/** The sum of every MyMoolah wallet, the voucher float and every clearing and suspense account: what money conservation keeps. */
export async function myMoolahTotals(platform: TestPlatform): Promise<{ debits: bigint; credits: bigint }> {
  const [row] = await platform.orm.em.fork().execute<{ d: string; c: string }[]>(
    `select coalesce(sum(debits_posted), 0) as d, coalesce(sum(credits_posted), 0) as c from ledger_accounts where tenant = 'mymoolah'`,
  );
  return { debits: BigInt(row!.d), credits: BigInt(row!.c) };
}
