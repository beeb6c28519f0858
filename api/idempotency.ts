import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType } from '../core/errors.js';
import { requireTenant, requireUser } from './auth.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;
/** After this, a request that never finished (its process died) no longer blocks its key. */
const IN_PROGRESS_LOCK_SECONDS = 120;

interface StoredRecord {
  request_hash: string;
  state: 'in_progress' | 'completed';
  status_code: number | null;
  content_type: string | null;
  response_body: string | null;
  lock_expired: boolean;
}

/**
 * `Idempotency-Key` for money-moving POSTs, scoped to the caller. The same key and body replays
 * the first response byte for byte; another body gets 422; a duplicate arriving while the first
 * is running gets 409. The effect itself is also keyed (workflow ID, posting keys), so even a
 * takeover after a crash cannot apply it twice.
 */
export function idempotent(deps: { em: EntityManager; ttlHours: number }): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new DomainError(FailureType.Validation, `${IDEMPOTENCY_HEADER} must be 1-255 letters, digits or ._:-`, {
        fields: { [IDEMPOTENCY_HEADER]: ['Invalid idempotency key.'] },
      });
    }
    const tenant = requireTenant(req).slug;
    const scope = `user:${requireUser(req).id}`;
    const requestHash = createHash('sha256')
      .update(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const em = deps.em.fork();

    const claimed = await em.execute<{ id: string }[]>(
      `insert into idempotency_records (tenant, scope, key, request_hash, state, locked_until, expires_at)
       values (?, ?, ?, ?, 'in_progress', now() + make_interval(secs => ?), now() + make_interval(hours => ?))
       on conflict (tenant, scope, key) do update
         set request_hash = excluded.request_hash, state = 'in_progress', status_code = null,
             content_type = null, response_body = null, locked_until = excluded.locked_until,
             expires_at = excluded.expires_at, created_at = now()
         where idempotency_records.expires_at <= now()
            or (idempotency_records.state = 'in_progress' and idempotency_records.locked_until <= now()
                and idempotency_records.request_hash = excluded.request_hash)
       returning id`,
      [tenant, scope, key, requestHash, IN_PROGRESS_LOCK_SECONDS, deps.ttlHours],
    );

    if (!claimed[0]) {
      const [stored] = await em.execute<StoredRecord[]>(
        `select request_hash, state, status_code, content_type, response_body, locked_until <= now() as lock_expired
         from idempotency_records where tenant = ? and scope = ? and key = ?`,
        [tenant, scope, key],
      );
      if (!stored) throw new DomainError(FailureType.Conflict, 'Idempotency record vanished; retry the request.');
      if (stored.request_hash !== requestHash) {
        throw new DomainError(
          FailureType.IdempotencyKeyReused,
          'This Idempotency-Key was already used with a different request.',
        );
      }
      if (stored.state === 'in_progress') {
        res.setHeader('Retry-After', '1');
        throw new DomainError(FailureType.IdempotencyInProgress, 'A request with this Idempotency-Key is still in progress.');
      }
      res.setHeader('Idempotent-Replayed', 'true');
      if (stored.content_type) res.setHeader('Content-Type', stored.content_type);
      res.status(stored.status_code ?? 200).end(stored.response_body ?? '');
      return;
    }

    interceptResponse(res, async (statusCode, contentType, bodyText) => {
      if (statusCode >= 500) {
        // Nothing conclusive happened that the client could rely on: let a retry run again.
        await em.execute('delete from idempotency_records where tenant = ? and scope = ? and key = ?', [tenant, scope, key]);
        return;
      }
      await em.execute(
        `update idempotency_records set state = 'completed', status_code = ?, content_type = ?, response_body = ?
         where tenant = ? and scope = ? and key = ?`,
        [statusCode, contentType, bodyText, tenant, scope, key],
      );
    });
    next();
  };
}

/** Stores the response before it is sent, so a duplicate never sees "in progress" after the reply. */
function interceptResponse(
  res: Response,
  persist: (statusCode: number, contentType: string | null, body: string) => Promise<void>,
): void {
  const send = res.send.bind(res);
  let persisted = false;
  res.send = ((body?: unknown) => {
    if (persisted) return send(body);
    persisted = true;
    const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
    const contentType = (res.getHeader('Content-Type') as string | undefined) ?? null;
    persist(res.statusCode, contentType, text).then(
      () => send(body),
      (err: unknown) => {
        res.req.log?.error({ err }, 'could not store the idempotent response');
        send(body);
      },
    );
    return res;
  }) as Response['send'];
}
