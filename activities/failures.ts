import { ApplicationFailure } from '@temporalio/common';
import { DomainError, FailureType, NON_RETRYABLE_FAILURES } from '../core/errors.js';
import { ProviderOutcomeUnknownError, ProviderRejectedError } from '../providers/types.js';

/**
 * Turns domain and provider errors into Temporal failures with a typed `type`: business
 * rejections stop retries, transport trouble is retried by the activity's retry policy.
 */
export function toActivityFailure(err: unknown, isFinal: (err: DomainError) => boolean = () => false): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof DomainError) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: NON_RETRYABLE_FAILURES.includes(err.type) || isFinal(err),
      details: err.details ? [err.details] : undefined,
      cause: err,
    });
  }
  if (err instanceof ProviderRejectedError) {
    return ApplicationFailure.create({ type: FailureType.ProviderRejected, message: err.message, nonRetryable: true, cause: err });
  }
  if (err instanceof ProviderOutcomeUnknownError) {
    return ApplicationFailure.create({ type: FailureType.ProviderUnavailable, message: err.message, nonRetryable: false, cause: err });
  }
  return err;
}

/**
 * Wraps every activity of a factory so its failures carry a type. `isFinal` marks further domain
 * errors as not worth a retry (a refusal that a retry would meet again), whatever their type.
 */
export function withTypedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  options: { isFinal?: (err: DomainError) => boolean } = {},
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err, options.isFinal);
      }
    };
  }
  return wrapped as T;
}
