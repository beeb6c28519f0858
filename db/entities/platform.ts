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

/**
 * The webhook inbox: every verified provider event is stored, then delivered to its flow from the
 * store. `deliveredAt` is set only once the hand-off succeeded, so a redelivery of an event that
 * was recorded but never handed off is delivered again, not dismissed as a duplicate.
 */
export const WebhookEvent = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  uniques: [{ properties: ['provider', 'eventId'] }],
  indexes: [{ properties: ['deliveredAt', 'receivedAt'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    provider: p.string().length(32),
    tenant: p.string().length(32),
    eventId: p.string(),
    reference: p.string(),
    payload: p.json<Record<string, unknown>>(),
    receivedAt: p.datetime().defaultRaw('now()'),
    deliveredAt: p.datetime().nullable(),
    deliveryAttempts: p.integer().default(0),
  },
});

/** The next number of each tenant's references of one kind (deposits, purchases...). */
export const ReferenceSequence = defineEntity({
  name: 'ReferenceSequence',
  tableName: 'reference_sequences',
  properties: {
    tenant: p.string().length(32).primary(),
    kind: p.string().length(32).primary(),
    lastValue: p.bigint('number'),
  },
});
