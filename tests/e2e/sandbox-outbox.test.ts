import { randomInt } from 'node:crypto';
import request from 'supertest';
import { createProviderRegistry } from '../../providers/registry.js';
import { ProviderOutcomeUnknownError } from '../../providers/types.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({}, { inProcessWorker: false });
});
afterAll(async () => {
  await platform.stop();
});

const TENANT = 'messaging-test';

/** The adapters as a worker builds them from the platform's configuration, for a tenant on twilio and smtp. */
function messagingProviders() {
  const tenants = [{ slug: TENANT, currency: 'NGN', settings: { providers: { sms: 'twilio', email: 'smtp' } } }];
  const registry = createProviderRegistry(platform.config, tenants, platform.url);
  return { sms: registry.get(TENANT, 'sms'), email: registry.get(TENANT, 'email') };
}

const newPhone = () => `+27${randomInt(600_000_000, 899_999_999)}`;
const newAddress = () => `user-${randomInt(1e9, 1e10)}@example.com`;

describe('GET /sandbox/outbox', () => {
  it('when an SMS and an email are sent through the registry adapters, then the outbox serves them by recipient', async () => {
    const { sms, email } = messagingProviders();
    const phone = newPhone();
    const address = newAddress();
    await sms.sendSms({ to: phone, body: 'Your code is 111222' });
    await email.sendEmail({ to: address, subject: 'Welcome', text: 'Hello from the platform' });

    const smsReply = await request(platform.url).get('/sandbox/outbox').query({ to: phone });
    expect(smsReply.status).toBe(200);
    expect(smsReply.body).toEqual({ messages: [{ channel: 'sms', to: phone, body: 'Your code is 111222', sentAt: expect.any(String) }] });

    const emailReply = await request(platform.url).get('/sandbox/outbox').query({ to: address });
    expect(emailReply.body).toEqual({
      messages: [{ channel: 'email', to: address, subject: 'Welcome', body: 'Hello from the platform', sentAt: expect.any(String) }],
    });
  });

  it('when the phone number is written unencoded in the query, then the outbox still finds its messages', async () => {
    const { sms } = messagingProviders();
    const phone = newPhone();
    await sms.sendSms({ to: phone, body: 'hello' });
    const reply = await request(platform.url).get(`/sandbox/outbox?to=${phone}`);
    expect(reply.body.messages).toHaveLength(1);
  });

  it('when no recipient is given, then the newest messages of everyone come first', async () => {
    const { sms, email } = messagingProviders();
    const phone = newPhone();
    const address = newAddress();
    await sms.sendSms({ to: phone, body: 'older' });
    await email.sendEmail({ to: address, subject: 'newer', text: 'newer' });
    const { messages } = (await request(platform.url).get('/sandbox/outbox')).body as { messages: Array<{ to: string }> };
    expect(messages.findIndex((m) => m.to === address)).toBeLessThan(messages.findIndex((m) => m.to === phone));
  });

  it('when an sms fault is set over HTTP, then the next send has an unknown outcome', async () => {
    const { sms } = messagingProviders();
    const fault = await request(platform.url).post('/sandbox/faults').send({ provider: 'sms', mode: 'timeout', outcome: 'failed' });
    expect(fault.status).toBe(200);
    const phone = newPhone();
    await expect(sms.sendSms({ to: phone, body: 'lost' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect((await request(platform.url).get('/sandbox/outbox').query({ to: phone })).body).toEqual({ messages: [] });
  });

  it('when an email fault is set over HTTP, then the next send fails and the one after goes through', async () => {
    const { email } = messagingProviders();
    await request(platform.url).post('/sandbox/faults').send({ provider: 'email', mode: 'error' }).expect(200);
    const address = newAddress();
    await expect(email.sendEmail({ to: address, subject: 'first', text: 'first' })).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await email.sendEmail({ to: address, subject: 'second', text: 'second' });
    const { messages } = (await request(platform.url).get('/sandbox/outbox').query({ to: address })).body as { messages: Array<{ subject: string }> };
    expect(messages.map((m) => m.subject)).toEqual(['second']);
  });
});

describe('GET /sandbox/faults', () => {
  it('when a fault is planned, then the listing names every fault-taking provider and shows the plan until it is cleared', async () => {
    await request(platform.url).post('/sandbox/faults').send({ provider: 'sms', mode: 'timeout', count: 2 }).expect(200);
    const listed = await request(platform.url).get('/sandbox/faults').expect(200);
    expect(listed.body.providers).toEqual(expect.arrayContaining(['payments', 'vtu', 'upi', 'eft', 'recharge', 'flash', 'mobilemart', 'sms', 'email']));
    expect(listed.body.planned).toEqual([expect.objectContaining({ provider: 'sms', mode: 'timeout', remaining: 2 })]);
    await request(platform.url).post('/sandbox/faults').send({ provider: 'sms', mode: 'none' }).expect(200);
    expect((await request(platform.url).get('/sandbox/faults')).body.planned).toEqual([]);
  });
});
