import type { Request } from 'express';
import type { z } from 'zod';
import { validationError } from './errors.js';

/** Parses one part of a request with the same schema the OpenAPI document describes. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error.issues);
  return result.data;
}

export const body = <S extends z.ZodType>(req: Request, schema: S) => parseRequest(schema, req.body);
export const query = <S extends z.ZodType>(req: Request, schema: S) => parseRequest(schema, req.query);
