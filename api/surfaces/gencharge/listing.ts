import type { Response } from 'express';
import { z } from '../../openapi.js';

/** Largest page a list answers; the admin panel pages through the rest. */
export const MAX_LIMIT = 500;

/**
 * The query of every GenCharge list: `skip`/`limit`, `sort_by` on the list's own columns,
 * `sort_order`, and the list's filters. An unknown sort column or a negative skip is a 422.
 */
export function listQuery<F extends z.ZodRawShape, C extends string>(filters: F, sortable: readonly [C, ...C[]], defaultSort: C) {
  return z.object({
    skip: z.coerce.number().int().min(0).default(0).openapi({ description: 'Rows to skip' }),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100).openapi({ description: `Rows to answer (1-${MAX_LIMIT})` }),
    sort_by: z.enum(sortable).default(defaultSort),
    sort_order: z.enum(['asc', 'desc']).default('asc'),
    ...filters,
  });
}

export interface ListPage {
  skip: number;
  limit: number;
  sort_by: string;
  sort_order: 'asc' | 'desc';
}

/**
 * MikroORM find options for a page: the chosen column, then the primary key, so rows that tie
 * keep one order from page to page. `columns` maps the API's sort names to entity properties; a
 * dotted property (`user.email`) orders by a relation's column.
 */
export function pageOptions(page: ListPage, columns: Record<string, string>, primaryKey = 'id') {
  const property = columns[page.sort_by] ?? page.sort_by;
  const keys = property === primaryKey ? [property] : [property, primaryKey];
  // MikroORM orders by a relation's column as `{ user: { email: 'asc' } }`.
  const orderBy = keys.map((key) => key.split('.').reduceRight<object>((inner, part) => ({ [part]: inner }), page.sort_order as unknown as object));
  return { orderBy, limit: page.limit, offset: page.skip };
}

/** A text filter: case-insensitive "contains", with LIKE's wildcards taken literally. */
export const contains = (text: string) => ({ $ilike: `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });

/** The spec's lists are bare arrays; the total matching rows goes in `X-Total-Count`. */
export function sendList(res: Response, items: unknown[], total: number): void {
  res.set('X-Total-Count', String(total)).json(items);
}

export const LIST_HEADERS_NOTE = 'A bare JSON array; `X-Total-Count` carries the number of matching rows for paging.';
