import type { Request, Response } from 'express';
import { DomainError, FailureType, publicError, unauthenticated } from '../../../core/errors.js';
import { ensureAccount } from '../../../core/ledger.js';
import { createVerifiedUser, findLiveUserByIdentifier } from '../../../core/identity.js';
import type { TokenPair } from '../../../core/tokens.js';
import type { UserRecord } from '../../../core/users.js';
import { ChargeGharDevice, ChargeGharProfile } from '../../../db/entities/index.js';
import { deleteAccount } from '../../../workflows/index.js';
import { FlowType, flowWorkflowId, type AccountDeletionOutcome } from '../../../workflows/contracts.js';
import { requireUser } from '../../auth.js';
import { resultWithin, startFlow } from '../../flows.js';
import { body } from '../../validation.js';
import type { ChargeGharRoutes } from './router.js';
import * as S from './schemas.js';
import { CHARGEGHAR, CHARGEGHAR_APP_NAME, POINTS_UNIT, pointsAccountCode, REFRESH_COOKIE } from './tenant.js';
import { loadAccount, send, userData } from './views.js';

/** How long account deletion is awaited before answering `pending` (the flow finishes regardless). */
const DELETION_WAIT_MS = 15_000;

export function registerAuthRoutes({ deps, route, signedIn, authLimit, otp, mountPath }: ChargeGharRoutes): void {
  const { invalid, unauthorized, throttled, notFound, conflict, unavailable } = S.ERROR_RESPONSES;
  const cookiePath = `${mountPath}/api/auth`;

  function setRefreshCookie(req: Request, res: Response, refresh: string): void {
    res.cookie(REFRESH_COOKIE, refresh, {
      httpOnly: true,
      secure: req.secure || deps.config.NODE_ENV === 'production',
      sameSite: 'strict',
      path: cookiePath,
      maxAge: deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000,
    });
  }

  function clearRefreshCookie(req: Request, res: Response): void {
    res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: req.secure || deps.config.NODE_ENV === 'production', sameSite: 'strict', path: cookiePath });
  }

  function tokenData(pair: TokenPair) {
    return { access_token: pair.access, refresh_token: pair.refresh, token_type: 'Bearer' as const, expires_in: deps.config.ACCESS_TOKEN_TTL_SECONDS };
  }

  async function signIn(req: Request, res: Response, user: UserRecord, status: number): Promise<void> {
    const pair = await deps.tokens.issue(deps.em, { id: user.id, tenant: CHARGEGHAR.slug, role: user.role });
    setRefreshCookie(req, res, pair.refresh);
    const account = await loadAccount(deps.em, CHARGEGHAR.slug, user.id);
    send(res, { ...tokenData(pair), user: userData(account.user, account.profile) }, status);
  }

  route(
    {
      method: 'post',
      path: '/api/auth/otp/request',
      summary: 'Send a one-time code by SMS or email',
      description:
        'Sends a 6-digit code to the phone number (SMS) or email address. Asking again for the same identifier and purpose resends a new code once the cooldown (`OTP_RESEND_COOLDOWN_SECONDS`) has passed; the old code stops working. A code works for `OTP_CODE_TTL_SECONDS` (at most 10 minutes). Requests are limited per identifier and per client address (RATE_LIMIT_EXCEEDED).',
      secured: false,
      body: S.OtpRequestBody,
      responses: {
        200: { description: 'Code sent', schema: S.ok(S.OtpRequestData, 'ChargeGharOtpSentResponse') },
        400: invalid,
        429: throttled,
        503: unavailable,
      },
    },
    authLimit,
    (req, res, next) => {
      res.locals.otpRequest = body(req, S.OtpRequestBody);
      next();
    },
    ...otp.requestLimits(CHARGEGHAR.slug, (_req, res) => (res.locals.otpRequest as { identifier: { identifier: string } }).identifier.identifier),
    async (req, res) => {
      const input = res.locals.otpRequest as ReturnType<typeof S.OtpRequestBody.parse>;
      const receipt = await otp.requestCode({
        tenant: CHARGEGHAR.slug,
        identifier: input.identifier.identifier,
        channel: input.identifier.channel,
        purpose: input.purpose,
        appName: CHARGEGHAR_APP_NAME,
        requestId: String(req.id),
      });
      const secondsUntil = (iso: string) => Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
      send(res, {
        identifier: input.identifier.identifier,
        purpose: input.purpose,
        channel: receipt.channel,
        expires_at: receipt.expiresAt,
        expires_in: secondsUntil(receipt.expiresAt),
        resend_available_at: receipt.resendAvailableAt,
        resend_in: secondsUntil(receipt.resendAvailableAt),
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/otp/verify',
      summary: 'Check a one-time code and receive a verification token',
      description:
        'A right code answers a verification token bound to the identifier and purpose, valid for `OTP_VERIFICATION_TTL_SECONDS` and usable once (register or login). A code works once; after 5 wrong codes it is dead (RATE_LIMIT_EXCEEDED) and a new one must be requested.',
      secured: false,
      body: S.OtpVerifyBody,
      responses: {
        200: { description: 'Verified', schema: S.ok(S.OtpVerifiedData, 'ChargeGharOtpVerifiedResponse') },
        400: { description: 'VALIDATION_ERROR: wrong, expired or used code, or invalid input', schema: S.ErrorBody },
        429: { description: 'RATE_LIMIT_EXCEEDED: too many wrong codes', schema: S.ErrorBody },
      },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.OtpVerifyBody);
      const verified = await otp.verifyCode({ tenant: CHARGEGHAR.slug, identifier: input.identifier.identifier, purpose: input.purpose, code: input.code });
      send(res, {
        verification_token: verified.token,
        identifier: input.identifier.identifier,
        purpose: input.purpose,
        expires_at: verified.expiresAt.toISOString(),
        expires_in: deps.config.OTP_VERIFICATION_TTL_SECONDS,
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/register',
      summary: 'Create an account for a verified phone number or email, and sign in',
      description:
        'Takes a verification token of purpose `register`. Creates the user with an NPR wallet and a reward points account, and answers the session as login does (the refresh token also as the httpOnly cookie). CONFLICT if a live account already uses the identifier; the token then stays unspent.',
      secured: false,
      body: S.RegisterBody,
      responses: {
        201: { description: 'Registered and signed in', schema: S.ok(S.TokenData, 'ChargeGharRegisterResponse') },
        400: invalid,
        401: { description: 'UNAUTHORIZED: the verification token is invalid, expired, used or of another purpose', schema: S.ErrorBody },
        409: conflict,
        429: throttled,
      },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.RegisterBody);
      const user = await deps.em.fork().transactional(async (tx) => {
        const identity = await otp.consumeVerification(tx, { tenant: CHARGEGHAR.slug, purpose: 'register', token: input.verification_token });
        const outcome = await createVerifiedUser(tx, { tenant: CHARGEGHAR.slug, currency: CHARGEGHAR.currency }, identity);
        if ('existing' in outcome) {
          throw publicError(FailureType.Conflict, `An account with this ${identity.channel === 'sms' ? 'phone number' : 'email'} already exists. Log in instead.`);
        }
        const created = outcome.created;
        await ensureAccount(tx, { tenant: CHARGEGHAR.slug, currency: POINTS_UNIT, code: pointsAccountCode(created.id), userId: created.id, debitsMustNotExceedCredits: true });
        tx.create(ChargeGharProfile, {
          user: created.id,
          fullName: input.full_name,
          dateOfBirth: input.date_of_birth ?? null,
          gender: input.gender ?? null,
          address: input.address ?? null,
          preferredLanguage: input.preferred_language ?? 'en',
        });
        await tx.flush();
        return created;
      });
      await signIn(req, res, user, 201);
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with a verified phone number or email',
      description:
        'Takes a verification token of purpose `login`. Answers an access token (bearer, `expires_in` seconds) and a refresh token, which is also set as the httpOnly cookie `chargeghar_refresh` for /api/auth/refresh. NOT_FOUND if no live account uses the identifier (register first).',
      secured: false,
      body: S.LoginBody,
      responses: {
        200: { description: 'Signed in', schema: S.ok(S.TokenData, 'ChargeGharLoginResponse') },
        400: invalid,
        401: { description: 'UNAUTHORIZED: the verification token is invalid, expired, used or of another purpose', schema: S.ErrorBody },
        404: notFound,
        429: throttled,
      },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.LoginBody);
      const user = await deps.em.fork().transactional(async (tx) => {
        const identity = await otp.consumeVerification(tx, { tenant: CHARGEGHAR.slug, purpose: 'login', token: input.verification_token });
        const found = await findLiveUserByIdentifier(tx, CHARGEGHAR.slug, identity);
        if (!found) throw publicError(FailureType.NotFound, 'No account uses this phone number or email. Register first.');
        return found;
      });
      await signIn(req, res, user, 200);
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/logout',
      summary: 'End this session',
      description:
        "Ends the session the access token belongs to: its refresh tokens and its access tokens stop working at once (other devices' sessions stay). Clears the refresh cookie.",
      secured: true,
      body: S.LogoutBody,
      responses: { 200: { description: 'Logged out', schema: S.ok(S.MessageData, 'ChargeGharLogoutResponse') }, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      await deps.tokens.endSession(deps.em, requireUser(req));
      clearRefreshCookie(req, res);
      send(res, { message: 'Logged out successfully.' });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/auth/refresh',
      summary: 'Exchange the refresh token for new tokens',
      description:
        'The refresh token comes from the httpOnly cookie `chargeghar_refresh` (browsers) or as `Authorization: Bearer <refresh_token>` (mobile apps). Tokens rotate: the answer carries a new refresh token (and sets the cookie), and the old one stops working. Presenting a refresh token that was already rotated ends that whole session (reuse detection).',
      secured: false,
      responses: { 200: { description: 'New tokens', schema: S.ok(S.RefreshData, 'ChargeGharRefreshResponse') }, 401: unauthorized, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const refresh = bearerToken(req) ?? cookie(req, REFRESH_COOKIE);
      if (!refresh) throw unauthenticated('missing');
      if (refresh.length > 512) throw unauthenticated('invalid-refresh');
      const pair = await deps.tokens.rotate(deps.em, CHARGEGHAR.slug, refresh);
      setRefreshCookie(req, res, pair.refresh);
      send(res, tokenData(pair));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/device',
      summary: 'Register this device and its push (FCM) token',
      description:
        'One record per user and `device_id`: registering again updates the push token, platform and versions. A push token moves with its installation: registered here, it is removed from any other account or device that had it.',
      secured: true,
      body: S.DeviceBody,
      responses: { 200: { description: 'Device registered', schema: S.ok(S.DeviceData, 'ChargeGharDeviceResponse') }, 400: invalid, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const input = body(req, S.DeviceBody);
      const userId = requireUser(req).id;
      const device = await deps.em.fork().transactional(async (tx) => {
        await tx.nativeDelete(ChargeGharDevice, { fcmToken: input.fcm_token, $not: { user: userId, deviceId: input.device_id } });
        const now = new Date();
        return tx.upsert(
          ChargeGharDevice,
          {
            user: userId,
            deviceId: input.device_id,
            fcmToken: input.fcm_token,
            platform: input.platform,
            appVersion: input.app_version,
            osVersion: input.os_version ?? null,
            deviceName: input.device_name ?? null,
            updatedAt: now,
          },
          { onConflictFields: ['user', 'deviceId'], onConflictExcludeFields: ['createdAt'] },
        );
      });
      send(res, {
        device_id: device.deviceId,
        platform: device.platform,
        app_version: device.appVersion,
        os_version: device.osVersion ?? null,
        device_name: device.deviceName ?? null,
        registered_at: device.createdAt.toISOString(),
        updated_at: device.updatedAt.toISOString(),
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/auth/me',
      summary: "The signed-in user's basic data",
      secured: true,
      responses: { 200: { description: 'Current user', schema: S.ok(S.UserData, 'ChargeGharMeResponse') }, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const account = await loadAccount(deps.em, CHARGEGHAR.slug, requireUser(req).id);
      send(res, userData(account.user, account.profile));
    },
  );

  route(
    {
      method: 'delete',
      path: '/api/auth/account',
      summary: 'Delete the account',
      description:
        "Runs the account deletion flow: every session ends at once, identity documents are removed, personal data (name, phone, email, birth date, address, devices, document numbers) is erased, and a KYC review still waiting is withdrawn. The ledger and payment history stay, as financial records must. The phone number or email can register again. Answers `deleted`, or `pending` (202) if the flow has not finished within a few seconds; it finishes on its own.",
      secured: true,
      responses: {
        200: { description: 'Deleted', schema: S.ok(S.AccountDeletionData, 'ChargeGharAccountDeletedResponse') },
        202: { description: 'Deletion under way', schema: S.ok(S.AccountDeletionData, 'ChargeGharAccountDeletionPendingResponse') },
        401: unauthorized,
      },
    },
    ...signedIn,
    async (req, res) => {
      const user = requireUser(req);
      const handle = await startFlow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
        workflow: deleteAccount,
        workflowId: flowWorkflowId(CHARGEGHAR.slug, FlowType.AccountDeletion, String(user.id)),
        args: [{ tenant: CHARGEGHAR.slug, userId: user.id, requestedBy: `user:${user.id}` }],
        tenant: CHARGEGHAR.slug,
        userId: user.id,
        flowType: FlowType.AccountDeletion,
        requestId: String(req.id),
      });
      const outcome = await resultWithin<AccountDeletionOutcome>(deps.temporal, handle, DELETION_WAIT_MS);
      clearRefreshCookie(req, res);
      if (!outcome) return send(res, { status: 'pending', deleted_at: null }, 202);
      send(res, { status: 'deleted', deleted_at: outcome.deletedAt });
    },
  );
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new DomainError(FailureType.Unauthenticated, 'malformed authorization header', { reason: 'invalid-refresh' });
  return match[1];
}

/** One cookie's value; the app sets only its refresh cookie, so no cookie parser is needed. */
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
