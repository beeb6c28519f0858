import { Transaction as EvmTransaction } from 'ethers';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { assertLevelAllowed, findProfile } from '../../../core/xclera-matrix.js';
import { matrixPayment } from '../../../workflows/index.js';
import {
  FlowType,
  flowWorkflowId,
  matrixPreparedUpdate,
  matrixSignedUpdate,
  type MatrixPaymentInput,
  type MatrixPaymentOutcome,
} from '../../../workflows/contracts.js';
import { requireUser } from '../../auth.js';
import { startFlowAndAwait } from '../../flows.js';
import { body } from '../../validation.js';
import type { SurfaceDeps, SurfaceRoutes } from '../types.js';
import { usdt } from './present.js';
import { walletOf } from './wallets.js';
import { XCLERA } from './tenant.js';
import * as S from './schemas.js';

const INSTRUCTIONS = 'Sign this transaction with your wallet and submit the signed transaction back to this endpoint';
const SHOWN_FAILURES = new Set<string>([FailureType.Validation, FailureType.Conflict, FailureType.ProviderRejected, FailureType.ProviderUnavailable]);

/** The flow's own refusals are written for the member (which rule, which field); show them as they are. */
function shownFailure(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError)) return err;
  let cause: unknown = err.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    if (cause instanceof ApplicationFailure && cause.type && SHOWN_FAILURES.has(cause.type)) {
      const field = cause.type === FailureType.Validation ? { publicDetails: { signed_transaction: [cause.message] } } : {};
      return publicError(cause.type as FailureType, cause.message, undefined, { cause: err, ...field });
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return err;
}

/** gRPC DEADLINE_EXCEEDED (4) or CANCELLED (1) anywhere in the cause chain: our own wait ran out. */
function deadlineExceeded(err: unknown): boolean {
  let current = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.code === 4 || current.code === 1) return true;
    current = current.cause as typeof current;
  }
  return false;
}

const chainDown = (cause: unknown) => publicError(FailureType.ProviderUnavailable, 'The blockchain node is not answering; try again shortly.', undefined, { cause });

interface Attempt {
  input: MatrixPaymentInput;
  userId: number | undefined;
  flowType: (typeof FlowType)['MatrixRegistration' | 'MatrixUpgrade'];
}

/** Phase 1 starts (or joins) the attempt's flow and answers its prepared transaction. */
async function prepare(deps: SurfaceDeps, attempt: Attempt, requestId: string) {
  const workflowId = flowWorkflowId(XCLERA.slug, attempt.flowType, `${attempt.input.wallet.toLowerCase()}:${attempt.input.level}`);
  try {
    const prepared = await startFlowAndAwait(
      deps.temporal,
      deps.config.TEMPORAL_TASK_QUEUE,
      {
        workflow: matrixPayment,
        workflowId,
        args: [attempt.input],
        tenant: XCLERA.slug,
        userId: attempt.userId,
        flowType: attempt.flowType,
        requestId,
        memo: { wallet: attempt.input.wallet, level: attempt.input.level },
        // One ID per wallet and level: a failed or expired attempt may be tried again, a confirmed one never.
        idReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      },
      matrixPreparedUpdate,
      {
        waitMs: deps.config.XCLERA_PREPARE_WAIT_MS,
        whenClosed: async () => {
          throw publicError(FailureType.Conflict, `Level ${attempt.input.level} was already paid for by this wallet.`);
        },
      },
    );
    return { message: 'Transaction prepared for signing', transaction: prepared.transaction, instructions: INSTRUCTIONS };
  } catch (err) {
    if (err instanceof DomainError || err instanceof WorkflowUpdateFailedError) throw shownFailure(err);
    // The update did not come back in time: the flow is still trying to reach the node.
    if (deadlineExceeded(err)) throw chainDown(err);
    throw err;
  }
}

/** Phase 2 hands the signed transaction to the running attempt; without one there is nothing to sign for. */
async function submit(deps: SurfaceDeps, attempt: Attempt, signed: string): Promise<MatrixPaymentOutcome> {
  const workflowId = flowWorkflowId(XCLERA.slug, attempt.flowType, `${attempt.input.wallet.toLowerCase()}:${attempt.input.level}`);
  const handle: WorkflowHandle<typeof matrixPayment> = deps.temporal.workflow.getHandle(workflowId);
  const noAttempt = () =>
    publicError(FailureType.Validation, 'No transaction is prepared for this wallet and level; call this endpoint without signed_transaction first.', undefined, {
      publicDetails: { signed_transaction: ['Nothing was prepared to sign.'] },
    });
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noAttempt();
    throw err;
  }
  if (status === 'COMPLETED') {
    const done = await handle.result();
    let hash: string | undefined;
    try {
      hash = EvmTransaction.from(signed).hash ?? undefined;
    } catch {
      hash = undefined;
    }
    throw publicError(
      FailureType.Conflict,
      hash === done.transactionHash ? 'This signed transaction was already submitted and confirmed.' : `Level ${attempt.input.level} was already paid for by this wallet.`,
      undefined,
      { publicDetails: { transaction_hash: done.transactionHash } },
    );
  }
  if (status !== 'RUNNING') throw noAttempt();
  try {
    return await handle.executeUpdate(matrixSignedUpdate, { args: [signed] });
  } catch (err) {
    throw shownFailure(err);
  }
}

