import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import {
  isGrpcDeadlineError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../core/config.js';
import { DomainError, FailureType, publicError } from '../core/errors.js';
import { hashOtpCode, hashVerificationToken, newVerificationToken, otpKeyFrom, otpWorkflowId } from '../core/otp.js';
import { OtpVerification } from '../db/entities/index.js';
import { otpChallenge } from '../workflows/index.js';
import {
  FlowType,
  OtpRefusal,
  otpRequestUpdate,
  otpVerifyUpdate,
  type OtpChannel,
  type OtpInput,
  type OtpOutcome,
  type OtpReceipt,
  type OtpVerifyResult,
} from '../workflows/contracts.js';
import { resultWithin, startFlowAndAwait } from './flows.js';
import type { RateLimits } from './rate-limit.js';

/** How long a code request waits for the code to go out before answering 503 (the flow keeps trying). */
const SEND_WAIT_MS = 15_000;
/** A request that meets a flow at its very end waits for it to close, then starts the next one. */
const CLOSING_RETRIES = 3;
/** A closing flow has only its last task left; this bounds the wait for it. */
const CLOSED_RESULT_WAIT_MS = 5_000;

export interface OtpDeps {
  config: Config;
  temporal: Client;
  rateLimits: RateLimits;
}

/** What a surface asks for: the flow's input without the timings, which come from configuration. */
export type CodeRequest = Omit<OtpInput, 'codeTtlMs' | 'resendCooldownMs'> & { requestId: string };

export interface CodeVerification {
  tenant: string;
  identifier: string;
  purpose: string;
  code: string;
}

export interface VerifiedIdentity {
  identifier: string;
  channel: OtpChannel;
}

/**
 * One-time codes for any surface: request (start or resend, under the flow's cooldown and the
 * per-identifier and per-client limits), verify (a short-lived verification token bound to the
 * identifier and purpose), and the single use of that token. Errors are public DomainErrors that
 * each surface's envelope words its own way.
 */
export function createOtpService(deps: OtpDeps) {
  const key = otpKeyFrom(deps.config.JWT_SECRET);
  const windowMs = deps.config.OTP_RATE_LIMIT_WINDOW_SECONDS * 1000;

  async function requestCode(request: CodeRequest): Promise<OtpReceipt> {
    const workflowId = otpWorkflowId(request.tenant, request.purpose, request.identifier);
    for (let attempt = 1; ; attempt++) {
      try {
        return await startFlowAndAwait(
          deps.temporal,
          deps.config.TEMPORAL_TASK_QUEUE,
          {
            workflow: otpChallenge,
            workflowId,
            args: [
              {
                tenant: request.tenant,
                identifier: request.identifier,
                channel: request.channel,
                purpose: request.purpose,
                appName: request.appName,
                ...(request.smsFrom && { smsFrom: request.smsFrom }),
                codeTtlMs: deps.config.OTP_CODE_TTL_SECONDS * 1000,
                resendCooldownMs: deps.config.OTP_RESEND_COOLDOWN_SECONDS * 1000,
              },
            ],
            tenant: request.tenant,
            flowType: FlowType.Otp,
            requestId: request.requestId,
            memo: { purpose: request.purpose, channel: request.channel },
            // A code requested again after the last flow ended (expired, used, dead) starts a new flow.
            idReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          },
          otpRequestUpdate,
          {
            waitMs: SEND_WAIT_MS,
            // Closed flows never answer: with ALLOW_DUPLICATE a new flow starts instead.
            whenClosed: () => Promise.reject(new DomainError(FailureType.Conflict, `otp flow ${workflowId} closed while starting`)),
          },
        );
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal?.reason === OtpRefusal.Closed && attempt < CLOSING_RETRIES) {
          await resultWithin(deps.temporal, deps.temporal.workflow.getHandle(workflowId), CLOSED_RESULT_WAIT_MS).catch(() => undefined);
          continue;
        }
        throw requestFailure(err, refusal);
      }
    }
  }

  async function verifyCode(verification: CodeVerification): Promise<{ token: string; expiresAt: Date }> {
    const workflowId = otpWorkflowId(verification.tenant, verification.purpose, verification.identifier);
    const handle = deps.temporal.workflow.getHandle(workflowId);
    const token = newVerificationToken();
    const ttlSeconds = deps.config.OTP_VERIFICATION_TTL_SECONDS;
    let outcome: OtpVerifyResult;
    try {
      outcome = await handle.executeUpdate(otpVerifyUpdate, {
        args: [{ codeHash: hashOtpCode(key, workflowId, verification.code), verificationTokenHash: token.hash, verificationTtlSeconds: ttlSeconds }],
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || refusalOf(err)?.reason === OtpRefusal.Closed) throw await closedFlowFailure(workflowId);
      throw err;
    }
    switch (outcome.result) {
      case 'verified':
        return { token: token.token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
      case 'wrong':
        throw codeError(`Invalid code. ${outcome.attemptsRemaining} attempt${outcome.attemptsRemaining === 1 ? '' : 's'} remaining.`);
      case 'locked':
        throw tooManyWrongCodes();
      case 'expired':
        throw codeError('This code has expired. Request a new one.');
    }
  }

  /** Why no code can be verified now, from the last flow's own outcome (a flow still sending its first code has none yet). */
  async function closedFlowFailure(workflowId: string): Promise<DomainError> {
    const handle = deps.temporal.workflow.getHandle(workflowId);
    let last: OtpOutcome | undefined;
    try {
      const running = (await handle.describe()).status.name === 'RUNNING';
      last = running ? undefined : await resultWithin<OtpOutcome>(deps.temporal, handle, CLOSED_RESULT_WAIT_MS);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !(err instanceof WorkflowFailedError)) throw err;
      last = undefined;
    }
    if (last?.status === 'locked') return tooManyWrongCodes();
    if (last?.status === 'expired') return codeError('This code has expired. Request a new one.');
    if (last?.status === 'verified') return codeError('This code has already been used. Request a new one.');
    return codeError('No code is waiting for verification. Request one first.');
  }

  return {
    requestCode,
    verifyCode,

    /**
     * Spends a verification token for its purpose, inside the caller's transaction, so that a
     * registration that fails leaves the token unspent. A token of another purpose stays unspent.
     */
    async consumeVerification(em: EntityManager, spend: { tenant: string; purpose: string; token: string }): Promise<VerifiedIdentity> {
      const tokenHash = hashVerificationToken(spend.token);
      const spent = await em.nativeUpdate(
        OtpVerification,
        { tokenHash, tenant: spend.tenant, purpose: spend.purpose, usedAt: null, expiresAt: { $gt: new Date() } },
        { usedAt: new Date() },
      );
      if (spent !== 1) {
        throw new DomainError(FailureType.Unauthenticated, 'verification token refused', { reason: 'invalid' }, {
          publicMessage: 'The verification token is invalid, expired, already used or meant for something else.',
        });
      }
      const row = await em.findOneOrFail(OtpVerification, { tokenHash });
      return { identifier: row.identifier, channel: row.channel };
    },

    /**
     * Code requests per client address and per identifier, counted in Postgres across replicas.
     * `identifierOf` reads the identifier the surface has already validated.
     */
    requestLimits(tenant: string, identifierOf: (req: Request, res: Response) => string): RequestHandler[] {
      return [
        deps.rateLimits.keyed(
          `otp:${tenant}:client`,
          { limit: deps.config.OTP_RATE_LIMIT_PER_CLIENT, windowMs, message: 'Too many code requests from this network. Please try again later.' },
          (req) => ipKeyGenerator(req.ip ?? ''),
        ),
        deps.rateLimits.keyed(
          `otp:${tenant}:identifier`,
          { limit: deps.config.OTP_RATE_LIMIT_PER_IDENTIFIER, windowMs, message: 'Too many codes were requested for this phone number or email. Please try again later.' },
          identifierOf,
        ),
      ];
    },
  };
}

export type OtpService = ReturnType<typeof createOtpService>;

interface Refusal {
  type: string;
  reason?: string;
  retryAfterMs?: number;
}

/** The typed refusal a flow's update validator or handler threw, if that is what failed. */
function refusalOf(err: unknown): Refusal | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const failure = err.cause;
  if (!(failure instanceof ApplicationFailure) || !failure.type) return undefined;
  const details = (failure.details?.[0] ?? {}) as { reason?: string; retryAfterMs?: number };
  return { type: failure.type, reason: details.reason, retryAfterMs: details.retryAfterMs };
}

