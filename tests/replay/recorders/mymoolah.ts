import { MM, mymoolah } from '../../support/mymoolah.js';
import { startTestPlatform } from '../../support/platform.js';
import type { RecordingSession } from './session.js';

/** MyMoolah's flows: vouchers (issue, EasyPay settle, cancel, redeem, expire), and Flash and MobileMart purchases. */
export async function recordMyMoolahHistories({ platform, record, workflowIdOf }: RecordingSession): Promise<void> {
  const voucherFlow = async (voucherId: number) => {
    const [row] = await platform.orm.em.fork().execute<{ workflow_id: string }[]>('select workflow_id from mymoolah_vouchers where id = ?', [voucherId]);
    return row!.workflow_id;
  };
  const mm = mymoolah(platform);
  const user = await mm.signUp();
  await record('mymoolah-deposit-peach', await workflowIdOf(await mm.deposit(user, 2000)));

  const v = await mm.issue(user, 300);
  await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 100 });
  await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: v.voucherCode, amount: 200 });
  await record('mymoolah-voucher-redeemed', await voucherFlow(v.id));

  const ep = await mm.easyPay(user, 200);
  await mm.network({ easypay_code: ep.easypay_code, amount: 200, transaction_id: `TX-recorded-${ep.id}` });
  await mm.network({ easypay_code: ep.easypay_code, amount: 200, transaction_id: `TX-recorded-${ep.id}` });
  const settled = await mm.voucher(user, ep.easypay_code);
  await mm.api().post(`${MM}/vouchers/redeem`).set(user.auth).send({ voucher_code: settled.body.data.voucherCode, amount: 200 });
  await record('mymoolah-easypay-settled-redeemed', await voucherFlow(ep.id));

  const cancelled = await mm.easyPay(user, 100);
  await mm.api().post(`${MM}/vouchers/${cancelled.id}/cancel`).set(user.auth);
  await record('mymoolah-easypay-cancelled', await voucherFlow(cancelled.id));

  const poor = await mm.signUp();
  const refused = await mm.api().post(`${MM}/vouchers/issue`).set(poor.auth).set('Idempotency-Key', 'recorded-refusal').send({ original_amount: 50 });
  if (refused.status !== 400) throw new Error(`expected a refusal, got ${refused.status}`);
  await record('mymoolah-voucher-refused', `mymoolah:voucher:u${poor.id}:key:recorded-refusal`);

  const flash = await mm.api().post(`${MM}/flash/process`).set(user.auth).send({ productType: 'airtime', productCode: 'VODACOM', accountNumber: '0825571055', amount: 50 });
  await record('mymoolah-flash-airtime', await workflowIdOf(flash.body.data.reference));
  platform.sandbox.faults.set({ provider: 'mobilemart', mode: 'error', count: 1 });
  const mobile = await mm.api().post(`${MM}/mobilemart/process`).set(user.auth).send({ productType: 'airtime', network: 'MTN', accountNumber: '0825571055', amount: 20 });
  await record('mymoolah-mobilemart-provider-error', await workflowIdOf(mobile.body.data.reference));

  // Expiry needs short lifetimes: a second API and worker on the same Temporal server, configured so.
  const short = await startTestPlatform({ MYMOOLAH_VOUCHER_EXPIRY_MS: '2000', MYMOOLAH_EASYPAY_EXPIRY_MS: '2000' });
  try {
    const quick = mymoolah(short);
    const saver = await quick.signUp();
    await quick.deposit(saver, 300);
    const pending = await quick.easyPay(saver, 100);
    const partly = await quick.issue(saver, 100);
    await quick.api().post(`${MM}/vouchers/redeem`).set(saver.auth).send({ voucher_code: partly.voucherCode, amount: 30 });
    await record('mymoolah-easypay-expired-pending', await voucherFlow(pending.id));
    await record('mymoolah-voucher-expired-partly-used', await voucherFlow(partly.id));
  } finally {
    await short.stop();
  }
}
