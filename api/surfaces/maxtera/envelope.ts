import { FailureType, type AuthFailureReason, type ValidationIssue } from '../../../core/errors.js';
import { HTTP_STATUS, authReason, transportStatus, worded, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

/** The statuses a Django REST Framework backend gave these failures. */
const STATUS: Record<ErrorKind, number> = {
  ...HTTP_STATUS,
  // DRF answers a rejected posting as a bad request.
  [FailureType.UnbalancedEntry]: 400,
};

/** Messages a Django REST Framework client already knows, where the generic wording would differ. */
const DRF_MESSAGES: Partial<Record<ErrorKind, string>> = {
  [FailureType.NotFound]: 'Not found.',
  [FailureType.Forbidden]: 'You do not have permission to perform this action.',
  [FailureType.InsufficientFunds]: 'Insufficient wallet balance.',
  [FailureType.RateLimited]: 'Request was throttled.',
};

/** djangorestframework-simplejwt's bodies for each way authentication fails. */
const SIMPLEJWT: Record<AuthFailureReason, { detail: string; code?: string }> = {
  missing: { detail: 'Authentication credentials were not provided.' },
  invalid: { detail: 'Given token not valid for any token type', code: 'token_not_valid' },
  'invalid-refresh': { detail: 'Token is invalid or expired', code: 'token_not_valid' },
  'bad-credentials': { detail: 'No active account found with the given credentials' },
};

/** DRF's field errors: field -> messages; errors about the whole input go under non_field_errors. */
function fieldErrors(issues: readonly ValidationIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    (fields[issue.path.length ? issue.path.join('.') : 'non_field_errors'] ??= []).push(issue.message);
  }
  return fields;
}

/** DRF style: `{"detail": "..."}`, or `{"field": ["msg"]}` for field errors. */
export const maxteraEnvelope: ErrorEnvelope = (error) => {
  const status = transportStatus(error) ?? STATUS[error.type];
  if (error.type === FailureType.Validation && error.issues.length) return { status, body: fieldErrors(error.issues) };
  if (error.type === FailureType.Unauthenticated) {
    const simplejwt = SIMPLEJWT[authReason(error)];
    return { status, body: { ...simplejwt, detail: worded(error, simplejwt.detail) }, headers: { 'WWW-Authenticate': 'Bearer realm="api"' } };
  }
  return { status, body: { detail: worded(error, DRF_MESSAGES[error.type]) } };
};
