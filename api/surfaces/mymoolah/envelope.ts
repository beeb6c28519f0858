import { FailureType, type AuthFailureReason, type ValidationIssue } from '../../../core/errors.js';
import { INTERNAL, authReason, transportStatus, worded, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

interface Answer {
  status: number;
  code: string;
  /** The app's own wording; absent where the description's message is the right one. */
  message?: string;
}

/** Status and code per failure; the spec's codes where it has one, plain upper-case names otherwise. */
const ANSWERS: Record<ErrorKind, Answer> = {
  [FailureType.Validation]: { status: 400, code: 'VALIDATION_ERROR' },
  [FailureType.NotFound]: { status: 404, code: 'NOT_FOUND', message: 'Resource not found' },
  [FailureType.Unauthenticated]: { status: 401, code: 'UNAUTHORIZED' },
  [FailureType.Forbidden]: { status: 403, code: 'FORBIDDEN', message: 'Access denied' },
  [FailureType.Conflict]: { status: 409, code: 'CONFLICT' },
  [FailureType.InsufficientFunds]: { status: 400, code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance' },
  [FailureType.UnbalancedEntry]: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' },
  [FailureType.HoldNotPending]: { status: 409, code: 'CONFLICT' },
  [FailureType.HoldExceeded]: { status: 400, code: 'INVALID_AMOUNT' },
  [FailureType.HoldExpired]: { status: 409, code: 'CONFLICT' },
  [FailureType.AlreadyReversed]: { status: 409, code: 'CONFLICT' },
  [FailureType.IdempotencyKeyReused]: { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' },
  [FailureType.IdempotencyInProgress]: { status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' },
  [FailureType.RateLimited]: { status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests, please try again later' },
  [FailureType.ProviderRejected]: { status: 502, code: 'PROVIDER_ERROR' },
  [FailureType.ProviderUnavailable]: { status: 503, code: 'SERVICE_UNAVAILABLE' },
  [FailureType.Unavailable]: { status: 503, code: 'SERVICE_UNAVAILABLE' },
  [FailureType.PurchaseUnresolved]: { status: 409, code: 'TRANSACTION_PENDING' },
  [INTERNAL]: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' },
};

const AUTH_ANSWERS: Record<AuthFailureReason, Answer> = {
  missing: { status: 401, code: 'UNAUTHORIZED', message: 'Access token required' },
  invalid: { status: 401, code: 'UNAUTHORIZED', message: 'Invalid or expired token' },
  'invalid-refresh': { status: 401, code: 'UNAUTHORIZED', message: 'Invalid or expired token' },
  'bad-credentials': { status: 401, code: 'AUTHENTICATION_FAILED', message: 'Invalid credentials' },
};

/** The spec's field-specific validation codes, by the field the first issue names. */
function validationCode(issues: readonly ValidationIssue[]): string {
  const field = String(issues[0]?.path[0] ?? '');
  if (/^(voucher_?code|voucherCode|easypay_?code|easyPayCode)$/i.test(field)) return 'INVALID_VOUCHER_CODE';
  if (/amount$/i.test(field)) return 'INVALID_AMOUNT';
  return 'VALIDATION_ERROR';
}

/** `{"success": false, "error": "...", "code": "..."}` with the spec's codes. */
export const mymoolahEnvelope: ErrorEnvelope = (error) => {
  let answer: Answer;
  if (error.type === FailureType.Unauthenticated) answer = AUTH_ANSWERS[authReason(error)];
  else if (error.type === FailureType.Validation) answer = { status: 400, code: validationCode(error.issues) };
  else if (error.type === FailureType.NotFound && error.resource === 'voucher') {
    answer = { status: 404, code: 'VOUCHER_NOT_FOUND', message: 'Voucher not found' };
  } else answer = ANSWERS[error.type];
  return {
    status: transportStatus(error) ?? answer.status,
    body: { success: false, error: worded(error, answer.message), code: answer.code },
  };
};
