import { FailureType, type AuthFailureReason } from '../../../core/errors.js';
import { INTERNAL, authReason, transportStatus, worded, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

interface Answer {
  status: number;
  code: string;
  /** The app's own wording; absent where the description's message is the right one. */
  message?: string;
}

/** The spec's common codes (VALIDATION_ERROR, UNAUTHORIZED, PERMISSION_DENIED, NOT_FOUND, RATE_LIMIT_EXCEEDED) and a few of the same kind. */
const ANSWERS: Record<ErrorKind, Answer> = {
  [FailureType.Validation]: { status: 400, code: 'VALIDATION_ERROR' },
  [FailureType.NotFound]: { status: 404, code: 'NOT_FOUND', message: 'Resource not found' },
  [FailureType.Unauthenticated]: { status: 401, code: 'UNAUTHORIZED' },
  [FailureType.Forbidden]: { status: 403, code: 'PERMISSION_DENIED', message: 'You do not have permission to perform this action' },
  [FailureType.Conflict]: { status: 409, code: 'CONFLICT' },
  [FailureType.InsufficientFunds]: { status: 400, code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance' },
  [FailureType.UnbalancedEntry]: { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
  [FailureType.HoldNotPending]: { status: 409, code: 'CONFLICT' },
  [FailureType.HoldExceeded]: { status: 400, code: 'VALIDATION_ERROR' },
  [FailureType.HoldExpired]: { status: 409, code: 'CONFLICT' },
  [FailureType.AlreadyReversed]: { status: 409, code: 'CONFLICT' },
  [FailureType.IdempotencyKeyReused]: { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' },
  [FailureType.IdempotencyInProgress]: { status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' },
  [FailureType.RateLimited]: { status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests' },
  [FailureType.ProviderRejected]: { status: 502, code: 'PROVIDER_ERROR' },
  [FailureType.ProviderUnavailable]: { status: 503, code: 'SERVICE_UNAVAILABLE' },
  [FailureType.Unavailable]: { status: 503, code: 'SERVICE_UNAVAILABLE' },
  [FailureType.PurchaseUnresolved]: { status: 409, code: 'TRANSACTION_PENDING' },
  [INTERNAL]: { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
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
    status: transportStatus(error) ?? answer.status,
    body: { success: false, error: { code: answer.code, message } },
  };
};
