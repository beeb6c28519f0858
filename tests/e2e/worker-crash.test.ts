import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expectTrialBalanceZero } from '../support/db.js';
import { eventually, maxtera } from '../support/maxtera.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { HOUSEKEEPING_SCHEDULE_ID, reconciliationScheduleId } from '../../worker/schedules.js';
import { temporal } from '@temporalio/proto';

let platform: TestPlatform;
const workers: ChildProcess[] = [];

/** A worker in its own process, so the test can SIGKILL it like a crashed machine. */
function spawnWorker(): ChildProcess {
  // One process (node with tsx as a loader), so SIGKILL reaches the worker itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'worker', 'main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: platform.config.TEMPORAL_TASK_QUEUE,
      PAYMENT_PROVIDER_URL: `${platform.url}/sandbox/providers/onepipe`,
      VTU_PROVIDER_URL: `${platform.url}/sandbox/providers/vtpass`,
      // Every other provider's sandbox is reached through the platform's API and SMTP port.
      PUBLIC_BASE_URL: platform.url,
      SANDBOX_SMTP_PORT: String(platform.config.SANDBOX_SMTP_PORT),
    },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

/** Resolves once a worker process is polling the test's task queue, however slowly it started. */
async function pollersOnQueue(): Promise<number> {
  const { pollers } = await platform.temporal.workflowService.describeTaskQueue({
    namespace: platform.config.TEMPORAL_NAMESPACE,
    taskQueue: { name: platform.config.TEMPORAL_TASK_QUEUE },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers?.length ?? 0;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

beforeAll(async () => {
  platform = await startTestPlatform({}, { inProcessWorker: false });
});
afterAll(async () => {
  for (const w of workers) {
    w.kill('SIGKILL');
    await exited(w);
  }
  await platform.stop();
});

it('when the worker is killed with purchases in flight, then after a restart every flow is final, none charged twice, none lost', async () => {
  const m = maxtera(platform);
  const first = spawnWorker();
  await eventually(pollersOnQueue, (n) => n > 0, 60_000);
  const user = await m.signUp();
  await m.fund(user, 10_000);

  // Slow providers keep the flows mid-activity and mid-requery when the worker dies.
  platform.sandbox.faults.set({ provider: 'vtu', mode: 'timeout', count: 4, outcome: 'success' });
  const purchases = Array.from({ length: 12 }, (_, i) =>
    m.api().post('/maxtera/api/v1/airtime/purchase/').set(user.auth)
      .send({ network: 'MTN', amount: 100 + i, phone_number: '08031234567' })
      .then((r) => r),
  );
  const rows = () =>
    platform.orm.em.fork().execute<{ reference: string; status: string; amount: string; hold_status: string | null }[]>(
      `select t.reference, t.status, t.amount, h.status as hold_status
       from wallet_transactions t left join ledger_holds h on h.id = t.hold_id
       where t.user_id = ? and t.kind = 'airtime'`,
      [user.id],
    );
  await eventually(rows, (r) => r.length >= 6, 30_000);
  first.kill('SIGKILL');
  await exited(first);

  spawnWorker();
  const responses = await Promise.all(purchases);
  responses.forEach((r) => expect([200, 202]).toContain(r.status));

  const final = await eventually(rows, (r) => r.length === 12 && r.every((t) => t.status !== 'pending'), 60_000);
  let spent = 0;
  for (const t of final) {
    expect(t.hold_status).toBe(t.status === 'success' ? 'posted' : 'voided');
    expect(platform.sandbox.vtuDeliveries(t.reference)).toBeLessThanOrEqual(1);
    if (t.status === 'success') spent += Number(t.amount) / 100;
  }
  expect(final.filter((t) => t.status === 'success').length).toBeGreaterThan(0);
  expect(await m.balance(user)).toBe(10_000 - spent);
  await expectTrialBalanceZero(platform.orm.em);
});

it('when a worker process starts, then housekeeping runs hourly and each paying tenant is reconciled on its own schedule', async () => {
  const housekeeping = await platform.temporal.schedule.getHandle(HOUSEKEEPING_SCHEDULE_ID).describe();
  expect(housekeeping.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
  expect(housekeeping.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runHousekeeping', taskQueue: platform.config.TEMPORAL_TASK_QUEUE });
  const reconciliation = await platform.temporal.schedule.getHandle(reconciliationScheduleId('maxtera')).describe();
  expect(reconciliation.spec.intervals).toEqual([expect.objectContaining({ every: 300_000 })]);
  expect(reconciliation.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileTenant', args: ['maxtera'] });
});
