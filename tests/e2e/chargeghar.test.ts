import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ENV } from '../support/test-env.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/maxtera.js';
import { CG, chargeghar, newClient, newEmail, newNepaliPhone, type ChargeGharUser } from '../support/chargeghar.js';

let platform: TestPlatform;
let cg: ReturnType<typeof chargeghar>;
let kycDir: string;

const MAX_IMAGE_BYTES = 20_000;
const PER_IDENTIFIER = 4;
const PER_CLIENT = 6;

beforeAll(async () => {
  kycDir = join(process.env.TEST_DATA_DIR ?? '.data/test', `kyc-${randomUUID()}`);
  platform = await startTestPlatform({
    KYC_STORAGE_DIR: kycDir,
    KYC_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
    OTP_RATE_LIMIT_PER_IDENTIFIER: String(PER_IDENTIFIER),
    OTP_RATE_LIMIT_PER_CLIENT: String(PER_CLIENT),
  });
  cg = chargeghar(platform);
});
afterAll(async () => {
  await platform.stop();
});

const failed = (code: string, message: unknown = expect.any(String)) => ({ success: false, error: { code, message } });
const count = async (sql: string, params: unknown[]) => {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params);
  return Number(row!.n);
};

/** A tiny but real JPEG and PNG: the first bytes are what the upload check reads. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(600, 1)]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600, 2)]);

let adminUser: ChargeGharUser | undefined;
async function admin(): Promise<ChargeGharUser> {
  adminUser ??= await cg.logIn('admin@chargeghar.local');
  return adminUser;
}

describe('ChargeGhar sign-up and sign-in with one-time codes', () => {
  it('when a user signs up and logs in by SMS, then the codes come through the twilio path and each session works', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    const sent = await cg.requestCode(phone.replace('+977', ''), 'register', client);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      success: true,
      data: {
        identifier: phone,
        purpose: 'register',
        channel: 'sms',
        expires_at: expect.any(String),
        expires_in: expect.any(Number),
        resend_available_at: expect.any(String),
        resend_in: expect.any(Number),
      },
    });
    const code = await cg.latestCode(phone);
    expect((await cg.api().get('/sandbox/outbox').query({ to: phone })).body.messages[0]).toMatchObject({ channel: 'sms', body: expect.stringContaining('ChargeGhar') });
    const verified = await cg.verifyCode(phone, 'register', code, client);
    expect(verified.status).toBe(200);
    expect(verified.body.data).toEqual({ verification_token: expect.any(String), identifier: phone, purpose: 'register', expires_at: expect.any(String), expires_in: expect.any(Number) });

    const registered = await cg.api().post(`${CG}/auth/register`).send({ verification_token: verified.body.data.verification_token, full_name: 'Ram Bahadur', preferred_language: 'ne' });
    expect(registered.status).toBe(201);
    expect(registered.body.data).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      user: { id: expect.any(Number), phone, email: null, full_name: 'Ram Bahadur', role: 'user', kyc_status: 'not_submitted', date_joined: expect.any(String) },
    });
    expect(registered.headers['set-cookie']?.[0]).toMatch(/^chargeghar_refresh=.+; Max-Age=\d+; Path=\/chargeghar\/api\/auth; Expires=.+; HttpOnly; SameSite=Strict$/);

    const again = await cg.logIn(phone);
    const me = await cg.api().get(`${CG}/auth/me`).set(again.auth);
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: registered.body.data.user.id, phone, full_name: 'Ram Bahadur' });
  });

  it('when a user signs up and logs in by email, then the codes come through SMTP and the account is the email\'s', async () => {
    const email = newEmail();
    const user = await cg.signUp(email.toUpperCase(), 'Gita Thapa');
    const mail = (await cg.api().get('/sandbox/outbox').query({ to: email })).body.messages[0];
    expect(mail).toMatchObject({ channel: 'email', subject: expect.stringMatching(/^ChargeGhar verification code: \d{6}$/) });
    const me = await cg.api().get(`${CG}/auth/me`).set(user.auth);
    expect(me.body.data).toMatchObject({ email, phone: null, full_name: 'Gita Thapa' });
    const second = await cg.logIn(email);
    expect(second.id).toBe(user.id);
  });

  it('when the wrong code is sent five times, then the code is dead and the sixth attempt is refused even with the right code', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    await cg.requestCode(phone, 'register', client).expect(200);
    const code = await cg.latestCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await cg.verifyCode(phone, 'register', wrong, client)).body);
    expect(answers.slice(0, 4)).toEqual([4, 3, 2, 1].map((n) => failed('VALIDATION_ERROR', `Invalid code. ${n} attempt${n === 1 ? '' : 's'} remaining.`)));
    expect(answers[4]).toEqual(failed('RATE_LIMIT_EXCEEDED', 'Too many wrong codes. Request a new code.'));
    const sixth = await cg.verifyCode(phone, 'register', code, client);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toEqual(failed('RATE_LIMIT_EXCEEDED', 'Too many wrong codes. Request a new code.'));
    expect(await count('otp_verifications where identifier = ?', [phone])).toBe(0);
  });

  it('when a code is requested again within the cooldown, then RATE_LIMIT_EXCEEDED says how long to wait and no second code is sent', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    await cg.requestCode(phone, 'login', client).expect(200);
    const again = await cg.requestCode(phone, 'login', client);
    expect(again.status).toBe(429);
    expect(again.body).toEqual(failed('RATE_LIMIT_EXCEEDED', expect.stringMatching(/^A code was sent moments ago\. Please wait \d+ seconds? before requesting another\.$/)));
    expect((await cg.api().get('/sandbox/outbox').query({ to: phone })).body.messages).toHaveLength(1);
  });

  it('when one identifier asks for codes past its limit, then RATE_LIMIT_EXCEEDED, whatever the client address', async () => {
    const phone = newNepaliPhone();
    await cg.requestCode(phone, 'register').expect(200);
    // The cooldown refuses these, and they count all the same.
    for (let i = 1; i < PER_IDENTIFIER; i++) expect((await cg.requestCode(phone, 'register')).body.error.message).toMatch(/^A code was sent moments ago/);
    const over = await cg.requestCode(phone, 'register');
    expect(over.status).toBe(429);
    expect(over.body).toEqual(failed('RATE_LIMIT_EXCEEDED', 'Too many codes were requested for this phone number or email. Please try again later.'));
  });

  it('when one client address asks for codes for many identifiers, then RATE_LIMIT_EXCEEDED past its limit', async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT; i++) await cg.requestCode(newNepaliPhone(), 'register', client).expect(200);
    const over = await cg.requestCode(newNepaliPhone(), 'register', client);
    expect(over.status).toBe(429);
    expect(over.body).toEqual(failed('RATE_LIMIT_EXCEEDED', 'Too many code requests from this network. Please try again later.'));
    // Another address is not affected.
    await cg.requestCode(newNepaliPhone(), 'register').expect(200);
  });

  it('when a verification token is used for the wrong purpose or twice, then UNAUTHORIZED and nothing is created', async () => {
    const phone = newNepaliPhone();
    const token = await cg.verificationToken(phone, 'register');
    const asLogin = await cg.api().post(`${CG}/auth/login`).send({ verification_token: token });
    expect(asLogin.status).toBe(401);
    expect(asLogin.body).toEqual(failed('UNAUTHORIZED', expect.stringContaining('verification token')));
    await cg.api().post(`${CG}/auth/register`).send({ verification_token: token, full_name: 'Hari Prasad' }).expect(201);
    const twice = await cg.api().post(`${CG}/auth/register`).send({ verification_token: token, full_name: 'Hari Prasad' });
    expect(twice.status).toBe(401);
    expect(await count(`users where tenant = 'chargeghar' and phone = ?`, [phone])).toBe(1);
  });

  it('when a code is verified for an identifier that asked for none, then VALIDATION_ERROR says to request one', async () => {
    const res = await cg.verifyCode(newNepaliPhone(), 'login', '123456');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failed('VALIDATION_ERROR', 'No code is waiting for verification. Request one first.'));
  });

  it('when a verified code is sent again, then it is refused as used', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    await cg.requestCode(phone, 'register', client).expect(200);
    const code = await cg.latestCode(phone);
    await cg.verifyCode(phone, 'register', code, client).expect(200);
    const reused = await cg.verifyCode(phone, 'register', code, client);
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual(failed('VALIDATION_ERROR', 'This code has already been used. Request a new one.'));
  });

  it('when an identifier with a live account registers again, then CONFLICT and the token stays unspent for nothing else', async () => {
    const user = await cg.signUp();
    const token = await cg.verificationToken(user.identifier, 'register');
    const res = await cg.api().post(`${CG}/auth/register`).send({ verification_token: token, full_name: 'Someone Else' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(failed('CONFLICT', 'An account with this phone number already exists. Log in instead.'));
  });

  it('when an unknown identifier logs in with a verified code, then NOT_FOUND', async () => {
    const token = await cg.verificationToken(newEmail(), 'login');
    const res = await cg.api().post(`${CG}/auth/login`).send({ verification_token: token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(failed('NOT_FOUND', 'No account uses this phone number or email. Register first.'));
  });
});

describe('ChargeGhar sessions', () => {
  it('when a user logs out, then the access and the refresh token are both refused', async () => {
    const user = await cg.signUp();
    const out = await cg.api().post(`${CG}/auth/logout`).set(user.auth).send({});
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true, data: { message: 'Logged out successfully.' } });
    const me = await cg.api().get(`${CG}/auth/me`).set(user.auth);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(failed('UNAUTHORIZED', 'Invalid or expired token'));
    const refresh = await cg.api().get(`${CG}/auth/refresh`).set('Authorization', `Bearer ${user.refresh}`);
    expect(refresh.status).toBe(401);
  });

  it('when the refresh cookie is used, then tokens rotate; reusing the old one ends the whole session', async () => {
    const user = await cg.signUp();
    const first = await cg.api().get(`${CG}/auth/refresh`).set('Cookie', `chargeghar_refresh=${encodeURIComponent(user.refresh)}`);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
    expect(first.headers['set-cookie']?.[0]).toContain(`chargeghar_refresh=${encodeURIComponent(first.body.data.refresh_token)}`);
    const rotatedAccess = { Authorization: `Bearer ${first.body.data.access_token}` };
    await cg.api().get(`${CG}/auth/me`).set(rotatedAccess).expect(200);

    const reuse = await cg.api().get(`${CG}/auth/refresh`).set('Authorization', `Bearer ${user.refresh}`);
    expect(reuse.status).toBe(401);
    expect((await cg.api().get(`${CG}/auth/refresh`).set('Authorization', `Bearer ${first.body.data.refresh_token}`)).status).toBe(401);
    expect((await cg.api().get(`${CG}/auth/me`).set(rotatedAccess)).status).toBe(401);
  });

  it('when refresh has no token, then UNAUTHORIZED', async () => {
    const res = await cg.api().get(`${CG}/auth/refresh`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(failed('UNAUTHORIZED', 'Authentication required'));
  });

  it('when a device registers twice and its push token moves to another user, then one row per device and the token follows', async () => {
    const a = await cg.signUp();
    const b = await cg.signUp();
    const device = { device_id: `dev-${randomUUID()}`, fcm_token: `fcm-${randomUUID()}`, platform: 'android', app_version: '2.4.1' };
    const first = await cg.api().post(`${CG}/auth/device`).set(a.auth).send(device);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({ device_id: device.device_id, platform: 'android', app_version: '2.4.1', os_version: null, device_name: null, registered_at: expect.any(String), updated_at: expect.any(String) });
    const updated = await cg.api().post(`${CG}/auth/device`).set(a.auth).send({ ...device, app_version: '2.5.0', os_version: '14' });
    expect(updated.body.data).toMatchObject({ app_version: '2.5.0', os_version: '14', registered_at: first.body.data.registered_at });
    expect(await count('chargeghar_devices where user_id = ?', [a.id])).toBe(1);
    await cg.api().post(`${CG}/auth/device`).set(b.auth).send({ ...device, device_id: 'other-phone' }).expect(200);
    expect(await count('chargeghar_devices where user_id = ?', [a.id])).toBe(0);
    expect(await count('chargeghar_devices where user_id = ?', [b.id])).toBe(1);
  });
});

describe('ChargeGhar profile', () => {
  it('when the profile is replaced with PUT and merged with PATCH, then PUT empties what it leaves out and PATCH keeps it', async () => {
    const user = await cg.signUp();
    const put = await cg.api().put(`${CG}/users/profile`).set(user.auth).send({ full_name: 'Sita Sharma', date_of_birth: '1995-04-13', gender: 'female', address: 'Lalitpur-3', preferred_language: 'ne' });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ full_name: 'Sita Sharma', date_of_birth: '1995-04-13', gender: 'female', address: 'Lalitpur-3', preferred_language: 'ne' });
    const patch = await cg.api().patch(`${CG}/users/profile`).set(user.auth).send({ address: 'Pokhara-8' });
    expect(patch.body.data).toMatchObject({ full_name: 'Sita Sharma', date_of_birth: '1995-04-13', gender: 'female', address: 'Pokhara-8', preferred_language: 'ne' });
    const replaced = await cg.api().put(`${CG}/users/profile`).set(user.auth).send({ full_name: 'Sita S.' });
    expect(replaced.body.data).toMatchObject({ full_name: 'Sita S.', date_of_birth: null, gender: null, address: null, preferred_language: 'en' });
    expect((await cg.api().get(`${CG}/users/profile`).set(user.auth)).body.data).toEqual(replaced.body.data);
  });

  it("when user A changes their profile, then user B's is untouched, and a body cannot reach another user or the role", async () => {
    const a = await cg.signUp(undefined, 'User A');
    const b = await cg.signUp(undefined, 'User B');
    const sneaky = await cg.api().patch(`${CG}/users/profile`).set(a.auth).send({ full_name: 'Hacked', id: b.id, role: 'admin' });
    expect(sneaky.status).toBe(400);
    expect(sneaky.body).toEqual(failed('VALIDATION_ERROR'));
    await cg.api().patch(`${CG}/users/profile`).set(a.auth).send({ full_name: 'User A2' }).expect(200);
    expect((await cg.api().get(`${CG}/users/profile`).set(b.auth)).body.data.full_name).toBe('User B');
    expect((await cg.api().get(`${CG}/auth/me`).set(a.auth)).body.data.role).toBe('user');
  });
});

describe('ChargeGhar KYC', () => {
  const submit = (user: ChargeGharUser, fields: Record<string, string>, files: Record<string, Buffer | [Buffer, string]>, method: 'post' | 'patch' = 'post') => {
    let req = cg.api()[method](`${CG}/users/kyc`).set(user.auth);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    for (const [name, file] of Object.entries(files)) {
      const [bytes, filename] = Array.isArray(file) ? file : [file, `${name}.jpg`];
      req = req.attach(name, bytes, filename);
    }
    return req;
  };
  const kycRows = (user: ChargeGharUser) => count('chargeghar_kyc_submissions where user_id = ?', [user.id]);
  const storedFiles = (user: ChargeGharUser) => {
    const dir = join(kycDir, 'chargeghar', 'kyc', String(user.id));
    return existsSync(dir) ? readdirSync(dir).length : 0;
  };

  it('when documents are submitted and an admin rejects then approves the resubmission, then status follows and the user is told each time', async () => {
    const user = await cg.signUp();
    const submitted = await submit(user, { document_type: 'citizenship', document_number: '27-01-75-01234' }, { front_image: JPEG, back_image: [PNG, 'back.png'] });
    expect(submitted.status).toBe(201);
    expect(submitted.body.data).toEqual({ submission_id: expect.any(Number), status: 'pending', document_type: 'citizenship', submitted_at: expect.any(String) });
    expect(storedFiles(user)).toBe(2);
    expect((await cg.api().get(`${CG}/users/kyc/status`).set(user.auth)).body.data).toMatchObject({ status: 'pending', document_type: 'citizenship' });
    const twice = await submit(user, { document_type: 'citizenship', document_number: '27-01-75-01234' }, { front_image: JPEG, back_image: JPEG });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual(failed('CONFLICT', 'A KYC submission is already under review.'));

    const boss = await admin();
    const detail = await cg.api().get(`${CG}/users/${user.id}`).set(boss.auth);
    expect(detail.body.data).toMatchObject({
      id: user.id,
      kyc_status: 'pending',
      kyc: { status: 'pending', document_type: 'citizenship', document_number: '27-01-75-01234', back_image_url: `/chargeghar/api/users/${user.id}/kyc/documents/back` },
    });
    const image = await cg.api().get(detail.body.data.kyc.back_image_url).set(boss.auth);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    const rejected = await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(boss.auth).send({ action: 'reject', reason: 'The back image is blurred.' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.data).toEqual({ submission_id: submitted.body.data.submission_id, status: 'rejected', reason: 'The back image is blurred.', reviewed_at: expect.any(String) });
    expect((await cg.api().get(`${CG}/users/kyc/status`).set(user.auth)).body.data).toMatchObject({ status: 'rejected', rejection_reason: 'The back image is blurred.' });
    await eventually(() => cg.api().get('/sandbox/outbox').query({ to: user.identifier }), (r) => /not approved: The back image is blurred/.test(r.body.messages[0]?.body));

    const resubmitted = await submit(user, {}, { back_image: JPEG }, 'patch');
    expect(resubmitted.status).toBe(201);
    expect(resubmitted.body.data.submission_id).not.toBe(submitted.body.data.submission_id);
    const approved = await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(boss.auth).send({ action: 'approve' });
    expect(approved.body.data).toMatchObject({ status: 'approved', reason: null });
    expect((await cg.api().get(`${CG}/users/kyc/status`).set(user.auth)).body.data).toMatchObject({ status: 'approved', rejection_reason: null });
    await eventually(() => cg.api().get('/sandbox/outbox').query({ to: user.identifier }), (r) => /KYC verification is approved/.test(r.body.messages[0]?.body));
    const decidedTwice = await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(boss.auth).send({ action: 'reject', reason: 'changed my mind' });
    expect(decidedTwice.status).toBe(404);
    expect((await submit(user, {}, { front_image: JPEG }, 'patch')).status).toBe(409);
  });

  it.each([
    ['an image too large', { document_type: 'passport', document_number: 'PA1234567' }, { front_image: Buffer.concat([JPEG, Buffer.alloc(MAX_IMAGE_BYTES)]) }, 413],
    ['a file that is not an image', { document_type: 'passport', document_number: 'PA1234567' }, { front_image: [Buffer.from('%PDF-1.7 not an image'), 'doc.jpg'] }, 400],
    ['no front image', { document_type: 'passport', document_number: 'PA1234567' }, {}, 400],
    ['no back image for a citizenship card', { document_type: 'citizenship', document_number: '27-01-75-01234' }, { front_image: JPEG }, 400],
    ['an unknown document type', { document_type: 'library_card', document_number: 'X123' }, { front_image: JPEG, back_image: JPEG }, 400],
    ['a bad document number', { document_type: 'passport', document_number: '<script>' }, { front_image: JPEG }, 400],
    ['an unexpected file field', { document_type: 'passport', document_number: 'PA1234567' }, { front_image: JPEG, selfie: JPEG }, 400],
  ] as const)('when a submission has %s, then VALIDATION_ERROR and nothing is stored', async (_case, fields, files, status) => {
    const user = await cg.signUp();
    const res = await submit(user, fields, files as Record<string, Buffer | [Buffer, string]>);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(failed('VALIDATION_ERROR'));
    expect(await kycRows(user)).toBe(0);
    expect(storedFiles(user)).toBe(0);
  });

  it('when KYC is resubmitted with nothing to resubmit, then NOT_FOUND', async () => {
    const user = await cg.signUp();
    const res = await submit(user, { document_number: 'PA1234567' }, {}, 'patch');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(failed('NOT_FOUND', 'There is no KYC submission to resubmit; submit one first.'));
  });
});

describe('ChargeGhar wallet and usage', () => {
  it('when the ledger credits NPR and points, then the wallet and the usage statistics show them, and only to their owner', async () => {
    const user = await cg.signUp();
    const other = await cg.signUp();
    expect((await cg.api().get(`${CG}/users/wallet`).set(user.auth)).body).toEqual({ success: true, data: { currency: 'NPR', balance: '0.00', reward_points: 0 } });
    await cg.credit(user, { nprMinor: 125_050n, points: 40n });
    await cg.credit(user, { nprMinor: 10_000n });
    expect((await cg.api().get(`${CG}/users/wallet`).set(user.auth)).body.data).toEqual({ currency: 'NPR', balance: '1350.50', reward_points: 40 });
    expect((await cg.api().get(`${CG}/users/wallet`).set(other.auth)).body.data).toEqual({ currency: 'NPR', balance: '0.00', reward_points: 0 });

    const stats = await cg.api().get(`${CG}/users/analytics/usage-stats`).set(user.auth).query({ period: 'day' });
    expect(stats.status).toBe(200);
    expect(stats.body.data.series).toHaveLength(12);
    expect(stats.body.data.totals).toEqual({ wallet_credits: { count: 2, amount: '1350.50' }, wallet_debits: { count: 0, amount: '0.00' }, points: { earned: 40, spent: 0 } });
    expect(stats.body.data.series.at(-1)).toMatchObject({ wallet_credits: { count: 2, amount: '1350.50' }, points: { earned: 40, spent: 0 } });
    const monthly = await cg.api().get(`${CG}/users/analytics/usage-stats`).set(other.auth);
    expect(monthly.body.data).toMatchObject({ period: 'month', totals: { wallet_credits: { count: 0, amount: '0.00' } } });
  });
});

describe('ChargeGhar admin', () => {
  it('when a user who is not an admin calls admin routes, then PERMISSION_DENIED', async () => {
    const user = await cg.signUp();
    const list = await cg.api().get(`${CG}/users`).set(user.auth);
    expect(list.status).toBe(403);
    expect(list.body).toEqual(failed('PERMISSION_DENIED', 'Only ChargeGhar admins may do this.'));
    expect((await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(user.auth).send({ action: 'approve' })).status).toBe(403);
    expect((await cg.api().get(`${CG}/users/${user.id}/kyc/documents/front`).set(user.auth)).status).toBe(403);
    expect((await cg.api().get(`${CG}/users/${user.id}`).set(user.auth)).status).toBe(403);
  });

  it('when an admin lists users, then pages, search and filters apply', async () => {
    const marker = randomUUID().slice(0, 8);
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await cg.signUp(undefined, `Listed ${marker} ${i}`));
    const boss = await admin();
    const page = await cg.api().get(`${CG}/users`).set(boss.auth).query({ search: marker, page_size: 2, ordering: 'full_name' });
    expect(page.status).toBe(200);
    expect(page.body.data).toMatchObject({ count: 3, page: 1, page_size: 2, total_pages: 2 });
    expect(page.body.data.results.map((u: { full_name: string }) => u.full_name)).toEqual([`Listed ${marker} 0`, `Listed ${marker} 1`]);
    const second = await cg.api().get(`${CG}/users`).set(boss.auth).query({ search: marker, page_size: 2, page: 2, ordering: 'full_name' });
    expect(second.body.data.results).toEqual([expect.objectContaining({ id: users[2]!.id, is_active: true, deleted_at: null, kyc_status: 'not_submitted' })]);
    const admins = await cg.api().get(`${CG}/users`).set(boss.auth).query({ role: 'admin' });
    expect(admins.body.data.results).toEqual([expect.objectContaining({ email: 'admin@chargeghar.local', role: 'admin' })]);
    const bad = await cg.api().get(`${CG}/users`).set(boss.auth).query({ page: 0, ordering: 'password' });
    expect(bad.status).toBe(400);
  });
});

describe('ChargeGhar account deletion', () => {
  it('when a user deletes the account, then it cannot be used, its data is erased, the ledger stays, and the phone registers anew', async () => {
    const user = await cg.signUp(undefined, 'Leaving User');
    await cg.credit(user, { nprMinor: 5_000n });
    await cg.api().put(`${CG}/users/profile`).set(user.auth).send({ full_name: 'Leaving User', address: 'Kathmandu-10', date_of_birth: '1990-01-01' }).expect(200);
    await cg.api().post(`${CG}/users/kyc`).set(user.auth).field('document_type', 'passport').field('document_number', 'PA7654321').attach('front_image', JPEG, 'f.jpg').expect(201);
    const other = await cg.logIn(user.identifier);

    const deleted = await cg.api().delete(`${CG}/auth/account`).set(user.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ status: 'deleted', deleted_at: expect.any(String) });
    expect((await cg.api().get(`${CG}/auth/me`).set(user.auth)).status).toBe(401);
    expect((await cg.api().get(`${CG}/auth/me`).set(other.auth)).status).toBe(401);
    expect((await cg.api().get(`${CG}/auth/refresh`).set('Authorization', `Bearer ${other.refresh}`)).status).toBe(401);

    const login = await cg.api().post(`${CG}/auth/login`).send({ verification_token: await cg.verificationToken(user.identifier, 'login') });
    expect(login.status).toBe(404);

    const [row] = await platform.orm.em.fork().execute<Record<string, unknown>[]>(
      `select u.email, u.phone, u.deleted_at, p.full_name, p.address, p.date_of_birth, k.document_number, k.front_image_key, k.status as kyc
       from users u join chargeghar_profiles p on p.user_id = u.id join chargeghar_kyc_submissions k on k.user_id = u.id where u.id = ?`,
      [user.id],
    );
    expect(row).toEqual({
      email: `deleted-${user.id}@deleted.invalid`,
      phone: null,
      deleted_at: expect.any(String),
      full_name: null,
      address: null,
      date_of_birth: null,
      document_number: null,
      front_image_key: null,
      kyc: 'withdrawn',
    });
    expect(readdirSync(join(kycDir, 'chargeghar', 'kyc', String(user.id)))).toEqual([]);
    expect(await count(`ledger_accounts where tenant = 'chargeghar' and user_id = ? and credits_posted = 5000`, [user.id])).toBe(1);

    const again = await cg.signUp(user.identifier, 'Returning User');
    expect(again.id).not.toBe(user.id);
    expect((await cg.api().get(`${CG}/users/wallet`).set(again.auth)).body.data.balance).toBe('0.00');
  });
});

describe('ChargeGhar bad input', () => {
  let user: ChargeGharUser;
  beforeAll(async () => {
    user = await cg.signUp();
  });

  it.each([
    ['post', '/auth/otp/request', { identifier: '12345', purpose: 'register' }],
    ['post', '/auth/otp/request', { identifier: 'someone@', purpose: 'register' }],
    ['post', '/auth/otp/request', { identifier: '+9779812345678', purpose: 'reset' }],
    ['post', '/auth/otp/request', { identifier: '+9779812345678', purpose: 'register', extra: 1 }],
    ['post', '/auth/otp/verify', { identifier: '+9779812345678', purpose: 'register', code: '12ab56' }],
    ['post', '/auth/otp/verify', { identifier: '+9779812345678', purpose: 'register' }],
    ['post', '/auth/register', { verification_token: 'short', full_name: 'A B' }],
    ['post', '/auth/register', { verification_token: 'x'.repeat(43), full_name: 'A' }],
    ['post', '/auth/register', { verification_token: 'x'.repeat(43), full_name: 'Ab Cd', date_of_birth: '2999-01-01' }],
    ['post', '/auth/login', {}],
    ['post', '/auth/login', ['not', 'an', 'object']],
  ])('when %s %s gets %j, then VALIDATION_ERROR and nothing is written', async (method, path, payload) => {
    const res = await cg.api()[method as 'post'](`${CG}${path}`).set('X-Forwarded-For', newClient()).send(payload as object);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(failed('VALIDATION_ERROR'));
  });

  it.each([
    ['post', '/auth/device', { device_id: 'd1', fcm_token: 'token-123456', platform: 'symbian', app_version: '1.0' }],
    ['post', '/auth/device', { device_id: 'd 1', fcm_token: 'token-123456', platform: 'ios', app_version: '1.0' }],
    ['post', '/auth/device', { device_id: 'd1', platform: 'ios', app_version: '1.0' }],
    ['put', '/users/profile', { gender: 'female' }],
    ['put', '/users/profile', { full_name: 'Valid Name', preferred_language: 'fr' }],
    ['patch', '/users/profile', {}],
    ['patch', '/users/profile', { date_of_birth: '1990-02-30' }],
    ['patch', '/users/profile', { full_name: null }],
    ['get', '/users/analytics/usage-stats?period=hour', undefined],
    ['get', '/users/analytics/usage-stats?from=2026-05-01&to=2026-01-01', undefined],
    ['post', `/users/1/kyc/review`, { action: 'approve' }],
  ])('when signed in, %s %s with %j answers VALIDATION_ERROR or PERMISSION_DENIED and writes nothing', async (method, path, payload) => {
    const before = await count('chargeghar_devices where user_id = ?', [user.id]);
    const profileBefore = (await cg.api().get(`${CG}/users/profile`).set(user.auth)).body.data;
    const call = cg.api()[method as 'post'](`${CG}${path}`).set(user.auth);
    const res = payload === undefined ? await call : await call.send(payload);
    expect([400, 403]).toContain(res.status);
    expect(res.body).toEqual(failed(res.status === 400 ? 'VALIDATION_ERROR' : 'PERMISSION_DENIED'));
    expect(await count('chargeghar_devices where user_id = ?', [user.id])).toBe(before);
    expect((await cg.api().get(`${CG}/users/profile`).set(user.auth)).body.data).toEqual(profileBefore);
  });

  it('when the body is malformed JSON or too large, then VALIDATION_ERROR with 400 or 413, never a 500', async () => {
    const malformed = await cg.api().post(`${CG}/auth/otp/request`).set('Content-Type', 'application/json').send('{"identifier": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual(failed('VALIDATION_ERROR', 'Malformed JSON in request body.'));
    const huge = await cg.api().patch(`${CG}/users/profile`).set(user.auth).send({ address: 'x'.repeat(40_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual(failed('VALIDATION_ERROR'));
  });

  it('when the OpenAPI document is read, then KYC takes multipart images and bodies are described with their fields', async () => {
    const doc = (await cg.api().get('/openapi.json')).body;
    const kyc = doc.paths['/chargeghar/api/users/kyc'].post;
    expect(Object.keys(kyc.requestBody.content)).toEqual(['multipart/form-data']);
    expect(doc.components.schemas.ChargeGharKycSubmission.properties.front_image).toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(doc.components.schemas.ChargeGharRegister.properties)).toEqual(
      expect.arrayContaining(['verification_token', 'full_name', 'date_of_birth', 'gender', 'address', 'preferred_language']),
    );
    expect(doc.paths['/chargeghar/api/users/{id}/kyc/review'].post.security).toEqual([{ bearerAuth: [] }]);
  });

  it('when a route does not exist or the token is forged, then NOT_FOUND or UNAUTHORIZED in the envelope', async () => {
    expect((await cg.api().get(`${CG}/nothing`)).body).toEqual(failed('NOT_FOUND', 'Resource not found'));
    const forged = await cg.api().get(`${CG}/auth/me`).set('Authorization', 'Bearer abc.def.ghi');
    expect(forged.status).toBe(401);
    const maxtera = await cg.api().post('/maxtera/api/v1/auth/login/').send({ email: 'admin@maxtera.local', password: TEST_ENV.SEED_ADMIN_PASSWORD });
    const crossTenant = await cg.api().get(`${CG}/auth/me`).set('Authorization', `Bearer ${maxtera.body.access}`);
    expect(crossTenant.status).toBe(401);
  });
});
