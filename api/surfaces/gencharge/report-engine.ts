import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from '../../openapi.js';
import { DateBound, withinDates } from './listing.js';

/**
 * GenCharge's reports: one engine for all of them. A report is a definition (its filters, the
 * columns it may be ordered by, its query and how a database row becomes a flat report row); the
 * engine builds the strict filter body, runs the query through a database cursor and yields the
 * rows one by one, so an export never holds the report in memory.
 */

/** A report cell: the same value in JSON, CSV and XLSX. */
export type Cell = string | number | boolean | null;
export type ReportRow = Record<string, Cell>;

/** The largest non-zero `limit`; 0 is every row. */
export const REPORT_MAX_LIMIT = 100_000;
export const EXPORT_TYPES = ['none', 'csv', 'xlsx'] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

/** Rows fetched per cursor round-trip. */
const CURSOR_CHUNK = 500;

/** One SQL condition with its `?` parameters; undefined when its filter was not given. */
export type Condition = readonly [sql: string, ...params: unknown[]] | undefined;

/** `column in (...)` for a non-empty list (an empty list matches nothing, as the client asked). */
export const anyOf = (column: string, values: readonly unknown[] | undefined): Condition =>
  values === undefined ? undefined : values.length ? [`${column} in (?)`, values] : ['false'];

/** The common `start_date`/`end_date` over a timestamp column: a day is the whole day in India. */
export function between(column: string, from: string | undefined, to: string | undefined): Condition {
  const range = withinDates(from, to);
  if (!range) return undefined;
  const bounds: Array<[string, Date | undefined]> = [
    ['>=', range.$gte],
    ['<', range.$lt],
    ['<=', range.$lte],
  ];
  const given = bounds.filter((bound): bound is [string, Date] => bound[1] !== undefined);
  const parts = given.map(([op]) => `${column} ${op} ?::timestamptz`);
  const params = given.map(([, at]) => at.toISOString());
  return [parts.join(' and '), ...params];
}

/** What every report's body has besides its own filters. */
export interface ReportWindow {
  start_date?: string | undefined;
  end_date?: string | undefined;
  order_by: string;
  order_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
  export_type: ExportType;
}

/** Who asked: the report of one's own rows reads the caller. */
export interface ReportCaller {
  id: number;
}

export interface ReportDefinition<S extends z.ZodRawShape = z.ZodRawShape> {
  /** The path's last part and the export file's name: `offers-report`. */
  name: string;
  /** Under /reports: `/offers-report`, `/me/transactions-report`. */
  path: string;
  summary: string;
  /** What a row is, for the OpenAPI description. */
  description: string;
  /** The report's own filters (ids, statuses, ...); all optional. */
  filters: S;
  /** The timestamp `start_date`/`end_date` read, and what the description calls it. */
  dates: { column: string; meaning: string };
  /** API names `order_by` accepts, each with the SQL it orders by; the first is the default. */
  orderBy: Record<string, string>;
  /** Expressions unique together that break ties, so pages keep one order. */
  tieBreaker: readonly string[];
  /** The report's columns in order: the JSON keys, the CSV and XLSX header. */
  columns: readonly string[];
  /** `select ... from ...` without where or order (a grouped report selects from a subquery). */
  select: string;
  where(filters: z.infer<z.ZodObject<S>>, caller: ReportCaller): Condition[];
  /** A database row (named by the select's aliases) as the report shows it. */
  row(raw: Record<string, unknown>): ReportRow;
}

/** Keeps each definition's filter types while the list of reports holds them all. */
export const defineReport = <S extends z.ZodRawShape>(definition: ReportDefinition<S>): ReportDefinition<S> => definition;

/**
 * The report's body: its filters, the date range, order, window and export type. Strict: an
 * unknown key is a 422, like an unknown `order_by`.
 */
export function reportBody(definition: ReportDefinition) {
  const orderable = Object.keys(definition.orderBy) as [string, ...string[]];
  return z
    .object({
      ...definition.filters,
      start_date: DateBound.optional().openapi({ description: `${definition.dates.meaning} on or after this day (from its start in India) or instant` }),
      end_date: DateBound.optional().openapi({ description: `${definition.dates.meaning} on or before this day (through its end in India) or instant` }),
      order_by: z.enum(orderable).default(orderable[0]),
      order_dir: z.enum(['asc', 'desc']).default('desc'),
      limit: z.number().int().min(0).max(REPORT_MAX_LIMIT).default(0).openapi({ description: `Rows to answer; 0 (the default) is every row, else 1-${REPORT_MAX_LIMIT}` }),
      offset: z.number().int().min(0).default(0),
      export_type: z.enum(EXPORT_TYPES).default('none').openapi({ description: 'none: JSON `{"data": [...]}`; csv or xlsx: a file download' }),
    })
    .strict()
    .openapi(`GenCharge${definition.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Filters`);
}

/** The report's SQL and its parameters, for the body it was given. */
export function reportQuery(definition: ReportDefinition, body: ReportWindow & Record<string, unknown>, caller: ReportCaller): { sql: string; params: unknown[] } {
  const conditions = [...definition.where(body as never, caller), between(definition.dates.column, body.start_date, body.end_date)].filter(
    (c): c is NonNullable<Condition> => c !== undefined,
  );
  const params = conditions.flatMap(([, ...p]) => p);
  // order_by was checked against the whitelist, order_dir is one of two words.
  const dir = body.order_dir === 'asc' ? 'asc' : 'desc';
  const orderBy = definition.orderBy[body.order_by]!;
  const order = [`${orderBy} ${dir} nulls last`, ...definition.tieBreaker.filter((key) => key !== orderBy).map((key) => `${key} ${dir}`)].join(', ');
  const window = `${body.limit > 0 ? ` limit ${body.limit}` : ''}${body.offset > 0 ? ` offset ${body.offset}` : ''}`;
  const where = conditions.length ? ` where ${conditions.map(([sql]) => `(${sql})`).join(' and ')}` : '';
  return { sql: `${definition.select}${where} order by ${order}${window}`, params };
}

/** The report's rows from a database cursor, one at a time, in the definition's columns. */
export async function* reportRows(em: EntityManager, definition: ReportDefinition, body: ReportWindow & Record<string, unknown>, caller: ReportCaller): AsyncGenerator<ReportRow> {
  const { sql, params } = reportQuery(definition, body, caller);
  const cursor = em.getConnection().stream<Record<string, unknown>>(sql, params, undefined, undefined, CURSOR_CHUNK);
  for await (const raw of cursor) {
    const mapped = definition.row(raw);
    // Every row has exactly the columns, in order, so the three formats agree.
    yield Object.fromEntries(definition.columns.map((column) => [column, mapped[column] ?? null]));
  }
}

/** A timestamp as the API shows it (ISO, UTC). */
export const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string | Date).toISOString());
/** A bigint or int column as a number (ids stay below 2^53). */
export const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
export const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
