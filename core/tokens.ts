import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from './errors.js';

/** HS256 only: a token signed with any other algorithm (or none) is refused. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256' as const;

export interface AccessClaims {
  sub: string;
  tenant: string;
  role: 'user' | 'admin';
  typ: 'access';
  /** The login (refresh-token family) this token belongs to, so a surface can refuse it once the login ended. */
  sid?: string;
}

/** What a verified access token carries besides the claims we sign. */
export interface VerifiedAccessClaims extends AccessClaims {
  aud?: string | string[];
  iss?: string;
  exp?: number;
}

/** An access token is for one tenant only: its audience and its tenant claim both name it. */
export function isAccessTokenFor(claims: VerifiedAccessClaims, tenant: string | undefined): boolean {
  return tenant !== undefined && claims.typ === 'access' && claims.aud === tenant && claims.tenant === tenant;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface TokenSettings {
  secret: string;
  issuer: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface TokenSubject {
  id: number;
  tenant: string;
  role: 'user' | 'admin';
}

/** A signed-in caller and the login their access token belongs to. */
export interface SessionSubject {
  id: number;
  tenant: string;
  session?: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function createTokenService(settings: TokenSettings) {
  /** `familyId` names the login; surfaces that check sessions (`auth.liveSession`) refuse a token without one. */
  function signAccess(subject: TokenSubject, familyId?: string): string {
    const claims: AccessClaims = { sub: String(subject.id), tenant: subject.tenant, role: subject.role, typ: 'access', ...(familyId && { sid: familyId }) };
    return jwt.sign(claims, settings.secret, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      expiresIn: settings.accessTtlSeconds,
      issuer: settings.issuer,
      audience: subject.tenant,
      jwtid: randomUUID(),
    });
  }

  async function storeRefresh(tx: EntityManager, subject: TokenSubject, familyId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await tx.execute(
      `insert into refresh_tokens (id, user_id, tenant, family_id, token_hash, expires_at)
       values (?, ?, ?, ?, ?, now() + make_interval(secs => ?))`,
      [randomUUID(), subject.id, subject.tenant, familyId, hashOf(token), settings.refreshTtlSeconds],
    );
    return token;
  }

  return {
    jwtOptions: {
      secretOrKey: settings.secret,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: settings.issuer,
    },

    async issue(em: EntityManager, subject: TokenSubject): Promise<TokenPair> {
      const familyId = randomUUID();
      const refresh = await em.fork().transactional((tx) => storeRefresh(tx, subject, familyId));
      return { access: signAccess(subject, familyId), refresh };
    },

    /**
     * Exchanges a refresh token for a new pair. A token presented a second time means it was
     * copied: the whole family (every token of that login) is revoked.
     */
    async rotate(em: EntityManager, tenant: string, refreshToken: string): Promise<TokenPair> {
      const outcome = await em.fork().transactional(async (tx) => {
        const [row] = await tx.execute<
          { id: string; user_id: string; family_id: string; used_at: Date | null; revoked_at: Date | null; expired: boolean; role: 'user' | 'admin' }[]
        >(
          `select t.id, t.user_id, t.family_id, t.used_at, t.revoked_at, t.expires_at <= now() as expired, u.role
           from refresh_tokens t join users u on u.id = t.user_id
           where t.token_hash = ? and t.tenant = ? for update of t`,
          [hashOf(refreshToken), tenant],
        );
        if (!row || row.revoked_at || row.expired) return { kind: 'invalid' as const };
        if (row.used_at) {
          await tx.execute('update refresh_tokens set revoked_at = now() where family_id = ? and revoked_at is null', [row.family_id]);
          return { kind: 'reused' as const };
        }
        await tx.execute('update refresh_tokens set used_at = now() where id = ?', [row.id]);
        const subject: TokenSubject = { id: Number(row.user_id), tenant, role: row.role };
        return { kind: 'rotated' as const, subject, familyId: row.family_id, refresh: await storeRefresh(tx, subject, row.family_id) };
      });
      if (outcome.kind !== 'rotated') {
        throw unauthenticated('invalid-refresh');
      }
      return { access: signAccess(outcome.subject, outcome.familyId), refresh: outcome.refresh };
    },

    /**
     * A new access token for a valid refresh token, which stays valid (for apps whose refresh
     * answers an access token only, so rotating would strand their stored refresh token).
     */
    async exchange(em: EntityManager, tenant: string, refreshToken: string): Promise<{ access: string; subject: TokenSubject }> {
      const [row] = await em.fork().execute<{ user_id: string; role: 'user' | 'admin' }[]>(
        `select t.user_id, u.role from refresh_tokens t join users u on u.id = t.user_id
         where t.token_hash = ? and t.tenant = ? and t.used_at is null and t.revoked_at is null and t.expires_at > now()`,
        [hashOf(refreshToken), tenant],
      );
      if (!row) throw unauthenticated('invalid-refresh');
      const subject: TokenSubject = { id: Number(row.user_id), tenant, role: row.role };
      return { access: signAccess(subject), subject };
    },

    /**
     * Logout: the presented token's family can no longer be refreshed. Only the caller's own
     * token counts; another user's token is refused and stays valid.
     */
    async revoke(em: EntityManager, subject: Pick<TokenSubject, 'id' | 'tenant'>, refreshToken: string): Promise<void> {
      const [owned] = await em.fork().execute<{ family_id: string }[]>(
        `with owned as (
           select family_id from refresh_tokens where token_hash = ? and tenant = ? and user_id = ?
         ), revoked as (
           update refresh_tokens set revoked_at = now()
           where family_id in (select family_id from owned) and revoked_at is null
         )
         select family_id from owned`,
        [hashOf(refreshToken), subject.tenant, subject.id],
      );
      if (!owned) throw unauthenticated('invalid-refresh');
    },

    /** True while the access token's login can still be refreshed: not logged out, not revoked for reuse, not expired. */
    async isSessionLive(em: EntityManager, subject: SessionSubject): Promise<boolean> {
      if (!subject.session) return false;
      const [row] = await em.fork().execute<{ live: boolean }[]>(
        `select exists (
           select 1 from refresh_tokens
           where family_id = ? and user_id = ? and tenant = ? and revoked_at is null and expires_at > now()
         ) as live`,
        [subject.session, subject.id, subject.tenant],
      );
      return row?.live === true;
    },

    /** Logout by access token: its whole login ends, refresh tokens and (for surfaces that check) access tokens alike. */
    async endSession(em: EntityManager, subject: SessionSubject): Promise<void> {
      if (!subject.session) throw unauthenticated('invalid');
      await em.fork().execute(
        'update refresh_tokens set revoked_at = now() where family_id = ? and user_id = ? and tenant = ? and revoked_at is null',
        [subject.session, subject.id, subject.tenant],
      );
    },
  };
}

/** Ends every login of a user (account closed, blocked), inside the caller's transaction. */
export async function revokeAllSessions(tx: EntityManager, tenant: string, userId: number): Promise<number> {
  const revoked = await tx.execute<{ id: string }[]>(
    'update refresh_tokens set revoked_at = now() where tenant = ? and user_id = ? and revoked_at is null returning id',
    [tenant, userId],
  );
  return revoked.length;
}

export type TokenService = ReturnType<typeof createTokenService>;
