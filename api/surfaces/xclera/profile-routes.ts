import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FailureType, publicError } from '../../../core/errors.js';
import { downlines, ensureProfile, findProfile, isProfileComplete, uplines } from '../../../core/xclera-matrix.js';
import { WalletTransaction, XcleraLevel, XcleraProfile } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { body, params, query } from '../../validation.js';
import type { SurfaceRoutes } from '../types.js';
import { memberView, ownOnly, profileOf, profileView, specTime, usdt } from './present.js';
import { walletOf } from './wallets.js';
import { XCLERA } from './tenant.js';
import * as S from './schemas.js';

const STATUS = { pending: 'PENDING', success: 'CONFIRMED', failed: 'FAILED' } as const;

/** A member's on-chain payments as the spec lists them; the recipient is the upline the contract paid. */
async function transactionsOf(em: EntityManager, userId: number) {
  const rows = await em.find(WalletTransaction, { tenant: XCLERA.slug, userId, kind: { $in: ['registration', 'upgrade'] } }, { orderBy: { id: 'asc' } });
  const ids = new Set<number>([userId]);
  for (const r of rows) if (typeof r.details.recipientUserId === 'number') ids.add(r.details.recipientUserId);
  const profiles = await em.find(XcleraProfile, { userId: { $in: [...ids] } });
  const username = (id: number | null) => (id === null ? null : (profiles.find((p) => p.userId === id)?.username ?? null));
  return rows.map((r) => {
    const recipient = typeof r.details.recipientUserId === 'number' ? r.details.recipientUserId : null;
    return {
      id: r.id,
      user: userId,
      user_username: username(userId),
      transaction_type: r.kind === 'registration' ? ('REGISTRATION' as const) : ('UPGRADE' as const),
      amount: usdt(r.amount),
      level: Number(r.details.level),
      recipient,
      recipient_username: username(recipient),
      transaction_hash: r.providerReference ?? r.reference,
      status: STATUS[r.status as keyof typeof STATUS],
      created_at: specTime(r.createdAt)!,
      updated_at: specTime(r.updatedAt)!,
    };
  });
}

