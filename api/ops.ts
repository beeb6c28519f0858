import express from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import { DomainError, FailureType, publicError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { toMajorString } from '../core/money.js';
import { findUser } from '../core/users.js';
import { ReconciliationItem, Tenant, WalletTransaction } from '../db/entities/index.js';
import { FlowType, flowWorkflowId, purchaseDecisionSignal } from '../workflows/contracts.js';
import { resolveSuspenseItem } from '../workflows/index.js';
import type { Auth } from './auth.js';
import { requireUser } from './auth.js';
import { notFoundHandler, platformEnvelope, surfaceErrorHandler } from './errors.js';
import { startFlow } from './flows.js';
import { z, type OpenApi } from './openapi.js';
import { routeBuilder } from './routes.js';
import { body, params } from './validation.js';

export interface OpsDeps {
  config: Config;
  em: EntityManager;
  temporal: Client;
  auth: Auth;
  openapi: OpenApi;
  logger: Logger;
}

const TenantParams = z.object({ tenant: z.string().regex(/^[a-z]{2,32}$/) });
const DecisionParams = TenantParams.extend({ reference: z.string().min(1).max(255) });
const ItemParams = TenantParams.extend({ id: z.coerce.number().int().positive() });
const Reason = z.string().trim().min(3).max(500);
const DecisionBody = z.object({
  action: z.enum(['post', 'void']).openapi({ description: '`post`: the provider delivered, keep the money; `void`: refund the user' }),
  reason: Reason,
});
const ResolveBody = z.object({ action: z.literal('credit_wallet'), user_id: z.number().int().positive(), reason: Reason });

const Review = z.object({
  reference: z.string(),
  workflow_id: z.string(),
  kind: z.string(),
  amount: z.string(),
  currency: z.string(),
  since: z.string().nullable(),
  reason: z.string().nullable(),
});
const SuspenseItem = z.object({
  id: z.number(),
  reference: z.string(),
  amount: z.string(),
  currency: z.string(),
  created_at: z.string(),
  details: z.record(z.string(), z.unknown()),
});
const Reviews = z.object({ purchases: Review.array(), suspense: SuspenseItem.array() });
const Accepted = z.object({ workflow_id: z.string(), status: z.literal('accepted') });
const ErrorBody = z.object({ error: z.string() });

/**
 * Operations for a tenant's admins, at /ops/{tenant}: what waits for a person (purchases under
 * review, money in suspense) and the decisions that release it. Decisions go to the flows as
 * signals (or start a flow), so the Temporal UI shows who decided what, and when.
 */
export function createOpsRouter(deps: OpsDeps): express.Router {
  const router = express.Router({ mergeParams: true });
  const route = routeBuilder(router, deps.openapi, { mountPath: '/ops/:tenant', tag: 'Operations' });
  const errors = { 400: { description: 'Invalid input', schema: ErrorBody }, 401: { description: 'Not signed in', schema: ErrorBody }, 403: { description: 'Not an admin of this tenant', schema: ErrorBody } };

  router.use(express.json({ limit: '16kb' }));
  router.use(async (req, _res, next) => {
    const { tenant } = params(req, TenantParams);
    const row = await deps.em.fork().findOne(Tenant, { slug: tenant });
    if (!row) throw new DomainError(FailureType.NotFound, 'Not found.');
    req.tenant = { slug: row.slug, currency: row.currency };
    next();
  });
  router.use(deps.auth.initialize, deps.auth.authenticated, (req, _res, next) => {
    if (requireUser(req).role !== 'admin') throw publicError(FailureType.Forbidden, 'Only an admin of this tenant may do this.');
    next();
  });

  route(
    {
      method: 'get',
      path: '/reviews',
      summary: 'What waits for an operator: purchases under review and money parked in suspense',
      secured: true,
      params: TenantParams,
      responses: { 200: { description: 'Open items', schema: Reviews }, ...errors },
    },
    async (req, res) => {
      const tenant = req.tenant!.slug;
      const em = deps.em.fork();
      const purchases = await em.find(WalletTransaction, { tenant, underReview: true, status: 'pending' }, { orderBy: { id: 'asc' } });
      const suspense = await em.find(ReconciliationItem, { tenant, status: 'open' }, { orderBy: { id: 'asc' } });
      res.json({
        purchases: purchases.map((p) => {
          const review = (p.details.review ?? {}) as { since?: string; reason?: string };
          return {
            reference: p.reference,
            workflow_id: p.workflowId,
            kind: p.kind,
            amount: toMajorString(p.amount, p.currency),
            currency: p.currency,
            since: review.since ?? null,
            reason: review.reason ?? null,
          };
        }),
        suspense: suspense.map((i) => ({
          id: i.id,
          reference: i.reference,
          amount: toMajorString(i.amount, i.currency),
          currency: i.currency,
          created_at: i.createdAt.toISOString(),
          details: i.details,
        })),
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/purchases/:reference/decision',
      summary: 'Decide a purchase under review: post (delivered) or void (refund)',
      description:
        'Sends the decision to the purchase flow as the `purchaseDecision` signal; the flow posts or voids its hold and finishes. The same can be sent from the Temporal CLI (see the README).',
      secured: true,
      params: DecisionParams,
      body: DecisionBody,
      responses: { 202: { description: 'Decision delivered to the flow', schema: Accepted }, 404: { description: 'No purchase under review with that reference', schema: ErrorBody }, ...errors },
    },
    async (req, res) => {
      const { reference } = params(req, DecisionParams);
      const decision = body(req, DecisionBody);
      const purchase = await deps.em.fork().findOne(WalletTransaction, { tenant: req.tenant!.slug, reference, underReview: true, status: 'pending' });
      if (!purchase) throw publicError(FailureType.NotFound, 'No purchase under review has that reference.');
      try {
        await deps.temporal.workflow
          .getHandle(purchase.workflowId)
          .signal(purchaseDecisionSignal, { ...decision, operator: `admin:${requireUser(req).id}` });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw publicError(FailureType.Conflict, 'The purchase flow is no longer running.');
        throw err;
      }
      res.status(202).json({ workflow_id: purchase.workflowId, status: 'accepted' });
    },
  );

  route(
    {
      method: 'post',
      path: '/reconciliation-items/:id/resolve',
      summary: "Place money from suspense into a user's wallet",
      secured: true,
      params: ItemParams,
      body: ResolveBody,
      responses: { 202: { description: 'Resolution flow started', schema: Accepted }, 404: { description: 'No open item, or no such user', schema: ErrorBody }, ...errors },
    },
    async (req, res) => {
      const { id } = params(req, ItemParams);
      const input = body(req, ResolveBody);
      const tenant = req.tenant!.slug;
      const item = await deps.em.fork().findOne(ReconciliationItem, { id, tenant, status: 'open' });
      if (!item) throw publicError(FailureType.NotFound, 'No open reconciliation item has that id.');
      if (!(await findUser(deps.em, tenant, input.user_id))) throw publicError(FailureType.NotFound, 'No user of this tenant has that id.');
      const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
        workflow: resolveSuspenseItem,
        workflowId: flowWorkflowId(tenant, FlowType.ResolveSuspense, String(id)),
        args: [{ tenant, itemId: id, userId: input.user_id, reason: input.reason, operator: `admin:${requireUser(req).id}` }],
        tenant,
        userId: input.user_id,
        flowType: FlowType.ResolveSuspense,
        requestId: String(req.id),
        memo: { itemId: id },
      });
      res.status(202).json({ workflow_id: handle.workflowId, status: 'accepted' });
    },
  );

  router.use(notFoundHandler());
  router.use(surfaceErrorHandler(platformEnvelope, deps.logger));
  return router;
}
