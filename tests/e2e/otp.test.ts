import { otpWorkflowId } from '../../core/otp.js';
import { otpChallenge } from '../../workflows/index.js';
import { FlowType, FlowTypeKey, TenantSlugKey, otpStateQuery } from '../../workflows/contracts.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/maxtera.js';
import { chargeghar, newClient, newNepaliPhone } from '../support/chargeghar.js';

let platform: TestPlatform;
let cg: ReturnType<typeof chargeghar>;

beforeAll(async () => {
  // Codes live two seconds here, so expiry is seen without waiting minutes.
  // The resend test asks until the cooldown has passed; the per-identifier limit must not stop it first.
  platform = await startTestPlatform({ OTP_CODE_TTL_SECONDS: '2', OTP_RESEND_COOLDOWN_SECONDS: '1', OTP_RATE_LIMIT_PER_IDENTIFIER: '1000' });
  cg = chargeghar(platform);
});
afterAll(async () => {
  await platform.stop();
});

const failed = (code: string, message: unknown = expect.any(String)) => ({ success: false, error: { code, message } });
const flowStatus = async (workflowId: string) => (await platform.temporal.workflow.getHandle(workflowId).describe()).status.name;

describe('one-time code expiry and resend', () => {
  it('when a code is verified after its TTL, then it is refused as expired, and a new request starts a new code', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    await cg.requestCode(phone, 'register', client).expect(200);
    const code = await cg.latestCode(phone);
    const workflowId = otpWorkflowId('chargeghar', 'register', phone);
    await eventually(() => flowStatus(workflowId), (s) => s === 'COMPLETED');
    const late = await cg.verifyCode(phone, 'register', code, client);
    expect(late.status).toBe(400);
    expect(late.body).toEqual(failed('VALIDATION_ERROR', 'This code has expired. Request a new one.'));
    await cg.requestCode(phone, 'register', client).expect(200);
    expect(await cg.latestCode(phone, [code])).not.toBe(code);
  });

  it('when a code is resent after the cooldown, then the old code is wrong, counts as an attempt, and the new one verifies', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    const workflowId = otpWorkflowId('chargeghar', 'login', phone);
    // The flow as the API starts it, but with a code that outlives a slow machine; the HTTP requests then resend through it.
    await platform.temporal.workflow.start(otpChallenge, {
      taskQueue: platform.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ tenant: 'chargeghar', identifier: phone, channel: 'sms', purpose: 'login', appName: 'ChargeGhar', codeTtlMs: 120_000, resendCooldownMs: 500 }],
      typedSearchAttributes: [
        { key: TenantSlugKey, value: 'chargeghar' },
        { key: FlowTypeKey, value: FlowType.Otp },
      ],
    });
    // A request while the first code is still going out joins that send; the resend comes after it.
    const handle = platform.temporal.workflow.getHandle(workflowId);
    await eventually(() => handle.query(otpStateQuery), (state) => state.sends === 1);
    const first = await cg.latestCode(phone);
    const resent = await eventually(() => cg.requestCode(phone, 'login', client), (r) => r.status === 200);
    expect(resent.body.data.channel).toBe('sms');
    const second = await cg.latestCode(phone, [first]);
    expect((await handle.query(otpStateQuery)).sends).toBe(2);

    const old = await cg.verifyCode(phone, 'login', first, client);
    expect(old.body).toEqual(failed('VALIDATION_ERROR', 'Invalid code. 4 attempts remaining.'));
    const verified = await cg.verifyCode(phone, 'login', second, client);
    expect(verified.status).toBe(200);
    expect(await flowStatus(workflowId)).toBe('COMPLETED');
  });

  it('when the SMS provider fails, then the request answers SERVICE_UNAVAILABLE and the next request sends a code', async () => {
    const phone = newNepaliPhone();
    const client = newClient();
    platform.sandbox.faults.set({ provider: 'sms', mode: 'error', count: 3 });
    const refused = await cg.requestCode(phone, 'register', client);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(failed('SERVICE_UNAVAILABLE', 'The code could not be sent right now. Please try again shortly.'));
    await cg.requestCode(phone, 'register', client).expect(200);
    await cg.latestCode(phone);
  });
});
