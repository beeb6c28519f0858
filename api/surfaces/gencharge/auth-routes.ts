import express, { type Request, type RequestHandler } from 'express';
import { DomainError, FailureType, publicError, unauthenticated } from '../../../core/errors.js';
import { findLiveUserByIdentifier } from '../../../core/identity.js';
import type { TokenPair, TokenSubject } from '../../../core/tokens.js';
import { GENCHARGE_USER_STATUSES, GENCHARGE_USER_TYPES, GenChargeProfile } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { body } from '../../validation.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, Email, Empty, ERRORS, IndianMobile, PersonName } from './schemas.js';
import { GENCHARGE, GENCHARGE_APP_NAME, OTP_PURPOSES, toE164 } from './tenant.js';
import { registerUser, startSignup } from './users.js';

const PhoneLoginBody = z.object({ phone_number: IndianMobile }).openapi('GenChargeOtpLoginRequest');
const PasswordLoginBody = z.object({ email: Email, password: z.string().min(1).max(256) }).openapi('GenChargePasswordLoginRequest');
const LoginBody = z.union([PhoneLoginBody, PasswordLoginBody]);

const OtpCode = z.string().regex(/^\d{6}$/, 'The one-time code is 6 digits');

/** FastAPI's OAuth2PasswordRequestForm: `username` is the phone number, `password` the one-time code. */
const OtpLoginForm = z
  .object({
    grant_type: z.literal('password').optional(),
    username: IndianMobile,
    password: OtpCode,
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
  })
  .openapi('GenChargeOtpLoginForm');

const SignupBody = z.object({ phone_number: IndianMobile, user_type: z.enum(GENCHARGE_USER_TYPES) }).openapi('GenChargeSignupRequest');
const VerifySignupBody = z.object({ phone_number: IndianMobile, otp: OtpCode }).openapi('GenChargeVerifySignupRequest');
const RegisterBody = z
  .object({
    name: PersonName,
    email: Email,
    referee_code: z
      .string()
      .trim()
      .toUpperCase()
      .max(12)
      .nullish()
      .transform((code) => code || null)
      .openapi({ type: 'string', example: 'REF123', description: "Another user's referral code (optional)" }),
  })
  .openapi('GenChargeRegisterRequest');

const SignupCodeSentBody = z.object({ message: z.string(), expires_in: z.number().int() }).openapi('GenChargeSignupCodeSent');
const VerificationTokenBody = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int() })
  .openapi('GenChargeSignupVerification', { description: 'A single-use token that only /auth/register accepts' });
export const RegisteredBody = z
  .object({
    user_id: z.number().int(),
    name: z.string(),
    email: z.string(),
    phone_number: z.string(),
    referral_code: z.string(),
    referee_code: z.string().nullable(),
    user_type: z.enum(GENCHARGE_USER_TYPES),
    status: z.enum(GENCHARGE_USER_STATUSES),
    wallet_balance: z.number(),
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
  })
  .openapi('GenChargeRegistered');

const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512).optional() }).openapi('GenChargeRefreshRequest');

export const TokenBody = z
  .object({ access_token: z.string(), refresh_token: z.string(), token_type: z.literal('bearer') })
  .openapi('GenChargeTokens');
const CodeSentBody = z.object({ message: z.string() }).openapi('GenChargeCodeSent');

export const tokenBody = (pair: TokenPair) => ({ access_token: pair.access, refresh_token: pair.refresh, token_type: 'bearer' as const });

/** Runs a list of middleware as one, so a route can apply some only to one kind of body. */
function chain(handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        Promise.resolve(handler(req, res, step)).catch(step);
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
}

/** The bearer token of the Authorization header. */
function bearerToken(req: Request): string {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!match) throw unauthenticated('missing');
  return match[1]!;
}

/** The refresh token from the body or, as mobile clients send it, the Authorization header. */
function presentedRefreshToken(req: Request, fromBody: string | undefined): string {
  return fromBody || bearerToken(req);
}

