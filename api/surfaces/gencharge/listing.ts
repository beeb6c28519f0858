import type { Response } from 'express';
import { DAY_MS, startOfIndianDay } from '../../../core/india-calendar.js';
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

/**
 * Part 2's lists answer a page object, as the spec shows: `{ <key>: [...], total, page, size, pages }`.
 * The query is `page` (from 1) and `size`, plus the list's filters.
 */
export function pagedQuery<F extends z.ZodRawShape>(filters: F, defaultSize = 10) {
  return z.object({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ description: 'Page number, from 1' }),
    size: z.coerce.number().int().min(1).max(MAX_LIMIT).default(defaultSize).openapi({ description: `Rows per page (1-${MAX_LIMIT})` }),
    ...filters,
  });
}

export interface PageRequest {
  page: number;
  size: number;
}

/** `limit`/`offset` for a page request. */
export const pageWindow = ({ page, size }: PageRequest) => ({ limit: size, offset: (page - 1) * size });

/** The page object, with the items under the spec's key for that list. */
export function pageOf<K extends string, T>(key: K, items: T[], total: number, { page, size }: PageRequest) {
  return { [key]: items, total, page, size, pages: Math.ceil(total / size) } as { [P in K]: T[] } & { total: number; page: number; size: number; pages: number };
}

/** The OpenAPI schema of a page whose items are `item`, under `key`. */
export function pageSchema<K extends string, T extends z.ZodTypeAny>(key: K, item: T) {
  return z.object({ [key]: z.array(item), total: z.number().int(), page: z.number().int(), size: z.number().int(), pages: z.number().int() } as { [P in K]: z.ZodArray<T> } & Record<'total' | 'page' | 'size' | 'pages', z.ZodNumber>);
}

const isDay = (bound: string) => !bound.includes('T');
const startOf = (bound: string) => (isDay(bound) ? startOfIndianDay(bound) : new Date(bound));

/** A date filter's value: a calendar day (`2025-11-10`, the whole day in India) or an instant with its offset. */
export const DateBound = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).openapi({ example: '2025-11-10' });

/**
 * A timestamp filter from `from` to `to`, both inclusive, as every GenCharge list reads its dates:
 * a day runs from its start to its end in India, an instant is taken as it is. Undefined when
 * neither is given.
 */
export function withinDates(from: string | undefined, to: string | undefined): { $gte?: Date; $lt?: Date; $lte?: Date } | undefined {
  if (!from && !to) return undefined;
  return {
    ...(from && { $gte: startOf(from) }),
    ...(to && (isDay(to) ? { $lt: new Date(startOf(to).getTime() + DAY_MS) } : { $lte: startOf(to) })),
  };
}
