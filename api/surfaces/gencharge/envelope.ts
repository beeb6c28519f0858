import { FailureType, type AuthFailureReason, type ValidationIssue } from '../../../core/errors.js';
import { HTTP_STATUS, INTERNAL, authReason, transportStatus, worded, type ErrorEnvelope, type ErrorKind } from '../../errors.js';

/** The statuses a FastAPI backend gives: 422 for request validation, HTTPException codes otherwise. */
const STATUS = HTTP_STATUS;

const MESSAGES: Partial<Record<ErrorKind, string>> = {
  [FailureType.Forbidden]: 'Not enough permissions',
  [FailureType.InsufficientFunds]: 'Insufficient wallet balance',
  [FailureType.RateLimited]: 'Too many requests',
  [INTERNAL]: 'Internal Server Error',
};

/** FastAPI's OAuth2 wording for each way authentication fails. */
const AUTH_MESSAGES: Record<AuthFailureReason, string> = {
  missing: 'Not authenticated',
  invalid: 'Could not validate credentials',
  'invalid-refresh': 'Could not validate credentials',
  'bad-credentials': 'Incorrect username or password',
};

/** pydantic's error type for an issue, as close as the rule allows. */
function pydanticType(issue: ValidationIssue): string {
  const numeric = issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint';
  switch (issue.code) {
    case 'missing':
      return 'missing';
    case 'invalid_type':
      return ({ string: 'string_type', number: 'float_type', int: 'int_type', boolean: 'bool_type', array: 'list_type', object: 'dict_type' } as Record<string, string>)[issue.origin ?? ''] ?? 'type_error';
    case 'too_small':
      return numeric ? 'greater_than_equal' : issue.origin === 'string' ? 'string_too_short' : 'too_short';
    case 'too_big':
      return numeric ? 'less_than_equal' : issue.origin === 'string' ? 'string_too_long' : 'too_long';
    case 'invalid_format':
      return issue.origin === 'regex' ? 'string_pattern_mismatch' : 'value_error';
    case 'invalid_value':
      return 'enum';
    case 'unrecognized_keys':
      return 'extra_forbidden';
    default:
      return 'value_error';
  }
}

const detailItem = (issue: ValidationIssue) => ({
  loc: [issue.location ?? 'body', ...issue.path],
  // pydantic's own words for an absent field, which FastAPI clients show as they are.
  msg: issue.code === 'missing' ? 'Field required' : issue.message,
  type: pydanticType(issue),
});

/** FastAPI style: `{"detail": "..."}`; request validation is 422 `{"detail": [{"loc", "msg", "type"}]}`. */
export const genchargeEnvelope: ErrorEnvelope = (error) => {
  const transport = transportStatus(error);
  if (transport) return { status: transport, body: { detail: error.message } };
  if (error.type === FailureType.Validation) {
    if (error.issues.length) return { status: 422, body: { detail: error.issues.map(detailItem) } };
    if (error.reason === 'malformed-body') {
      return { status: 422, body: { detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] } };
    }
  }
  if (error.type === FailureType.Unauthenticated) {
    return { status: 401, body: { detail: worded(error, AUTH_MESSAGES[authReason(error)]) }, headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  if (error.type === FailureType.NotFound) {
    const what = error.resource ? `${error.resource[0]!.toUpperCase()}${error.resource.slice(1)} not found` : 'Not Found';
    return { status: 404, body: { detail: worded(error, what) } };
  }
  return { status: STATUS[error.type], body: { detail: worded(error, MESSAGES[error.type]) } };
};
