import { uniqueId } from '../../support/db.js';
import { GC, gencharge } from '../../support/gencharge.js';
import { genchargeAdmins } from '../../support/gencharge-admins.js';
import { eventually } from '../../support/maxtera.js';
import type { RecordingSession } from './session.js';

/** The admin invitation flow, driven through the GenCharge admin API. */
export async function recordGenChargeHistories({ platform, record }: RecordingSession): Promise<void> {
  const ga = genchargeAdmins(platform);
  const role = await ga.createRole([['Plans', 'read']]);
  const admin = await ga.invite(role.role_id);
  await ga.invitationToken(admin.email);
  await record('gencharge-admin-invitation', `gencharge:admin-invitation:${admin.adminId}`);

  await recordRechargeHistories({ platform, record });
}

/** Top-up with its credit notice; plans bought from the wallet and by UPI; a queued plan's validity. */
async function recordRechargeHistories({ platform, record }: Pick<RecordingSession, 'platform' | 'record'>): Promise<void> {
  const gc = gencharge(platform);
  const admin = await gc.superAdmin();
  const group = await gc.api().post(`${GC}/plans/plan-group`).set(admin.auth).send({ group_name: `Airtel ${uniqueId('g')}` });
  const plan = await gc.api().post(`${GC}/plans/plan`).set(admin.auth).send({ plan_name: uniqueId('plan'), price: 19, validity: 1, plan_type: 'prepaid', group_id: group.body.group_id });
  const user = await gc.signUp();
  const post = (path: string, body: object) => gc.api().post(`${GC}${path}`).set(user.auth).send(body);

  const topup = await post('/recharge/wallet/topup', { amount: 100, phone_number: user.phone, payment_method: 'UPI' });
  await eventually(() => gc.api().post(`/sandbox/payments/${topup.body.reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
  await record('gencharge-topup-credited', `gencharge:fund-wallet:${topup.body.reference}`);

  const subscribe = (body: object) => post('/recharge/subscribe', { phone_number: user.phone, plan_id: plan.body.plan_id, payment_method: 'wallet', source: 'recharge', ...body });
  const current = await subscribe({ activation_mode: 'activate' });
  await record('gencharge-subscription-wallet', `gencharge:subscription:${current.body.reference}`);
  const queued = await subscribe({ activation_mode: 'queue' });
  await record('gencharge-subscription-queued', `gencharge:subscription:${queued.body.reference}`);

  const byUpi = await subscribe({ payment_method: 'UPI', activation_mode: 'activate' });
  await eventually(() => gc.api().post(`/sandbox/payments/${byUpi.body.payment_reference}/complete`).send({ status: 'success' }), (r) => r.status === 200);
  await record('gencharge-subscription-upi', `gencharge:subscription:${byUpi.body.reference}`);

  await record('gencharge-plan-validity-queued', `gencharge:plan-validity:${queued.body.reference}`);
}
