import request from 'supertest';
import type { TestPlatform } from './platform.js';
import { uniqueId } from './db.js';

/** Polls until `probe` returns a value that passes `done`; never a fixed sleep. */
export async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface MaxteraUser {
  id: number;
  email: string;
  access: string;
  refresh: string;
  auth: { Authorization: string };
}

export function maxtera(platform: TestPlatform) {
  const api = () => request(platform.url);

  async function signUp(): Promise<MaxteraUser> {
    const email = `${uniqueId('user')}@example.com`;
    const registered = await api().post('/maxtera/api/v1/auth/register/').send({ email, password: 'correct-horse-1', phone: '08031234567' });
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
    const login = await api().post('/maxtera/api/v1/auth/login/').send({ email, password: 'correct-horse-1' });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    return {
      id: registered.body.user_id,
      email,
      access: login.body.access,
      refresh: login.body.refresh,
      auth: { Authorization: `Bearer ${login.body.access}` },
    };
  }

  async function balance(user: MaxteraUser): Promise<number> {
    const res = await api().get('/maxtera/api/v1/wallet/balance/').set(user.auth);
    if (res.status !== 200) throw new Error(`balance failed: ${res.status} ${res.text}`);
    return res.body.balance;
  }

  /** Deposits through the real funding flow: fund, the sandbox provider's webhook, the credit. */
  async function fund(user: MaxteraUser, amount: number): Promise<string> {
    const before = await balance(user);
    const started = await api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount, method: 'onepipe' });
    if (started.status !== 200) throw new Error(`fund failed: ${started.status} ${started.text}`);
    const reference: string = started.body.reference;
    await eventually(
      () => api().post(`/sandbox/payments/${reference}/complete`).send({ status: 'success' }),
      (r) => r.status === 200,
    );
    await eventually(() => balance(user), (b) => b === before + amount);
    return reference;
  }

  return { api, signUp, balance, fund };
}
