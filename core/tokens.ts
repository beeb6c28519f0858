import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType } from './errors.js';

/** HS256 only: a token signed with any other algorithm (or none) is refused. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256' as const;

export interface AccessClaims {
  sub: string;
  tenant: string;
  role: 'user' | 'admin';
  typ: 'access';
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

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function createTokenService(settings: TokenSettings) {
  function signAccess(subject: TokenSubject): string {
    const claims: AccessClaims = { sub: String(subject.id), tenant: subject.tenant, role: subject.role, typ: 'access' };
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
      const refresh = await em.fork().transactional((tx) => storeRefresh(tx, subject, randomUUID()));
      return { access: signAccess(subject), refresh };
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
        return { kind: 'rotated' as const, subject, refresh: await storeRefresh(tx, subject, row.family_id) };
      });
      if (outcome.kind !== 'rotated') {
        throw new DomainError(FailureType.Unauthenticated, 'Token is invalid or expired');
      }
      return { access: signAccess(outcome.subject), refresh: outcome.refresh };
    },

    /** Logout: the presented token's family can no longer be refreshed. */
    async revoke(em: EntityManager, tenant: string, refreshToken: string): Promise<boolean> {
      const rows = await em.fork().execute<{ id: string }[]>(
        `update refresh_tokens set revoked_at = now()
         where family_id = (select family_id from refresh_tokens where token_hash = ? and tenant = ?) and revoked_at is null
         returning id`,
        [hashOf(refreshToken), tenant],
      );
      return rows.length > 0;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
