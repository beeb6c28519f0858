import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { FailureType } from '../../core/errors.js';
import { createOnePipePaymentProvider } from '../../providers/onepipe.js';
import { createVtpassProvider } from '../../providers/vtpass.js';
import { PAYMENT_SIGNATURE_HEADER, signPaymentWebhook, verifyPaymentWebhook } from '../../providers/webhooks.js';
import { SandboxFaults } from '../../providers/sandbox/faults.js';
import { createOnePipeSandbox } from '../../providers/sandbox/onepipe-sandbox.js';
import { createVtpassSandbox } from '../../providers/sandbox/vtpass-sandbox.js';
import {
  ProviderOutcomeUnknownError,
  ProviderRejectedError,
  type PaymentProvider,
  type PaymentWebhookEvent,
  type VtuOrder,
  type VtuProvider,
} from '../../providers/types.js';

const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
const CLIENT_SECRET = 'test-client-secret';
const API_KEY = 'test-api-key';
// Long enough that a loaded 2-core CI machine answers in time; only the timeout-fault cases wait it out.
const TIMEOUT_MS = 1_000;

const faults = new SandboxFaults();
let baseUrl = '';
const onePipeSandbox = createOnePipeSandbox({
  webhookUrl: () => `${baseUrl}/webhooks/payments`,
  webhookSecret: WEBHOOK_SECRET,
  faults,
  clientSecret: CLIENT_SECRET,
  apiKey: API_KEY,
});
const vtpassSandbox = createVtpassSandbox({ faults, apiKey: API_KEY });
const receivedWebhooks: PaymentWebhookEvent[] = [];

let server: Server;
let payments: PaymentProvider;
let vtu: VtuProvider;