async function candidate(em: EntityManager, wallet: string, details: { username?: string; country?: string; phone_number?: string } = {}) {
  const profile = await findProfile(em, { address: wallet });
  return {
    profile,
    candidate: {
      userId: profile?.userId ?? null,
      currentLevel: profile?.currentLevel ?? 0,
      username: details.username ?? profile?.username ?? null,
      country: details.country ?? profile?.country ?? null,
      phoneNumber: details.phone_number ?? profile?.phoneNumber ?? null,
    },
  };
}

const rewardFields = (o: MatrixPaymentOutcome) => ({
  upline_rewarded: o.upline ? (o.upline.username ?? o.upline.wallet) : null,
  upline_reward: usdt(o.uplineRewardMinor),
});

export function registerMatrixRoutes({ deps, route, authenticated }: SurfaceRoutes): void {
  const E = S.ERRORS;
  const timing = { phase2TimeoutMs: deps.config.XCLERA_PHASE2_TIMEOUT_MS };

  route(
    {
      method: 'post',
      path: '/api/register/',
      summary: 'Register on chain (level 1), in two phases',
      description:
        'Without `signed_transaction`: checks the level rules and answers the unsigned transaction (`register(referrer)`, value = 100 + 15 USDT at the configured rate). ' +
        'With it: only that exact transaction signed by `wallet_address` is accepted; it is broadcast and the answer comes once it is confirmed. ' +
        `An unsigned transaction waits for its signed copy for XCLERA_PHASE2_TIMEOUT_MS. The profile details are saved with the confirmed registration.`,
      secured: false,
      body: S.RegisterBody,
      responses: {
        200: { description: 'Phase 1: the transaction to sign; phase 2: registered', schema: S.Prepared.or(S.Registered) },
        400: E.invalid,
        409: E.conflict,
        502: E.chainRefused,
        503: E.chainDown,
      },
    },
    async (req, res) => {
      const input = body(req, S.RegisterBody);
      const em = deps.em.fork();
      const { profile, candidate: c } = await candidate(em, input.wallet_address, input);
      const attempt: Attempt = {
        userId: profile?.userId,
        flowType: FlowType.MatrixRegistration,
        input: {
          tenant: XCLERA.slug,
          kind: 'registration',
          wallet: input.wallet_address,
          level: 1,
          referrerWallet: input.referrer_wallet,
          profile: { username: input.username, country: input.country, phoneNumber: input.phone_number, email: input.email },
          timing,
        },
      };
      if (input.signed_transaction) {
        const outcome = await submit(deps, attempt, input.signed_transaction);
        res.json({ message: 'Registration successful', profile_id: outcome.profileId, transaction_hash: outcome.transactionHash, is_profile_complete: outcome.isProfileComplete, ...rewardFields(outcome) });
        return;
      }
      await assertLevelAllowed(em, c, 1);
      const taken = await findProfileByUsername(em, input.username);
      if (taken !== null && taken !== profile?.userId) {
        throw publicError(FailureType.Validation, 'This username is taken.', undefined, { publicDetails: { username: ['This username is taken.'] } });
      }
      res.json(await prepare(deps, attempt, String(req.id)));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/upgrade/',
      summary: 'Upgrade to the next level on chain, in two phases',
      description:
        'Always the next level (no skipping). Without `signed_transaction`: checks the level rules (level 2: 3 direct referrals registered on chain; level 3+: referral depth of level - 1 and a complete profile) and answers the unsigned `upgrade(level)` transaction. With it: as for /register/.',
      secured: true,
      body: S.UpgradeBody,
      responses: {
        200: { description: 'Phase 1: the transaction to sign; phase 2: upgraded', schema: S.Prepared.or(S.Upgraded) },
        400: E.invalid,
        401: E.unauthorized,
        403: E.forbidden,
        409: E.conflict,
        502: E.chainRefused,
        503: E.chainDown,
      },
    },
    authenticated,
    async (req, res) => {
      const input = body(req, S.UpgradeBody);
      const user = requireUser(req);
      const em = deps.em.fork();
      if ((await walletOf(em, user.id)) !== input.wallet_address) throw publicError(FailureType.Forbidden, 'wallet_address is not the wallet this token belongs to.');
      const { candidate: c } = await candidate(em, input.wallet_address);
      if (c.currentLevel === 0) throw publicError(FailureType.Validation, 'Register (level 1) before upgrading.', undefined, { publicDetails: { level: 1 } });
      const attempt: Attempt = {
        userId: user.id,
        flowType: FlowType.MatrixUpgrade,
        input: { tenant: XCLERA.slug, kind: 'upgrade', wallet: input.wallet_address, level: c.currentLevel + 1, timing },
      };
      if (input.signed_transaction) {
        const outcome = await submit(deps, attempt, input.signed_transaction);
        res.json({ message: 'Level upgrade successful', new_level: outcome.level, transaction_hash: outcome.transactionHash, ...rewardFields(outcome) });
        return;
      }
      await assertLevelAllowed(em, c, c.currentLevel + 1);
      res.json(await prepare(deps, attempt, String(req.id)));
    },
  );
}

async function findProfileByUsername(em: EntityManager, username: string): Promise<number | null> {
  const [row] = await em.execute<{ user_id: string }[]>('select user_id from xclera_profiles where username = ?', [username]);
  return row ? Number(row.user_id) : null;
}
