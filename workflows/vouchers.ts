import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { VoucherActivities } from '../activities/vouchers.js';
import {
  cancelVoucherUpdate,
  FailureType,
  redeemVoucherUpdate,
  settleEasyPayUpdate,
  voucherIssuedUpdate,
  voucherStateQuery,
  type EasyPaySettlement,
  type SettledVoucher,
  type VoucherFlowInput,
  type VoucherRedemption,
  type VoucherRedemptionRequest,
  type VoucherRefund,
  type VoucherState,
} from './contracts.js';

// Ledger steps: short, retried on transport trouble; business refusals are non-retryable failures.
const vouchers = proxyActivities<VoucherActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One MyMoolah voucher, from issue to its last cent. Issue debits the wallet into the voucher
 * float. An EasyPay voucher then waits for its settlement (or its cancellation) until its expiry
 * timer, and is refunded in full if none comes; an active voucher is redeemed in parts until its
 * own expiry, when what is left goes back to the wallet. Settlement, redemption, cancellation and
 * expiry take turns, so two of them never act on one voucher at once.
 */
export async function voucher(input: VoucherFlowInput): Promise<VoucherState> {
  const state: VoucherState = { status: 'issuing' };
  let turn: Promise<unknown> = Promise.resolve();
  /** Runs one step after the previous one finished, whatever its outcome. */
  function inTurn<T>(step: () => Promise<T>): Promise<T> {
    const run = turn.then(step, step);
    turn = run.catch(() => undefined);
    return run;
  }

  setHandler(voucherStateQuery, () => state);
  setHandler(voucherIssuedUpdate, async () => {
    await condition(() => state.status !== 'issuing');
    if (state.status === 'refused') {
      throw ApplicationFailure.create({ type: state.refusal, message: 'the voucher could not be issued', nonRetryable: true });
    }
    return state;
  });
  setHandler<SettledVoucher, [EasyPaySettlement], typeof settleEasyPayUpdate>(
    settleEasyPayUpdate,
    (settlement: EasyPaySettlement): Promise<SettledVoucher> =>
      inTurn(async () => {
        const settled = await passOn(() => vouchers.settleEasyPayVoucher(state.voucherId!, settlement, input.timing.voucherExpiryMs));
        state.status = 'active';
        state.expiresAt = settled.expiresAt;
        return settled;
      }),
    { validator: requireIssued },
  );
  setHandler<VoucherRedemption, [VoucherRedemptionRequest], typeof redeemVoucherUpdate>(
    redeemVoucherUpdate,
    (request: VoucherRedemptionRequest): Promise<VoucherRedemption> =>
      inTurn(async () => {
        const redeemed = await passOn(() => vouchers.redeemVoucher(state.voucherId!, request));
        state.status = redeemed.status;
        return redeemed;
      }),
    { validator: requireIssued },
  );
  setHandler(cancelVoucherUpdate, () => inTurn(async () => closedBy(await passOn(() => vouchers.cancelEasyPayVoucher(state.voucherId!)))), {
    validator: requireIssued,
  });

  try {
    const issued = await vouchers.issueVoucher(input);
    Object.assign(state, issued);
  } catch (err) {
    state.status = 'refused';
    state.refusal = failureType(err) ?? FailureType.Validation;
    return state;
  }

  // Pending EasyPay: settlement or cancellation arrive as updates; the timer refunds otherwise.
  // An active voucher: redemptions arrive as updates until it is used up or its expiry comes.
  while (state.status === 'pending_payment' || state.status === 'active') {
    const waitingFor = state.status;
    const untilExpiry = Math.max(new Date(state.expiresAt!).getTime() - Date.now(), 1);
    const changed = await condition(() => state.status !== waitingFor, untilExpiry);
    if (!changed) {
      await inTurn(async () => {
        // A step that ran meanwhile may have settled or closed the voucher; expiry acts only on what is still due.
        if (state.status !== waitingFor) return;
        state.status = (await vouchers.expireVoucher(state.voucherId!)).status;
      });
    }
  }
  await condition(allHandlersFinished);
  return state;

  function closedBy(refund: VoucherRefund): VoucherRefund {
    state.status = refund.status;
    return refund;
  }

  function requireIssued(): void {
    if (state.voucherId === undefined) {
      throw ApplicationFailure.create({ type: FailureType.Conflict, message: 'the voucher is not issued yet', nonRetryable: true });
    }
  }
}

/** An activity's business refusal, passed on to the caller of the update with its type and details. */
async function passOn<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: cause.type ?? undefined, message: cause.message, details: cause.details ? [...cause.details] : undefined, nonRetryable: true });
    }
    throw err;
  }
}

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