export function registerProfileRoutes({ deps, route, authenticated }: SurfaceRoutes): void {
  const E = S.ERRORS;

  route(
    {
      method: 'post',
      path: '/api/login/',
      summary: "Find the wallet's profile, or create it at level 0 with an optional referrer",
      description: "`wallet_address` must be the token's own wallet. The referrer must be a known member; it is kept only when the profile is created.",
      secured: true,
      body: S.LoginBody,
      responses: { 200: { description: 'Profile found', schema: S.LoginResponse }, 201: { description: 'New profile created', schema: S.LoginResponse }, 400: E.invalid, 401: E.unauthorized, 403: E.forbidden },
    },
    authenticated,
    async (req, res) => {
      const input = body(req, S.LoginBody);
      const user = requireUser(req);
      const em = deps.em.fork();
      if ((await walletOf(em, user.id)) !== input.wallet_address) throw publicError(FailureType.Forbidden, 'wallet_address is not the wallet this token belongs to.');
      const existing = await findProfile(em, { userId: user.id });
      if (existing) {
        res.json({
          message: 'Profile found',
          wallet_address: input.wallet_address,
          username: existing.username,
          current_level: existing.currentLevel,
          is_profile_complete: isProfileComplete(existing),
          is_registered_on_chain: existing.isRegisteredOnChain,
        });
        return;
      }
      let referrerId: number | null = null;
      if (input.referrer_wallet) {
        const referrer = await findProfile(em, { address: input.referrer_wallet });
        if (!referrer) throw publicError(FailureType.Validation, 'No member has this referrer_wallet.', undefined, { publicDetails: { referrer_wallet: ['No member has this wallet.'] } });
        if (referrer.userId === user.id) throw publicError(FailureType.Validation, 'A wallet cannot refer itself.');
        referrerId = referrer.userId;
      }
      const created = await em.transactional((tx) => ensureProfile(tx, user.id, referrerId));
      res.status(created ? 201 : 200).json({
        message: 'New profile created',
        wallet_address: input.wallet_address,
        current_level: 0,
        is_registered_on_chain: false,
        referrer: input.referrer_wallet ?? null,
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/profiles/by_wallet/',
      summary: "A member's profile by wallet address",
      secured: true,
      query: S.ByWalletQuery,
      responses: { 200: { description: 'Profile', schema: S.Profile }, 400: E.invalid, 401: E.unauthorized, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { address } = query(req, S.ByWalletQuery);
      const em = deps.em.fork();
      const profile = await findProfile(em, { address });
      if (!profile) throw publicError(FailureType.NotFound, 'No profile for this wallet.');
      res.json(await profileView(em, profile));
    },
  );

  route(
    {
      method: 'patch',
      path: '/api/profiles/:id/',
      summary: 'Update your own profile details',
      secured: true,
      params: S.IdParams,
      body: S.ProfileUpdate,
      responses: { 200: { description: 'Updated', schema: S.ProfileUpdateResponse }, 400: E.invalid, 401: E.unauthorized, 403: E.forbidden, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { id } = params(req, S.IdParams);
      const input = body(req, S.ProfileUpdate);
      const em = deps.em.fork();
      await profileOf(em, id);
      ownOnly(requireUser(req).id, id);
      try {
        await em.nativeUpdate(
          XcleraProfile,
          { userId: id },
          {
            ...(input.username !== undefined && { username: input.username }),
            ...(input.country !== undefined && { country: input.country }),
            ...(input.phone_number !== undefined && { phoneNumber: input.phone_number }),
            ...(input.email !== undefined && { email: input.email }),
            updatedAt: new Date(),
          },
        );
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) {
          throw publicError(FailureType.Validation, 'This username is taken.', undefined, { publicDetails: { username: ['This username is taken.'] } });
        }
        throw err;
      }
      const p = await profileOf(em, id);
      res.json({ username: p.username, country: p.country, phone_number: p.phoneNumber, email: p.email });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/profiles/:id/referrals/',
      summary: "A member's direct referrals (any level; only those registered on chain count for levels)",
      secured: true,
      params: S.IdParams,
      responses: { 200: { description: 'Direct referrals', schema: S.Member.array() }, 401: E.unauthorized, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { id } = params(req, S.IdParams);
      const em = deps.em.fork();
      await profileOf(em, id);
      const { members } = await downlines(em, id, { maxDepth: 1, limit: 10_000, offset: 0 });
      res.json(members.map(({ depth: _depth, ...m }) => memberView(m)));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/profiles/:id/transactions/',
      summary: "Your own on-chain payments (registration, upgrades)",
      secured: true,
      params: S.IdParams,
      responses: { 200: { description: 'Transactions, oldest first', schema: S.Transaction.array() }, 401: E.unauthorized, 403: E.forbidden, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { id } = params(req, S.IdParams);
      const em = deps.em.fork();
      await profileOf(em, id);
      ownOnly(requireUser(req).id, id);
      res.json(await transactionsOf(em, id));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/profiles/:id/uplines/',
      summary: "A member's uplines, from the direct referrer to the root",
      secured: true,
      params: S.IdParams,
      responses: { 200: { description: 'Uplines, nearest first, with their depth', schema: S.Member.array() }, 401: E.unauthorized, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { id } = params(req, S.IdParams);
      const em = deps.em.fork();
      await profileOf(em, id);
      res.json((await uplines(em, id)).map(memberView));
    },
  );

  route(
    {
      method: 'get',
      path: '/api/profiles/:id/downlines/',
      summary: "A member's downlines, generation by generation, paginated",
      description: '`max_depth` (1-10, default 3) bounds the generations; `page` and `page_size` (max 100) page through them.',
      secured: true,
      params: S.IdParams,
      query: S.DownlinesQuery,
      responses: { 200: { description: 'One page of downlines', schema: S.Downlines }, 400: E.invalid, 401: E.unauthorized, 404: E.notFound },
    },
    authenticated,
    async (req, res) => {
      const { id } = params(req, S.IdParams);
      const q = query(req, S.DownlinesQuery);
      const em = deps.em.fork();
      await profileOf(em, id);
      const page = await downlines(em, id, { maxDepth: q.max_depth, limit: q.page_size, offset: (q.page - 1) * q.page_size });
      res.json({ count: page.total, page: q.page, page_size: q.page_size, max_depth: q.max_depth, results: page.members.map(memberView) });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/levels/',
      summary: 'The levels: price (USDT), service fee and requirements',
      secured: true,
      responses: { 200: { description: 'Levels', schema: S.Level.array() }, 401: E.unauthorized },
    },
    authenticated,
    async (_req, res) => {
      const levels = await deps.em.fork().find(XcleraLevel, {}, { orderBy: { levelNumber: 'asc' } });
      res.json(
        levels.map((l) => ({
          level_number: l.levelNumber,
          price: usdt(l.price),
          service_fee: usdt(l.serviceFee),
          min_direct_referrals: l.minDirectReferrals,
          min_referral_depth: l.minReferralDepth,
        })),
      );
    },
  );

  route(
    {
      method: 'get',
      path: '/api/transactions/',
      summary: 'Your own transaction history',
      description: '`wallet_address`, when given, must be your own wallet.',
      secured: true,
      query: S.TransactionsQuery,
      responses: { 200: { description: 'Transactions, oldest first', schema: S.Transaction.array() }, 400: E.invalid, 401: E.unauthorized, 403: E.forbidden },
    },
    authenticated,
    async (req, res) => {
      const q = query(req, S.TransactionsQuery);
      const user = requireUser(req);
      const em = deps.em.fork();
      if (q.wallet_address && q.wallet_address !== (await walletOf(em, user.id))) {
        throw publicError(FailureType.Forbidden, "Only the wallet's own history can be read.");
      }
      res.json(await transactionsOf(em, user.id));
    },
  );
}
