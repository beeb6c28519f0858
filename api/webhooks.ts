import express from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { DomainError, FailureType, publicError } from '../core/errors.js';
import { WalletTransaction } from '../db/entities/index.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { PaymentWebhookEvent } from '../providers/types.js';
import { FlowType, flowWorkflowId, paymentWebhookSignal } from '../workflows/contracts.js';
import { parkUnmatchedPayment, settleLatePayment } from '../workflows/index.js';
import { startFlow } from './flows.js';
import { notFoundHandler, platformEnvelope, surfaceErrorHandler } from './errors.js';

export interface WebhookDeps {
  config: Config;
  em: EntityManager;
  temporal: Client;
  providers: ProviderRegistry;
  logger: Logger;
}

/** A verified event as the inbox stored it. */
interface StoredEvent {
  id: string;
  provider: string;
  tenant: string;
  event: PaymentWebhookEvent;
  delivered: boolean;
}

/**
 * Provider webhooks at /webhooks/{provider} (or /webhooks/{provider}/{tenant} where a provider
 * collects for several tenants), through one inbox: the verified event is stored first, then
 * handed to its flow, and marked delivered only once the hand-off succeeded. A redelivery of an
 * event that was stored but never handed off (the hand-off failed, or the API died in between) is
 * handed off again; only a delivered event is answered as a duplicate.
 */
export function createWebhookRouter(deps: WebhookDeps): express.Router {
  const router = express.Router();
  router.post('/:provider{/:tenant}', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const provider = String(req.params.provider);
    const receiver = deps.providers.webhookReceiver(provider);
    if (!receiver) throw new DomainError(FailureType.NotFound, 'Not found.');
    const tenant = req.params.tenant ? String(req.params.tenant) : receiver.tenants.length === 1 ? receiver.tenants[0] : undefined;
    if (!tenant || !receiver.tenants.includes(tenant)) throw new DomainError(FailureType.NotFound, 'Not found.');

    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const event = receiver.verify({ rawBody, header: (name) => req.get(name), nowSeconds: Math.floor(Date.now() / 1000) });
    if (!event) {
      // Authentic but not final (a payment under review, an intermediate event): acknowledged, so
      // the provider stops redelivering; the final event or reconciliation settles the money.
      res.json({ received: true, ignored: true });
      return;
    }
    const stored = await recordWebhookEvent(deps.em.fork(), { provider, tenant, event, rawBody });
    if (stored.delivered) {
      res.json({ received: true, duplicate: true });
      return;
    }
    try {
      await deliverPaymentEvent(deps, stored, String(req.id));
    } catch (err) {
      req.log.error({ err, provider, eventId: event.eventId }, 'webhook hand-off failed; the provider will redeliver');
      throw publicError(FailureType.Unavailable, 'The event was stored but not yet delivered; please redeliver.');
    }
    await deps.em.fork().execute('update webhook_events set delivered_at = now() where id = ? and delivered_at is null', [stored.id]);
    res.json({ received: true });
  });
  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(platformEnvelope, deps.logger));
  return router;
}

async function recordWebhookEvent(
  em: EntityManager,
  input: { provider: string; tenant: string; event: PaymentWebhookEvent; rawBody: Buffer },
): Promise<StoredEvent> {
  const [row] = await em.execute<{ id: string; tenant: string; delivered: boolean }[]>(
    `insert into webhook_events (provider, tenant, event_id, reference, payload) values (?, ?, ?, ?, ?)
     on conflict (provider, event_id) do update set delivery_attempts = webhook_events.delivery_attempts + 1
     returning id, tenant, delivered_at is not null as delivered`,
    [input.provider, input.tenant, input.event.eventId, input.event.reference, input.rawBody.toString('utf8')],
  );
  return { id: row!.id, provider: input.provider, tenant: row!.tenant, event: input.event, delivered: row!.delivered };
}

/**
 * Hands a payment event to the flow that waits for it. Every path is idempotent (a signal the
 * flow takes once, flows keyed by the deposit or the event), so delivering twice is harmless.
 */
async function deliverPaymentEvent(deps: WebhookDeps, stored: StoredEvent, requestId: string): Promise<void> {
  const { event, tenant } = stored;
  const deposit = await deps.em.fork().findOne(WalletTransaction, { tenant, reference: event.reference, kind: 'funding' });
  const amountMinor = event.amountMinor.toString();
  if (!deposit) {
    // Money for a reference nobody is waiting for is parked in suspense, never dropped.
    if (event.status !== 'success') return;
    await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
      workflow: parkUnmatchedPayment,
      workflowId: flowWorkflowId(tenant, FlowType.UnmatchedPayment, `${stored.provider}:${event.eventId}`),
      args: [{ tenant, provider: stored.provider, eventId: event.eventId, reference: event.reference, amountMinor }],
      tenant,
      flowType: FlowType.UnmatchedPayment,
      requestId,
      memo: { reference: event.reference, amountMinor },
    });
    return;
  }
  try {
    await deps.temporal.workflow
      .getHandle(deposit.workflowId)
      .signal(paymentWebhookSignal, { eventId: event.eventId, reference: event.reference, status: event.status, amountMinor });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // The funding flow has ended. If it gave up before this payment arrived, credit it now.
    if (event.status !== 'success') return;
    await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
      workflow: settleLatePayment,
      workflowId: flowWorkflowId(tenant, FlowType.LatePayment, event.reference),
      args: [{ tenant, reference: event.reference, fundingWorkflowId: deposit.workflowId, eventId: event.eventId, amountMinor }],
      tenant,
      userId: deposit.userId,
      flowType: FlowType.LatePayment,
      requestId,
      memo: { reference: event.reference },
    });
  }
}
