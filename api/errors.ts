import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { DomainError, FailureType, type AuthFailureReason, type ValidationIssue } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export type { ValidationIssue } from '../core/errors.js';

/** What went wrong where no failure type fits: a bug or an outage. Always a 500, never explained. */
export const INTERNAL = 'INTERNAL';
export type ErrorKind = FailureType | typeof INTERNAL;

/** Neutral sub-kinds that a surface may word (or answer) differently from the rest of its type. */
export type ErrorReason = AuthFailureReason | 'no-route' | 'malformed-body' | 'body-too-large' | 'unsupported-media';

/** A surface-neutral description of a failure; each surface's envelope turns it into status and body. */
export interface ErrorDescription {
  type: ErrorKind;
  /** Safe for any client: a validation message written for users, or a generic wording of the type. */
  message: string;
  /** True when `message` is only the type's neutral wording, which a surface may replace with its own. */
  generic: boolean;
  /** The invalid values, for validation failures; empty otherwise. */
  issues: ValidationIssue[];
  reason?: ErrorReason;
  /** What was looked for, for not-found failures ('voucher', 'plan'), when the thrower said. */
  resource?: string;
  /** Details the thrower marked as public. */
  details?: Record<string, unknown>;
}

export interface EnvelopeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A surface's whole error policy: the HTTP status and body for any failure. */
export type ErrorEnvelope = (error: ErrorDescription) => EnvelopeReply;

/** An app's code and wording for a failure, for envelopes whose bodies carry a code; the status is HTTP_STATUS's. */
export interface CodedAnswer {
  code: string;
  /** The app's own wording; absent where the description's message is the right one. */
  message?: string;
}

/** Neutral wording per type, for messages that cannot be shown; a surface may word its own. */
export const PUBLIC_MESSAGES: Record<ErrorKind, string> = {
  [FailureType.Validation]: 'Invalid input.',
  [FailureType.NotFound]: 'Not found.',
  [FailureType.Unauthenticated]: 'Authentication failed.',
  [FailureType.Forbidden]: 'You do not have permission to perform this action.',
  [FailureType.Conflict]: 'The request conflicts with the current state of the resource.',
  [FailureType.InsufficientFunds]: 'Insufficient balance.',
  [FailureType.UnbalancedEntry]: 'The transaction could not be recorded.',
  [FailureType.HoldNotPending]: 'This transaction is no longer pending.',
  [FailureType.HoldExceeded]: 'The amount exceeds what was reserved.',
  [FailureType.HoldExpired]: 'This reservation has expired.',
  [FailureType.AlreadyReversed]: 'This transaction was already reversed.',
  [FailureType.IdempotencyKeyReused]: 'This Idempotency-Key was already used with a different request.',
  [FailureType.IdempotencyInProgress]: 'A request with this Idempotency-Key is still in progress.',
  [FailureType.RateLimited]: 'Too many requests. Please try again later.',
  [FailureType.ProviderRejected]: 'The service provider declined the request.',
  [FailureType.ProviderUnavailable]: 'The service provider is unavailable. Please try again later.',
  [FailureType.Unavailable]: 'The service is temporarily unavailable. Please try again later.',
  [FailureType.PurchaseUnresolved]: 'The purchase is awaiting confirmation.',
  [INTERNAL]: 'Something went wrong on our side. Please try again later.',
};

/** The surface's own wording where the description has only the generic one; specific text wins. */
export const worded = (error: ErrorDescription, own: string | undefined): string => (error.generic && own !== undefined ? own : error.message);

/** Statuses that belong to HTTP itself (the body could not be read), the same on every surface. */
export function transportStatus(error: ErrorDescription): number | undefined {
  if (error.reason === 'body-too-large') return 413;
  if (error.reason === 'unsupported-media') return 415;
  return undefined;
}

const AUTH_REASONS: readonly AuthFailureReason[] = ['missing', 'invalid', 'invalid-refresh', 'bad-credentials'];

/** Why authentication failed, for envelopes that word each way; a token that did not pass is 'invalid'. */
export function authReason(error: ErrorDescription): AuthFailureReason {
  return AUTH_REASONS.includes(error.reason as AuthFailureReason) ? (error.reason as AuthFailureReason) : 'invalid';
}

/** HTTP's meaning of each failure; an app's envelope starts from this and overrides what its spec says otherwise. */
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  [FailureType.Validation]: 400,
  [FailureType.NotFound]: 404,
  [FailureType.Unauthenticated]: 401,
  [FailureType.Forbidden]: 403,
  [FailureType.Conflict]: 409,
  [FailureType.InsufficientFunds]: 400,
  [FailureType.UnbalancedEntry]: 500,
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
  [INTERNAL]: 500,
};

/** The envelope of routes that belong to no app: health, webhooks, the sandbox, unknown paths. */
export const platformEnvelope: ErrorEnvelope = (error) => ({
  status: transportStatus(error) ?? HTTP_STATUS[error.type],
  body: { error: error.message },
});

/** Zod issues as path arrays; `input` (when known) tells an absent value from a wrong one. */
export function validationIssues(
  issues: readonly z.core.$ZodIssue[],
  opts: { input?: unknown; location?: ValidationIssue['location'] } = {},
): ValidationIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    // An absent enum or literal fails as `invalid_value`, an absent string as `invalid_type`: both are "missing".
    const absent = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && 'input' in opts && valueAt(opts.input, path) === undefined;
    const origin = issue.code === 'invalid_type' ? issue.expected
      : issue.code === 'too_small' || issue.code === 'too_big' ? issue.origin
      : issue.code === 'invalid_format' ? issue.format
      : undefined;
    return {
      path,
      message: issue.message,
      code: absent ? 'missing' : issue.code,
      ...(origin && !absent && { origin }),
      ...(opts.location && { location: opts.location }),
    };
  });
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export function validationError(
  issues: readonly z.core.$ZodIssue[],
  opts: { input?: unknown; location?: ValidationIssue['location'] } = {},
): DomainError {
  const structured = validationIssues(issues, opts);
  return new DomainError(FailureType.Validation, summarize(structured), { issues: structured });
}

