import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { PostgresStore } from '@acpr/rate-limit-postgresql';
import pg from 'pg';
import { migrate } from 'postgres-migrations';
import { DomainError, FailureType, publicError } from '../core/errors.js';

const WINDOW_MS = 60_000;
const SCHEMA = 'rate_limit';
const POOL_MAX = 2;
/** How long closing waits for the stores' own start-up migrations before giving up on them. */
const CLOSE_WAIT_MS = 10_000;

/** Limits every API replica shares: the counts live in Postgres, keyed by tenant and client IP. */
export interface RateLimits {
  /**
   * The register/login/refresh limit of one surface. Built once per tenant, so a surface mounted
   * twice (at its prefix and at `/`) counts a client once across both mounts.
   */
  auth(tenant: string): RequestHandler;
  /**
   * A limit of its own (one-time codes per phone number, say): `name` scopes the counts, `key`
   * says whom a request counts against. The counter is built once per name, like `auth`, so every
   * route limited under one name counts against one budget; each route keeps its own `key`.
   */
  keyed(name: string, settings: KeyedLimit, key: (req: Request, res: Response) => string): RequestHandler;
  close(): Promise<void>;
}

export interface KeyedLimit {
  limit: number;
  windowMs: number;
  /** Public wording of the refusal; the surface's envelope shows it. */
  message: string;
}

export interface RateLimitSettings {
  databaseUrl: string;
  authPerMinute: number;
}

/**
 * The store keeps its tables in its own `rate_limit` schema, created by the package's own SQL
 * migrations (its bookkeeping table included, so nothing lands in `public` beside MikroORM's
 * tables). The store starts those migrations unawaited in its constructor; applying them here
 * first, under the package's advisory lock, means the API never serves before the tables exist
 * and the constructor's run finds nothing left to do.
 */
export async function createRateLimits(settings: RateLimitSettings): Promise<RateLimits> {
  // Named per instance, so closing can tell this instance's connections from other replicas'.
  const applicationName = `rate-limit-${randomUUID()}`;
  const connection = { connectionString: settings.databaseUrl, options: `-c search_path=${SCHEMA},public`, application_name: applicationName };
  await applyStoreMigrations(connection);

  const limits = new Map<string, { handler: RequestHandler; store: PostgresStore }>();
  /** The key function of the route a request is passing through, for counters shared by routes. */
  const keyOfRequest = new WeakMap<Request, (req: Request, res: Response) => string>();
  const keyedCounters = new Map<string, RequestHandler>();
  return {
    keyed(name, settings, key) {
      // Replicas with the same limit and window share one count; a changed one starts its own.
      const prefix = `${name}:${settings.limit}:${settings.windowMs}`;
      let counter = keyedCounters.get(prefix);
      if (!counter) {
        const store = new PostgresStore({ ...connection, max: POOL_MAX }, prefix);
        counter = rateLimit({
          windowMs: settings.windowMs,
          limit: settings.limit,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          store,
          keyGenerator: (req, res) => keyOfRequest.get(req)!(req, res),
          handler: (_req, _res, next) => next(publicError(FailureType.RateLimited, settings.message)),
        });
        keyedCounters.set(prefix, counter);
        limits.set(`keyed:${prefix}`, { handler: counter, store });
      }
      const shared = counter;
      // One counter (and pool) per name, but each caller's own key: two routes limited under one
      // name must not count against whichever route asked first.
      return (req, res, next) => {
        keyOfRequest.set(req, key);
        return shared(req, res, next);
      };
    },
    auth(tenant) {
      let limit = limits.get(tenant);
      if (!limit) {
        // Replicas with the same limit share one window; a changed limit starts its own.
        const store = new PostgresStore({ ...connection, max: POOL_MAX }, `auth:${tenant}:${settings.authPerMinute}`);
        const handler = rateLimit({
          windowMs: WINDOW_MS,
          limit: settings.authPerMinute,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          store,
          keyGenerator: (req) => `${tenant}:${ipKeyGenerator(req.ip ?? '')}`,
          handler: (_req, _res, next) => next(new DomainError(FailureType.RateLimited, 'Too many requests; try again later.')),
        });
        limit = { handler, store };
        limits.set(tenant, limit);
      }
      return limit.handler;
    },
    async close() {
      await Promise.all([...limits.values()].map(({ store }) => (store.pool as pg.Pool).end()));
      limits.clear();
      keyedCounters.clear();
      await storeMigrationsFinished(connection, applicationName);
    },
  };
}

/**
 * Each store's constructor starts its own migration run on a client of its own, unawaited and
 * without an error listener. A database that stops while one is still connected makes that client
 * throw an unhandled 'error' and kills the process, so closing waits for those connections to go.
 */
async function storeMigrationsFinished(connection: pg.ClientConfig, applicationName: string): Promise<void> {
  const client = new pg.Client({ ...connection, application_name: `${applicationName}-close` });
  await client.connect();
  try {
    for (const deadline = Date.now() + CLOSE_WAIT_MS; Date.now() < deadline; ) {
      const { rows } = await client.query<{ open: number }>('select count(*)::int as open from pg_stat_activity where application_name = $1', [applicationName]);
      if (rows[0]!.open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
}

async function applyStoreMigrations(connection: pg.ClientConfig): Promise<void> {
  const packageEntry = createRequire(import.meta.url).resolve('@acpr/rate-limit-postgresql');
  const client = new pg.Client(connection);
  await client.connect();
  try {
    // Replicas starting together on a fresh database would race on `create schema`.
    await client.query(`select pg_advisory_lock(hashtext('${SCHEMA}'))`);
    await client.query(`create schema if not exists ${SCHEMA}`);
    await migrate({ client }, join(dirname(packageEntry), 'migrations'));
  } finally {
    await client.end();
  }
}
