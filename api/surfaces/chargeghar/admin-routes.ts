import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FilterQuery, InferEntity } from '@mikro-orm/core';
import { FailureType, publicError } from '../../../core/errors.js';
import { ChargeGharKycSubmission, ChargeGharProfile, User } from '../../../db/entities/index.js';
import { kycDecisionUpdate } from '../../../workflows/contracts.js';
import { requireUser } from '../../auth.js';
import { body, params, query } from '../../validation.js';
import type { ChargeGharRoutes } from './router.js';
import * as S from './schemas.js';
import { CHARGEGHAR } from './tenant.js';
import { send, userData } from './views.js';

type ProfileFilter = FilterQuery<InferEntity<typeof ChargeGharProfile>>;

const ORDER_BY: Record<(typeof S.USER_ORDERINGS)[number], object> = {
  date_joined: { user: { createdAt: 'asc' } },
  '-date_joined': { user: { createdAt: 'desc' } },
  full_name: { fullName: 'asc' },
  '-full_name': { fullName: 'desc' },
  id: { user: { id: 'asc' } },
  '-id': { user: { id: 'desc' } },
};

/** The spec's admin UserViewSet: the user list, and the KYC decision its review flow waits for. */
export function registerAdminRoutes({ deps, route, adminOnly, documents }: ChargeGharRoutes): void {
  const { invalid, unauthorized, forbidden, notFound, conflict } = S.ERROR_RESPONSES;

  route(
    {
      method: 'get',
      path: '/api/users',
      summary: 'Users (admins only)',
      description:
        'Paginated with `page` and `page_size` (at most 100); filtered by `search` (part of the name, phone or email), `kyc_status`, `role` and `status` (active, deleted or all; deleted accounts are kept anonymised for the ledger); ordered by `ordering` (date_joined, full_name, id; a leading - for descending). PERMISSION_DENIED for anyone but a ChargeGhar admin.',
      secured: true,
      query: S.UsersQuery,
      responses: {
        200: { description: 'A page of users', schema: S.ok(S.UsersPageData, 'ChargeGharUsersResponse') },
        400: invalid,
        401: unauthorized,
        403: forbidden,
      },
    },
    ...adminOnly,
    async (req, res) => {
      const q = query(req, S.UsersQuery);
      const where: ProfileFilter = {
        user: {
          tenant: CHARGEGHAR.slug,
          ...(q.role && { role: q.role }),
          ...(q.status === 'active' && { deletedAt: null }),
          ...(q.status === 'deleted' && { deletedAt: { $ne: null } }),
        },
        ...(q.kyc_status && { kycStatus: q.kyc_status }),
      };
      if (q.search) {
        const like = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
        where.$or = [{ fullName: { $ilike: like } }, { user: { phone: { $ilike: like } } }, { user: { email: { $ilike: like } } }];
      }
      const [profiles, count] = await deps.em.fork().findAndCount(ChargeGharProfile, where, {
        populate: ['user'],
        orderBy: [ORDER_BY[q.ordering], { user: { id: 'asc' } }] as never,
        limit: q.page_size,
        offset: (q.page - 1) * q.page_size,
      });
      send(res, {
        count,
        page: q.page,
        page_size: q.page_size,
        total_pages: Math.ceil(count / q.page_size),
        results: profiles.map((profile) => {
          const user = profile.user;
          return { ...userData(user, profile), is_active: !user.deletedAt, deleted_at: user.deletedAt?.toISOString() ?? null };
        }),
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/users/:id',
      summary: 'One user, with the profile and the latest KYC submission (admins only)',
      description: 'The retrieve action of the admin UserViewSet: what a reviewer needs before deciding a KYC submission.',
      secured: true,
      params: S.UserIdParams,
      responses: { 200: { description: 'The user', schema: S.ok(S.AdminUserDetailData, 'ChargeGharAdminUserResponse') }, 400: invalid, 401: unauthorized, 403: forbidden, 404: notFound },
    },
    ...adminOnly,
    async (req, res) => {
      const { id } = params(req, S.UserIdParams);
      const em = deps.em.fork();
      const user = await em.findOne(User, { id, tenant: CHARGEGHAR.slug });
      if (!user) throw publicError(FailureType.NotFound, 'No such user.');
      const profile = await em.findOne(ChargeGharProfile, { user: id });
      const kyc = await em.findOne(ChargeGharKycSubmission, { user: id }, { orderBy: { id: 'desc' } });
      const imageUrl = (side: 'front' | 'back', key: string | null | undefined) => (key ? `${req.baseUrl}/api/users/${id}/kyc/documents/${side}` : null);
      send(res, {
        ...userData(user, profile),
        is_active: !user.deletedAt,
        deleted_at: user.deletedAt?.toISOString() ?? null,
        profile: {
          date_of_birth: profile?.dateOfBirth ?? null,
          gender: profile?.gender ?? null,
          address: profile?.address ?? null,
          preferred_language: profile?.preferredLanguage ?? 'en',
        },
        kyc: kyc && {
          submission_id: kyc.id,
          status: kyc.status,
          document_type: kyc.documentType,
          document_number: kyc.documentNumber ?? null,
          submitted_at: kyc.createdAt.toISOString(),
          reviewed_at: kyc.reviewedAt?.toISOString() ?? null,
          reviewed_by: kyc.reviewedBy ?? null,
          rejection_reason: kyc.rejectionReason ?? null,
          front_image_url: imageUrl('front', kyc.frontImageKey),
          back_image_url: imageUrl('back', kyc.backImageKey),
        },
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/api/users/:id/kyc/review',
      summary: "Approve or reject a user's KYC submission (admins only)",
      description:
        'Not in the original contract; the admin UserViewSet implies it. Sends the decision to the submission\'s review flow (`kycDecision` update), which records it and tells the user by SMS or email. A rejection needs a reason the user can act on; they then resubmit with PATCH /api/users/kyc. NOT_FOUND without a submission under review; CONFLICT if it was decided meanwhile.',
      secured: true,
      params: S.UserIdParams,
      body: S.KycReviewBody,
      responses: {
        200: { description: 'Decision recorded', schema: S.ok(S.KycReviewData, 'ChargeGharKycReviewResponse') },
        400: invalid,
        401: unauthorized,
        403: forbidden,
        404: notFound,
        409: conflict,
      },
    },
    ...adminOnly,
    async (req, res) => {
      const { id } = params(req, S.UserIdParams);
      const decision = body(req, S.KycReviewBody);
      const em = deps.em.fork();
      const user = await em.findOne(User, { id, tenant: CHARGEGHAR.slug });
      const pending = user ? await em.findOne(ChargeGharKycSubmission, { user: id, status: 'pending' }) : null;
      if (!pending) throw publicError(FailureType.NotFound, 'This user has no KYC submission waiting for review.');
      try {
        const decided = await deps.temporal.workflow.getHandle(pending.workflowId).executeUpdate(kycDecisionUpdate, {
          args: [{ action: decision.action, reason: decision.reason ?? null, reviewer: `admin:${requireUser(req).id}` }],
        });
        send(res, { submission_id: decided.submissionId, status: decided.status, reason: decided.reason, reviewed_at: decided.reviewedAt });
      } catch (err) {
        const refused = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure;
        if (refused || err instanceof WorkflowNotFoundError) {
          throw publicError(FailureType.Conflict, 'This submission is no longer waiting for a decision.', undefined, { cause: err });
        }
        throw err;
      }
    },
  );

  route(
    {
      method: 'get',
      path: '/api/users/:id/kyc/documents/:side',
      summary: "A user's KYC document image (admins only)",
      description: 'The front or back image of the user\'s latest submission, as stored (image/jpeg, image/png or image/webp), for the reviewer. Never cached.',
      secured: true,
      params: S.DocumentParams,
      responses: { 200: { description: 'The image bytes' }, 400: invalid, 401: unauthorized, 403: forbidden, 404: notFound },
    },
    ...adminOnly,
    async (req, res) => {
      const { id, side } = params(req, S.DocumentParams);
      const em = deps.em.fork();
      const user = await em.findOne(User, { id, tenant: CHARGEGHAR.slug });
      const latest = user ? await em.findOne(ChargeGharKycSubmission, { user: id, status: { $ne: 'withdrawn' } }, { orderBy: { id: 'desc' } }) : null;
      const key = side === 'front' ? latest?.frontImageKey : latest?.backImageKey;
      const image = key ? await documents.get(key) : null;
      if (!image) throw publicError(FailureType.NotFound, 'No such document image.');
      res.set({ 'Content-Type': image.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).send(image.bytes);
    },
  );
}
