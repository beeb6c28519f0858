import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * One-time codes, shared by the API (which hashes what the user typed) and the OTP activities
 * (which derive and send the code). Neither a code nor the key ever enters a workflow history:
 * the flow keeps only keyed hashes.
 */

/** Codes are derived and hashed with a key of their own, derived from the JWT secret so that there is no second secret to deploy. */
export function otpKeyFrom(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('otp-code-key:v1').digest('hex');
}

/**
 * The code of a flow's n-th send. Derived rather than drawn, so that a retried send activity
 * repeats the same code instead of texting the user a second, different one; unpredictable
 * without the key, since the run id is a random UUID.
 */
export function deriveOtpCode(key: string, workflowId: string, runId: string, sendNumber: number): string {
  const digest = createHmac('sha256', key).update(`code:${workflowId}:${runId}:${sendNumber}`).digest();
  return (digest.readBigUInt64BE(0) % 1_000_000n).toString().padStart(6, '0');
}

/** What the flow compares: a keyed hash, useless to whoever reads the history. */
export function hashOtpCode(key: string, workflowId: string, code: string): string {
  return createHmac('sha256', key).update(`hash:${workflowId}:${code}`).digest('hex');
}

/** A verification token and the hash that is stored of it. */
export function newVerificationToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashVerificationToken(token) };
}

export function hashVerificationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** One flow per tenant, purpose and identifier: a second request for the same code joins it. */
export function otpWorkflowId(tenant: string, purpose: string, identifier: string): string {
  return `${tenant}:otp:${purpose}:${identifier}`;
}
