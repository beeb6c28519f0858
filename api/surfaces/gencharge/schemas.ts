import { z } from '../../openapi.js';

/**
 * Schemas every GenCharge route module shares. Bodies follow pydantic's defaults: unknown fields
 * are ignored, missing ones are 422 `missing`, and messages read as pydantic's do.
 */

/**
 * An Indian mobile number: 10 digits starting 6-9, optionally written with +91, 91 or 0 in front
 * and spaces or dashes; the value is the 10 digits.
 */
export const IndianMobile = z
  .string()
  .transform((value, ctx) => {
    const match = /^(?:\+?91|0)?([6-9]\d{9})$/.exec(value.replace(/[\s-]/g, ''));
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'Value error, phone_number must be a 10-digit Indian mobile number starting with 6-9' });
      return z.NEVER;
    }
    return match[1]!;
  })
  .openapi({ type: 'string', example: '9876543210', description: '10-digit Indian mobile number (6-9 first); +91 is accepted and dropped' });

/** Postgres refuses NUL in text, so a value carrying one is a 422 here rather than a 500 there. */
export const noNul = (value: string) => !value.includes('\u0000');
export const NUL = { message: 'Value error, must not contain NUL characters', abort: true };

export const Email = z
  .string()
  .refine(noNul, NUL)
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'value is not a valid email address' }))
  .openapi({ type: 'string', format: 'email', example: 'akhil@example.com' });

export const PersonName = z.string().refine(noNul, NUL).trim().min(1).max(100);

/** Free text a user reads (an announcement, a message): trimmed, not empty, no NUL. */
export const PlainText = (max: number) => z.string().refine(noNul, NUL).trim().min(1).max(max);

/** A positive integer id in a path (`/role/{role_id}`); a non-number is 422 like FastAPI's. */
export const PositiveId = z.coerce.number().int().positive().max(2147483647);

/** FastAPI's error body for everything but request validation. */
export const Detail = z.object({ detail: z.string() }).openapi('GenChargeError');

export const ValidationDetail = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .openapi('GenChargeValidationError');

/** The answer of actions the spec shows as `{}`. */
export const Empty = z.object({}).openapi('GenChargeEmpty');

/** OpenAPI descriptions of the answers most routes can give. */
export const ERRORS = {
  unauthorized: { description: 'Not authenticated, or the token is invalid, expired or its session has ended', schema: Detail },
  forbidden: { description: "The caller's role does not grant this permission (or a user token on an admin route)", schema: Detail },
  notFound: { description: 'Not found', schema: Detail },
  conflict: { description: 'Conflicts with existing data (a taken email or phone, a record in use)', schema: Detail },
  invalid: { description: 'Request validation failed', schema: ValidationDetail },
  throttled: { description: 'Too many requests', schema: Detail },
} as const;
