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

export class DomainError extends Error {
  constructor(
    readonly type: FailureType,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}
