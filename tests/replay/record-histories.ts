/**
 * Records real histories of every flow into tests/replay/histories/, for the
 * replay test. Run it (`npm run record-histories`) when a flow changes on purpose, and commit the
 * new files together with the change; never to make a determinism failure go away.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveTemporalCli } from '../../scripts/temporal-cli.js';
import { startTestStack, stopTestStack } from '../support/stack.js';
import { startTestPlatform } from '../support/platform.js';
import { RECORDERS } from './recorders/index.js';
import type { RecordingSession } from './recorders/session.js';

const OUT = join(import.meta.dirname, 'histories');

async function main(): Promise<void> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is needed to export histories');
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((app) => !(app in RECORDERS));
  if (unknown.length) throw new Error(`no recorder for ${unknown.join(', ')}; known: ${Object.keys(RECORDERS).join(', ')}`);
  await startTestStack();
  const platform = await startTestPlatform({ PURCHASE_REQUERY_LIMIT_MS: '1500' });
  const recorded: string[] = [];
  const workflowIdOf = async (reference: string) => {
    const [row] = await platform.orm.em.fork().execute<{ workflow_id: string }[]>(
      'select workflow_id from wallet_transactions where reference = ?',
      [reference],
    );
    return row!.workflow_id;
  };
  const record = async (name: string, workflowId: string) => {
    const handle = platform.temporal.workflow.getHandle(workflowId);
    await handle.result().catch(() => undefined);
    // The CLI writes the canonical proto JSON that historyFromJSON reads back.
    const json = execFileSync(cli, ['workflow', 'show', '--address', platform.config.TEMPORAL_ADDRESS, '-w', workflowId, '-o', 'json']);
    writeFileSync(join(OUT, `${name}.json`), json);
    recorded.push(name);
  };
  try {
    const session: RecordingSession = { platform, record, workflowIdOf };
    for (const [app, recordApp] of Object.entries(RECORDERS)) {
      if (wanted.length === 0 || wanted.includes(app)) await recordApp(session);
    }
  } finally {
    await platform.stop();
    await stopTestStack();
  }
  process.stdout.write(`recorded ${recorded.join(', ')} into ${OUT}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
