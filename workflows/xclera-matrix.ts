import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { XcleraActivities } from '../activities/xclera.js';
import {
  FailureType,
  matrixPreparedUpdate,
  matrixSignedUpdate,
  matrixStateQuery,
  type MatrixPaymentInput,
  type MatrixPaymentOutcome,
  type MatrixPaymentState,
  type MatrixPrepared,
} from './contracts.js';

// Database steps and quick node calls: transport trouble is retried, refusals are not.
const steps = proxyActivities<XcleraActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// A node that is down while preparing or broadcasting: keep trying for a while, then fail the attempt.
const node = proxyActivities<XcleraActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 12 },
});

// Once broadcast, the money may have moved: ask until the transaction is confirmed, however long.
const confirmations = proxyActivities<XcleraActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '300 milliseconds', backoffCoefficient: 1.5, maximumInterval: '15 seconds' },
});

/** The failure behind an activity failure, flattened so the API can show its message and type. */
function refusalOf(err: unknown): ApplicationFailure {
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof ApplicationFailure && current.type) {
      return ApplicationFailure.create({ type: current.type, message: current.message, nonRetryable: true });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return ApplicationFailure.create({ type: FailureType.ProviderUnavailable, message: 'the blockchain node did not answer', nonRetryable: true });
}

/**
 * Two-phase on-chain register / upgrade, one flow per attempt (ID: wallet and target level).
 * Phase 1 checks the level rules and builds the unsigned transaction, answered through the
 * start's update; the flow then waits for phase 2, an update carrying the signed transaction,
 * until the timeout. Only exactly the prepared transaction signed by the member is broadcast; the
 * level, history and books change only once it is confirmed.
 */
export async function matrixPayment(input: MatrixPaymentInput): Promise<MatrixPaymentOutcome> {
  const state: MatrixPaymentState = { status: 'preparing' };
  let prepared: MatrixPrepared | undefined;
  let signed: { transaction: string; hash: string } | undefined;
  const done: { outcome?: MatrixPaymentOutcome } = {};
  let failure: ApplicationFailure | undefined;

  setHandler(matrixStateQuery, () => state);
  setHandler(matrixPreparedUpdate, async () => {
    await condition(() => prepared !== undefined || failure !== undefined);
    if (prepared) return prepared;
    throw failure!;
  });
  setHandler(matrixSignedUpdate, async (transaction) => {
    await condition(() => prepared !== undefined || failure !== undefined);
    if (!prepared || state.status === 'failed') throw failure ?? ApplicationFailure.create({ type: FailureType.Conflict, message: 'This attempt has ended.', nonRetryable: true });
    let hash: string;
    try {
      hash = await steps.verifyMatrixSignature(transaction, prepared);
    } catch (err) {
      throw refusalOf(err);
    }
    if (signed !== undefined) {
      throw ApplicationFailure.create({
        type: FailureType.Conflict,
        message: signed.hash === hash ? 'This signed transaction was already submitted.' : 'A signed transaction was already submitted for this attempt.',
        nonRetryable: true,
      });
    }
    signed = { transaction, hash };
    await condition(() => done.outcome !== undefined || failure !== undefined);
    if (done.outcome) return done.outcome;
    throw failure!;
  });

  try {
    prepared = await node.prepareMatrixPayment(input);
  } catch (err) {
    return fail(refusalOf(err));
  }
  state.status = 'awaiting-signature';

  const deadline = workflowInfo().startTime.getTime() + input.timing.phase2TimeoutMs;
  if (!(await condition(() => signed !== undefined, Math.max(deadline - Date.now(), 1)))) {
    return fail(ApplicationFailure.create({ type: FailureType.Conflict, message: 'No signed transaction arrived in time; prepare it again.', nonRetryable: true }));
  }
  const { transaction, hash } = signed!;
  try {
    await node.broadcastMatrixTransaction(transaction);
  } catch (err) {
    return fail(refusalOf(err));
  }
  state.status = 'broadcast';
  state.transactionHash = hash;
  await steps.openMatrixPayment(input, hash);

  const confirmed = await confirmations.confirmMatrixTransaction(hash);
  if (confirmed.status === 'reverted') {
    await steps.failMatrixPayment('the transaction reverted on chain');
    return fail(ApplicationFailure.create({ type: FailureType.ProviderRejected, message: `The transaction ${hash} reverted on chain; nothing changed.`, nonRetryable: true }));
  }
  const outcome = await steps.recordMatrixPayment(input, confirmed);
  done.outcome = outcome;
  state.status = 'confirmed';
  await condition(allHandlersFinished);
  return outcome;

  async function fail(reason: ApplicationFailure): Promise<never> {
    failure = reason;
    state.status = 'failed';
    state.failureReason = reason.message;
    await condition(allHandlersFinished);
    throw reason;
  }
}
