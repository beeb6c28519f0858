/**
 * Records real histories of the funding and purchase flows into tests/replay/histories/, for the
 * replay test. Run it (`npm run record-histories`) when a flow changes on purpose, and commit the
 * new files together with the change; never to make a determinism failure go away.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveTemporalCli } from '../../scripts/temporal-cli.js';
import { startTestStack, stopTestStack } from '../support/stack.js';
import { startTestPlatform } from '../support/platform.js';
import { eventually, maxtera } from '../support/maxtera.js';

const OUT = join(import.meta.dirname, 'histories');

async function main(): Promise<void> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is needed to export histories');
  await startTestStack();
  const platform = await startTestPlatform();
  const m = maxtera(platform);
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
    const user = await m.signUp();
    await record('fund-wallet-webhook', await workflowIdOf(await m.fund(user, 5000)));

    const lost = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 700 });
    await eventually(() => m.api().post(`/sandbox/payments/${lost.body.reference}/complete`).send({ status: 'success', lose_webhook: true }), (r) => r.status === 200);
    await record('fund-wallet-polled', await workflowIdOf(lost.body.reference));

    const buy = () => m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth).send({ network: 'MTN', amount: 100, phone_number: '08031234567' });
    await record('purchase-success', await workflowIdOf((await buy()).body.reference));
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'error', count: 1 });
    await record('purchase-provider-error', await workflowIdOf((await buy()).body.reference));
    platform.sandbox.faults.set({ provider: 'vtu', mode: 'timeout', count: 1, outcome: 'success' });
    await record('purchase-timeout-requery-success', await workflowIdOf((await buy()).body.reference));
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
