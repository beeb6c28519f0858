import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { requireEnv } from '../support/db.js';
import * as workflows from '../../workflows/index.js';

const DIR = join(process.cwd(), 'tests', 'replay', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

it('has a recorded history of every flow the worker runs', () => {
  const recordedTypes = new Set(
    files.map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name),
  );
  expect([...recordedTypes].sort()).toEqual(Object.keys(workflows).sort());
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
