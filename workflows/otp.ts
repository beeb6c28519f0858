import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OtpActivities } from '../activities/otp.js';
import {
  FailureType,
  OTP_MAX_CODE_TTL_MS,
  OTP_MAX_SENDS,
  OTP_MAX_WRONG_ATTEMPTS,
  OtpRefusal,
  otpRequestUpdate,
  otpStateQuery,
  otpVerifyUpdate,
  type OtpInput,
  type OtpOutcome,
  type OtpReceipt,
  type OtpStatus,
  type OtpVerifyRequest,
  type OtpVerifyResult,
} from './contracts.js';

// A code that cannot go out within a few tries is reported at once; the user asks again.
const messaging = proxyActivities<OtpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3 },
});

const records = proxyActivities<OtpActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * A one-time code for one identifier and purpose, for any surface: send a code (SMS or email),
 * then wait for a verify update until it expires. A resend replaces the code after a cooldown;
 * wrong codes count across resends, and the last allowed one kills the flow. A verified code
 * records the verification token the API hands out, and works once: the flow ends with it.
 */
export async function otpChallenge(input: OtpInput): Promise<OtpOutcome> {
  const ttlMs = Math.min(input.codeTtlMs, OTP_MAX_CODE_TTL_MS);
  let status: OtpStatus = 'pending';
  let codeHash: string | undefined;
  let sends = 0;
  let sending = false;
  let resendWanted = false;
  let lastSendFailed: { type: string; message: string } | undefined;
  let sentAt = 0;
  let expiresAt = 0;
  let wrongAttempts = 0;

  const receipt = (): OtpReceipt => ({
    channel: input.channel,
    expiresAt: new Date(expiresAt).toISOString(),
    resendAvailableAt: new Date(sentAt + input.resendCooldownMs).toISOString(),
    sends,
  });

  setHandler(otpStateQuery, () => ({
    status,
    sends,
    wrongAttempts,
    ...(sends > 0 && { expiresAt: new Date(expiresAt).toISOString() }),
  }));

  setHandler(
    otpRequestUpdate,
    async () => {
      // Joins the send under way (the first, or a resend another request asked for).
      if (!sending && !resendWanted) resendWanted = true;
      const target = sends + 1;
      const failuresBefore = lastSendFailed;
      await condition(() => sends >= target || lastSendFailed !== failuresBefore || status !== 'pending');
      if (sends >= target) return receipt();
      if (lastSendFailed && lastSendFailed !== failuresBefore) {
        throw ApplicationFailure.create({ type: lastSendFailed.type, message: lastSendFailed.message, nonRetryable: true });
      }
      throw refusal(FailureType.Conflict, OtpRefusal.Closed, 'this code request has ended');
    },
    {
      validator: () => {
        if (status !== 'pending') throw refusal(FailureType.Conflict, OtpRefusal.Closed, 'this code request has ended');
        if (sending || resendWanted) return;
        if (sends >= OTP_MAX_SENDS) throw refusal(FailureType.RateLimited, OtpRefusal.TooManySends, 'no more codes for this request');
        const waitMs = sentAt + input.resendCooldownMs - Date.now();
        if (waitMs > 0) throw refusal(FailureType.RateLimited, OtpRefusal.Cooldown, 'a code was sent moments ago', { retryAfterMs: waitMs });
      },
    },
  );

  setHandler(
    otpVerifyUpdate,
    async (request): Promise<OtpVerifyResult> => {
      if (Date.now() >= expiresAt) {
        status = 'expired';
        return { result: 'expired' };
      }
      if (request.codeHash === codeHash) {
        // Spent at once: a second verify of the same code finds the flow closed.
        status = 'verified';
        await records.recordOtpVerification(input, request);
        return { result: 'verified' };
      }
      wrongAttempts++;
      if (wrongAttempts >= OTP_MAX_WRONG_ATTEMPTS) {
        status = 'locked';
        return { result: 'locked' };
      }
      return { result: 'wrong', attemptsRemaining: OTP_MAX_WRONG_ATTEMPTS - wrongAttempts };
    },
    {
      validator: (_request: OtpVerifyRequest) => {
        if (status !== 'pending' || sends === 0) throw refusal(FailureType.Conflict, OtpRefusal.Closed, 'no code is waiting for verification');
      },
    },
  );

  await send();
  while (status === 'pending') {
    const remainingMs = expiresAt - Date.now();
    const woke = remainingMs > 0 && (await condition(() => status !== 'pending' || resendWanted, remainingMs));
    if (!woke) status = 'expired';
    else if (status === 'pending' && resendWanted) await send();
  }
  await condition(allHandlersFinished);
  // The loop ends only once the status has left 'pending' (handlers change it too).
  return { status: status as OtpOutcome['status'], sends, wrongAttempts };

  async function send(): Promise<void> {
    sending = true;
    resendWanted = false;
    try {
      const sent = await messaging.sendOtpCode(input, sends + 1);
      // The new code replaces the old one, and lives its own full time.
      codeHash = sent.codeHash;
      sentAt = Date.now();
      expiresAt = sentAt + ttlMs;
      sends++;
    } catch (err) {
      const failure = err instanceof ApplicationFailure ? err : (err as { cause?: unknown }).cause;
      const type = failure instanceof ApplicationFailure && failure.type ? failure.type : FailureType.ProviderUnavailable;
      lastSendFailed = { type, message: 'the code could not be sent' };
      // Without a first code there is nothing to verify; after one, the last code still works.
      if (sends === 0) status = 'undeliverable';
    } finally {
      sending = false;
    }
  }
}

function refusal(type: FailureType, reason: string, message: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ reason, ...details }] });
}