beforeAll(async () => {
  const app = express();
  app.use('/sandbox/providers/onepipe', onePipeSandbox.router);
  app.use('/sandbox/providers/vtpass', vtpassSandbox.router);
  app.post('/webhooks/payments', express.raw({ type: 'application/json' }), (req, res) => {
    try {
      const header = req.get(PAYMENT_SIGNATURE_HEADER);
      receivedWebhooks.push(verifyPaymentWebhook({ rawBody: req.body as Buffer, header, secret: WEBHOOK_SECRET, toleranceSeconds: 300 }));
      res.status(204).end();
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
  payments = paymentsWith({});
  vtu = createVtpassProvider({ baseUrl: `${baseUrl}/sandbox/providers/vtpass`, apiKey: API_KEY, timeoutMs: TIMEOUT_MS });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
});

afterEach(() => {
  faults.set({ provider: 'payments', mode: 'none', count: 0 });
  faults.set({ provider: 'vtu', mode: 'none', count: 0 });
});

function paymentsWith(overrides: { apiKey?: string; clientSecret?: string }): PaymentProvider {
  return createOnePipePaymentProvider({
    baseUrl: `${baseUrl}/sandbox/providers/onepipe`,
    apiKey: overrides.apiKey ?? API_KEY,
    clientSecret: overrides.clientSecret ?? CLIENT_SECRET,
    timeoutMs: TIMEOUT_MS,
  });
}

const collectionRequest = (reference = `MPX-${randomUUID()}`) => ({
  reference,
  amountMinor: 500_000n,
  currency: 'NGN',
  customerEmail: 'ada@example.com',
  description: 'wallet funding',
});

const airtimeOrder = (overrides: Partial<VtuOrder> = {}): VtuOrder => ({
  requestId: `VTU-${randomUUID()}`,
  kind: 'airtime',
  serviceId: 'MTN',
  amountMinor: 9_950n,
  recipient: '08011111111',
  ...overrides,
});

describe('OnePipe payment adapter against the sandbox', () => {
  it('when a collection is created, then it is pending and the query returns the same collection', async () => {
    const request = collectionRequest();
    const created = await payments.createCollection(request);
    expect(created).toEqual({
      reference: request.reference,
      providerReference: expect.stringMatching(/^OP-/),
      status: 'pending',
      paymentUrl: expect.any(String),
    });
    await expect(payments.getCollection(request.reference)).resolves.toEqual(created);
  });

  it('when the same reference is created twice, then the provider returns the same collection', async () => {
    const request = collectionRequest();
    const first = await payments.createCollection(request);
    const second = await payments.createCollection(request);
    expect(second.providerReference).toBe(first.providerReference);
  });

  it('when the same reference is reused for another amount, then the provider rejects it', async () => {
    const request = collectionRequest();
    await payments.createCollection(request);
    await expect(payments.createCollection({ ...request, amountMinor: 1n })).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'DUPLICATE_REFERENCE',
    });
  });

  it('when an unknown reference is queried, then the provider rejects it as NOT_FOUND', async () => {
    await expect(payments.getCollection(`MPX-${randomUUID()}`)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the request is signed with the wrong client secret, then the provider rejects it', async () => {
    const error = await paymentsWith({ clientSecret: 'wrong' }).createCollection(collectionRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ code: 'INVALID_SIGNATURE' });
  });

  it('when the bearer token is wrong, then the provider rejects it', async () => {
    await expect(paymentsWith({ apiKey: 'wrong' }).createCollection(collectionRequest())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('when the provider answers 502, then the outcome is unknown', async () => {
    faults.set({ provider: 'payments', mode: 'error', count: 1 });
    await expect(payments.createCollection(collectionRequest())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('when the provider never answers, then the outcome is unknown and a later query finds the collection', async () => {
    faults.set({ provider: 'payments', mode: 'timeout', count: 1 });
    const request = collectionRequest();
    await expect(payments.createCollection(request)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(payments.getCollection(request.reference)).resolves.toMatchObject({ status: 'pending' });
  });

  it('when the provider answers with an unreadable body, then the outcome is unknown', async () => {
    const confused = createOnePipePaymentProvider({ baseUrl: `${baseUrl}/malformed`, apiKey: API_KEY, clientSecret: CLIENT_SECRET, timeoutMs: TIMEOUT_MS });
    await expect(confused.createCollection(collectionRequest())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('when nothing listens at the address, then the outcome is unknown', async () => {
    const offline = createOnePipePaymentProvider({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, clientSecret: CLIENT_SECRET, timeoutMs: TIMEOUT_MS });
    await expect(offline.getCollection('MPX-1')).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe('payment webhooks', () => {
  const now = 1_750_000_000;
  const body = JSON.stringify({
    event_id: 'evt_1',
    type: 'collection.completed',
    data: { transaction_ref: 'MPX-1', status: 'success', amount: 500000 },
  });
  const verify = (rawBody: string, header: string | undefined, nowSeconds = now) =>
    verifyPaymentWebhook({ rawBody, header, secret: WEBHOOK_SECRET, toleranceSeconds: 300, nowSeconds });

  it('when the signature matches, then the event is read with the amount in minor units', () => {
    expect(verify(body, signPaymentWebhook(body, WEBHOOK_SECRET, now))).toEqual({
      eventId: 'evt_1',
      reference: 'MPX-1',
      status: 'success',
      amountMinor: 500_000n,
    });
  });

  it('when the body was changed after signing, then it is rejected as unauthenticated', () => {
    const header = signPaymentWebhook(body, WEBHOOK_SECRET, now);
    expect(() => verify(body.replace('500000', '900000'), header)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when it was signed with another secret, then it is rejected as unauthenticated', () => {
    const header = signPaymentWebhook(body, 'another-secret', now);
    expect(() => verify(body, header)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
  });

  it('when the timestamp is outside the tolerance, then it is rejected as a possible replay', () => {
    const header = signPaymentWebhook(body, WEBHOOK_SECRET, now - 301);
    expect(() => verify(body, header)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
    expect(() => verify(body, signPaymentWebhook(body, WEBHOOK_SECRET, now + 301))).toThrow(
      expect.objectContaining({ type: FailureType.Unauthenticated }),
    );
  });

  it.each([undefined, '', 'garbage', `t=${now}`, 'v1=abc', `t=soon,v1=abc`, `t=${now},v1=short`])(
    'when the header is %p, then it is rejected as unauthenticated',
    (header) => {
      expect(() => verify(body, header)).toThrow(expect.objectContaining({ type: FailureType.Unauthenticated }));
    },
  );

  it('when a correctly signed body is not a collection event, then it is rejected as invalid', () => {
    const odd = JSON.stringify({ event_id: 'evt_2', type: 'refund.completed', data: {} });
    expect(() => verify(odd, signPaymentWebhook(odd, WEBHOOK_SECRET, now))).toThrow(expect.objectContaining({ type: FailureType.Validation }));
  });

  it('when the sandbox completes a collection, then it posts a webhook the verifier accepts', async () => {
    const request = collectionRequest();
    await payments.createCollection(request);
    const report = await onePipeSandbox.completeCollection(request.reference, 'success');
    expect(report).toEqual({ delivered: true, httpStatus: 204, eventId: expect.stringMatching(/^evt_/) });
    expect(receivedWebhooks).toContainEqual({ eventId: report.eventId, reference: request.reference, status: 'success', amountMinor: 500_000n });
    await expect(payments.getCollection(request.reference)).resolves.toMatchObject({ status: 'success' });
  });

  it('when a completed collection is completed again, then the same event is redelivered', async () => {
    const request = collectionRequest();
    await payments.createCollection(request);
    const first = await onePipeSandbox.completeCollection(request.reference, 'failed');
    const again = await onePipeSandbox.completeCollection(request.reference, 'failed');
    expect(again.eventId).toBe(first.eventId);
    await expect(onePipeSandbox.completeCollection(request.reference, 'success')).rejects.toMatchObject({ type: FailureType.Conflict });
  });

  it('when an unknown collection is completed, then the sandbox says it is not found', async () => {
    await expect(onePipeSandbox.completeCollection(`MPX-${randomUUID()}`, 'success')).rejects.toMatchObject({ type: FailureType.NotFound });
  });
});

describe('VTpass adapter against the sandbox', () => {
  it('when an order is submitted, then it is delivered and requery agrees', async () => {
    const order = airtimeOrder();
    const result = await vtu.submitOrder(order);
    expect(result).toEqual({ status: 'success', providerReference: expect.any(String), message: 'TRANSACTION SUCCESSFUL' });
    await expect(vtu.queryOrder(order.requestId)).resolves.toEqual(result);
    expect(vtpassSandbox.deliveries(order.requestId)).toBe(1);
  });

  it('when a bill with a variation is paid, then it is delivered', async () => {
    const order = airtimeOrder({ kind: 'bill', serviceId: 'DSTV', recipient: '7012345678', variationCode: 'dstv-padi', amountMinor: 250_000n });
    await expect(vtu.submitOrder(order)).resolves.toMatchObject({ status: 'success' });
  });

  it('when the provider fails the order, then the result is failed and nothing is delivered', async () => {
    faults.set({ provider: 'vtu', mode: 'error', count: 1 });
    const order = airtimeOrder();
    await expect(vtu.submitOrder(order)).resolves.toMatchObject({ status: 'failed' });
    expect(vtpassSandbox.deliveries(order.requestId)).toBe(0);
  });

  it('when the provider never answers, then the outcome is unknown and requery tells what happened', async () => {
    faults.set({ provider: 'vtu', mode: 'timeout', count: 1, outcome: 'failed' });
    const failedOrder = airtimeOrder();
    await expect(vtu.submitOrder(failedOrder)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(vtu.queryOrder(failedOrder.requestId)).resolves.toMatchObject({ status: 'failed' });

    faults.set({ provider: 'vtu', mode: 'timeout', count: 1, outcome: 'success' });
    const deliveredOrder = airtimeOrder();
    await expect(vtu.submitOrder(deliveredOrder)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(vtu.queryOrder(deliveredOrder.requestId)).resolves.toMatchObject({ status: 'success' });
    expect(vtpassSandbox.deliveries(deliveredOrder.requestId)).toBe(1);
  });

  it('when the provider answers pending, then the order settles on its first requery', async () => {
    faults.set({ provider: 'vtu', mode: 'pending', count: 1, outcome: 'success' });
    const order = airtimeOrder();
    await expect(vtu.submitOrder(order)).resolves.toMatchObject({ status: 'pending' });
    expect(vtpassSandbox.deliveries(order.requestId)).toBe(0);
    await expect(vtu.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'success' });
    expect(vtpassSandbox.deliveries(order.requestId)).toBe(1);
  });

  it('when the same request_id is submitted again, then the original result comes back and it is delivered once', async () => {
    const order = airtimeOrder();
    const first = await vtu.submitOrder(order);
    const second = await vtu.submitOrder(order);
    expect(second).toEqual(first);
    expect(vtpassSandbox.deliveries(order.requestId)).toBe(1);
  });

  it('when the provider answers with an unreadable body, then the outcome is unknown', async () => {
    const confused = createVtpassProvider({ baseUrl: `${baseUrl}/malformed`, apiKey: API_KEY, timeoutMs: TIMEOUT_MS });
    await expect(confused.submitOrder(airtimeOrder())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('when an unknown request_id is re-queried, then the provider rejects it as NOT_FOUND', async () => {
    await expect(vtu.queryOrder(`VTU-${randomUUID()}`)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the api key is wrong, then the provider rejects the order', async () => {
    const wrongKey = createVtpassProvider({ baseUrl: `${baseUrl}/sandbox/providers/vtpass`, apiKey: 'wrong', timeoutMs: TIMEOUT_MS });
    await expect(wrongKey.submitOrder(airtimeOrder())).rejects.toMatchObject({ name: 'ProviderRejectedError', code: '087' });
  });

  it('when the recipient is missing, then the provider rejects the order as invalid arguments', async () => {
    await expect(vtu.submitOrder(airtimeOrder({ recipient: '' }))).rejects.toMatchObject({ name: 'ProviderRejectedError', code: '011' });
  });
});
