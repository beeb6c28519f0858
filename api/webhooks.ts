import express from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { DomainError, FailureType } from '../core/errors.js';
import { PAYMENT_SIGNATURE_HEADER, verifyPaymentWebhook } from '../providers/webhooks.js';
import { FlowType, flowWorkflowId, paymentWebhookSignal } from '../workflows/contracts.js';
import { settleLatePayment } from '../workflows/index.js';
import { startFlow } from './flows.js';
import { notFoundHandler, platformEnvelope, surfaceErrorHandler } from './errors.js';

/**
 * Provider webhooks: verified over the raw body, deduplicated on the provider's event id, then
 * handed to the waiting flow as a signal. If the signal cannot be delivered the event is forgotten
 * and 503 returned, so the provider's redelivery tries again.
 */
export function createWebhookRouter(deps: { config: Config; em: EntityManager; temporal: Client; logger: Logger }): express.Router {
  const router = express.Router();
  router.post('/payments/onepipe', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const event = verifyPaymentWebhook({
      rawBody,
      header: req.get(PAYMENT_SIGNATURE_HEADER) ?? '',
      secret: deps.config.WEBHOOK_SECRET,
      toleranceSeconds: deps.config.WEBHOOK_TOLERANCE_SECONDS,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    const em = deps.em.fork();
    const [transaction] = await em.execute<{ workflow_id: string; tenant: string; user_id: string }[]>(
      `select workflow_id, tenant, user_id from wallet_transactions where reference = ? and kind = 'funding'`,
      [event.reference],
    );
    if (!transaction) throw new DomainError(FailureType.NotFound, `unknown reference ${event.reference}`);
    const inserted = await em.execute<{ id: string }[]>(
      `insert into webhook_events (provider, event_id, reference, payload) values ('onepipe', ?, ?, ?)
       on conflict (provider, event_id) do nothing returning id`,
      [event.eventId, event.reference, rawBody.toString('utf8')],
    );
    if (!inserted[0]) {
      res.json({ received: true, duplicate: true });
      return;
    }
    try {
      await deps.temporal.workflow.getHandle(transaction.workflow_id).signal(paymentWebhookSignal, {
        eventId: event.eventId,
        reference: event.reference,
        status: event.status,
        amountMinor: event.amountMinor.toString(),
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // The funding flow has ended. If it gave up before this payment arrived, credit it now.
        if (event.status === 'success') {
          await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
            workflow: settleLatePayment,
            workflowId: flowWorkflowId(transaction.tenant, FlowType.LatePayment, event.reference),
            args: [
              {
                tenant: transaction.tenant,
                reference: event.reference,
                fundingWorkflowId: transaction.workflow_id,
                eventId: event.eventId,
                amountMinor: event.amountMinor.toString(),
              },
            ],
            tenant: transaction.tenant,
            userId: Number(transaction.user_id),
            flowType: FlowType.LatePayment,
            requestId: String(req.id),
            memo: { reference: event.reference },
          });
        }
        res.json({ received: true, flow: 'closed' });
        return;
      }
      await em.execute(`delete from webhook_events where provider = 'onepipe' and event_id = ?`, [event.eventId]);
      throw err;
    }
    res.json({ received: true });
  });
  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(platformEnvelope, deps.logger));
  return router;
}
