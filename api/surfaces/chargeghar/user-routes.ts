import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { isGrpcDeadlineError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { LockMode } from '@mikro-orm/core';
import { walletAccountCode } from '../../../core/accounts.js';
import { DomainError, FailureType, publicError } from '../../../core/errors.js';
import { accountActivityByPeriod } from '../../../core/ledger-activity.js';
import { findAccountId, getBalances } from '../../../core/ledger.js';
import { toMajorString } from '../../../core/money.js';
import { ChargeGharKycSubmission, ChargeGharProfile } from '../../../db/entities/index.js';
import { documentKey, sniffImageType, type DocumentContentType } from '../../../providers/storage.js';
import { reviewKyc } from '../../../workflows/index.js';
import { FlowType, flowWorkflowId, kycSubmittedUpdate, type KycDocumentType } from '../../../workflows/contracts.js';
import { requireUser } from '../../auth.js';
import { startFlowAndAwait } from '../../flows.js';
import { body, query } from '../../validation.js';
import type { ChargeGharRoutes } from './router.js';
import * as S from './schemas.js';
import { CHARGEGHAR, CHARGEGHAR_APP_NAME, CHARGEGHAR_TIMEZONE, pointsAccountCode } from './tenant.js';
import { loadAccount, profileData, send } from './views.js';

/** How long a KYC submission waits for its flow to record it before answering 503 (the flow goes on). */
const KYC_RECORD_WAIT_MS = 15_000;
const IMAGE_FIELDS = ['front_image', 'back_image'] as const;
type ImageField = (typeof IMAGE_FIELDS)[number];

export function registerUserRoutes({ deps, route, signedIn, documents }: ChargeGharRoutes): void {
  const { invalid, unauthorized, notFound, conflict, tooLarge, unavailable } = S.ERROR_RESPONSES;
  const maxImageBytes = deps.config.KYC_MAX_IMAGE_BYTES;
  const maxImageMb = Math.round((maxImageBytes / (1024 * 1024)) * 10) / 10;

  // --- profile ---------------------------------------------------------------------------------

  route(
    {
      method: 'get',
      path: '/api/users/profile',
      summary: "The signed-in user's profile",
      secured: true,
      responses: { 200: { description: 'Profile', schema: S.ok(S.ProfileData, 'ChargeGharProfileResponse') }, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const { user, profile } = await loadAccount(deps.em, CHARGEGHAR.slug, requireUser(req).id);
      send(res, profileData(user, profile));
    },
  );

  for (const method of ['put', 'patch'] as const) {
    const schema = method === 'put' ? S.ProfilePutBody : S.ProfilePatchBody;
    route(
      {
        method,
        path: '/api/users/profile',
        summary: method === 'put' ? 'Replace the profile' : 'Change some profile fields',
        description:
          method === 'put'
            ? 'PUT replaces: every field not sent is emptied (preferred_language returns to en). Only the caller\'s own profile; phone and email are the verified sign-in identifiers and cannot be changed here.'
            : 'PATCH merges: only the fields sent change; null empties an optional field.',
        secured: true,
        body: schema,
        responses: { 200: { description: 'Updated profile', schema: S.ok(S.ProfileData, `ChargeGharProfile${method === 'put' ? 'Replaced' : 'Patched'}Response`) }, 400: invalid, 401: unauthorized },
      },
      ...signedIn,
      async (req, res) => {
        const input = body(req, schema) as ReturnType<typeof S.ProfilePatchBody.parse>;
        const userId = requireUser(req).id;
        await deps.em.fork().transactional(async (tx) => {
          let profile = await tx.findOne(ChargeGharProfile, { user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          profile ??= tx.create(ChargeGharProfile, { user: userId });
          const replace = method === 'put';
          // Field by field, never the body onto the entity: only these five are the user's to change.
          if (replace || input.full_name !== undefined) profile.fullName = input.full_name ?? null;
          if (replace || input.date_of_birth !== undefined) profile.dateOfBirth = input.date_of_birth ?? null;
          if (replace || input.gender !== undefined) profile.gender = input.gender ?? null;
          if (replace || input.address !== undefined) profile.address = input.address ?? null;
          if (replace || input.preferred_language !== undefined) profile.preferredLanguage = input.preferred_language ?? 'en';
          profile.updatedAt = new Date();
        });
        const { user, profile } = await loadAccount(deps.em, CHARGEGHAR.slug, userId);
        send(res, profileData(user, profile));
      },
    );
  }

  // --- KYC -------------------------------------------------------------------------------------

  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxImageBytes, files: 2, fields: 4, fieldSize: 256, parts: 8 },
  }).fields(IMAGE_FIELDS.map((name) => ({ name, maxCount: 1 })));

  /** Multipart parsing with the surface's errors: too large is 413, anything else malformed is 400. */
  const uploads: RequestHandler = (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        const field = err.field ?? 'body';
        if (err.code === 'LIMIT_FILE_SIZE') {
          const message = `${field}: The image is larger than ${maxImageMb} MB.`;
          return next(new DomainError(FailureType.Validation, message, { reason: 'body-too-large', fields: { [field]: [message] } }));
        }
        const message = err.code === 'LIMIT_UNEXPECTED_FILE' ? `Unexpected file field "${field}"; send front_image and back_image.` : `Invalid upload: ${err.message}.`;
        return next(new DomainError(FailureType.Validation, message, { fields: { [field]: [message] } }));
      }
      next(new DomainError(FailureType.Validation, 'Malformed multipart body.', { reason: 'malformed-body' }, { cause: err }));
    });
  };

  const kycResponses = {
    201: { description: 'Submitted for review', schema: S.ok(S.KycSubmittedData, 'ChargeGharKycSubmittedResponse') },
    400: invalid,
    401: unauthorized,
    409: conflict,
    413: tooLarge,
    503: unavailable,
  };

  route(
    {
      method: 'post',
      path: '/api/users/kyc',
      summary: 'Submit KYC documents for review',
      description: `multipart/form-data: \`document_type\` (citizenship, passport, driving_license, national_id), \`document_number\`, \`front_image\` and \`back_image\` (not needed for a passport). Images are JPEG, PNG or WebP (checked from their content), at most ${maxImageMb} MB each (KYC_MAX_IMAGE_BYTES). Starts a review flow that waits for an admin's decision (POST /api/users/{id}/kyc/review); the user is told the outcome by SMS or email. CONFLICT while a submission is under review or once KYC is approved; after a rejection, submit again here or with PATCH.`,
      secured: true,
      body: S.KycSubmitBody,
      bodyType: 'multipart/form-data',
      responses: kycResponses,
    },
    ...signedIn,
    uploads,
    async (req, res) => {
      const userId = requireUser(req).id;
      const fields = body(req, S.KycSubmitFields);
      const latest = await latestSubmission(userId);
      if (latest?.status === 'pending') throw publicError(FailureType.Conflict, 'A KYC submission is already under review.');
      if (latest?.status === 'approved') throw publicError(FailureType.Conflict, 'Your KYC is already approved.');
      const images = readImages(req, { front: true, back: fields.document_type !== 'passport' });
      send(res, await submit(req, userId, fields.document_type, fields.document_number, images, {}), 201);
    },
  );

  route(
    {
      method: 'patch',
      path: '/api/users/kyc',
      summary: 'Resubmit KYC documents after a rejection',
      description: `multipart/form-data with only what changes: fields and images left out are taken from the rejected submission; a new \`document_type\` needs its images. Same image rules as POST. NOT_FOUND without an earlier submission; CONFLICT while one is under review or once approved.`,
      secured: true,
      body: S.KycResubmitBody,
      bodyType: 'multipart/form-data',
      responses: { ...kycResponses, 404: notFound },
    },
    ...signedIn,
    uploads,
    async (req, res) => {
      const userId = requireUser(req).id;
      const fields = body(req, S.KycResubmitFields);
      const latest = await latestSubmission(userId);
      if (!latest) throw publicError(FailureType.NotFound, 'There is no KYC submission to resubmit; submit one first.');
      if (latest.status === 'pending') throw publicError(FailureType.Conflict, 'A KYC submission is already under review.');
      if (latest.status === 'approved') throw publicError(FailureType.Conflict, 'Your KYC is already approved.');
      const documentType = fields.document_type ?? latest.documentType;
      const typeChanged = documentType !== latest.documentType;
      const images = readImages(req, { front: typeChanged, back: typeChanged && documentType !== 'passport' });
      if (!fields.document_type && !fields.document_number && !images.front && !images.back) {
        throw new DomainError(FailureType.Validation, 'Send at least one field or image to change.');
      }
      // Images kept from the rejected submission must still exist (a deleted account's are gone).
      const kept = {
        front: images.front ? undefined : (latest.frontImageKey ?? undefined),
        back: images.back || documentType === 'passport' ? undefined : (latest.backImageKey ?? undefined),
      };
      if (!images.front && !kept.front) throw missingImage('front_image');
      if (!images.back && !kept.back && documentType !== 'passport') throw missingImage('back_image');
      const number = fields.document_number ?? latest.documentNumber;
      if (!number) throw new DomainError(FailureType.Validation, 'document_number: This field is required.', { fields: { document_number: ['This field is required.'] } });
      send(res, await submit(req, userId, documentType, number, images, kept), 201);
    },
  );

  route(
    {
      method: 'get',
      path: '/api/users/kyc/status',
      summary: 'KYC verification status',
      description: '`not_submitted`, `pending` (under review), `approved` or `rejected` (with the reason; resubmit with PATCH /api/users/kyc).',
      secured: true,
      responses: { 200: { description: 'Status', schema: S.ok(S.KycStatusData, 'ChargeGharKycStatusResponse') }, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const latest = await latestSubmission(requireUser(req).id);
      send(res, {
        status: latest?.status ?? 'not_submitted',
        submission_id: latest?.id ?? null,
        document_type: latest?.documentType ?? null,
        submitted_at: latest?.createdAt.toISOString() ?? null,
        reviewed_at: latest?.reviewedAt?.toISOString() ?? null,
        rejection_reason: latest?.rejectionReason ?? null,
      });
    },
  );

  /** The user's latest submission that still counts (a withdrawn one belonged to a deleted account). */
  function latestSubmission(userId: number) {
    return deps.em.fork().findOne(ChargeGharKycSubmission, { user: userId, status: { $ne: 'withdrawn' } }, { orderBy: { id: 'desc' } });
  }

  interface Upload {
    bytes: Buffer;
    contentType: DocumentContentType;
  }

  /** The uploaded images, checked by their content; `need` says which must be there. */
  function readImages(req: Request, need: { front: boolean; back: boolean }): { front?: Upload; back?: Upload } {
    const files = (req.files ?? {}) as Partial<Record<ImageField, Express.Multer.File[]>>;
    const read = (field: ImageField, required: boolean): Upload | undefined => {
      const file = files[field]?.[0];
      if (!file) {
        if (required) throw missingImage(field);
        return undefined;
      }
      const contentType = sniffImageType(file.buffer);
      if (!contentType) {
        const message = `${field}: Upload a JPEG, PNG or WebP image.`;
        throw new DomainError(FailureType.Validation, message, { fields: { [field]: [message] } });
      }
      return { bytes: file.buffer, contentType };
    };
    return { front: read('front_image', need.front), back: read('back_image', need.back) };
  }

  /**
   * Stores the new images, then hands the submission to its review flow and answers once the flow
   * has recorded it. Images of a submission the flow refuses are removed again.
   */
  async function submit(
    req: Request,
    userId: number,
    documentType: KycDocumentType,
    documentNumber: string,
    images: { front?: Upload; back?: Upload },
    kept: { front?: string; back?: string },
  ) {
    const submission = randomUUID();
    const stored: string[] = [];
    const store = async (side: 'front' | 'back', image: Upload | undefined): Promise<string | undefined> => {
      if (!image) return undefined;
      const key = documentKey(`chargeghar/kyc/${userId}`, `${submission}-${side}`, image.contentType);
      await documents.put(key, image);
      stored.push(key);
      return key;
    };
    try {
      const frontImageKey = (await store('front', images.front)) ?? kept.front!;
      const backImageKey = (await store('back', images.back)) ?? kept.back ?? null;
      const record = await startFlowAndAwait(
        deps.temporal,
        deps.config.TEMPORAL_TASK_QUEUE,
        {
          workflow: reviewKyc,
          workflowId: flowWorkflowId(CHARGEGHAR.slug, FlowType.KycReview, `${userId}:${submission}`),
          args: [{ tenant: CHARGEGHAR.slug, userId, documentType, documentNumber, frontImageKey, backImageKey, appName: CHARGEGHAR_APP_NAME }],
          tenant: CHARGEGHAR.slug,
          userId,
          flowType: FlowType.KycReview,
          requestId: String(req.id),
          memo: { documentType },
        },
        kycSubmittedUpdate,
        { waitMs: KYC_RECORD_WAIT_MS, whenClosed: () => Promise.reject(publicError(FailureType.Conflict, 'This submission was already handled.')) },
      );
      return { submission_id: record.submissionId, status: 'pending' as const, document_type: documentType, submitted_at: record.submittedAt };
    } catch (err) {
      // Only a refusal means the flow will never record these images; after a timeout it still may.
      if (isConflictRefusal(err)) {
        await Promise.all(stored.map((key) => documents.remove(key).catch(() => undefined)));
        throw publicError(FailureType.Conflict, 'A KYC submission is already under review.', undefined, { cause: err });
      }
      if (isGrpcDeadlineError(err) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw publicError(FailureType.Unavailable, 'The submission is taking longer than usual; check the KYC status shortly.', undefined, { cause: err });
      }
      throw err;
    }
  }

  // --- wallet and usage ------------------------------------------------------------------------

  route(
    {
      method: 'get',
      path: '/api/users/wallet',
      summary: 'Wallet balance (NPR) and reward points',
      description: 'Both read from the ledger: the available NPR balance (posted credits less debits and funds on hold) and the points available.',
      secured: true,
      responses: { 200: { description: 'Wallet', schema: S.ok(S.WalletData, 'ChargeGharWalletResponse') }, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const userId = requireUser(req).id;
      const em = deps.em.fork();
      const available = async (code: string) => {
        const id = await findAccountId(em, CHARGEGHAR.slug, code);
        return id === null ? 0n : (await getBalances(em, id)).available;
      };
      send(res, {
        currency: CHARGEGHAR.currency,
        balance: toMajorString(await available(walletAccountCode(userId)), CHARGEGHAR.currency),
        reward_points: Number(await available(pointsAccountCode(userId))),
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/api/users/analytics/usage-stats',
      summary: "The caller's usage per period",
      description:
        'Counts and sums of the caller\'s own activity per `period` (day, week, month, year; Nepal time) between `from` and `to` (default: the last 12 periods): NPR credited to and debited from the wallet, reward points earned and spent. Every period in the range is listed, empty ones as zeros.',
      secured: true,
      query: S.UsageQuery,
      responses: { 200: { description: 'Usage', schema: S.ok(S.UsageData, 'ChargeGharUsageResponse') }, 400: invalid, 401: unauthorized },
    },
    ...signedIn,
    async (req, res) => {
      const q = query(req, S.UsageQuery);
      const userId = requireUser(req).id;
      const to = q.to ?? todayIn(CHARGEGHAR_TIMEZONE);
      const from = q.from ?? periodsBefore(to, q.period, 11);
      if (spanInDays(from, to) > 3660) {
        throw new DomainError(FailureType.Validation, 'from: The range may span at most 10 years.', { fields: { from: ['The range may span at most 10 years.'] } });
      }
      const em = deps.em.fork();
      const wallet = await findAccountId(em, CHARGEGHAR.slug, walletAccountCode(userId));
      const points = await findAccountId(em, CHARGEGHAR.slug, pointsAccountCode(userId));
      const activity = await accountActivityByPeriod(em, {
        tenant: CHARGEGHAR.slug,
        accountIds: [wallet, points].filter((id): id is bigint => id !== null),
        period: q.period,
        from,
        to,
        timeZone: CHARGEGHAR_TIMEZONE,
      });
      const starts = periodStarts(from, to, q.period);
      const money = (count: number, amount: bigint) => ({ count, amount: toMajorString(amount, CHARGEGHAR.currency) });
      const series = starts.map((start) => {
        const w = activity.find((a) => a.periodStart === start && a.accountId === wallet);
        const p = activity.find((a) => a.periodStart === start && a.accountId === points);
        return {
          period_start: start,
          wallet_credits: money(w?.credits ?? 0, w?.creditedAmount ?? 0n),
          wallet_debits: money(w?.debits ?? 0, w?.debitedAmount ?? 0n),
          points: { earned: Number(p?.creditedAmount ?? 0n), spent: Number(p?.debitedAmount ?? 0n) },
        };
      });
      const sum = (pick: (a: (typeof activity)[number]) => bigint | number, account: bigint | null) =>
        activity.filter((a) => a.accountId === account).reduce((total, a) => total + BigInt(pick(a)), 0n);
      send(res, {
        period: q.period,
        currency: CHARGEGHAR.currency,
        from,
        to,
        totals: {
          wallet_credits: money(Number(sum((a) => a.credits, wallet)), sum((a) => a.creditedAmount, wallet)),
          wallet_debits: money(Number(sum((a) => a.debits, wallet)), sum((a) => a.debitedAmount, wallet)),
          points: { earned: Number(sum((a) => a.creditedAmount, points)), spent: Number(sum((a) => a.debitedAmount, points)) },
        },
        series,
      });
    },
  );
}

type Period = 'day' | 'week' | 'month' | 'year';

function missingImage(field: ImageField): DomainError {
  const message = `${field}: This file is required.`;
  return new DomainError(FailureType.Validation, message, { fields: { [field]: ['This file is required.'] } });
}

function isConflictRefusal(err: unknown): boolean {
  const cause = (err as { cause?: { type?: string } } | undefined)?.cause;
  return cause?.type === FailureType.Conflict;
}

/** Today's date in a time zone, YYYY-MM-DD. */
function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const UTC = (date: string) => new Date(`${date}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

function truncate(date: string, period: Period): Date {
  const d = UTC(date);
  if (period === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (period === 'month') d.setUTCDate(1);
  if (period === 'year') d.setUTCMonth(0, 1);
  return d;
}

function step(d: Date, period: Period, n: number): Date {
  const next = new Date(d);
  if (period === 'day') next.setUTCDate(next.getUTCDate() + n);
  if (period === 'week') next.setUTCDate(next.getUTCDate() + 7 * n);
  if (period === 'month') next.setUTCMonth(next.getUTCMonth() + n);
  if (period === 'year') next.setUTCFullYear(next.getUTCFullYear() + n);
  return next;
}

/** The first day of the period `n` periods before the one holding `date`. */
function periodsBefore(date: string, period: Period, n: number): string {
  return iso(step(truncate(date, period), period, -n));
}

/** The start of every period from the one holding `from` to the one holding `to` (Postgres' date_trunc; weeks start on Monday). */
function periodStarts(from: string, to: string, period: Period): string[] {
  const starts: string[] = [];
  const last = truncate(to, period).getTime();
  for (let d = truncate(from, period); d.getTime() <= last; d = step(d, period, 1)) starts.push(iso(d));
  return starts;
}

function spanInDays(from: string, to: string): number {
  return (UTC(to).getTime() - UTC(from).getTime()) / 86_400_000;
}
