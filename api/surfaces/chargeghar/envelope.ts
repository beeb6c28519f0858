import { FailureType, type AuthFailureReason } from '../../../core/errors.js';
import { HTTP_STATUS, INTERNAL, authReason, transportStatus, worded, type CodedAnswer, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

/** The spec's common codes (VALIDATION_ERROR, UNAUTHORIZED, PERMISSION_DENIED, NOT_FOUND, RATE_LIMIT_EXCEEDED) and a few of the same kind. */
const ANSWERS: Record<ErrorKind, CodedAnswer> = {
  [FailureType.Validation]: { code: 'VALIDATION_ERROR' },
  [FailureType.NotFound]: { code: 'NOT_FOUND', message: 'Resource not found' },
  [FailureType.Unauthenticated]: { code: 'UNAUTHORIZED' },
  [FailureType.Forbidden]: { code: 'PERMISSION_DENIED', message: 'You do not have permission to perform this action' },
  [FailureType.Conflict]: { code: 'CONFLICT' },
  [FailureType.InsufficientFunds]: { code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance' },
  [FailureType.UnbalancedEntry]: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
  [FailureType.HoldNotPending]: { code: 'CONFLICT' },
  [FailureType.HoldExceeded]: { code: 'VALIDATION_ERROR' },
  [FailureType.HoldExpired]: { code: 'CONFLICT' },
  [FailureType.AlreadyReversed]: { code: 'CONFLICT' },
  [FailureType.IdempotencyKeyReused]: { code: 'IDEMPOTENCY_KEY_REUSED' },
  [FailureType.IdempotencyInProgress]: { code: 'IDEMPOTENCY_IN_PROGRESS' },
  [FailureType.RateLimited]: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests' },
  [FailureType.ProviderRejected]: { code: 'PROVIDER_ERROR' },
  [FailureType.ProviderUnavailable]: { code: 'SERVICE_UNAVAILABLE' },
  [FailureType.Unavailable]: { code: 'SERVICE_UNAVAILABLE' },
  [FailureType.PurchaseUnresolved]: { code: 'TRANSACTION_PENDING' },
  [INTERNAL]: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
};

const AUTH_MESSAGES: Record<AuthFailureReason, string> = {
  missing: 'Authentication required',
  invalid: 'Invalid or expired token',
  'invalid-refresh': 'Invalid or expired token',
  'bad-credentials': 'Invalid credentials',
};

/** `{"success": false, "error": {"code": "...", "message": "..."}}` with the spec's codes. */
export const chargegharEnvelope: ErrorEnvelope = (error) => {
  const answer = ANSWERS[error.type];
  const message = worded(error, error.type === FailureType.Unauthenticated ? AUTH_MESSAGES[authReason(error)] : answer.message);
  return {
    status: transportStatus(error) ?? HTTP_STATUS[error.type],
    body: { success: false, error: { code: answer.code, message } },
  };
};
