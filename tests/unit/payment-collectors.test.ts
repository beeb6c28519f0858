import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { FailureType } from '../../core/errors.js';
import {
  createPeachPaymentProvider,
  PEACH_SIGNATURE_HEADER,
  PEACH_TIMESTAMP_HEADER,
  peachResultStatus,
  signPeachWebhook,
  verifyPeachWebhook,
} from '../../providers/peach.js';
import {
  createRazorpayPaymentProvider,
  RAZORPAY_EVENT_ID_HEADER,
  RAZORPAY_SIGNATURE_HEADER,
  signRazorpayWebhook,
  verifyRazorpayWebhook,
} from '../../providers/razorpay.js';
import { SandboxFaults } from '../../providers/sandbox/faults.js';
import { createPeachSandbox } from '../../providers/sandbox/peach-sandbox.js';
import { createRazorpaySandbox } from '../../providers/sandbox/razorpay-sandbox.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type CollectionRequest,
  type PaymentProvider,
  type PaymentWebhookEvent,
} from '../../providers/types.js';

const RAZORPAY_KEY_ID = 'rzp_test_key';
const RAZORPAY_KEY_SECRET = 'rzp-test-key-secret';
const RAZORPAY_WEBHOOK_SECRET = 'test-razorpay-webhook-secret';
const PEACH_ACCESS_TOKEN = 'test-peach-access-token';
const PEACH_ENTITY_ID = '8ac7a4ca68c22c4d0168c2caab2e0025';
const PEACH_WEBHOOK_SECRET = 'test-peach-webhook-secret';
const TOLERANCE_SECONDS = 300;
const TIMEOUT_MS = 300;

const faults = new SandboxFaults();
let baseUrl = '';
const razorpaySandbox = createRazorpaySandbox({
  webhookUrl: () => `${baseUrl}/webhooks/razorpay`,
  webhookSecret: RAZORPAY_WEBHOOK_SECRET,
  faults,
  keyId: RAZORPAY_KEY_ID,
  keySecret: RAZORPAY_KEY_SECRET,
});
const peachSandbox = createPeachSandbox({
  webhookUrl: () => `${baseUrl}/webhooks/peach`,
  webhookSecret: PEACH_WEBHOOK_SECRET,
  faults,
  accessToken: PEACH_ACCESS_TOKEN,
  entityId: PEACH_ENTITY_ID,
});
const received: Record<'razorpay' | 'peach', PaymentWebhookEvent[]> = { razorpay: [], peach: [] };
const razorpayEventIds: string[] = [];

let server: Server;
let razorpay: PaymentProvider;
let peach: PaymentProvider;

beforeAll(async () => {
  const app = express();
  app.use('/sandbox/providers/razorpay', razorpaySandbox.router);
  app.use('/sandbox/providers/peach', peachSandbox.router);
  app.post('/webhooks/razorpay', express.raw({ type: 'application/json' }), (req, res) => {
    try {
      const signature = req.get(RAZORPAY_SIGNATURE_HEADER);
      const event = verifyRazorpayWebhook({ rawBody: req.body as Buffer, signature, secret: RAZORPAY_WEBHOOK_SECRET });
      if (event) received.razorpay.push(event);
      razorpayEventIds.push(req.get(RAZORPAY_EVENT_ID_HEADER) ?? '');
      res.status(200).json({ received: true });
    } catch {
      res.status(401).end();
    }
  });
  app.post('/webhooks/peach', express.raw({ type: 'application/json' }), (req, res) => {
    try {
      const event = verifyPeachWebhook({
        rawBody: req.body as Buffer,
        signature: req.get(PEACH_SIGNATURE_HEADER),
        timestamp: req.get(PEACH_TIMESTAMP_HEADER),
        secret: PEACH_WEBHOOK_SECRET,
        toleranceSeconds: TOLERANCE_SECONDS,
      });
      if (event) received.peach.push(event);
      res.status(200).json({ received: true });
    } catch {
      res.status(401).end();
    }
  });
  app.use('/malformed', (_req, res) => {
    res.json({ unexpected: true });
  });
  server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(listening)));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  razorpay = razorpayWith({});
  peach = peachWith({});
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
});

afterEach(() => {
  faults.set({ provider: 'upi', mode: 'none', count: 0 });
  faults.set({ provider: 'eft', mode: 'none', count: 0 });
});