function requestFailure(err: unknown, refusal: Refusal | undefined): unknown {
  if (refusal?.reason === OtpRefusal.Cooldown) {
    const seconds = Math.max(1, Math.ceil((refusal.retryAfterMs ?? 1000) / 1000));
    return publicError(FailureType.RateLimited, `A code was sent moments ago. Please wait ${seconds} second${seconds === 1 ? '' : 's'} before requesting another.`, undefined, {
      cause: err,
      publicDetails: { retry_after_seconds: seconds },
    });
  }
  if (refusal?.reason === OtpRefusal.TooManySends) {
    return publicError(FailureType.RateLimited, 'Too many codes were requested. Use the last code, or request a new one once it has expired.', undefined, { cause: err });
  }
  if (refusal?.type === FailureType.ProviderRejected) {
    return publicError(FailureType.Validation, 'The code could not be delivered to this phone number or email address.', { fields: { identifier: ['The code could not be delivered here.'] } }, { cause: err });
  }
  if (refusal || isGrpcDeadlineError(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return publicError(FailureType.Unavailable, 'The code could not be sent right now. Please try again shortly.', undefined, { cause: err });
  }
  return err;
}

function codeError(message: string): DomainError {
  return new DomainError(FailureType.Validation, message, { fields: { code: [message] } });
}

function tooManyWrongCodes(): DomainError {
  return publicError(FailureType.RateLimited, 'Too many wrong codes. Request a new code.');
}
