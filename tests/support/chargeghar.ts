import { randomInt } from 'node:crypto';
import request from 'supertest';
import { walletAccountCode } from '../../core/accounts.js';
import { ensureAccount, postJournalEntry } from '../../core/ledger.js';
import { uniqueId } from './db.js';
import { latestCode as latestCodeSentTo, newClient } from './outbox.js';
import type { TestPlatform } from './platform.js';

export { newClient };

export const CG = '/chargeghar/api';

export interface ChargeGharUser {
  id: number;
  identifier: string;
  /** The client address this user's requests come from (X-Forwarded-For; the API trusts loopback proxies). */
  client: string;
  access: string;
  refresh: string;
  auth: { Authorization: string };
}

export const newNepaliPhone = () => `+97798${randomInt(10_000_000, 99_999_999)}`;
export const newEmail = () => `${uniqueId('cg')}@example.com`;

export function chargeghar(platform: TestPlatform) {
  const api = () => request(platform.url);

  const latestCode = (to: string, notOneOf: string[] = []) => latestCodeSentTo(api, to, notOneOf);

  const requestCode = (identifier: string, purpose: string, client = newClient()) =>
    api().post(`${CG}/auth/otp/request`).set('X-Forwarded-For', client).send({ identifier, purpose });

  const verifyCode = (identifier: string, purpose: string, code: string, client = newClient()) =>
    api().post(`${CG}/auth/otp/verify`).set('X-Forwarded-For', client).send({ identifier, purpose, code });

  /** Request, read the code from the outbox, verify: the verification token. */
  async function verificationToken(identifier: string, purpose: 'register' | 'login', client = newClient()): Promise<string> {
    const before = (await api().get('/sandbox/outbox').query({ to: identifier })).body.messages.map((m: { body: string }) => /\d{6}/.exec(m.body)?.[0]);
    const sent = await requestCode(identifier, purpose, client);
    if (sent.status !== 200) throw new Error(`otp request failed: ${sent.status} ${sent.text}`);
    const code = await latestCode(identifier, before.length ? [before[0]] : []);
    const verified = await verifyCode(identifier, purpose, code, client);
    if (verified.status !== 200) throw new Error(`otp verify failed: ${verified.status} ${verified.text}`);
    return verified.body.data.verification_token;
  }

  async function signUp(identifier = newNepaliPhone(), fullName = 'Sita Sharma'): Promise<ChargeGharUser> {
    const client = newClient();
    const token = await verificationToken(identifier, 'register', client);
    const res = await api().post(`${CG}/auth/register`).set('X-Forwarded-For', client).send({ verification_token: token, full_name: fullName });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
    return asUser(res.body.data, identifier, client);
  }

  async function logIn(identifier: string): Promise<ChargeGharUser> {
    const client = newClient();
    const token = await verificationToken(identifier, 'login', client);
    const res = await api().post(`${CG}/auth/login`).set('X-Forwarded-For', client).send({ verification_token: token });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return asUser(res.body.data, identifier, client);
  }

  function asUser(data: { access_token: string; refresh_token: string; user: { id: number } }, identifier: string, client: string): ChargeGharUser {
    return { id: data.user.id, identifier, client, access: data.access_token, refresh: data.refresh_token, auth: { Authorization: `Bearer ${data.access_token}` } };
  }

  /** Credits NPR (minor units) and points to a user straight in the ledger, as a platform event would. */
  async function credit(user: ChargeGharUser, amounts: { nprMinor?: bigint; points?: bigint }): Promise<void> {
    await platform.orm.em.fork().transactional(async (tx) => {
      const post = async (currency: string, code: string, amount: bigint) => {
        const source = await ensureAccount(tx, { tenant: 'chargeghar', currency, code: uniqueId(`test-source-${currency}`), debitsMustNotExceedCredits: false });
        const target = await ensureAccount(tx, { tenant: 'chargeghar', currency, code, userId: user.id, debitsMustNotExceedCredits: true });
        await postJournalEntry(tx, {
          tenant: 'chargeghar',
          idempotencyKey: uniqueId('test-credit'),
          description: 'test credit',
          lines: [
            { accountId: source, direction: 'debit', amount },
            { accountId: target, direction: 'credit', amount },
          ],
        });
      };
      if (amounts.nprMinor) await post('NPR', walletAccountCode(user.id), amounts.nprMinor);
      if (amounts.points) await post('PTS', `points:${user.id}`, amounts.points);
    });
  }

  return { api, latestCode, requestCode, verifyCode, verificationToken, signUp, logIn, credit };
}
