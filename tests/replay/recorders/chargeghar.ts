import { otpWorkflowId } from '../../../core/otp.js';
import { CG, chargeghar } from '../../support/chargeghar.js';
import { eventually } from '../../support/maxtera.js';
import type { RecordingSession } from './session.js';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 1)]);

/** The one-time code, KYC review and account deletion flows, driven through the ChargeGhar surface. */
export async function recordChargeGharHistories({ platform, record }: RecordingSession): Promise<void> {
  const cg = chargeghar(platform);
  const kycFlowOf = async (userId: number, status: string) => {
    const [row] = await platform.orm.em.fork().execute<{ workflow_id: string }[]>(
      'select workflow_id from chargeghar_kyc_submissions where user_id = ? and status = ? order by id desc limit 1',
      [userId, status],
    );
    return row!.workflow_id;
  };

  const user = await cg.signUp();
  await record('otp-verified', otpWorkflowId('chargeghar', 'register', user.identifier));

  const locked = await cg.signUp();
  await cg.requestCode(locked.identifier, 'login').expect(200);
  for (let i = 0; i < 5; i++) await cg.verifyCode(locked.identifier, 'login', '000000');
  await record('otp-locked', otpWorkflowId('chargeghar', 'login', locked.identifier));

  const admin = await cg.logIn('admin@chargeghar.local');
  const submit = () =>
    cg.api().post(`${CG}/users/kyc`).set(user.auth).field('document_type', 'passport').field('document_number', 'PA1234567').attach('front_image', JPEG, 'front.jpg').expect(201);
  await submit();
  const rejectedFlow = await kycFlowOf(user.id, 'pending');
  await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(admin.auth).send({ action: 'reject', reason: 'The photo is blurred.' }).expect(200);
  await record('kyc-review-rejected', rejectedFlow);
  await submit();
  const approvedFlow = await kycFlowOf(user.id, 'pending');
  await cg.api().post(`${CG}/users/${user.id}/kyc/review`).set(admin.auth).send({ action: 'approve' }).expect(200);
  await record('kyc-review-approved', approvedFlow);

  const leaving = await cg.signUp();
  await cg.api().post(`${CG}/users/kyc`).set(leaving.auth).field('document_type', 'passport').field('document_number', 'PA7654321').attach('front_image', JPEG, 'front.jpg').expect(201);
  const withdrawnFlow = await kycFlowOf(leaving.id, 'pending');
  await cg.api().delete(`${CG}/auth/account`).set(leaving.auth).expect(200);
  await eventually(async () => (await platform.temporal.workflow.getHandle(withdrawnFlow).describe()).status.name, (s) => s === 'COMPLETED');
  await record('kyc-review-withdrawn', withdrawnFlow);
  await record('account-deletion', `chargeghar:account-deletion:${leaving.id}`);
}