export function registerAuthRoutes(routes: GenChargeRoutes): void {
  const { deps, route, authLimit, otp, signedIn } = routes;

  /**
   * Checks a one-time code; a wrong, expired or used code is a 400 with the flow's own words
   * (attempts left), never a field error on a field the client did not send.
   */
  async function verifyOtp(mobile: string, purpose: string, code: string): Promise<string> {
    try {
      return (await otp.verifyCode({ tenant: GENCHARGE.slug, identifier: toE164(mobile), purpose, code })).token;
    } catch (err) {
      if (err instanceof DomainError && err.type === FailureType.Validation) throw publicError(FailureType.Validation, err.message, undefined, { cause: err });
      throw err;
    }
  }

  const issueTokens = (subject: TokenSubject) => deps.tokens.issue(deps.em, subject);

  const otpLimits = chain(otp.requestLimits(GENCHARGE.slug, (_req, res) => toE164((res.locals.login as { phone_number: string }).phone_number)));
  const signupLimits = otp.requestLimits(GENCHARGE.slug, (_req, res) => toE164((res.locals.signup as z.infer<typeof SignupBody>).phone_number));

  route(
    {
      method: 'post',
      path: '/auth/signup',
      summary: 'Sign up: send a 6-digit code to a new phone number',
      description:
        'Remembers the account type (prepaid or postpaid) and sends a sign-up code by SMS; verify it at /auth/verify-otp-signup, then create the profile at /auth/register. `expires_in` is how many seconds the code stays valid. A number that already has an account is a 409 (log in instead). Code requests are limited per number and per client address (429).',
      secured: false,
      body: SignupBody,
      responses: {
        200: { description: 'Code sent', schema: SignupCodeSentBody },
        409: ERRORS.conflict,
        422: ERRORS.invalid,
        429: ERRORS.throttled,
      },
    },
    authLimit,
    (req, res, next) => {
      res.locals.signup = body(req, SignupBody);
      next();
    },
    ...signupLimits,
    async (req, res) => {
      const { phone_number, user_type } = res.locals.signup as z.infer<typeof SignupBody>;
      await startSignup(deps.em, toE164(phone_number), user_type);
      await otp.requestCode({
        tenant: GENCHARGE.slug,
        identifier: toE164(phone_number),
        channel: 'sms',
        purpose: OTP_PURPOSES.signup,
        appName: GENCHARGE_APP_NAME,
        requestId: String(req.id),
      });
      res.json({ message: 'A sign-up code has been sent.', expires_in: deps.config.OTP_CODE_TTL_SECONDS });
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/verify-otp-signup',
      summary: 'Verify the sign-up code',
      description:
        'A right code answers a short-lived, single-use verification token as `access_token` (bearer, valid `expires_in` seconds). Only /auth/register accepts it; it is not an access token for any other route. A wrong or expired code is 400 with the attempts left; after 5 wrong codes the code is dead (429).',
      secured: false,
      body: VerifySignupBody,
      responses: {
        200: { description: 'Verified', schema: VerificationTokenBody },
        400: { description: 'Wrong, expired or used code', schema: Detail },
        422: ERRORS.invalid,
        429: ERRORS.throttled,
      },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, VerifySignupBody);
      const token = await verifyOtp(input.phone_number, OTP_PURPOSES.signup, input.otp);
      res.json({ access_token: token, token_type: 'bearer', expires_in: deps.config.OTP_VERIFICATION_TTL_SECONDS });
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Create the profile of a verified phone number, and sign in',
      description:
        "Authorization: `Bearer <access_token from /auth/verify-otp-signup>`, usable once. Creates the user with the account type chosen at sign-up, a referral code of their own, default preferences and a zero INR wallet, and answers the profile with access and refresh tokens. `referee_code` must be another user's referral code (422). A taken email or phone number is a 409; a refused registration writes nothing and leaves the verification token unspent.",
      secured: true,
      body: RegisterBody,
      responses: {
        201: { description: 'Registered and signed in', schema: RegisteredBody },
        400: { description: 'No sign-up is in progress for this phone number', schema: Detail },
        401: { description: 'The verification token is missing, invalid, expired, used or meant for something else', schema: Detail },
        409: ERRORS.conflict,
        422: ERRORS.invalid,
        429: ERRORS.throttled,
      },
    },
    authLimit,
    async (req, res) => {
      const token = bearerToken(req);
      const input = body(req, RegisterBody);
      const user = await registerUser(
        deps.em,
        (tx) => otp.consumeVerification(tx, { tenant: GENCHARGE.slug, purpose: OTP_PURPOSES.signup, token }),
        { name: input.name, email: input.email, refereeCode: input.referee_code },
      );
      const tokens = tokenBody(await issueTokens({ id: user.user_id, tenant: GENCHARGE.slug, role: 'user' }));
      const { created_at: _created, deleted_at: _deleted, ...profile } = user;
      res.status(201).json({ ...profile, ...tokens });
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Log in: request a login code (phone), or sign in with email and password (admins)',
      description:
        'Two bodies share this path. `{"phone_number"}` sends a 6-digit login code by SMS to a registered user who is not blocked, and answers the same whether or not the number is registered; verify it at /auth/verify-otp-login. `{"email", "password"}` signs an admin in and answers the tokens (401 for a wrong email or password). Code requests are limited per number and per client address (429).',
      secured: false,
      body: LoginBody,
      responses: {
        200: { description: 'Code sent (phone), or tokens (email and password)', schema: z.union([CodeSentBody, TokenBody]) },
        401: ERRORS.unauthorized,
        422: ERRORS.invalid,
        429: ERRORS.throttled,
      },
    },
    authLimit,
    (req, _res, next) => {
      const raw = req.body as Record<string, unknown> | undefined;
      _res.locals.login = raw && typeof raw === 'object' && 'phone_number' in raw ? body(req, PhoneLoginBody) : body(req, PasswordLoginBody);
      next();
    },
    (req, res, next) => ('phone_number' in res.locals.login ? otpLimits(req, res, next) : next()),
    async (req, res, next) => {
      if (!('phone_number' in res.locals.login)) return next();
      const { phone_number } = res.locals.login as z.infer<typeof PhoneLoginBody>;
      const user = await findLiveUserByIdentifier(deps.em.fork(), GENCHARGE.slug, { identifier: toE164(phone_number), channel: 'sms' });
      const profile = user && (await deps.em.fork().findOne(GenChargeProfile, { user: user.id }));
      // Unknown and blocked numbers get the same answer and no SMS, so the answer tells nobody who is registered.
      if (profile && profile.status !== 'blocked') {
        await otp.requestCode({
          tenant: GENCHARGE.slug,
          identifier: toE164(phone_number),
          channel: 'sms',
          purpose: OTP_PURPOSES.login,
          appName: GENCHARGE_APP_NAME,
          requestId: String(req.id),
        });
      }
      res.json({ message: 'If this number is registered, a login code has been sent.' });
    },
    deps.auth.passwordLogin,
    async (req, res) => {
      const caller = requireUser(req);
      res.json(tokenBody(await issueTokens({ id: caller.id, tenant: GENCHARGE.slug, role: caller.role })));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/verify-otp-login',
      summary: 'Verify the login code and receive tokens (OAuth2 password form)',
      description:
        'The OAuth2 password grant as FastAPI reads it (`application/x-www-form-urlencoded`): `username` is the phone number, `password` the 6-digit code from /auth/login. A JSON body with the same fields is accepted too. A wrong or expired code is 400 with the attempts left; after 5 wrong codes the code is dead (429).',
      secured: false,
      body: OtpLoginForm,
      bodyType: 'application/x-www-form-urlencoded',
      responses: { 200: { description: 'Signed in', schema: TokenBody }, 400: { description: 'Wrong, expired or used code', schema: ERRORS.invalid.schema }, 401: ERRORS.unauthorized, 422: ERRORS.invalid, 429: ERRORS.throttled },
    },
    authLimit,
    express.urlencoded({ extended: false, limit: '4kb' }),
    async (req, res) => {
      const form = body(req, OtpLoginForm);
      const token = await verifyOtp(form.username, OTP_PURPOSES.login, form.password);
      const user = await deps.em.fork().transactional(async (tx) => {
        const identity = await otp.consumeVerification(tx, { tenant: GENCHARGE.slug, purpose: OTP_PURPOSES.login, token });
        const found = await findLiveUserByIdentifier(tx, GENCHARGE.slug, { identifier: identity.identifier, channel: 'sms' });
        const profile = found && (await tx.findOne(GenChargeProfile, { user: found.id }));
        if (!found || !profile) throw unauthenticated('bad-credentials');
        if (profile.status === 'blocked') throw publicError(FailureType.Forbidden, 'This account is blocked. Contact GenCharge support.');
        return found;
      });
      res.json(tokenBody(await issueTokens({ id: user.id, tenant: GENCHARGE.slug, role: user.role })));
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'End this session',
      description: "Ends the session the access token belongs to: its refresh token and its access tokens stop working at once. Other devices' sessions stay.",
      secured: true,
      responses: { 200: { description: 'Logged out', schema: Empty }, 401: ERRORS.unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      await deps.tokens.endSession(deps.em, requireUser(req));
      res.json({});
    },
  );

  route(
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Exchange the refresh token for new tokens',
      description:
        'The refresh token comes as `{"refresh_token"}` or as `Authorization: Bearer <refresh_token>`. Tokens rotate: the old refresh token stops working. Presenting one that was already used ends that whole session (reuse detection).',
      secured: false,
      body: RefreshBody,
      responses: { 200: { description: 'New tokens', schema: TokenBody }, 401: ERRORS.unauthorized, 422: ERRORS.invalid, 429: ERRORS.throttled },
    },
    authLimit,
    async (req, res) => {
      const refresh = presentedRefreshToken(req, body(req, RefreshBody).refresh_token);
      res.json(tokenBody(await deps.tokens.rotate(deps.em, GENCHARGE.slug, refresh)));
    },
  );
}
