import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Logger } from '../../../core/logger.js';
import type { ExportType, ReportRow } from './report-engine.js';

/**
 * The one way every report answers: JSON `{"data": [...]}`, or a CSV or XLSX download, each
 * streamed row by row as the cursor yields them (a `limit: 0` report of a large table must not
 * hold the API's memory, whatever its format). Once an answer has started, a failure cannot become
 * an error answer any more: the response is destroyed (the client sees a broken answer) and logged.
 */

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** `offers-report-20261126T061500Z`: the report and when it was made (UTC). */
export const exportFileName = (report: string, at: Date, type: 'csv' | 'xlsx') =>
  `${report}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}.${type}`;

export interface ReportAnswer {
  res: Response;
  logger: Logger;
  report: string;
  columns: readonly string[];
  rows: AsyncGenerator<ReportRow>;
  exportType: ExportType;
}

export async function sendReport({ res, logger, report, columns, rows, exportType }: ReportAnswer): Promise<void> {
  // The first row is read before any byte is sent: a query that fails at once still gets an error answer.
  const first = await rows.next();
  res.status(200);
  res.set('Cache-Control', 'no-store');
  if (exportType === 'none') {
    res.set('Content-Type', 'application/json; charset=utf-8');
  } else {
    res.set('Content-Type', CONTENT_TYPES[exportType]);
    res.set('Content-Disposition', `attachment; filename="${exportFileName(report, new Date(), exportType)}"`);
  }
  const all = (async function* () {
    if (!first.done) yield first.value;
    yield* rows;
  })();
  try {
    if (exportType === 'none') await writeJson(res, all);
    else if (exportType === 'csv') await writeCsv(res, columns, all);
    else await writeXlsx(res, report, columns, all);
  } catch (error) {
    logger.error({ err: error, report, exportType }, 'report export failed after the download started');
    await all.return(undefined).catch(() => undefined);
    res.destroy(error as Error);
  }
}

async function writeJson(res: Response, rows: AsyncIterable<ReportRow>): Promise<void> {
  async function* text() {
    yield '{"data":[';
    let separator = '';
    for await (const row of rows) {
      yield separator + JSON.stringify(row);
      separator = ',';
    }
    yield ']}';
  }
  await pipeline(Readable.from(text()), res);
}

async function writeCsv(res: Response, columns: readonly string[], rows: AsyncIterable<ReportRow>): Promise<void> {
  const csv = stringify({
    header: true,
    columns: [...columns],
    // true/false as the JSON shows them (csv-stringify's default writes 1 and an empty field).
    cast: { boolean: (value) => String(value) },
  });
  // pipeline carries back-pressure from the socket to the cursor and destroys all three on a failure.
  await pipeline(Readable.from(rows), csv, res);
}

async function writeXlsx(res: Response, report: string, columns: readonly string[], rows: AsyncIterable<ReportRow>): Promise<void> {
  // No shared strings and no styles: both would be kept in memory until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet(report);
  sheet.columns = columns.map((key) => ({ header: key, key }));
  for await (const row of rows) {
    if (res.destroyed) throw new Error('the client went away during the download');
    sheet.addRow(row).commit();
    // exceljs writes the sheet into the zip without heeding back-pressure (the whole sheet would
    // pile up in front of the compressor): wait for the zip entry, then for the client.
    const entry = zipEntryOf(sheet);
    if (entry?._writableState?.needDrain) await drained(entry, res);
    if (res.writableNeedDrain) await drained(res, res);
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * The stream exceljs pipes a streamed sheet into: archiver's entry, a readable-stream 2
 * PassThrough, whose state is only in `_writableState` (exceljs's `StreamBuf` keeps the list).
 */
type ZipEntry = Writable & { _writableState?: { needDrain?: boolean } };
const zipEntryOf = (sheet: ExcelJS.Worksheet): ZipEntry | undefined => (sheet as unknown as { _stream?: { pipes?: ZipEntry[] } })._stream?.pipes?.[0];

/** Until `stream` drains; a client that goes away ends the wait with an error. */
async function drained(stream: Writable, res: Response): Promise<void> {
  if (res.destroyed) throw new Error('the client went away during the download');
  const stop = new AbortController();
  const gone = once(res, 'close', { signal: stop.signal }).then(() => {
    throw new Error('the client went away during the download');
  });
  try {
    await Promise.race([once(stream, 'drain', { signal: stop.signal }), gone]);
  } finally {
    stop.abort();
    gone.catch(() => undefined);
  }
}