function razorpayWith(overrides: { keySecret?: string; baseUrl?: string }): PaymentProvider {
  return createRazorpayPaymentProvider({
    baseUrl: overrides.baseUrl ?? `${baseUrl}/sandbox/providers/razorpay`,
    keyId: RAZORPAY_KEY_ID,
    keySecret: overrides.keySecret ?? RAZORPAY_KEY_SECRET,
    timeoutMs: TIMEOUT_MS,
  });
}

function peachWith(overrides: { accessToken?: string; entityId?: string; baseUrl?: string }): PaymentProvider {
  return createPeachPaymentProvider({
    baseUrl: overrides.baseUrl ?? `${baseUrl}/sandbox/providers/peach`,
    accessToken: overrides.accessToken ?? PEACH_ACCESS_TOKEN,
    entityId: overrides.entityId ?? PEACH_ENTITY_ID,
    timeoutMs: TIMEOUT_MS,
  });
}

const topup = (): CollectionRequest => ({
  reference: `GC-${randomUUID().slice(0, 18)}`,
  amountMinor: 49_900n,
  currency: 'INR',
  customerEmail: 'asha@example.in',
  description: 'GenCharge wallet top-up',
});

const deposit = (): CollectionRequest => ({
  reference: `MM-${randomUUID()}`,
  amountMinor: 15_000n,
  currency: 'ZAR',
  customerEmail: 'thabo@example.co.za',
  description: 'MyMoolah wallet deposit',
});