/** One line for envelopes that carry a single message: the first issue, named by its path. */
export function summarize(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  if (!first) return PUBLIC_MESSAGES[FailureType.Validation];
  return first.path.length ? `${first.path.join('.')}: ${first.message}` : first.message;
}

/** Issues from `details.issues`, or from the older `details.fields` (field name -> messages). */
function issuesOf(details: Record<string, unknown> | undefined): ValidationIssue[] {
  if (Array.isArray(details?.issues)) return details.issues as ValidationIssue[];
  const fields = details?.fields as Record<string, string[]> | undefined;
  if (!fields || typeof fields !== 'object') return [];
  return Object.entries(fields).flatMap(([name, messages]) =>
    messages.map((message) => ({ path: name === 'non_field_errors' ? [] : [name], message, code: 'custom' })),
  );
}

const REASONS: readonly ErrorReason[] = [
  ...AUTH_REASONS,
  'no-route',
  'malformed-body',
  'body-too-large',
  'unsupported-media',
];
const isReason = (value: unknown): value is ErrorReason => REASONS.includes(value as ErrorReason);
const isFailureType = (type: unknown): type is FailureType => (Object.values(FailureType) as unknown[]).includes(type);

export interface DescribedError {
  description: ErrorDescription;
  /** The thrower's own text when it was not shown; it goes to the log instead. */
  withheld?: string;
}

/**
 * Maps anything thrown in a request to a surface-neutral description. Only validation messages
 * and explicit public messages are shown; every other message (activity internals, provider
 * transport text, workflow failures) is replaced by the type's generic wording.
 */
export function describeError(err: unknown): DescribedError {
  if (err instanceof z.ZodError) return describeError(validationError(err.issues));
  if (err instanceof DomainError) return describeDomainError(err);
  if (err instanceof WorkflowFailedError || err instanceof WorkflowUpdateFailedError) {
    const failure = findApplicationFailure(err.cause);
    if (failure && isFailureType(failure.type)) {
      return { description: generic(failure.type), withheld: failure.message };
    }
    return { description: generic(INTERNAL), withheld: err.message };
  }
  if (err instanceof WorkflowNotFoundError) return { description: generic(FailureType.NotFound), withheld: err.message };
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return {
      description: { ...generic(FailureType.Conflict), message: 'This request is already being processed.', generic: false },
      withheld: err.message,
    };
  }
  const httpError = err as { type?: string } | undefined;
  if (httpError?.type === 'entity.parse.failed') return transport('malformed-body', 'Malformed JSON in request body.');
  if (httpError?.type === 'entity.too.large') return transport('body-too-large', 'Request body is too large.');
  if (httpError?.type === 'encoding.unsupported' || httpError?.type === 'charset.unsupported') {
    return transport('unsupported-media', 'Unsupported request encoding.');
  }
  return { description: generic(INTERNAL), withheld: err instanceof Error ? err.message : String(err) };
}

function describeDomainError(err: DomainError): DescribedError {
  const issues = err.type === FailureType.Validation ? issuesOf(err.details) : [];
  const reason = isReason(err.details?.reason)
    ? err.details.reason
    : err.type === FailureType.Unauthenticated
      ? 'invalid'
      : undefined;
  const resource = typeof err.details?.resource === 'string' ? err.details.resource : undefined;
  // Validation messages are written for the sender; any other text is ours unless marked public.
  const shown = err.publicMessage ?? (err.type === FailureType.Validation ? err.message : undefined);
  const description: ErrorDescription = {
    type: err.type,
    message: shown ?? PUBLIC_MESSAGES[err.type],
    generic: shown === undefined,
    issues,
    ...(reason && { reason }),
    ...(resource && { resource }),
    ...(err.publicDetails && { details: err.publicDetails }),
  };
  return shown === undefined ? { description, withheld: err.message } : { description };
}

const generic = (type: ErrorKind): ErrorDescription => ({ type, message: PUBLIC_MESSAGES[type], generic: true, issues: [] });

const transport = (reason: ErrorReason, message: string): DescribedError => ({
  description: { type: FailureType.Validation, message, generic: false, issues: [], reason },
});

function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let current = err as { cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause as { cause?: unknown } | undefined;
  }
  return undefined;
}

/**
 * The one place a surface turns failures into its envelope. 500s are logged with the request id
 * and never echoed; text withheld from a refusal is logged so operators still see it.
 */
export function surfaceErrorHandler(envelope: ErrorEnvelope, logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { description, withheld } = describeError(err);
    const reply = envelope(description);
    const log = req.log ?? logger;
    if (reply.status >= 500) {
      log.error({ err, requestId: req.id, failureType: description.type }, 'request failed');
    } else if (withheld !== undefined) {
      log.info({ requestId: req.id, failureType: description.type, reason: description.reason, withheld }, 'request refused');
    }
    if (res.headersSent) return;
    if (reply.headers) res.set(reply.headers);
    res.status(reply.status).json(reply.body);
  };
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new DomainError(FailureType.NotFound, `no route for ${req.method} ${req.originalUrl}`, { reason: 'no-route' }));
}
