import { FailureType, type AuthFailureReason, type ValidationIssue } from '../../../core/errors.js';
import { HTTP_STATUS, INTERNAL, authReason, transportStatus, worded, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

/** The spec names 400, 401, 403, 404 and 500; the rest follow HTTP's meaning. */
const STATUS = HTTP_STATUS;

const MESSAGES: Partial<Record<ErrorKind, string>> = {
  [FailureType.Validation]: 'Invalid input',
  [FailureType.NotFound]: 'Resource not found',
  [FailureType.Forbidden]: 'Insufficient permissions',
  [FailureType.InsufficientFunds]: 'Insufficient balance',
  [FailureType.RateLimited]: 'Too many requests',
  [INTERNAL]: 'Internal server error',
};

/** Xclera signs in with a wallet signature, so bad credentials are a bad signature. */
const AUTH_MESSAGES: Record<AuthFailureReason, string> = {
  missing: 'Missing authorization token',
  invalid: 'Invalid or expired token',
  'invalid-refresh': 'Invalid or expired token',
  'bad-credentials': 'Invalid signature',
};

/** Field (dotted path) -> messages; issues about the whole input sit under `_`. */
function fieldDetails(issues: readonly ValidationIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) (fields[issue.path.length ? issue.path.join('.') : '_'] ??= []).push(issue.message);
  return fields;
}

/** `{"error": "...", "details": {}}`; validation failures list the fields in details. */
export const xcleraEnvelope: ErrorEnvelope = (error) => {
  const status = transportStatus(error) ?? STATUS[error.type];
  if (error.type === FailureType.Validation) {
    const message = error.issues.length ? MESSAGES[FailureType.Validation]! : error.message;
    return { status, body: { error: message, details: { ...fieldDetails(error.issues), ...error.details } } };
  }
  const message = worded(error, error.type === FailureType.Unauthenticated ? AUTH_MESSAGES[authReason(error)] : MESSAGES[error.type]);
  return { status, body: { error: message, details: { ...error.details } } };
};
