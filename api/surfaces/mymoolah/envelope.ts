import { FailureType, type AuthFailureReason, type ValidationIssue } from '../../../core/errors.js';
import { HTTP_STATUS, INTERNAL, authReason, transportStatus, worded, type ErrorDescription, type CodedAnswer, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

/** Status and code per failure; the spec's codes where it has one, plain upper-case names otherwise. */
const ANSWERS: Record<ErrorKind, CodedAnswer> = {
  [FailureType.Validation]: { code: 'VALIDATION_ERROR' },
  [FailureType.NotFound]: { code: 'NOT_FOUND', message: 'Resource not found' },
  [FailureType.Unauthenticated]: { code: 'UNAUTHORIZED' },
  [FailureType.Forbidden]: { code: 'FORBIDDEN', message: 'Access denied' },
  [FailureType.Conflict]: { code: 'CONFLICT' },
  [FailureType.InsufficientFunds]: { code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance' },
  [FailureType.UnbalancedEntry]: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
  [FailureType.HoldNotPending]: { code: 'CONFLICT' },
  [FailureType.HoldExceeded]: { code: 'INVALID_AMOUNT' },
  [FailureType.HoldExpired]: { code: 'CONFLICT' },
  [FailureType.AlreadyReversed]: { code: 'CONFLICT' },
  [FailureType.IdempotencyKeyReused]: { code: 'IDEMPOTENCY_KEY_REUSED' },
  [FailureType.IdempotencyInProgress]: { code: 'IDEMPOTENCY_IN_PROGRESS' },
  [FailureType.RateLimited]: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests, please try again later' },
  [FailureType.ProviderRejected]: { code: 'PROVIDER_ERROR' },
  [FailureType.ProviderUnavailable]: { code: 'SERVICE_UNAVAILABLE' },
  [FailureType.Unavailable]: { code: 'SERVICE_UNAVAILABLE' },
  [FailureType.PurchaseUnresolved]: { code: 'TRANSACTION_PENDING' },
  [INTERNAL]: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
};

const AUTH_ANSWERS: Record<AuthFailureReason, CodedAnswer> = {
  missing: { code: 'UNAUTHORIZED', message: 'Access token required' },
  invalid: { code: 'UNAUTHORIZED', message: 'Invalid or expired token' },
  'invalid-refresh': { code: 'UNAUTHORIZED', message: 'Invalid or expired token' },
  'bad-credentials': { code: 'AUTHENTICATION_FAILED', message: 'Invalid credentials' },
};

/** The spec's field-specific validation codes, by the field the first issue names. */
function validationCode(issues: readonly ValidationIssue[]): string {
  const field = String(issues[0]?.path[0] ?? '');
  if (/^(voucher_?code|voucherCode|easypay_?code|easyPayCode)$/i.test(field)) return 'INVALID_VOUCHER_CODE';
  if (/amount$/i.test(field)) return 'INVALID_AMOUNT';
  return 'VALIDATION_ERROR';
}

/** Rules MyMoolah words itself (custom issues) read as they are, e.g. the spec's EasyPay refusal; others name their field. */
function validationMessage(error: ErrorDescription): string {
  const first = error.issues[0];
  return first?.code === 'custom' ? first.message : error.message;
}

/** `{"success": false, "error": "...", "code": "..."}` with the spec's codes. */
export const mymoolahEnvelope: ErrorEnvelope = (error) => {
  let answer: CodedAnswer;
  const ownCode = typeof error.details?.code === 'string' ? error.details.code : undefined;
  if (ownCode) answer = { code: ownCode };
  else if (error.type === FailureType.Unauthenticated) answer = AUTH_ANSWERS[authReason(error)];
  else if (error.type === FailureType.Validation) answer = { code: validationCode(error.issues) };
  else if (error.type === FailureType.NotFound && error.resource === 'voucher') {
    answer = { code: 'VOUCHER_NOT_FOUND', message: 'Voucher not found' };
  } else answer = ANSWERS[error.type];
  return {
    status: transportStatus(error) ?? HTTP_STATUS[error.type],
    body: { success: false, error: error.type === FailureType.Validation && !ownCode ? validationMessage(error) : worded(error, answer.message), code: answer.code },
  };
};
