import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { SURFACES } from '../../api/surfaces/index.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ MOUNT_AT_ROOT: 'maxtera' });
});
afterAll(async () => {
  await platform.stop();
});

/** CI checks the repository out with shared/ beside it; SPECS_DIR points elsewhere. */
const SPEC_ROWS = join(process.env.SPECS_DIR ?? join(process.cwd(), '..', 'shared', 'specs'), 'endpoints.tsv');
const withSpecs = existsSync(SPEC_ROWS) ? it : it.skip;

function documentedRows(surface: string): Array<{ method: string; path: string; auth: string }> {
  return readFileSync(SPEC_ROWS, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter(([s]) => s === surface)
    .map(([, method, path, auth]) => ({ method: method!.toLowerCase(), path: path!, auth: auth!.trim() }));
}

describe('the platform around the surfaces', () => {
  it('when liveness and readiness are probed, then both answer ok with Postgres and Temporal checked', async () => {
    expect((await request(platform.url).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(platform.url).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  withSpecs('when endpoints.tsv is read, then every row belongs to a surface the platform serves', () => {
    const surfaces = new Set(readFileSync(SPEC_ROWS, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t')[0]));
    expect([...surfaces].filter((surface) => !SURFACES[surface!])).toEqual([]);
  });

  describe.each(Object.keys(SURFACES))('the %s surface', (slug) => {
    withSpecs(`when the OpenAPI document is fetched, then every ${slug} row of endpoints.tsv is in it`, async () => {
      const doc = (await request(platform.url).get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
      const rows = documentedRows(slug);
      expect(rows.length).toBeGreaterThan(0);
      for (const { method, path } of rows) {
        const full = `/${slug}${path}`;
        expect({ path: full, method, documented: Boolean(doc.paths[full]?.[method]) }).toEqual({ path: full, method, documented: true });
      }
    });

    withSpecs(`when every ${slug} row is called without credentials, then each is routed and the protected ones answer 401`, async () => {
      for (const { method, path, auth } of documentedRows(slug)) {
        const url = `/${slug}${path.replace(/\{[^}]+\}/g, '1')}`;
        const res = await request(platform.url)[method as 'get' | 'post'](url).send({});
        // A public row may answer 400 (bad body) or 404 (no such resource), but a path template
        // without parameters that answers 404 is not routed at all.
        const routed = res.status < 500 && (res.status !== 404 || path.includes('{'));
        expect({ method, path, routed, status: auth === 'YES' ? res.status : 'any' }).toEqual({ method, path, routed: true, status: auth === 'YES' ? 401 : 'any' });
      }
    });
  });

  it('when a browser on another origin asks before calling (preflight), then it is allowed and may read a list total', async () => {
    const preflight = await request(platform.url)
      .options('/gencharge/user/admin')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/i);
    const list = await request(platform.url).get('/gencharge/plans/public/all').set('Origin', 'http://localhost:5173');
    expect(list.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(list.headers['access-control-expose-headers']).toContain('X-Total-Count');
  });

  it('when the docs page is opened, then it is served', async () => {
    const res = await request(platform.url).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });

  it('when a request carries an X-Request-Id, then the response echoes it; otherwise one is made', async () => {
    const given = await request(platform.url).get('/health/live').set('X-Request-Id', 'req-abc-123');
    expect(given.headers['x-request-id']).toBe('req-abc-123');
    const made = await request(platform.url).get('/health/live');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a surface is also mounted at the root, then its client reaches it without the prefix', async () => {
    const res = await request(platform.url).post('/api/v1/auth/login/').send({ email: 'nobody@example.com', password: 'whatever-pass' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'No active account found with the given credentials' });
    expect((await request(platform.url).get('/openapi.json')).status).toBe(200);
  });

  it('when an unknown top-level route is called, then 404 in the platform envelope', async () => {
    const res = await request(platform.url).get('/sandbox/nothing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found.' });
  });
});
