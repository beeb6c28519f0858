/**
 * Domain failure types: a closed set, shared by workflows and activities (as ApplicationFailure
 * types) and by every surface's error mapper (as HTTP statuses and envelopes). This module is
 * workflow-safe (no imports), and `workflows/contracts.ts` re-exports it for the workflow side.
 */
export enum FailureType {
  Validation = 'VALIDATION',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  Conflict = 'CONFLICT',
  InsufficientFunds = 'INSUFFICIENT_FUNDS',
  UnbalancedEntry = 'UNBALANCED_ENTRY',
  HoldNotPending = 'HOLD_NOT_PENDING',
  HoldExceeded = 'HOLD_EXCEEDED',
  HoldExpired = 'HOLD_EXPIRED',
  AlreadyReversed = 'ALREADY_REVERSED',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyInProgress = 'IDEMPOTENCY_IN_PROGRESS',
  RateLimited = 'RATE_LIMITED',
  ProviderRejected = 'PROVIDER_REJECTED',
  ProviderUnavailable = 'PROVIDER_UNAVAILABLE',
  Unavailable = 'UNAVAILABLE',
  /** A purchase whose provider outcome stayed unknown; its hold waits for an operator decision. */
  PurchaseUnresolved = 'PURCHASE_UNRESOLVED',
}

/** Failures that no retry can fix: Temporal must not retry activities that throw these. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FailureType.Validation,
  FailureType.NotFound,
  FailureType.InsufficientFunds,
  FailureType.UnbalancedEntry,
  FailureType.HoldNotPending,
  FailureType.HoldExceeded,
  FailureType.HoldExpired,
  FailureType.AlreadyReversed,
  FailureType.ProviderRejected,
];

/** One invalid value in a request: where it is (a path into the input) and what is wrong with it. */
export interface ValidationIssue {
  path: (string | number)[];
  /** Written for the person who sent the request; every surface may show it. */
  message: string;
  /** zod's issue code (`invalid_type`, `too_small`, ...), `missing` for an absent value, `custom` otherwise. */
  code: string;
  /**
   * What the rule was about: the value's kind for type and size rules ('string', 'number',
   * 'array'), the format for format rules ('email', 'regex'). Lets a surface name the rule precisely.
   */
  origin?: string;
  /** The part of the request the path points into; the body unless said otherwise. */
  location?: 'body' | 'query' | 'path' | 'header';
}

/** Why a caller is not authenticated; each surface words these its own way. */
export type AuthFailureReason = 'missing' | 'invalid' | 'invalid-refresh' | 'bad-credentials';

export class DomainError extends Error {
  /**
   * Text that any client may read. The message itself is for logs and operators: surfaces show it
   * only for validation failures and otherwise answer with their own wording for the type.
   */
  readonly publicMessage?: string;
  /** Details that any client may read; `details` are for logs and the surfaces' own decisions. */
  readonly publicDetails?: Record<string, unknown>;

  constructor(
    readonly type: FailureType,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; publicMessage?: string; publicDetails?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    if (options?.publicMessage !== undefined) this.publicMessage = options.publicMessage;
    if (options?.publicDetails !== undefined) this.publicDetails = options.publicDetails;
  }
}

/** A caller without valid credentials: the reason, not the words, travels to the surface. */
export function unauthenticated(reason: AuthFailureReason, message = `unauthenticated: ${reason}`): DomainError {
  return new DomainError(FailureType.Unauthenticated, message, { reason });
}

/** A failure whose message was written for the client: every surface may show it as it is. */
export function publicError(
  type: FailureType,
  message: string,
  details?: Record<string, unknown>,
  options?: { cause?: unknown; publicDetails?: Record<string, unknown> },
): DomainError {
  return new DomainError(type, message, details, { ...options, publicMessage: message });
}
