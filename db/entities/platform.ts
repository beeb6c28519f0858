import { defineEntity, p } from '@mikro-orm/core';

/** A stored response for an Idempotency-Key, scoped to the caller. */
export const IdempotencyRecord = defineEntity({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_records',
  uniques: [{ properties: ['tenant', 'scope', 'key'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    tenant: p.string().length(32),
    scope: p.string(),
    key: p.string(),
    requestHash: p.string().length(64),
    state: p.enum(['in_progress', 'completed'] as const),
    statusCode: p.integer().nullable(),
    contentType: p.string().nullable(),
    responseBody: p.text().nullable(),
    lockedUntil: p.datetime(),
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

/** Provider webhooks already accepted, so a redelivered event does nothing twice. */
export const WebhookEvent = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  uniques: [{ properties: ['provider', 'eventId'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    provider: p.string().length(32),
    eventId: p.string(),
    reference: p.string(),
    payload: p.json<Record<string, unknown>>(),
    receivedAt: p.datetime().defaultRaw('now()'),
  },
});
