import type { RequestHandler } from 'express';
import type { Config } from '../../core/config.js';
import { periodCount, rangeProblem, resolveRange } from '../../api/surfaces/gencharge/analytics.js';
import type { GenChargeRoutes } from '../../api/surfaces/gencharge/router.js';
import { registerTestRoutes, testUtilitiesServed } from '../../api/surfaces/gencharge/test-routes.js';

/** Route registrations a GenCharge route module makes, recorded instead of served. */
function recordingRoutes(config: Partial<Config>) {
  const registered: string[] = [];
  const record = (doc: { method: string; path: string }) => registered.push(`${doc.method.toUpperCase()} ${doc.path}`);
  const routes = {
    deps: { config: { GENCHARGE_CONTENT_STORAGE_DIR: '.data/test/unit-content', GENCHARGE_CONTENT_MAX_IMAGE_BYTES: 4096, ...config }, em: {}, logger: {} },
    route: (doc: { method: string; path: string }, ..._handlers: RequestHandler[]) => record(doc),
    adminRoute: (_resource: string, doc: { method: string; path: string }, ..._handlers: RequestHandler[]) => record(doc),
  } as unknown as GenChargeRoutes;
  return { routes, registered };
}

describe('GenCharge testing utilities in production', () => {
  it('when NODE_ENV is production, then no testing utility is registered (their paths are unknown, 404, like the sandbox)', () => {
    const { routes, registered } = recordingRoutes({ NODE_ENV: 'production' });
    registerTestRoutes(routes);
    expect(registered).toEqual([]);
    expect(testUtilitiesServed({ NODE_ENV: 'production' })).toBe(false);
  });

  it.each(['development', 'test'] as const)('when NODE_ENV is %s, then the three testing utilities are registered', (env) => {
    const { routes, registered } = recordingRoutes({ NODE_ENV: env });
    registerTestRoutes(routes);
    expect(registered.sort()).toEqual(['DELETE /test/api/content/:content_id', 'GET /test/admin/stats', 'POST /test/api/content']);
  });
});

describe('GenCharge analytics ranges', () => {
  it('when from and to are days, then the range runs from the first day\'s start to the last day\'s end in India', () => {
    const range = resolveRange({ from: '2025-11-10', to: '2025-11-11', granularity: 'day' });
    expect(range.start.toISOString()).toBe('2025-11-09T18:30:00.000Z');
    expect(range.end.toISOString()).toBe('2025-11-11T18:30:00.000Z');
    expect(periodCount(range)).toBe(2);
  });

  it('when weeks or months are asked, then partial first and last periods count', () => {
    // 2025-11-09 is a Sunday, 2025-11-10 a Monday.
    expect(periodCount(resolveRange({ from: '2025-11-09', to: '2025-11-10', granularity: 'week' }))).toBe(2);
    expect(periodCount(resolveRange({ from: '2025-11-10', to: '2025-11-16', granularity: 'week' }))).toBe(1);
    expect(periodCount(resolveRange({ from: '2025-01-31', to: '2025-03-01', granularity: 'month' }))).toBe(3);
    expect(periodCount(resolveRange({ from: '2024-12-31', to: '2025-01-01', granularity: 'month' }))).toBe(2);
  });

  it('when an instant is given, then its India day decides its period', () => {
    // 20:00 UTC on the 9th is 01:30 on the 10th in India.
    const range = resolveRange({ from: '2025-11-09T20:00:00Z', to: '2025-11-10', granularity: 'day' });
    expect(periodCount(range)).toBe(1);
  });

  it('when nothing is given, then the range ends today and holds 30 days, 12 weeks or 12 months', () => {
    for (const [granularity, periods] of [['day', 30], ['week', 12], ['month', 12]] as const) {
      const range = resolveRange({ granularity });
      expect(periodCount(range)).toBe(periods);
      expect(range.end.getTime()).toBeGreaterThan(Date.now());
      expect(range.end.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    }
  });

  it('when from is after to, or the periods are too many, then the range is refused on from', () => {
    expect(rangeProblem({ from: '2025-11-10', to: '2025-11-09', granularity: 'day' })).toEqual({ field: 'from', message: expect.stringContaining('after') });
    expect(rangeProblem({ from: '2024-01-01', to: '2024-12-31', granularity: 'day' })).toBeUndefined();
    expect(rangeProblem({ from: '2024-01-01', to: '2025-01-01', granularity: 'day' })).toEqual({ field: 'from', message: expect.stringContaining('367 days') });
    expect(rangeProblem({ from: '1990-01-01', to: '2020-01-01', granularity: 'month' })).toBeUndefined();
    // An instant exactly at to's start still leaves a range of one instant.
    expect(rangeProblem({ from: '2025-11-10T00:00:00+05:30', to: '2025-11-10T00:00:00+05:30', granularity: 'day' })).toBeUndefined();
  });
});
