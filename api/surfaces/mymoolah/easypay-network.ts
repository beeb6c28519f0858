import type { RequestHandler } from 'express';
import { sameText } from '../../../core/credentials.js';
import { DomainError, FailureType, unauthenticated } from '../../../core/errors.js';
import { toMajorString } from '../../../core/money.js';
import { MyMoolahVoucher } from '../../../db/entities/index.js';
import { body } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import * as S from './schemas.js';
import { MYMOOLAH } from './tenant.js';
import { settleEasyPay } from './voucher-routes.js';

/** The EasyPay network authenticates with its API key as a bearer token; no key configured refuses every call. */
export function easyPayNetworkAuth(apiKey: string | undefined): RequestHandler {
  return (req, _res, next) => {
    const presented = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!presented) return next(unauthenticated('missing'));
    if (!apiKey || !sameText(presented, apiKey)) return next(unauthenticated('invalid'));
    next();
  };
}

export function registerEasyPayNetworkRoutes({ deps, route }: SurfaceRoutes): void {
  const { invalid, unauthorized, notFound, conflict } = S.ERRORS;
  route(
    {
      method: 'post',
      path: '/billpayment/v1/easypay/process',
      summary: 'EasyPay network: a customer paid an EasyPay number at a till',
      description:
        'Called by the EasyPay network, authenticated with its API key (`Authorization: Bearer <EASYPAY_API_KEY>`), not a user token. Settles the pending EasyPay voucher with that number after checking the amount, and activates its MMVoucher (whose code only its owner sees). Idempotent on `transaction_id`: a redelivered payment answers as the first time and settles nothing twice; a transaction id already used for another number is refused (409 DUPLICATE_TRANSACTION).',
      secured: true,
      body: S.NetworkSettlementBody,
      responses: { 200: { description: 'Payment accepted', schema: S.NetworkSettled }, 400: invalid, 401: unauthorized, 404: notFound, 409: conflict },
    },
    easyPayNetworkAuth(deps.config.EASYPAY_API_KEY),
    async (req, res) => {
      const input = body(req, S.NetworkSettlementBody);
      const v = await deps.em.fork().findOne(MyMoolahVoucher, { easyPayCode: input.easypay_code });
      if (!v) throw new DomainError(FailureType.NotFound, `no EasyPay voucher ${input.easypay_code}`, { resource: 'voucher' });
      const settled = await settleEasyPay(deps, v, { transactionId: input.transaction_id, amountMinor: input.amount.toString(), merchantId: input.merchant_id, channel: 'network' });
      res.json({
        success: true,
        message: settled.replayed ? 'Payment already processed' : 'Payment processed',
        data: { easypay_code: input.easypay_code, transaction_id: input.transaction_id, status: 'accepted', amount: toMajorString(input.amount, MYMOOLAH.currency) },
      });
    },
  );
}
