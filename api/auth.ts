import type { RequestHandler, Request } from 'express';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy as LocalStrategy } from 'passport-local';
import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated, type DomainError } from '../core/errors.js';
import { isAccessTokenFor, type TokenService, type VerifiedAccessClaims } from '../core/tokens.js';
import { verifyPassword } from '../core/users.js';
import type { AuthUser, TenantContext } from './types.js';

export function requireTenant(req: Request): TenantContext {
  if (!req.tenant) throw new Error('surface router did not set the tenant');
  return req.tenant;
}

export function requireUser(req: Request): AuthUser {
  if (!req.user) throw unauthenticated('missing');
  return req.user;
}

/**
 * Passport with two strategies: `jwt` for access tokens (bound to the surface's tenant, so a token
 * from one app is worthless in another) and `local` for email + password logins.
 */
export function createAuth(deps: { em: EntityManager; tokens: TokenService }) {
  const passport = new Passport();

  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        ...deps.tokens.jwtOptions,
        passReqToCallback: true,
      },
      (req: Request, claims: VerifiedAccessClaims, done: (err: unknown, user?: AuthUser | false) => void) => {
        // Signature, algorithm, issuer and expiry are checked by the strategy; the audience is the
        // surface's tenant, which only the request knows.
        if (!isAccessTokenFor(claims, req.tenant?.slug)) return done(null, false);
        done(null, { id: Number(claims.sub), tenant: claims.tenant, role: claims.role, session: claims.sid });
      },
    ),
  );

  passport.use(
    'local',
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false },
      (req, email, password, done) => {
        verifyPassword(deps.em, requireTenant(req).slug, email, password).then(
          (user) => done(null, user ? { id: user.id, tenant: user.tenant, role: user.role } : false),
          done,
        );
      },
    ),
  );

  const authenticateWith =
    (strategy: 'jwt' | 'local', failure: (info: unknown) => DomainError): RequestHandler =>
    (req, res, next) => {
      passport.authenticate(strategy, { session: false }, (err: unknown, user: AuthUser | false, info: unknown) => {
        if (err) return next(err);
        if (!user) return next(failure(info));
        req.user = user;
        next();
      })(req, res, next);
    };

  return {
    initialize: passport.initialize() as RequestHandler,
    // Each surface words these reasons its own way (see its envelope).
    authenticated: authenticateWith('jwt', (info) =>
      unauthenticated(info instanceof Error && info.message === 'No auth token' ? 'missing' : 'invalid'),
    ),
    passwordLogin: authenticateWith('local', () => unauthenticated('bad-credentials')),
    /**
     * After `authenticated`, for surfaces whose logout must stop access tokens at once: refuses a
     * token whose login was ended (logout, refresh-token reuse, account closed).
     */
    liveSession: (async (req, _res, next) => {
      if (!(await deps.tokens.isSessionLive(deps.em, requireUser(req)))) throw unauthenticated('invalid', 'unauthenticated: the login has ended');
      next();
    }) as RequestHandler,
  };
}

export type Auth = ReturnType<typeof createAuth>;
