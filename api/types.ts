import type { Logger } from '../core/logger.js';

export interface TenantContext {
  slug: string;
  currency: string;
}

export interface AuthUser {
  id: number;
  tenant: string;
  role: 'user' | 'admin';
  /** The login the access token belongs to (its refresh-token family). */
  session?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges AuthUser into Passport's req.user
    interface User extends AuthUser {}
    interface Request {
      tenant?: TenantContext;
      log: Logger;
      id: string | number | object;
    }
  }
}
