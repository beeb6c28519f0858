import express, { type Request, type RequestHandler } from 'express';
import { DomainError, FailureType, publicError, unauthenticated } from '../../../core/errors.js';
import { findLiveUserByIdentifier } from '../../../core/identity.js';
import type { TokenPair, TokenSubject } from '../../../core/tokens.js';
import { GenChargeProfile } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { body } from '../../validation.js';
import type { GenChargeRoutes } from './router.js';
import { Email, Empty, ERRORS, IndianMobile } from './schemas.js';
import { GENCHARGE, GENCHARGE_APP_NAME, OTP_PURPOSES, toE164 } from './tenant.js';

const PhoneLoginBody = z.object({ phone_number: IndianMobile }).openapi('GenChargeOtpLoginRequest');
const PasswordLoginBody = z.object({ email: Email, password: z.string().min(1).max(256) }).openapi('GenChargePasswordLoginRequest');
const LoginBody = z.union([PhoneLoginBody, PasswordLoginBody]);

/** FastAPI's OAuth2PasswordRequestForm: `username` is the phone number, `password` the one-time code. */
const OtpLoginForm = z
  .object({
    grant_type: z.literal('password').optional(),
    username: IndianMobile,
    password: z.string().regex(/^\d{6}$/, 'The one-time code is 6 digits'),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
  })
  .openapi('GenChargeOtpLoginForm');

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

/** The refresh token from the body or, as mobile clients send it, the Authorization header. */
function presentedRefreshToken(req: Request, fromBody: string | undefined): string {
  if (fromBody) return fromBody;
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!match) throw unauthenticated('missing');
  return match[1]!;
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
