import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { DomainError, FailureType } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** A surface-neutral error: each surface renders it into its own envelope. */
export interface ApiError {
  status: number;
  type: FailureType;
  message: string;
  /** Field name -> messages, for validation failures. */
  fields?: Record<string, string[]>;
}

export type ErrorEnvelope = (error: ApiError) => unknown;

/** The envelope of routes that belong to no app: health, webhooks, the sandbox, unknown paths. */
export const platformEnvelope: ErrorEnvelope = (error) => ({ error: error.message });

const STATUS_BY_TYPE: Record<FailureType, number> = {
  [FailureType.Validation]: 400,
  [FailureType.NotFound]: 404,
  [FailureType.Unauthenticated]: 401,
  [FailureType.Forbidden]: 403,
  [FailureType.Conflict]: 409,
  [FailureType.InsufficientFunds]: 400,
  [FailureType.UnbalancedEntry]: 400,
  [FailureType.HoldNotPending]: 409,
  [FailureType.HoldExceeded]: 400,
  [FailureType.HoldExpired]: 409,
  [FailureType.AlreadyReversed]: 409,
  [FailureType.IdempotencyKeyReused]: 422,
  [FailureType.IdempotencyInProgress]: 409,
  [FailureType.RateLimited]: 429,
  [FailureType.ProviderRejected]: 502,
  [FailureType.ProviderUnavailable]: 503,
  [FailureType.Unavailable]: 503,
  [FailureType.PurchaseUnresolved]: 409,
};

export function validationError(issues: z.core.$ZodIssue[]): DomainError {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const name = issue.path.length ? issue.path.join('.') : 'non_field_errors';
    (fields[name] ??= []).push(issue.message);
  }
  const first = Object.entries(fields)[0];
  const message = first ? (first[0] === 'non_field_errors' ? first[1][0]! : `${first[0]}: ${first[1][0]}`) : 'Invalid input.';
  return new DomainError(FailureType.Validation, message, { fields });
}

/** Maps anything thrown in a request to an ApiError; unknown errors become an opaque 500. */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof z.ZodError) return toApiError(validationError(err.issues));
  if (err instanceof DomainError) {
    return {
      status: STATUS_BY_TYPE[err.type],
      type: err.type,
      message: err.message,
      fields: err.details?.fields as Record<string, string[]> | undefined,
    };
  }
  if (err instanceof WorkflowFailedError) {
    const failure = findApplicationFailure(err.cause);
    if (failure?.type && isFailureType(failure.type)) {
      return { status: STATUS_BY_TYPE[failure.type], type: failure.type, message: failure.message };
    }
    return undefined;
  }
  if (err instanceof WorkflowNotFoundError) return { status: 404, type: FailureType.NotFound, message: 'Not found.' };
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return { status: 409, type: FailureType.Conflict, message: 'This request is already being processed.' };
  }
  const httpError = err as { type?: string; status?: number; statusCode?: number };
  if (httpError?.type === 'entity.parse.failed') {
    return { status: 400, type: FailureType.Validation, message: 'Malformed JSON in request body.' };
  }
  if (httpError?.type === 'entity.too.large') {
    return { status: 413, type: FailureType.Validation, message: 'Request body is too large.' };
  }
  if (httpError?.type === 'encoding.unsupported' || httpError?.type === 'charset.unsupported') {
    return { status: 415, type: FailureType.Validation, message: 'Unsupported request encoding.' };
  }
  return undefined;
}

const isFailureType = (type: string): type is FailureType => (Object.values(FailureType) as string[]).includes(type);

function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let current = err as { cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause as { cause?: unknown } | undefined;
  }
  return undefined;
}

/** The one place a surface turns failures into its envelope; 500s are logged, never echoed. */
export function surfaceErrorHandler(envelope: ErrorEnvelope, logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err) ?? {
      status: 500,
      type: FailureType.Unavailable,
      message: 'Something went wrong on our side. Please try again later.',
    };
    if (apiError.status >= 500) {
      (req.log ?? logger).error({ err, requestId: req.id }, 'request failed');
    }
    if (res.headersSent) return;
    res.status(apiError.status).json(envelope(apiError));
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new DomainError(FailureType.NotFound, 'Not found.'));
}
