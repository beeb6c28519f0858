import type { Response } from 'express';
import { DomainError, FailureType } from '../../../core/errors.js';
import { toMajorNumber } from '../../../core/money.js';
import { BillService, DataPlan } from '../../../db/entities/index.js';
import type { RouteDoc } from '../../openapi.js';
import { body, query } from '../../validation.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { runPurchase, type PurchaseResult } from '../../wallet-flows.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MAXTERA, MAXTERA_REFERENCES } from './tenant.js';

export function registerPurchaseRoutes({ deps, route, authenticated, idempotency }: SurfaceRoutes): void {
  const { unauthorized } = S.ERROR_RESPONSES;
  const purchaseSeq = () => nextReferenceNumber(deps.em, MAXTERA.slug, MAXTERA_REFERENCES.purchase);

  route(
    {
      method: 'post',
      path: '/api/v1/airtime/purchase/',
      summary: 'Buy airtime',
      description:
        'Reserves the amount, asks the network, then settles or releases it. Answers with the final status; `pending` (HTTP 202) if the network has not answered within the wait.',
      secured: true,
      idempotent: true,
      body: S.AirtimeBody,
      responses: purchaseResponses(S.PurchaseResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.AirtimeBody);
      const result = await runPurchase(deps, req, {
        kind: 'airtime',
        amountMinor: input.amount,
        reference: `${input.network}-${yyyymmdd()}-${String(await purchaseSeq()).padStart(3, '0')}`,
        serviceId: input.network,
        recipient: input.phone_number,
        description: `${input.network} airtime for ${input.phone_number}`,
      });
      sendPurchase(res, result, { status: result.status, reference: result.reference });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/data/plans/',
      summary: 'Data plan catalogue, optionally for one network',
      description: 'Not in the original contract: lists the `plan` codes that /data/purchase/ accepts.',
      secured: true,
      query: S.PlansQuery,
      responses: { 200: { description: 'Plans', schema: S.DataPlanItem.array() }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const { network } = query(req, S.PlansQuery);
      const plans = await deps.em
        .fork()
        .find(DataPlan, { tenant: MAXTERA.slug, active: true, ...(network ? { network } : {}) }, { orderBy: { network: 'asc', price: 'asc' } });
      res.json(
        plans.map((p) => ({ network: p.network, plan: p.code, name: p.name, amount: toMajorNumber(p.price, MAXTERA.currency), validity_days: p.validityDays })),
      );
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/data/purchase/',
      summary: 'Buy a data bundle',
      description: '`plan` is a plan code from /data/plans/ for that network; its catalogue price is charged.',
      secured: true,
      idempotent: true,
      body: S.DataBody,
      responses: purchaseResponses(S.PurchaseResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.DataBody);
      const plan = await deps.em.fork().findOne(DataPlan, { tenant: MAXTERA.slug, network: input.network, code: input.plan, active: true });
      if (!plan) {
        throw new DomainError(FailureType.Validation, `Unknown ${input.network} plan ${input.plan}.`, {
          fields: { plan: [`"${input.plan}" is not a valid ${input.network} data plan.`] },
        });
      }
      const result = await runPurchase(deps, req, {
        kind: 'data',
        amountMinor: BigInt(plan.price),
        reference: `${input.network}-DATA-${String(await purchaseSeq()).padStart(3, '0')}`,
        serviceId: input.network,
        recipient: input.phone_number,
        variationCode: input.plan,
        description: `${plan.name} for ${input.phone_number}`,
      });
      sendPurchase(res, result, { status: result.status, reference: result.reference });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/v1/bills/services/',
      summary: 'Bill services (cable TV, electricity) and their amount limits',
      description: 'Not in the original contract: lists the `service_type` codes that /bills/pay/ accepts.',
      secured: true,
      responses: { 200: { description: 'Services', schema: S.BillServiceItem.array() }, 401: unauthorized },
    },
    authenticated,
    async (_req, res) => {
      const services = await deps.em.fork().find(BillService, { tenant: MAXTERA.slug, active: true }, { orderBy: { category: 'asc', code: 'asc' } });
      res.json(
        services.map((s) => ({
          service_type: s.code,
          name: s.name,
          category: s.category,
          min_amount: toMajorNumber(s.minAmount, MAXTERA.currency),
          max_amount: toMajorNumber(s.maxAmount, MAXTERA.currency),
        })),
      );
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/bills/pay/',
      summary: 'Pay a cable, electricity or other bill',
      description: '`smartcard_number` is the smartcard, IUC or meter number of the service.',
      secured: true,
      idempotent: true,
      body: S.BillBody,
      responses: purchaseResponses(S.BillResponse),
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.BillBody);
      const service = await deps.em.fork().findOne(BillService, { tenant: MAXTERA.slug, code: input.service_type, active: true });
      if (!service) {
        throw new DomainError(FailureType.Validation, `Unknown service ${input.service_type}.`, {
          fields: { service_type: [`"${input.service_type}" is not a valid choice.`] },
        });
      }
      const [min, max] = [service.minAmount, service.maxAmount];
      if (input.amount < min || input.amount > max) {
        const message = `Amount for ${input.service_type} must be between ${toMajorNumber(min, MAXTERA.currency)} and ${toMajorNumber(max, MAXTERA.currency)}.`;
        throw new DomainError(FailureType.Validation, message, { fields: { amount: [message] } });
      }
      const result = await runPurchase(deps, req, {
        kind: 'bill',
        amountMinor: input.amount,
        reference: `BILL-${await purchaseSeq()}`,
        serviceId: input.service_type,
        recipient: input.smartcard_number,
        description: `${service.name} for ${input.smartcard_number}`,
      });
      sendPurchase(res, result, { status: result.status, transaction_id: result.reference });
    },
  );
}

/** 200 with the final status (and why, if it failed), or 202 while the provider is undecided. */
function sendPurchase(res: Response, result: PurchaseResult, payload: Record<string, string>): void {
  if (result.status === 'failed') payload.detail = result.failureReason ?? 'The purchase could not be completed.';
  res.status(result.status === 'pending' ? 202 : 200).json(payload);
}

function purchaseResponses(schema: NonNullable<RouteDoc['responses'][number]['schema']>): RouteDoc['responses'] {
  return {
    200: { description: 'Final status (success or failed)', schema },
    202: { description: 'Still pending at the provider; check /transactions/', schema },
    400: { description: 'Invalid input (field errors) or insufficient wallet balance (detail)' },
    401: S.ERROR_RESPONSES.unauthorized,
    409: S.ERROR_RESPONSES.keyInProgress,
    422: S.ERROR_RESPONSES.keyReused,
  };
}

function yyyymmdd(d = new Date()): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}
