import { randomInt } from 'node:crypto';
import request from 'supertest';
import { walletAccountCode } from '../../core/accounts.js';
import { dayText, indianDayNumber } from '../../core/india-calendar.js';
import { ensureAccount, postJournalEntry } from '../../core/ledger.js';
import { uniqueId } from './db.js';
import { codesSentTo as codesSentToOutbox, latestCode as latestCodeSentTo, newClient } from './outbox.js';
import type { TestPlatform } from './platform.js';
import { TEST_ENV } from './test-env.js';

export { newClient };

export const GC = '/gencharge';

/** Today's date in India (`YYYY-MM-DD`), which GenCharge's date filters read a day in. */
export const todayInIndia = () => dayText(indianDayNumber(new Date()));

export interface GenChargeSession {
  id: number;
  access: string;
  refresh: string;
  auth: { Authorization: string };
}

export interface GenChargeUser extends GenChargeSession {
  phone: string;
  email: string;
  referralCode: string;
  /** The client address this user's requests come from, so code-request limits never cross tests. */
  client: string;
}

/** A random Indian mobile number (10 digits, first 6-9). */
export const newIndianMobile = () => `${randomInt(6, 10)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
export const newEmail = () => `${uniqueId('gc')}@example.com`;

const bearer = (access: string) => ({ Authorization: `Bearer ${access}` });

export function gencharge(platform: TestPlatform) {
  const api = () => request(platform.url);

  const latestCode = (to: string, notOneOf: string[] = []) => latestCodeSentTo(api, to, notOneOf);

  const codesSentTo = (to: string) => codesSentToOutbox(api, to);

  /** Email and password sign-in (admins). */
  async function adminLogin(email: string, password: string): Promise<GenChargeSession> {
    const res = await api().post(`${GC}/auth/login`).send({ email, password });
    if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
    const { sub } = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString()) as { sub: string };
    return { id: Number(sub), access: res.body.access_token, refresh: res.body.refresh_token, auth: bearer(res.body.access_token) };
  }

  let superAdminSession: Promise<GenChargeSession> | undefined;
  /** The seeded super-admin, signed in once per test file. */
  const superAdmin = () => (superAdminSession ??= adminLogin('admin@gencharge.local', TEST_ENV.SEED_ADMIN_PASSWORD));

  /** Sign-up by SMS code, then registration: a new user with a zero INR wallet, signed in. */
  async function signUp(opts: { userType?: 'prepaid' | 'postpaid'; name?: string; email?: string; refereeCode?: string; phone?: string } = {}): Promise<GenChargeUser> {
    const phone = opts.phone ?? newIndianMobile();
    const email = opts.email ?? newEmail();
    const client = newClient();
    const before = await codesSentTo(`+91${phone}`);
    const started = await api().post(`${GC}/auth/signup`).set('X-Forwarded-For', client).send({ phone_number: phone, user_type: opts.userType ?? 'prepaid' });
    if (started.status !== 200) throw new Error(`signup failed: ${started.status} ${started.text}`);
    const otp = await latestCode(`+91${phone}`, before);
    const verified = await api().post(`${GC}/auth/verify-otp-signup`).set('X-Forwarded-For', client).send({ phone_number: phone, otp });
    if (verified.status !== 200) throw new Error(`verify-otp-signup failed: ${verified.status} ${verified.text}`);
    const registered = await api()
      .post(`${GC}/auth/register`)
      .set('X-Forwarded-For', client)
      .set(bearer(verified.body.access_token))
      .send({ name: opts.name ?? 'Akhil', email, ...(opts.refereeCode && { referee_code: opts.refereeCode }) });
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
    const b = registered.body;
    return { id: b.user_id, phone, email, referralCode: b.referral_code, client, access: b.access_token, refresh: b.refresh_token, auth: bearer(b.access_token) };
  }

  /** Login code by SMS, verified through the OAuth2 password form. */
  async function logIn(phone: string, client = newClient()): Promise<GenChargeSession> {
    const before = await codesSentTo(`+91${phone}`);
    const sent = await api().post(`${GC}/auth/login`).set('X-Forwarded-For', client).send({ phone_number: phone });
    if (sent.status !== 200) throw new Error(`login code request failed: ${sent.status} ${sent.text}`);
    const otp = await latestCode(`+91${phone}`, before);
    const res = await api().post(`${GC}/auth/verify-otp-login`).set('X-Forwarded-For', client).type('form').send({ grant_type: 'password', username: phone, password: otp });
    if (res.status !== 200) throw new Error(`verify-otp-login failed: ${res.status} ${res.text}`);
    const { sub } = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString()) as { sub: string };
    return { id: Number(sub), access: res.body.access_token, refresh: res.body.refresh_token, auth: bearer(res.body.access_token) };
  }

  /** Credits paise to a user's INR wallet straight in the ledger, as a top-up would. */
  async function credit(user: { id: number }, paise: bigint): Promise<void> {
    await platform.orm.em.fork().transactional(async (tx) => {
      const source = await ensureAccount(tx, { tenant: 'gencharge', currency: 'INR', code: uniqueId('test-source'), debitsMustNotExceedCredits: false });
      const wallet = await ensureAccount(tx, { tenant: 'gencharge', currency: 'INR', code: walletAccountCode(user.id), userId: user.id, debitsMustNotExceedCredits: true });
      await postJournalEntry(tx, {
        tenant: 'gencharge',
        idempotencyKey: uniqueId('test-credit'),
        description: 'test credit',
        lines: [
          { accountId: source, direction: 'debit', amount: paise },
          { accountId: wallet, direction: 'credit', amount: paise },
        ],
      });
    });
  }

  /** Sets a user's eight preference switches: a new account's defaults, changed by `flags`. */
  async function setPreferences(user: GenChargeSession, flags: Partial<Record<PreferenceSwitch, boolean>>): Promise<void> {
    const res = await api().put(`${GC}/user/preference`).set(user.auth).send({ ...DEFAULT_PREFERENCES, ...flags });
    if (res.status !== 200) throw new Error(`setting preferences failed: ${res.status} ${res.text}`);
  }

  return { api, latestCode, codesSentTo, adminLogin, superAdmin, signUp, logIn, credit, setPreferences };
}

/** What a new GenCharge account starts with. */
export const DEFAULT_PREFERENCES = {
  email_notification: true,
  sms_notification: true,
  marketing_communication: false,
  recharge_remainders: true,
  promotional_offers: false,
  transactional_alerts: true,
  data_analytics: true,
  third_party_integrations: false,
};
export type PreferenceSwitch = keyof typeof DEFAULT_PREFERENCES;
