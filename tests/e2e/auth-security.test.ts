import { generateKeyPairSync, randomInt } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startApi, type RunningApi } from '../../api/main.js';
import { maxtera, type MaxteraUser } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let m: ReturnType<typeof maxtera>;
let user: MaxteraUser;

beforeAll(async () => {
  platform = await startTestPlatform();
  m = maxtera(platform);
  user = await m.signUp();
});
afterAll(async () => {
  await platform.stop();
});

const BALANCE = '/maxtera/api/v1/wallet/balance/';
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims the platform itself signs for this user, so each case changes one thing only. */
function claimsFor(target: MaxteraUser, tenant = 'maxtera') {
  return { sub: String(target.id), tenant, role: 'user', typ: 'access' };
}

function sign(options: jwt.SignOptions & { secret?: jwt.Secret; claims?: object } = {}): string {
  const { secret = platform.config.JWT_SECRET, claims = claimsFor(user), ...rest } = options;
  return jwt.sign(claims, secret, { algorithm: 'HS256', issuer: platform.config.JWT_ISSUER, audience: 'maxtera', expiresIn: 300, ...rest });
}

const balanceWith = (token: string) => m.api().get(BALANCE).set('Authorization', `Bearer ${token}`);

describe('Maxtera access tokens', () => {
  it('when a token carries exactly what the platform signs, then it is accepted', async () => {
    const res = await balanceWith(sign());
    expect(res.status).toBe(200);
  });

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged: Array<[string, () => string]> = [
    ['alg none', () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claimsFor(user), aud: 'maxtera', iss: platform.config.JWT_ISSUER, exp: Math.floor(Date.now() / 1000) + 300 })}.`],
    ['an HS384 header', () => sign({ algorithm: 'HS384' })],
    ['an RS256 header', () => sign({ algorithm: 'RS256', secret: privateKey })],
    ['a wrong key', () => sign({ secret: 'another-secret-of-at-least-32-characters!' })],
    ['a wrong issuer', () => sign({ issuer: 'someone-else' })],
    ["another tenant's audience and tenant (GenCharge)", () => sign({ audience: 'gencharge', claims: claimsFor(user, 'gencharge') })],
    ["another tenant's audience with this tenant's claim", () => sign({ audience: 'gencharge' })],
    ['no audience', () => jwt.sign(claimsFor(user), platform.config.JWT_SECRET, { algorithm: 'HS256', issuer: platform.config.JWT_ISSUER, expiresIn: 300 })],
    ['an expiry in the past', () => sign({ expiresIn: -60 })],
  ];

  it.each(forged)('when the token has %s, then 401 in the DRF envelope', async (_case, token) => {
    const res = await balanceWith(token());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Given token not valid for any token type', code: 'token_not_valid' });
  });
});

describe('Maxtera logout', () => {
  const refreshFamilyRevoked = async (refresh: string) => {
    const rows = await platform.orm.em.fork().execute<{ revoked: boolean }[]>(
      `select bool_and(f.revoked_at is not null) as revoked
       from refresh_tokens t join refresh_tokens f on f.family_id = t.family_id
       where t.token_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex')`,
      [refresh],
    );
    return rows[0]!.revoked;
  };

  it("when a user posts another user's refresh token, then 401 and that token still works", async () => {
    const victim = await m.signUp();
    const attacker = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/auth/logout/').set(attacker.auth).send({ refresh: victim.refresh });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    expect(await refreshFamilyRevoked(victim.refresh)).toBe(false);
    const refreshed = await m.api().post('/maxtera/api/v1/auth/token/refresh/').send({ refresh: victim.refresh });
    expect(refreshed.status).toBe(200);
  });

  it('when a user logs out with their own refresh token, then its family is revoked', async () => {
    const own = await m.signUp();
    const res = await m.api().post('/maxtera/api/v1/auth/logout/').set(own.auth).send({ refresh: own.refresh });
    expect(res.status).toBe(200);
    expect(await refreshFamilyRevoked(own.refresh)).toBe(true);
    const again = await m.api().post('/maxtera/api/v1/auth/logout/').set(own.auth).send({ refresh: own.refresh });
    expect(again.status).toBe(200);
  });
});

describe('auth rate limit', () => {
  const LIMIT = 3;
  let limited: TestPlatform;
  let replica: RunningApi;

  beforeAll(async () => {
    limited = await startTestPlatform({ AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT), MOUNT_AT_ROOT: 'maxtera' }, { inProcessWorker: false });
    // A second API replica with its own sandbox SMTP port; the rate-limit store is what they share.
    replica = await startApi({ ...limited.config, SANDBOX_SMTP_PORT: 0 });
  });
  afterAll(async () => {
    await replica?.stop();
    await limited?.stop();
  });

  /** A client address of each test's own (the API trusts X-Forwarded-For from loopback only). */
  let lastIp = randomInt(0, 200);
  const clientIp = () => `198.51.100.${++lastIp}`;
  const login = (url: string, path: string, ip: string) =>
    request(url).post(path).set('X-Forwarded-For', ip).send({});

  it('when one client alternates between both mounts and replicas, then it gets the limit once, then 429', async () => {
    const ip = clientIp();
    const statuses: number[] = [];
    for (const [url, path] of [
      [limited.url, '/maxtera/api/v1/auth/login/'],
      [limited.url, '/api/v1/auth/login/'],
      [replica.url, '/maxtera/api/v1/auth/login/'],
    ] as const) {
      statuses.push((await login(url, path, ip)).status);
    }
    expect(statuses).toEqual(Array(LIMIT).fill(400));

    for (const [url, path] of [
      [limited.url, '/api/v1/auth/login/'],
      [replica.url, '/api/v1/auth/login/'],
      [limited.url, '/maxtera/api/v1/auth/login/'],
    ] as const) {
      const throttled = await login(url, path, ip);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toEqual({ detail: 'Request was throttled.' });
    }

    const [row] = await limited.orm.em.fork().execute<{ count: number }[]>(
      `select r.count from rate_limit.records_aggregated r join rate_limit.sessions s on s.id = r.session_id
       where r.key = ? and s.expires_at > now()`,
      [`maxtera:${ip}`],
    );
    expect(row?.count).toBe(LIMIT + 3);
  });

  it('when another client logs in meanwhile, then it has its own count', async () => {
    const throttledIp = clientIp();
    for (let i = 0; i <= LIMIT; i++) await login(limited.url, '/maxtera/api/v1/auth/login/', throttledIp);
    expect((await login(limited.url, '/maxtera/api/v1/auth/login/', throttledIp)).status).toBe(429);
    expect((await login(limited.url, '/maxtera/api/v1/auth/login/', clientIp())).status).toBe(400);
  });
});
