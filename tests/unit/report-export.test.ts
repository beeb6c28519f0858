import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { jest } from '@jest/globals';
import type { Logger } from '../../core/logger.js';
import type { ExportType, ReportRow } from '../../api/surfaces/gencharge/report-engine.js';
import { exportFileName, sendReport } from '../../api/surfaces/gencharge/report-export.js';

/**
 * The exporter's failure rules: a failure before the first byte is an ordinary error answer; one
 * after the download started destroys the response (the client sees a broken download, never an
 * error body inside the file) and is logged.
 */

async function* rowsFailingAfter(count: number, fail = true): AsyncGenerator<ReportRow> {
  for (let i = 0; i < count; i++) {
    yield { id: i, note: `row ${i} ${'x'.repeat(200)}`, ok: i % 2 === 0, at: null };
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  if (fail) throw new Error('the cursor broke');
}

async function serve(exportType: ExportType, failAfter: number, fail = true) {
  const error = jest.fn();
  const logger = { error } as unknown as Logger;
  const app = express();
  app.post('/report', async (_req, res) => {
    await sendReport({ res, logger, report: 'test-report', columns: ['id', 'note', 'ok', 'at'], rows: rowsFailingAfter(failAfter, fail), exportType });
  });
  const answerError: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ detail: 'Internal Server Error' });
  };
  app.use(answerError);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const call = () =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: string; complete: boolean }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/report', method: 'POST' }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body, complete: res.complete }));
      });
      req.on('error', reject);
      req.end();
    });
  return { call, error, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('report exporter', () => {
  it.each(['csv', 'xlsx'] as const)('when a %s export fails after it started, then the download breaks off, carries no error body, and the failure is logged', async (type) => {
    const { call, error, close } = await serve(type, 3000);
    try {
      const answer = await call();
      expect(answer.status).toBe(200);
      expect(answer.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="test-report-\\d{8}T\\d{6}Z\\.${type}"$`));
      expect(answer.complete).toBe(false);
      expect(answer.body).not.toContain('Internal Server Error');
      expect(error).toHaveBeenCalledWith(expect.objectContaining({ report: 'test-report', exportType: type }), expect.any(String));
    } finally {
      await close();
    }
  });

  it('when a JSON answer fails after it started, then it breaks off (never valid JSON with half the rows) and the failure is logged', async () => {
    const { call, error, close } = await serve('none', 3000);
    try {
      const answer = await call();
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.complete).toBe(false);
      expect(answer.body.startsWith('{"data":[{"id":0,')).toBe(true);
      expect(() => JSON.parse(answer.body)).toThrow();
      expect(error).toHaveBeenCalledWith(expect.objectContaining({ report: 'test-report', exportType: 'none' }), expect.any(String));
    } finally {
      await close();
    }
  });

  it('when a JSON answer streams every row, then it is the data object in order', async () => {
    const { call, close } = await serve('none', 2500, false);
    try {
      const answer = await call();
      expect(answer.status).toBe(200);
      const { data } = JSON.parse(answer.body) as { data: ReportRow[] };
      expect(data).toHaveLength(2500);
      expect(data.map((row) => row.id)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
      expect(data[1]).toEqual({ id: 1, note: `row 1 ${'x'.repeat(200)}`, ok: false, at: null });
    } finally {
      await close();
    }
  });

  it('when an export fails before its first row, then the answer is an ordinary error, not a file', async () => {
    const { call, close } = await serve('csv', 0);
    try {
      const answer = await call();
      expect(answer.status).toBe(500);
      expect(answer.headers['content-disposition']).toBeUndefined();
      expect(JSON.parse(answer.body)).toEqual({ detail: 'Internal Server Error' });
    } finally {
      await close();
    }
  });

  it('names the file after the report and the UTC instant', () => {
    expect(exportFileName('offers-report', new Date('2026-11-26T06:15:00.123Z'), 'csv')).toBe('offers-report-20261126T061500Z.csv');
  });
});
