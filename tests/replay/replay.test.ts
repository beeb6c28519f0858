import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { requireEnv } from '../support/db.js';

const DIR = join(process.cwd(), 'tests', 'replay', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

it('has recorded histories of the funding and purchase flows to replay', () => {
  expect(files.filter((f) => f.startsWith('fund-wallet')).length).toBeGreaterThan(0);
  expect(files.filter((f) => f.startsWith('purchase')).length).toBeGreaterThan(0);
});

it('when the recorded histories are replayed against today\'s workflow code, then none is non-deterministic', async () => {
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') } }, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error?.message });
  }
  expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
});
