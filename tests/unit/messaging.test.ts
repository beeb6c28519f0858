import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createProviderRegistry } from '../../providers/registry.js';
import { SandboxFaults } from '../../providers/sandbox/faults.js';
import { Outbox } from '../../providers/sandbox/outbox.js';
import { createSmtpSandbox } from '../../providers/sandbox/smtp-sandbox.js';
import { createTwilioSandbox } from '../../providers/sandbox/twilio-sandbox.js';
import { createSmtpEmailProvider } from '../../providers/smtp.js';
import { createTwilioSmsProvider } from '../../providers/twilio.js';
import { ProviderOutcomeUnknownError, ProviderRejectedError, type EmailProvider, type SmsProvider } from '../../providers/types.js';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'test-twilio-auth-token';
const FROM_NUMBER = '+15005550006';
// Long enough that a loaded 2-core CI machine answers in time; only the timeout-fault cases wait it out.
const TIMEOUT_MS = 1_000;

const faults = new SandboxFaults();
const outbox = new Outbox();
const smtpSandbox = createSmtpSandbox({ faults, outbox, logger: createLogger('silent') });

let server: Server;
let twilioUrl = '';
let smtpPort = 0;
let sms: SmsProvider;
let email: EmailProvider;

const twilioWith = (overrides: { authToken?: string; baseUrl?: string } = {}) =>
  createTwilioSmsProvider({
    accountSid: ACCOUNT_SID,
    authToken: overrides.authToken ?? AUTH_TOKEN,
    from: FROM_NUMBER,
    baseUrl: overrides.baseUrl ?? twilioUrl,
    timeoutMs: TIMEOUT_MS,
  });

const smtpWith = (overrides: { port?: number; user?: string; pass?: string } = {}) =>
  createSmtpEmailProvider({
    host: '127.0.0.1',
    port: overrides.port ?? smtpPort,
    secure: false,
    user: overrides.user,
    pass: overrides.pass,
    from: 'Platform <no-reply@platform.test>',
    timeoutMs: TIMEOUT_MS,
  });

/** A phone number and an address no other test uses, so outbox reads see only this test's messages. */
const newPhone = () => `+23480${randomInt(10_000_000, 99_999_999)}`;
const newAddress = () => `user-${randomInt(1e9, 1e10)}@example.com`;