describe('Razorpay payment links against the sandbox', () => {
  it('when a link is created, then it is pending and the query by reference returns the same collection', async () => {
    const request = topup();
    const created = await razorpay.createCollection(request);
    expect(created).toEqual({
      reference: request.reference,
      providerReference: expect.stringMatching(/^plink_/),
      status: 'pending',
      paymentUrl: expect.any(String),
    });
    await expect(razorpay.getCollection(request.reference)).resolves.toEqual(created);
  });

  it('when the link is paid, then the query says success with the amount collected', async () => {
    const request = topup();
    await razorpay.createCollection(request);
    await razorpaySandbox.completeCollection(request.reference, 'success', { loseWebhook: true });
    await expect(razorpay.getCollection(request.reference)).resolves.toMatchObject({ status: 'success', collectedMinor: 49_900n });
  });

  it('when the payer paid another amount, then collectedMinor says what was paid', async () => {
    const request = topup();
    await razorpay.createCollection(request);
    await razorpaySandbox.completeCollection(request.reference, 'success', { loseWebhook: true, collectedMinor: 20_000 });
    await expect(razorpay.getCollection(request.reference)).resolves.toMatchObject({ status: 'success', collectedMinor: 20_000n });
  });

  it('when the link expires unpaid, then the query says failed without a collected amount', async () => {
    const request = topup();
    await razorpay.createCollection(request);
    await razorpaySandbox.completeCollection(request.reference, 'failed', { loseWebhook: true });
    const collection = await razorpay.getCollection(request.reference);
    expect(collection.status).toBe('failed');
    expect(collection.collectedMinor).toBeUndefined();
  });

  it('when the same reference is created twice, then the first link comes back', async () => {
    const request = topup();
    const first = await razorpay.createCollection(request);
    await expect(razorpay.createCollection(request)).resolves.toEqual(first);
  });

  it('when the same reference is reused for another amount, then it is refused', async () => {
    const request = topup();
    await razorpay.createCollection(request);
    await expect(razorpay.createCollection({ ...request, amountMinor: 10_000n })).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'DUPLICATE_REFERENCE',
    });
  });

  it('when an unknown reference is queried, then it is refused as NOT_FOUND', async () => {
    await expect(razorpay.getCollection(`GC-${randomUUID()}`)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the key secret is wrong, then the request is refused as UNAUTHORIZED', async () => {
    const error = await razorpayWith({ keySecret: 'wrong' }).createCollection(topup()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('when the amount is below Razorpay minimum, then it is refused and nothing is created', async () => {
    const request = { ...topup(), amountMinor: 50n };
    await expect(razorpay.createCollection(request)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'BAD_REQUEST_ERROR' });
    expect(razorpaySandbox.holds(request.reference)).toBe(false);
  });

  it('when Razorpay answers 502, then the outcome is unknown and nothing was created', async () => {
    faults.set({ provider: 'upi', mode: 'error', count: 1 });
    const request = topup();
    await expect(razorpay.createCollection(request)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(razorpaySandbox.holds(request.reference)).toBe(false);
  });

  it('when Razorpay never answers, then the outcome is unknown and a retried create returns the link it made', async () => {
    faults.set({ provider: 'upi', mode: 'timeout', count: 1 });
    const request = topup();
    await expect(razorpay.createCollection(request)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    const found = await razorpay.getCollection(request.reference);
    expect(found.status).toBe('pending');
    await expect(razorpay.createCollection(request)).resolves.toEqual(found);
  });

  it('when the answer is unreadable or nothing listens, then the outcome is unknown', async () => {
    await expect(razorpayWith({ baseUrl: `${baseUrl}/malformed` }).createCollection(topup())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(razorpayWith({ baseUrl: 'http://127.0.0.1:1' }).getCollection('GC-1')).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe('Razorpay webhooks', () => {
  const paidBody = JSON.stringify({
    entity: 'event',
    account_id: 'acc_test',
    event: 'payment_link.paid',
    contains: ['payment_link', 'payment'],
    payload: {
      payment_link: { entity: { id: 'plink_1', reference_id: 'GC-1', status: 'paid', amount: 49900, amount_paid: 49900, currency: 'INR' } },
      payment: { entity: { id: 'pay_1', amount: 49900, status: 'captured' } },
    },
    created_at: 1_750_000_000,
  });
  const verify = (rawBody: string, signature: string | undefined) => verifyRazorpayWebhook({ rawBody, signature, secret: RAZORPAY_WEBHOOK_SECRET });

  it('when the signature matches, then the paid event is read with the amount paid in paise', () => {
    expect(verify(paidBody, signRazorpayWebhook(paidBody, RAZORPAY_WEBHOOK_SECRET))).toEqual({
      eventId: 'plink_1:payment_link.paid',
      reference: 'GC-1',
      status: 'success',
      amountMinor: 49_900n,
    });
  });

  it('when it was signed with another secret, then it is rejected as unauthenticated', () => {
    expect(() => verify(paidBody, signRazorpayWebhook(paidBody, 'another-secret'))).toThrow(
      expect.objectContaining({ type: FailureType.Unauthenticated }),
    );
  });

  it('when the body was changed after signing, then it is rejected as unauthenticated', () => {
    const signature = signRazorpayWebhook(paidBody, RAZORPAY_WEBHOOK_SECRET);
    expect(() => verify(paidBody.replaceAll('49900', '99900'), signature)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it.each([undefined, '', 'not-hex', 'ab'])('when the signature header is %p, then it is rejected as unauthenticated', (signature) => {
    expect(() => verify(paidBody, signature)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when a correctly signed event is not a final payment-link event, then it is acknowledged with nothing to act on', () => {
    const other = JSON.stringify({ entity: 'event', event: 'payment_link.partially_paid', payload: {} });
    expect(verify(other, signRazorpayWebhook(other, RAZORPAY_WEBHOOK_SECRET))).toBeUndefined();
    const notAnEvent = JSON.stringify({ entity: 'payment' });
    expect(() => verify(notAnEvent, signRazorpayWebhook(notAnEvent, RAZORPAY_WEBHOOK_SECRET))).toThrow(expect.objectContaining({ type: FailureType.Validation }));
  });

  it('when the sandbox completes a link, then it posts a webhook the verifier accepts, and again the same event', async () => {
    const request = topup();
    const link = await razorpay.createCollection(request);
    const report = await razorpaySandbox.completeCollection(request.reference, 'success', { collectedMinor: 50_000 });
    expect(report).toEqual({ delivered: true, httpStatus: 200, eventId: expect.stringMatching(/^evt_/) });
    expect(razorpayEventIds).toContain(report.eventId);
    const event = { eventId: `${link.providerReference}:payment_link.paid`, reference: request.reference, status: 'success', amountMinor: 50_000n };
    expect(received.razorpay).toContainEqual(event);

    const again = await razorpaySandbox.completeCollection(request.reference, 'success');
    expect(again.eventId).toBe(report.eventId);
    expect(received.razorpay.filter((e) => e.reference === request.reference)).toEqual([event, event]);
    await expect(razorpaySandbox.completeCollection(request.reference, 'failed')).rejects.toMatchObject({ type: FailureType.Conflict });
  });

  it('when the sandbox lets a link expire, then the webhook says failed', async () => {
    const request = topup();
    await razorpay.createCollection(request);
    await expect(razorpaySandbox.completeCollection(request.reference, 'failed')).resolves.toMatchObject({ delivered: true });
    expect(received.razorpay).toContainEqual(expect.objectContaining({ reference: request.reference, status: 'failed' }));
  });

  it('when an unknown reference is completed, then the sandbox says it is not found', async () => {
    await expect(razorpaySandbox.completeCollection(`GC-${randomUUID()}`, 'success')).rejects.toMatchObject({ type: FailureType.NotFound });
  });
});

describe('Peach checkout against the sandbox', () => {
  it('when a checkout is created, then it is pending and the query by merchantTransactionId returns the same collection', async () => {
    const request = deposit();
    const created = await peach.createCollection(request);
    expect(created).toEqual({
      reference: request.reference,
      providerReference: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 'pending',
      paymentUrl: expect.stringContaining(created.providerReference),
    });
    await expect(peach.getCollection(request.reference)).resolves.toEqual(created);
  });

  it('when the checkout is paid, then the query says success with the amount collected in cents', async () => {
    const request = deposit();
    await peach.createCollection(request);
    await peachSandbox.completeCollection(request.reference, 'success', { loseWebhook: true });
    await expect(peach.getCollection(request.reference)).resolves.toMatchObject({ status: 'success', collectedMinor: 15_000n });
  });

  it('when the payer paid another amount, then collectedMinor says what was paid', async () => {
    const request = deposit();
    await peach.createCollection(request);
    await peachSandbox.completeCollection(request.reference, 'success', { loseWebhook: true, collectedMinor: 14_999 });
    await expect(peach.getCollection(request.reference)).resolves.toMatchObject({ status: 'success', collectedMinor: 14_999n });
  });

  it('when the payment is declined, then the query says failed', async () => {
    const request = deposit();
    await peach.createCollection(request);
    await peachSandbox.completeCollection(request.reference, 'failed', { loseWebhook: true });
    await expect(peach.getCollection(request.reference)).resolves.toMatchObject({ status: 'failed' });
  });

  it('when the same reference is created twice, then the first checkout comes back', async () => {
    const request = deposit();
    const first = await peach.createCollection(request);
    await expect(peach.createCollection(request)).resolves.toEqual(first);
  });

  it('when the same reference is reused for another amount, then it is refused', async () => {
    const request = deposit();
    await peach.createCollection(request);
    await expect(peach.createCollection({ ...request, amountMinor: 15_001n })).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'DUPLICATE_REFERENCE',
    });
  });

  it('when an unknown reference is queried, then it is refused as NOT_FOUND', async () => {
    await expect(peach.getCollection(`MM-${randomUUID()}`)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the access token is wrong, then the request is refused as UNAUTHORIZED', async () => {
    await expect(peachWith({ accessToken: 'wrong' }).createCollection(deposit())).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'UNAUTHORIZED',
    });
  });

  it('when the entity is not ours, then the checkout is refused with Peach result code', async () => {
    await expect(peachWith({ entityId: 'someone-else' }).createCollection(deposit())).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: '800.900.300',
    });
  });

  it('when Peach answers 502, then the outcome is unknown and nothing was created', async () => {
    faults.set({ provider: 'eft', mode: 'error', count: 1 });
    const request = deposit();
    await expect(peach.createCollection(request)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(peachSandbox.holds(request.reference)).toBe(false);
  });

  it('when Peach never answers, then the outcome is unknown and a retried create returns the checkout it made', async () => {
    faults.set({ provider: 'eft', mode: 'timeout', count: 1 });
    const request = deposit();
    await expect(peach.createCollection(request)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    const found = await peach.getCollection(request.reference);
    expect(found.status).toBe('pending');
    await expect(peach.createCollection(request)).resolves.toEqual(found);
  });

  it('when the answer is unreadable or nothing listens, then the outcome is unknown', async () => {
    await expect(peachWith({ baseUrl: `${baseUrl}/malformed` }).createCollection(deposit())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(peachWith({ baseUrl: 'http://127.0.0.1:1' }).getCollection('MM-1')).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it.each([
    ['000.000.000', 'success'],
    ['000.100.110', 'success'],
    ['000.200.100', 'pending'],
    ['000.400.000', 'pending'],
    ['800.400.500', 'pending'],
    ['100.396.101', 'failed'],
    ['800.100.151', 'failed'],
  ])('when Peach answers result code %s, then the collection is %s', (code, status) => {
    expect(peachResultStatus(code)).toBe(status);
  });
});

describe('Peach webhooks', () => {
  const now = 1_750_000_000;
  const body = JSON.stringify({
    id: 'ntf_1',
    type: 'payment',
    checkoutId: 'c0ffee',
    merchantTransactionId: 'MM-1',
    paymentType: 'DB',
    amount: '150.00',
    currency: 'ZAR',
    result: { code: '000.000.000', description: 'Transaction succeeded' },
    timestamp: '2025-06-15T15:06:40.000Z',
  });
  const verify = (rawBody: string, signature: string | undefined, timestamp: string | undefined = String(now)) =>
    verifyPeachWebhook({ rawBody, signature, timestamp, secret: PEACH_WEBHOOK_SECRET, toleranceSeconds: TOLERANCE_SECONDS, nowSeconds: now });

  it('when the signature matches, then the event is read with the decimal amount in cents', () => {
    expect(verify(body, signPeachWebhook(body, PEACH_WEBHOOK_SECRET, now))).toEqual({
      eventId: 'ntf_1',
      reference: 'MM-1',
      status: 'success',
      amountMinor: 15_000n,
    });
  });

  it('when it was signed with another secret, then it is rejected as unauthenticated', () => {
    expect(() => verify(body, signPeachWebhook(body, 'another-secret', now))).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when the body was changed after signing, then it is rejected as unauthenticated', () => {
    const signature = signPeachWebhook(body, PEACH_WEBHOOK_SECRET, now);
    expect(() => verify(body.replace('150.00', '950.00'), signature)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when the timestamp header is moved to a fresh time, then the signature no longer matches', () => {
    const signature = signPeachWebhook(body, PEACH_WEBHOOK_SECRET, now - 600);
    expect(() => verify(body, signature, String(now))).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when the timestamp is outside the tolerance, then it is rejected as a possible replay', () => {
    for (const signedAt of [now - 301, now + 301]) {
      expect(() => verify(body, signPeachWebhook(body, PEACH_WEBHOOK_SECRET, signedAt), String(signedAt))).toThrow(
        expect.objectContaining({ type: FailureType.Unauthenticated }),
      );
    }
  });

  it.each([
    [undefined, String(now)],
    ['abc', undefined],
    ['abc', 'soon'],
    ['', String(now)],
  ])('when the signature is %p and the timestamp %p, then it is rejected as unauthenticated', (signature, timestamp) => {
    expect(() => verify(body, signature, timestamp)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when a correctly signed notification is still pending, then it is acknowledged with nothing to act on', () => {
    const pending = body.replace('000.000.000', '000.200.000');
    expect(verify(pending, signPeachWebhook(pending, PEACH_WEBHOOK_SECRET, now))).toBeUndefined();
  });

  it('when a correctly signed amount has more decimals than the currency, then it is rejected as invalid', () => {
    const odd = body.replace('150.00', '150.001');
    expect(() => verify(odd, signPeachWebhook(odd, PEACH_WEBHOOK_SECRET, now))).toThrow(expect.objectContaining({ type: FailureType.Validation }));
  });

  it('when the sandbox completes a checkout, then it posts a webhook the verifier accepts, and again the same event', async () => {
    const request = deposit();
    await peach.createCollection(request);
    const report = await peachSandbox.completeCollection(request.reference, 'success');
    expect(report).toEqual({ delivered: true, httpStatus: 200, eventId: expect.stringMatching(/^ntf_/) });
    const event = { eventId: report.eventId, reference: request.reference, status: 'success', amountMinor: 15_000n };
    expect(received.peach).toContainEqual(event);

    const again = await peachSandbox.completeCollection(request.reference, 'success');
    expect(again.eventId).toBe(report.eventId);
    await expect(peachSandbox.completeCollection(request.reference, 'failed')).rejects.toMatchObject({ type: FailureType.Conflict });
  });

  it('when the sandbox declines a checkout, then the webhook says failed', async () => {
    const request = deposit();
    await peach.createCollection(request);
    const report = await peachSandbox.completeCollection(request.reference, 'failed');
    expect(received.peach).toContainEqual({ eventId: report.eventId, reference: request.reference, status: 'failed', amountMinor: 15_000n });
  });

  it('when an unknown reference is completed, then the sandbox says it is not found', async () => {
    await expect(peachSandbox.completeCollection(`MM-${randomUUID()}`, 'success')).rejects.toMatchObject({ type: FailureType.NotFound });
  });
});
