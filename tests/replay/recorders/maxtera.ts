import { eventually, maxtera } from '../../support/maxtera.js';
import { signPaymentWebhook, PAYMENT_SIGNATURE_HEADER } from '../../../providers/webhooks.js';
import { purchaseDecisionSignal } from '../../../workflows/contracts.js';
import { reconcileTenant, runHousekeeping } from '../../../workflows/index.js';
import { TEST_ENV } from '../../support/test-env.js';
import type { RecordingSession } from './session.js';

/** The platform's own flows, driven through the Maxtera surface. */
export async function recordMaxteraHistories({ platform, record, workflowIdOf }: RecordingSession): Promise<void> {
  const m = maxtera(platform);
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

  const short = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 900 });
  await m.api().post(`/sandbox/payments/${short.body.reference}/complete`).send({ status: 'success', amount_minor: 50_000 });
  await record('fund-wallet-amount-mismatch', await workflowIdOf(short.body.reference));

  const admin = await m.api().post('/maxtera/api/v1/auth/login/').send({ email: 'admin@maxtera.local', password: TEST_ENV.SEED_ADMIN_PASSWORD });
  platform.sandbox.faults.set({ provider: 'vtu', mode: 'pending', count: 10_000, outcome: 'success' });
  const unresolved = (await buy()).body.reference as string;
  const reviewId = await workflowIdOf(unresolved);
  await eventually(
    async () => (await platform.temporal.workflow.getHandle(reviewId).describe()).status.name,
    () => true,
  );
  await eventually(
    async () => (await m.api().get('/ops/maxtera/reviews').set({ Authorization: `Bearer ${admin.body.access}` })).body.purchases?.length ?? 0,
    (n) => n > 0,
  );
  platform.sandbox.faults.set({ provider: 'vtu', mode: 'none', count: 0 });
  await platform.temporal.workflow.getHandle(reviewId).signal(purchaseDecisionSignal, { action: 'void', reason: 'recorded', operator: 'ops' });
  await record('purchase-review-void', reviewId);

  const late = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 400 });
  await record('fund-wallet-timeout', await workflowIdOf(late.body.reference));
  await m.api().post(`/sandbox/payments/${late.body.reference}/complete`).send({ status: 'success' });
  await record('late-payment', `maxtera:late-payment:${late.body.reference}`);

  const body = JSON.stringify({ event_id: 'evt-recorded-unmatched', type: 'collection.completed', data: { transaction_ref: 'MPX-NOBODY', status: 'success', amount: 1000 } });
  await m.api().post('/webhooks/onepipe').set('Content-Type', 'application/json')
    .set(PAYMENT_SIGNATURE_HEADER, signPaymentWebhook(body, TEST_ENV.WEBHOOK_SECRET, Math.floor(Date.now() / 1000))).send(body);
  await record('unmatched-payment', 'maxtera:unmatched-payment:onepipe:evt-recorded-unmatched');
  const adminAuth = { Authorization: `Bearer ${admin.body.access}` };
  const [item] = (await m.api().get('/ops/maxtera/reviews').set(adminAuth)).body.suspense;
  const resolved = await m.api().post(`/ops/maxtera/reconciliation-items/${item.id}/resolve`).set(adminAuth)
    .send({ action: 'credit_wallet', user_id: user.id, reason: 'recorded' });
  await record('resolve-suspense', resolved.body.workflow_id);

  const forget = await m.api().post('/maxtera/api/v1/wallet/fund/').set(user.auth).send({ amount: 300 });
  await platform.temporal.workflow.getHandle(await workflowIdOf(forget.body.reference)).result();
  await m.api().post(`/sandbox/payments/${forget.body.reference}/complete`).send({ status: 'success', lose_webhook: true });
  const options = { taskQueue: platform.config.TEMPORAL_TASK_QUEUE };
  await platform.temporal.workflow.execute(reconcileTenant, { ...options, args: ['maxtera'], workflowId: 'recorded-reconciliation' });
  await record('reconciliation', 'recorded-reconciliation');
  await platform.temporal.workflow.execute(runHousekeeping, { ...options, workflowId: 'recorded-housekeeping' });
  await record('housekeeping', 'recorded-housekeeping');
}
