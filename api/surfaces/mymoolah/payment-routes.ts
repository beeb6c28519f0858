import type { Response } from 'express';
import { toMajorNumber } from '../../../core/money.js';
import { nextReferenceNumber } from '../../../core/references.js';
import { body } from '../../validation.js';
import { runPurchase, type PurchaseOrder, type PurchaseResult } from '../../wallet-flows.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH, MYMOOLAH_REFERENCES } from './tenant.js';

const KIND = { airtime: 'airtime', data: 'data', electricity: 'bill' } as const;

/** Airtime, data and prepaid electricity through Flash or MobileMart, as the platform's purchase flow. */
export function registerPaymentRoutes({ deps, route, authenticated, idempotency }: SurfaceRoutes): void {
  const { invalid, unauthorized, conflict, keyReused } = S.ERRORS;
  const responses = {
    200: { description: 'Final status: success, or failed (and refunded) with the reason', schema: S.Purchased },
    202: { description: 'The provider has not answered yet; the history shows the outcome', schema: S.Purchased },
    400: invalid,
    401: unauthorized,
    409: conflict,
    422: keyReused,
  };
  const reference = async (prefix: string) => `${prefix}-${await nextReferenceNumber(deps.em, MYMOOLAH.slug, MYMOOLAH_REFERENCES.purchase)}`;
  const send = (res: Response, order: PurchaseOrder, result: PurchaseResult) =>
    res.status(result.status === 'pending' ? 202 : 200).json({
      success: result.status !== 'failed',
      message: { success: 'Purchase successful', failed: 'Purchase failed; your wallet was not charged', pending: 'Purchase pending at the provider' }[result.status],
      data: {
        reference: result.reference,
        status: result.status,
        amount: toMajorNumber(order.amountMinor, MYMOOLAH.currency),
        ...(result.failureReason && { failureReason: result.failureReason }),
        ...(result.token && { token: result.token }),
      },
    });

  route(
    {
      method: 'post',
      path: '/api/v1/flash/process',
      summary: 'Buy airtime, data or electricity through Flash',
      description:
        '`productCode`: the network for pinless airtime (VODACOM, MTN, CELLC, TELKOM), a bundle (MTN-DATA-1GB) or ESKOM; `accountNumber`: the mobile or meter number. The amount is reserved, Flash is asked, then the reservation is settled or released; an undecided provider is re-queried (202 meanwhile).',
      secured: true,
      idempotent: true,
      body: S.FlashBody,
      responses,
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.FlashBody);
      const order: PurchaseOrder = {
        capability: 'flash',
        kind: KIND[input.productType],
        amountMinor: input.amount,
        reference: await reference('FLS'),
        serviceId: input.productCode,
        recipient: input.accountNumber,
        description: `Flash ${input.productType} ${input.productCode} for ${input.accountNumber}`,
      };
      send(res, order, await runPurchase(deps, req, order));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/mobilemart/process',
      summary: 'Buy airtime, data or electricity through MobileMart',
      description:
        '`network`: VODACOM, MTN, CELLC or TELKOM for airtime and data (with the bundle as `productCode`, e.g. 1GB-30D), ESKOM or CITYPOWER for electricity; `accountNumber`: the mobile or meter number.',
      secured: true,
      idempotent: true,
      body: S.MobileMartBody,
      responses,
    },
    authenticated,
    idempotency,
    async (req, res) => {
      const input = body(req, S.MobileMartBody);
      const order: PurchaseOrder = {
        capability: 'mobilemart',
        kind: KIND[input.productType],
        amountMinor: input.amount,
        reference: await reference('MMT'),
        serviceId: input.network!,
        variationCode: input.productCode,
        recipient: input.accountNumber,
        description: `MobileMart ${input.productType} ${input.network}${input.productCode ? ` ${input.productCode}` : ''} for ${input.accountNumber}`,
      };
      send(res, order, await runPurchase(deps, req, order));
    },
  );
}
