import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { maxtera, type MaxteraUser } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/** Words from Temporal's and gRPC's own failure text that must stay in the log. */
const INTERNAL_TEXT = /namespace|missing-|grpc|NOT_FOUND|workflow|temporal|Error:|at \w+ \(/i;

let platform: TestPlatform;
let m: ReturnType<typeof maxtera>;
let user: MaxteraUser;
let namespace: string;

beforeAll(async () => {
  // A namespace the Temporal server does not know: every flow start fails inside the platform,
  // with Temporal's own error text, while Postgres (sign-up, login) works.
  namespace = `missing-${randomUUID()}`;
  platform = await startTestPlatform({ TEMPORAL_NAMESPACE: namespace }, { inProcessWorker: false });
  m = maxtera(platform);
  user = await m.signUp();
});
afterAll(async () => {
  await platform.stop();
});

describe('internal failures behind a surface', () => {
  it('when a Maxtera deposit cannot start its flow, then a DRF 500 with a generic detail and no internal text', async () => {
    const res = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 500, method: 'onepipe' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: expect.stringMatching(/^Something went wrong/) });
    expect(res.text).not.toMatch(INTERNAL_TEXT);
    expect(res.text).not.toContain(namespace);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('when a Maxtera purchase cannot start its flow, then the same generic 500', async () => {
    const res = await m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'MTN', amount: 100, phone_number: '08031234567' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: expect.stringMatching(/^Something went wrong/) });
    expect(res.text).not.toMatch(INTERNAL_TEXT);
  });

  it('when Maxtera refuses a request, then the answer is still its own DRF wording', async () => {
    const res = await m.api().get('/maxtera/api/v1/wallet/balance/').set('Authorization', 'Bearer not.a.token');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Given token not valid for any token type', code: 'token_not_valid' });
  });

  it('when readiness is probed and Temporal refuses, then 503 with "unavailable" and no error text', async () => {
    const res = await request(platform.url).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { postgres: 'ok', temporal: 'unavailable' } });
  });

  it('when an unknown platform path is called, then 404 in the platform envelope', async () => {
    const res = await request(platform.url).post('/webhooks/nothing-here').send({});
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found.' });
  });
});
