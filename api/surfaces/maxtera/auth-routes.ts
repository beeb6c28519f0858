import { registerUser } from '../../../core/users.js';
import { requireUser } from '../../auth.js';
import { body } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import { MAXTERA } from './tenant.js';
import * as S from './schemas.js';

export function registerAuthRoutes({ deps, route, authenticated, authLimit }: SurfaceRoutes): void {
  const { invalid, unauthorized, throttled } = S.ERROR_RESPONSES;

  route(
    {
      method: 'post',
      path: '/api/v1/auth/register/',
      summary: 'Register a new user',
      secured: false,
      body: S.RegisterBody,
      responses: { 201: { description: 'Account created', schema: S.RegisterResponse }, 400: invalid, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.RegisterBody);
      const user = await registerUser(deps.em, { tenant: MAXTERA.slug, currency: MAXTERA.currency, ...input });
      res.status(201).json({ message: 'Account created successfully', user_id: user.id });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/login/',
      summary: 'Log in and receive JWT access and refresh tokens',
      secured: false,
      body: S.LoginBody,
      responses: { 200: { description: 'Tokens', schema: S.TokenPair }, 400: invalid, 401: unauthorized, 429: throttled },
    },
    authLimit,
    (req, _res, next) => {
      req.body = body(req, S.LoginBody);
      next();
    },
    deps.auth.passwordLogin,
    async (req, res) => {
      res.json(await deps.tokens.issue(deps.em, requireUser(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/token/refresh/',
      summary: 'Exchange a refresh token for a new pair (the old one stops working)',
      description:
        'Not in the original contract; follows djangorestframework-simplejwt with rotation. Reusing a rotated refresh token revokes every token of that login.',
      secured: false,
      body: S.RefreshBody,
      responses: { 200: { description: 'New tokens', schema: S.TokenPair }, 401: unauthorized, 429: throttled },
    },
    authLimit,
    async (req, res) => {
      const { refresh } = body(req, S.RefreshBody);
      res.json(await deps.tokens.rotate(deps.em, MAXTERA.slug, refresh));
    },
  );

  route(
    {
      method: 'post',
      path: '/api/v1/auth/logout/',
      summary: 'Revoke the refresh token (and its rotations)',
      description:
        "Not in the original contract; access tokens expire on their own within minutes. The refresh token must be the caller's own; any other is refused with 401 and stays valid.",
      secured: true,
      body: S.RefreshBody,
      responses: { 200: { description: 'Logged out', schema: S.Detail }, 401: unauthorized },
    },
    authenticated,
    async (req, res) => {
      const { refresh } = body(req, S.RefreshBody);
      await deps.tokens.revoke(deps.em, requireUser(req), refresh);
      res.json({ detail: 'Successfully logged out.' });
    },
  );
}
