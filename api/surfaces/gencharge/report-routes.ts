import type { Request, RequestHandler } from 'express';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { validationError } from '../../errors.js';
import { reportBody, reportRows, type ReportDefinition } from './report-engine.js';
import { sendReport } from './report-export.js';
import { ADMIN_REPORTS, myTransactions } from './reports.js';
import type { GenChargeRoutes } from './router.js';
import { ERRORS } from './schemas.js';

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const EXPORT_NOTE =
  'With `export_type` `csv` or `xlsx` the answer is a download (`text/csv; charset=utf-8`, or the XLSX type) named `<report>-<UTC timestamp>`, with a header row of the same keys as the JSON rows, streamed from a database cursor. `order_by` is one of the listed columns (`order_dir` desc by default); `limit` 0 (the default) is every row; `start_date`/`end_date` are inclusive days in India or instants. Unknown keys are 422.';

/** The body, strictly: as pydantic's `extra="forbid"`, each unknown key is its own 422 item (`extra_forbidden`). */
function reportFilters<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const input: unknown = req.body ?? {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ ...issue, keys: [key], path: [...issue.path, key], message: 'Extra inputs are not permitted' })) : [issue],
  );
  throw validationError(issues, { input, location: 'body' });
}

function reportDoc(definition: ReportDefinition) {
  const schema = reportBody(definition);
  const row = z.object(Object.fromEntries(definition.columns.map((column) => [column, Cell])));
  const doc = {
    method: 'post' as const,
    path: `/reports${definition.path}`,
    summary: definition.summary,
    description: `${definition.description}\n\n${EXPORT_NOTE}`,
    body: schema,
    responses: { 200: { description: 'The rows (JSON), or the CSV or XLSX file', schema: z.object({ data: z.array(row) }) }, 422: ERRORS.invalid },
  };
  // Filters are checked before anything is read or streamed: a bad body is a 422, never half a file.
  const handler = (deps: GenChargeRoutes['deps']): RequestHandler => async (req, res) => {
    const filters = reportFilters(req, schema);
    await sendReport({
      res,
      logger: deps.logger,
      report: definition.name,
      columns: definition.columns,
      rows: reportRows(deps.em, definition, filters, { id: requireUser(req).id }),
      exportType: filters.export_type,
    });
  };
  return { doc, handler };
}

/** The thirteen reports: twelve for admins holding Reports (read), and a mobile user's own transactions. */
export function registerReportRoutes({ deps, route, adminRoute, userOnly }: GenChargeRoutes): void {
  for (const definition of ADMIN_REPORTS) {
    const { doc, handler } = reportDoc(definition);
    adminRoute('Reports', { ...doc, action: 'read' }, handler(deps));
  }
  const { doc, handler } = reportDoc(myTransactions);
  route({ ...doc, secured: true, responses: { ...doc.responses, 401: ERRORS.unauthorized, 403: ERRORS.forbidden } }, ...userOnly, handler(deps));
}
