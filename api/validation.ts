import type { Request } from 'express';
import type { z } from 'zod';
import type { ValidationIssue } from '../core/errors.js';
import { validationError } from './errors.js';

/** Parses one part of a request with the same schema the OpenAPI document describes. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, location: ValidationIssue['location'] = 'body'): z.infer<S> {
  const input = value ?? {};
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error.issues, { input, location });
  return result.data;
}

export const body = <S extends z.ZodType>(req: Request, schema: S) => parseRequest(schema, req.body, 'body');
export const query = <S extends z.ZodType>(req: Request, schema: S) => parseRequest(schema, req.query, 'query');
export const params = <S extends z.ZodType>(req: Request, schema: S) => parseRequest(schema, req.params, 'path');
