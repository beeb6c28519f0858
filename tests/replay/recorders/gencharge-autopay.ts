import { subscriptionTiming } from '../../../api/surfaces/gencharge/recharge.js';
import { runAutopay } from '../../../workflows/index.js';
import { uniqueId } from '../../support/db.js';
import { GC, gencharge } from '../../support/gencharge.js';
import type { RecordingSession } from './session.js';

/**
 * Autopay runs through process-due: a cycle bought from the wallet, a cycle the wallet could not
 * pay (recorded and told), and a second run of a bought cycle, which meets the subscription's ID.
 */
export async function recordGenChargeAutopayHistories({ platform, record }: RecordingSession): Promise<void> {
  const gc = gencharge(platform);
  const admin = await gc.superAdmin();
  const group = await gc.api().post(`${GC}/plans/plan-group`).set(admin.auth).send({ group_name: `Jio ${uniqueId('g')}` });
  const plan = await gc.api().post(`${GC}/plans/plan`).set(admin.auth).send({ plan_name: uniqueId('plan'), price: 19, validity: 28, plan_type: 'prepaid', group_id: group.body.group_id });
  const nextMonth = new Date(Math.ceil((Date.now() + 30 * 24 * 3600_000) / 1000) * 1000).toISOString();

  /** A rule whose cycle is due now, as if its Schedule's run had been missed: only process-due runs it. */
  async function dueRule(funded: boolean): Promise<{ id: number; due: string }> {
    const user = await gc.signUp();
    if (funded) await gc.credit(user, 100_00n);
    const rule = await gc.api().post(`${GC}/autopay/create_autopay`).set(user.auth).send({ plan_id: plan.body.plan_id, phone_number: user.phone, next_due_date: nextMonth });
    if (rule.status !== 201) throw new Error(`create_autopay failed: ${rule.status} ${rule.text}`);
    const [row] = await platform.orm.em
      .fork()
      .execute<{ due_ms: string }[]>(
        "update gencharge_autopays set next_due_date = date_trunc('second', now()) - interval '1 second' where id = ? returning extract(epoch from next_due_date) * 1000 as due_ms",
        [rule.body.autopay_id],
      );
    return { id: rule.body.autopay_id, due: new Date(Number(row!.due_ms)).toISOString() };
  }
  const processDue = async () => {
    const res = await gc.api().post(`${GC}/autopay/admin/process-due`).set(admin.auth).send();
    if (res.status !== 200) throw new Error(`process-due failed: ${res.status} ${res.text}`);
  };
  const runId = (rule: { id: number; due: string }) => `gencharge:autopay-run:${rule.id}-${rule.due}`;

  const paid = await dueRule(true);
  const unpaid = await dueRule(false);
  await processDue();
  await record('gencharge-autopay-processed', runId(paid));
  await record('gencharge-autopay-missed', runId(unpaid));

  // The bought cycle run again (its due date put back): the subscription's ID is taken, nothing is charged.
  await platform.orm.em.fork().execute('update gencharge_autopays set next_due_date = ? where id = ?', [paid.due, paid.id]);
  const again = `gencharge:autopay-run:${paid.id}-again`;
  await platform.temporal.workflow.start(runAutopay, {
    workflowId: again,
    taskQueue: platform.config.TEMPORAL_TASK_QUEUE,
    args: [{ tenant: 'gencharge', autopayId: paid.id, timing: subscriptionTiming(platform.config), dueWaitMs: 0 }],
  });
  await record('gencharge-autopay-already-processed', again);
}
