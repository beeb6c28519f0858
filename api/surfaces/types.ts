import type { RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { TokenService } from '../../core/tokens.js';
import type { Auth } from '../auth.js';
import type { OpenApi } from '../openapi.js';
import type { RateLimits } from '../rate-limit.js';
import type { routeBuilder } from '../routes.js';

/** What every surface router is built from. */
export interface SurfaceDeps {
  config: Config;
  em: EntityManager;
  temporal: Client;
  tokens: TokenService;
  auth: Auth;
  openapi: OpenApi;
  logger: Logger;
  /** Shared by every mount of a surface and, through Postgres, by every API replica. */
  rateLimits: RateLimits;
}

/** A surface's route table helpers, shared by its route modules. */
export interface SurfaceRoutes {
  deps: SurfaceDeps;
  route: ReturnType<typeof routeBuilder>;
  authenticated: RequestHandler;
  idempotency: RequestHandler;
  authLimit: RequestHandler;
}
