import { randomBytes } from 'node:crypto';
import { getAddress, verifyMessage } from 'ethers';
import { FailureType, publicError, unauthenticated } from '../../../core/errors.js';
import { ensureWalletUser, findProfile, isProfileComplete, storedAddress } from '../../../core/xclera-matrix.js';
import { requireUser } from '../../auth.js';
import { body, params } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import { specTime } from './present.js';
import { walletOf } from './wallets.js';
import { XCLERA } from './tenant.js';
import * as S from './schemas.js';

export const signInMessage = (nonce: string) => `Sign this message to authenticate with Xclera Matrix: ${nonce}`;

export function registerAuthRoutes({ deps, route, authenticated, authLimit }: SurfaceRoutes): void {
  const E = S.ERRORS;
  const expiresIn = (seconds: number) => specTime(new Date(Date.now() + seconds * 1000))!;

  route(
    {
      method: 'get',
      path: '/api/auth/nonce/:wallet_address/',
      summary: 'A fresh sign-in message for the wallet (single use, expires)',
      description: 'The nonce works once, for this wallet only, within XCLERA_NONCE_TTL_SECONDS (default 300).',
      secured: false,
      params: S.WalletParams,
      responses: { 200: { description: 'Message to sign', schema: S.NonceResponse }, 400: E.invalid, 429: E.throttled },
    },
    authLimit,
    async (req, res) => {
      const { wallet_address } = params(req, S.WalletParams);
      const nonce = randomBytes(16).toString('hex');
      await deps.em.fork().execute(
        `insert into xclera_login_nonces (nonce, address, expires_at) values (?, ?, now() + make_interval(secs => ?))`,
        [nonce, storedAddress(wallet_address), deps.config.XCLERA_NONCE_TTL_SECONDS],
      );
      res.json({ message: signInMessage(nonce), nonce });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/authenticate/',
      summary: "Exchange the wallet's signature of the nonce message (EIP-191) for tokens",
      description: 'Refused with 401: a signature by another key, a nonce already used, expired, or issued for another wallet.',
      secured: false,
      body: S.AuthenticateBody,
      responses: { 200: { description: 'Tokens', schema: S.AuthenticateResponse }, 400: E.invalid, 401: E.unauthorized, 429: E.throttled },
    },
    authLimit,
    async (req, res) => {
      const input = body(req, S.AuthenticateBody);
      let signer: string;
      try {
        signer = verifyMessage(signInMessage(input.nonce), input.signature);
      } catch {
        throw publicError(FailureType.Validation, 'The signature is malformed.', undefined, { publicDetails: { signature: ['The signature is malformed.'] } });
      }
      if (signer.toLowerCase() !== input.wallet_address.toLowerCase()) throw unauthenticated('bad-credentials', 'signature by another key');
      const em = deps.em.fork();
      const outcome = await em.transactional(async (tx) => {
        const [row] = await tx.execute<{ used: boolean; expired: boolean }[]>(
          `select used_at is not null as used, expires_at <= now() as expired from xclera_login_nonces where nonce = ? and address = ? for update`,
          [input.nonce, storedAddress(input.wallet_address)],
        );
        if (!row) return 'unknown' as const;
        if (row.used) return 'used' as const;
        if (row.expired) return 'expired' as const;
        await tx.execute('update xclera_login_nonces set used_at = now() where nonce = ?', [input.nonce]);
        return { userId: await ensureWalletUser(tx, input.wallet_address) };
      });
      if (outcome === 'unknown') throw publicError(FailureType.Unauthenticated, 'Unknown nonce for this wallet; request a new one.');
      if (outcome === 'used') throw publicError(FailureType.Unauthenticated, 'This nonce was already used; request a new one.');
      if (outcome === 'expired') throw publicError(FailureType.Unauthenticated, 'This nonce has expired; request a new one.');
      const tokens = await deps.tokens.issue(deps.em, { id: outcome.userId, tenant: XCLERA.slug, role: 'user' });
      res.json({
        access_token: tokens.access,
        refresh_token: tokens.refresh,
        access_expires_at: expiresIn(deps.config.ACCESS_TOKEN_TTL_SECONDS),
        refresh_expires_at: expiresIn(deps.config.REFRESH_TOKEN_TTL_SECONDS),
        wallet_address: input.wallet_address,
        profile_exists: (await findProfile(em, { userId: outcome.userId })) !== null,
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/auth/refresh/',
      summary: 'A new access token for a refresh token',
      description: 'The refresh token stays valid until it expires, as the app keeps using it.',
      secured: false,
      body: S.RefreshBody,
      responses: { 200: { description: 'Access token', schema: S.RefreshResponse }, 400: E.invalid, 401: E.unauthorized, 429: E.throttled },
    },
    authLimit,
    async (req, res) => {
      const { refresh_token } = body(req, S.RefreshBody);
      const { access, subject } = await deps.tokens.exchange(deps.em, XCLERA.slug, refresh_token);
      res.json({ access_token: access, expires_at: expiresIn(deps.config.ACCESS_TOKEN_TTL_SECONDS), wallet_address: await walletOf(deps.em.fork(), subject.id) });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/auth/verify/',
      summary: "The token's wallet and profile summary",
      secured: true,
      responses: { 200: { description: 'Valid token', schema: S.VerifyResponse }, 401: E.unauthorized },
    },
    authenticated,
    async (req, res) => {
      const em = deps.em.fork();
      const user = requireUser(req);
      const profile = await findProfile(em, { userId: user.id });
      res.json({
        wallet_address: getAddress(await walletOf(em, user.id)),
        username: profile?.username ?? null,
        current_level: profile?.currentLevel ?? 0,
        is_profile_complete: profile ? isProfileComplete(profile) : false,
      });
    },
  );
}