beforeAll(async () => {
  const app = express();
  app.use('/sandbox/providers/twilio', createTwilioSandbox({ faults, outbox, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }).router);
  server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(listening)));
  });
  twilioUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/providers/twilio`;
  smtpPort = await smtpSandbox.start(0);
  sms = twilioWith();
  email = smtpWith();
});

afterAll(async () => {
  await smtpSandbox.stop();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
});

afterEach(() => {
  faults.set({ provider: 'sms', mode: 'none', count: 0 });
  faults.set({ provider: 'email', mode: 'none', count: 0 });
});

describe('Twilio SMS adapter (the real SDK) against the sandbox', () => {
  it('when an SMS is sent, then it lands in the outbox and the message sid comes back', async () => {
    const to = newPhone();
    const sent = await sms.sendSms({ to, body: 'Your code is 123456' });
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(outbox.list({ to })).toEqual([{ channel: 'sms', to, body: 'Your code is 123456', sentAt: expect.any(String) }]);
  });

  it('when two SMS go to one number, then the outbox lists the newest first', async () => {
    const to = newPhone();
    await sms.sendSms({ to, body: 'first' });
    await sms.sendSms({ to, body: 'second' });
    expect(outbox.list({ to }).map((m) => m.body)).toEqual(['second', 'first']);
  });

  it('when the number is not E.164, then Twilio refuses it with 21211 and nothing is sent', async () => {
    const error = await sms.sendSms({ to: '0801234', body: 'hello' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ provider: 'twilio', code: '21211' });
    expect(outbox.list({ to: '0801234' })).toEqual([]);
  });

  it('when the auth token is wrong, then Twilio refuses with 20003', async () => {
    await expect(twilioWith({ authToken: 'wrong' }).sendSms({ to: newPhone(), body: 'hello' })).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: '20003',
    });
  });

  it('when Twilio never answers, then the outcome is unknown', async () => {
    faults.set({ provider: 'sms', mode: 'timeout', count: 1 });
    await expect(sms.sendSms({ to: newPhone(), body: 'hello' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('when Twilio answers 500, then the outcome is unknown and the next send goes through', async () => {
    faults.set({ provider: 'sms', mode: 'error', count: 1 });
    const to = newPhone();
    await expect(sms.sendSms({ to, body: 'hello' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(sms.sendSms({ to, body: 'hello again' })).resolves.toMatchObject({ providerMessageId: expect.stringMatching(/^SM/) });
    expect(outbox.list({ to }).map((m) => m.body)).toEqual(['hello again']);
  });

  it('when nothing listens at the address, then the outcome is unknown', async () => {
    const offline = twilioWith({ baseUrl: 'http://127.0.0.1:1' });
    await expect(offline.sendSms({ to: newPhone(), body: 'hello' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe('SMTP email adapter (nodemailer) against the sandbox SMTP server', () => {
  it('when an email is sent, then mailparser files it in the outbox with subject and text', async () => {
    const to = newAddress();
    const sent = await email.sendEmail({ to, subject: 'Verify your email', text: 'Your code is 654321', html: '<p>Your code is 654321</p>' });
    expect(sent.providerMessageId).toMatch(/^<.+@.+>$/);
    expect(outbox.list({ to })).toEqual([
      { channel: 'email', to, subject: 'Verify your email', body: 'Your code is 654321', sentAt: expect.any(String) },
    ]);
  });

  it('when the outbox is asked for an address in other case, then it still finds the mail', async () => {
    const to = newAddress();
    await email.sendEmail({ to, subject: 'Hello', text: 'Hi' });
    expect(outbox.list({ to: to.toUpperCase() })).toHaveLength(1);
  });

  it('when credentials are given, then the sandbox accepts them', async () => {
    const to = newAddress();
    await smtpWith({ user: 'relay-user', pass: 'relay-pass' }).sendEmail({ to, subject: 'Hello', text: 'Hi' });
    expect(outbox.list({ to })).toHaveLength(1);
  });

  it('when the server fails the message with 451, then the outcome is unknown and nothing is filed', async () => {
    faults.set({ provider: 'email', mode: 'error', count: 1 });
    const to = newAddress();
    await expect(email.sendEmail({ to, subject: 'Hello', text: 'Hi' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(outbox.list({ to })).toEqual([]);
  });

  it('when the server never answers, then the outcome is unknown', async () => {
    faults.set({ provider: 'email', mode: 'timeout', count: 1, outcome: 'failed' });
    const to = newAddress();
    await expect(email.sendEmail({ to, subject: 'Hello', text: 'Hi' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(outbox.list({ to })).toEqual([]);
  });

  it('when the recipient is not an address, then it is refused before sending', async () => {
    await expect(email.sendEmail({ to: 'not an address', subject: 'Hello', text: 'Hi' })).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('when nothing listens on the port, then the outcome is unknown', async () => {
    await expect(smtpWith({ port: 1 }).sendEmail({ to: newAddress(), subject: 'Hello', text: 'Hi' })).rejects.toBeInstanceOf(
      ProviderOutcomeUnknownError,
    );
  });
});

describe('registry wiring of the messaging providers', () => {
  const env = { NODE_ENV: 'test', DATABASE_URL: 'postgres://platform@db:5432/platform', TEMPORAL_ADDRESS: 'temporal:7233' };
  const onSmtp = [{ slug: 'messaging-test', currency: 'ZAR', settings: { providers: { email: 'smtp' } } }];

  it('when the sandbox is on and SMTP_HOST is unset, then mail goes to the sandbox SMTP server on SANDBOX_SMTP_PORT', async () => {
    const config = loadConfig({ ...env, SANDBOX: 'true', SANDBOX_SMTP_PORT: String(smtpPort) });
    const to = newAddress();
    await createProviderRegistry(config, onSmtp).get('messaging-test', 'email').sendEmail({ to, subject: 'Wired', text: 'through the registry' });
    expect(outbox.list({ to })).toMatchObject([{ subject: 'Wired', body: 'through the registry' }]);
  });

  it('when the sandbox SMTP port is still 0, then building the registry fails instead of sending nowhere', () => {
    const config = loadConfig({ ...env, SANDBOX: 'true', SANDBOX_SMTP_PORT: '0' });
    expect(() => createProviderRegistry(config, onSmtp)).toThrow('SANDBOX_SMTP_PORT');
  });

  it('when the sandbox is off and SMTP_HOST is unset, then building the registry fails naming SMTP_HOST', () => {
    const config = loadConfig({ ...env, SANDBOX: 'false' });
    expect(() => createProviderRegistry(config, onSmtp)).toThrow('SMTP_HOST is required outside the sandbox');
  });
});
