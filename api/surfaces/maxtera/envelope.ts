import { FailureType } from '../../../core/errors.js';
import type { ApiError } from '../../errors.js';

/** Messages a Django REST Framework client already knows, where ours would differ. */
const DRF_MESSAGES: Partial<Record<FailureType, string>> = {
  [FailureType.NotFound]: 'Not found.',
  [FailureType.InsufficientFunds]: 'Insufficient wallet balance.',
  [FailureType.RateLimited]: 'Request was throttled.',
};

/** DRF style: `{"detail": "..."}`, or `{"field": ["msg"]}` for field errors. */
export function maxteraEnvelope(error: ApiError): unknown {
  if (error.type === FailureType.Validation && error.fields) return error.fields;
  const body: Record<string, unknown> = { detail: DRF_MESSAGES[error.type] ?? error.message };
  if (error.type === FailureType.Unauthenticated && error.message.startsWith('Given token')) body.code = 'token_not_valid';
  return body;
}
