import { GENCHARGE_AUTOPAY_RUN_STATUSES, GENCHARGE_AUTOPAY_STATUSES } from '../../../db/entities/index.js';
import { requireUser } from '../../auth.js';
import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import {
  createAutopay,
  deleteAutopay,
  getAutopay,
  listAutopays,
  listMyAutopays,
  PROCESS_DUE_LIMIT,
  processDueAutopays,
  updateAutopay,
  autopayDeps,
} from './autopay.js';
import { pagedQuery, pageOf, pageSchema } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Detail, Empty, ERRORS, IndianMobile, PositiveId } from './schemas.js';

const BodyId = z.number().int().positive().max(2_147_483_647);
const AutopayStatus = z.enum(GENCHARGE_AUTOPAY_STATUSES);
const Timestamp = z.string().openapi({ format: 'date-time', example: '2025-12-01T09:00:00.000Z' });
const Tag = z
  .string()
  .trim()
  .max(50)
  .refine((value) => !value.includes('\u0000'), { message: 'Value error, must not contain NUL characters' })
  .nullable()
  .openapi({ example: 'regular' });
/**
 * A date-time with its zone (`Z` or `+05:30`), from now on: a rule cannot start in the past. Kept
 * to the second, rounded up, since Schedules fire on whole seconds: a cycle never runs before its date.
 */
const NextDueDate = z
  .iso.datetime({ offset: true, message: 'Value error, next_due_date must be an ISO 8601 date-time with a time zone, e.g. 2025-12-01T09:00:00Z' })
  .transform((value) => new Date(Math.ceil(Date.parse(value) / 1000) * 1000))
  .refine((date) => date.getTime() >= Date.now(), { message: 'Value error, next_due_date must not be in the past' })
  .openapi({ type: 'string', format: 'date-time', example: '2025-12-01T09:00:00Z' });

const AutopayCreateBody = z
  .object({
    plan_id: BodyId,
    phone_number: IndianMobile,
    tag: Tag.optional(),
    next_due_date: NextDueDate,
    status: AutopayStatus.default('enabled'),
  })
  .openapi('GenChargeAutopayCreate');
const AutopayUpdateBody = z
  .object({
    plan_id: BodyId.optional(),
    phone_number: IndianMobile.optional(),
    tag: Tag.optional(),
    next_due_date: NextDueDate.optional(),
    status: AutopayStatus.optional(),
  })
  .openapi('GenChargeAutopayUpdate');

const Autopay = z
  .object({
    autopay_id: z.number().int(),
    user_id: z.number().int(),
    plan_id: z.number().int(),
    status: AutopayStatus,
    phone_number: z.string(),
    tag: z.string().nullable(),
    next_due_date: Timestamp,
    created_at: Timestamp,
    last_run_status: z.enum(GENCHARGE_AUTOPAY_RUN_STATUSES).nullable().openapi({ description: "The last cycle's outcome: `success`, `missed` (the wallet could not pay) or `failed`" }),
    last_run_at: Timestamp.nullable(),
    last_failure_reason: z.string().nullable().openapi({ example: 'insufficient_funds' }),
    missed_count: z.number().int().openapi({ description: 'Cycles the wallet could not pay' }),
  })
  .openapi('GenChargeAutopay');
const AutopayEdited = z.object({ autopay_id: z.number().int(), status: AutopayStatus, next_due_date: Timestamp }).openapi('GenChargeAutopayEdited');
const AutopayPage = pageSchema('items', Autopay).openapi('GenChargeAutopayPage');
const ProcessedRule = z
  .object({
    autopay_id: z.number().int(),
    status: z.enum(['processed', 'failed', 'skipped', 'pending']),
    message: z.string().openapi({ example: 'success' }),
  })
  .openapi('GenChargeAutopayProcessed');

const AutopayIdParams = z.object({ autopay_id: PositiveId });
const MyAutopaysQuery = pagedQuery({}, 20);
const AllAutopaysQuery = pagedQuery(
  {
    user_id: PositiveId.optional(),
    plan_id: PositiveId.optional(),
    status: AutopayStatus.optional(),
    phone_number: IndianMobile.optional(),
    tag: z.string().max(50).optional(),
  },
  20,
);

const unavailable = { description: 'Temporal could not be reached to change the rule\'s Schedule; nothing was changed, try again', schema: Detail };
const RULE_NOTE =
  'Each rule buys its plan for the phone from the wallet every plan validity, from `next_due_date` (ISO 8601 with a time zone, not in the past; kept to the second, rounded up), on a Temporal Schedule of its own (`gencharge:autopay:<autopay_id>`), paused while the rule is `disabled`. `plan_id` must name an active plan (422 otherwise). Besides the spec\'s fields each rule shows its last cycle: `last_run_status`, `last_run_at`, `last_failure_reason` and `missed_count`.';
const CYCLE_NOTE =
  'After a cycle is bought, `next_due_date` moves on by the plan\'s validity. A cycle the wallet cannot pay is missed: it is recorded on the rule (`last_run_status: "missed"`, `last_failure_reason: "insufficient_funds"`, `missed_count`), the user is notified, and the rule waits for its next cycle; setting `next_due_date` to now retries at once.';

/** Autopay rules: the user's own (userOnly) and the admin's view and process-due (Autopay permission). */
export function registerAutopayRoutes({ deps, route, adminRoute, userOnly, idempotency }: GenChargeRoutes): void {
  const autopay = autopayDeps(deps);
  const me = (req: Parameters<typeof requireUser>[0]) => requireUser(req).id;
  const { notFound, invalid, unauthorized, forbidden } = ERRORS;
  const userResponses = { 401: unauthorized, 403: forbidden, 422: invalid };

  route(
    {
      method: 'post',
      path: '/autopay/create_autopay',
      summary: 'Create an autopay rule',
      description: `${RULE_NOTE} \`status\` defaults to enabled; \`tag\` is optional. A new rule answers 201 Created. A rule charges every cycle, so a retried create must not make a second one: send an \`Idempotency-Key\` header, and the same key and body answer with the first rule (the same key with another body is 422).`,
      secured: true,
      idempotent: true,
      body: AutopayCreateBody,
      responses: { 201: { description: 'The new rule', schema: Autopay }, ...userResponses, 503: unavailable },
    },
    ...userOnly,
    idempotency,
    async (req, res) => {
      res.status(201).json(await createAutopay(autopay, me(req), body(req, AutopayCreateBody)));
    },
  );

  route(
    {
      method: 'get',
      path: '/autopay/get_autopay/:autopay_id',
      summary: 'Get one of my autopay rules',
      description: `${CYCLE_NOTE} Another user's rule is 404.`,
      secured: true,
      params: AutopayIdParams,
      responses: { 200: { description: 'The rule', schema: Autopay }, 404: notFound, ...userResponses },
    },
    ...userOnly,
    async (req, res) => {
      res.json(await getAutopay(deps.em, me(req), params(req, AutopayIdParams).autopay_id));
    },
  );

  route(
    {
      method: 'get',
      path: '/autopay/get_all_autopay',
      summary: 'My autopay rules',
      description: 'Newest first, paged with `page` (from 1) and `size` (default 20).',
      secured: true,
      query: MyAutopaysQuery,
      responses: { 200: { description: 'A page of my rules', schema: AutopayPage }, ...userResponses },
    },
    ...userOnly,
    async (req, res) => {
      const page = query(req, MyAutopaysQuery);
      const { items, total } = await listMyAutopays(deps.em, me(req), page);
      res.json(pageOf('items', items, total, page));
    },
  );

  route(
    {
      method: 'patch',
      path: '/autopay/:autopay_id',
      summary: 'Edit one of my autopay rules',
      description:
        'Changes the fields sent and keeps the others; the rule\'s Schedule follows (a new plan changes the cadence, a new `next_due_date` the next run, `disabled` pauses it, `enabled` resumes it). A rule resumed without a new `next_due_date` whose due date passed while it was disabled moves on to its first cycle from now: cycles missed while disabled are not charged. Answers as the spec shows: `autopay_id`, `status`, `next_due_date`. Another user\'s rule is 404.',
      secured: true,
      params: AutopayIdParams,
      body: AutopayUpdateBody,
      responses: { 200: { description: 'The edited rule', schema: AutopayEdited }, 404: notFound, ...userResponses, 503: unavailable },
    },
    ...userOnly,
    async (req, res) => {
      const { autopay_id } = params(req, AutopayIdParams);
      const rule = await updateAutopay(autopay, me(req), autopay_id, body(req, AutopayUpdateBody));
      res.json({ autopay_id: rule.autopay_id, status: rule.status, next_due_date: rule.next_due_date });
    },
  );

  route(
    {
      method: 'delete',
      path: '/autopay/:autopay_id',
      summary: 'Delete one of my autopay rules',
      description: 'Deletes the rule and its Schedule; a cycle already running finishes. Another user\'s rule is 404.',
      secured: true,
      params: AutopayIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, ...userResponses, 503: unavailable },
    },
    ...userOnly,
    async (req, res) => {
      await deleteAutopay(autopay, me(req), params(req, AutopayIdParams).autopay_id);
      res.json({});
    },
  );

  adminRoute(
    'Autopay',
    {
      method: 'get',
      path: '/autopay/admin/all',
      summary: 'All autopay rules (admin)',
      description: `Newest first, paged with \`page\` (from 1) and \`size\` (default 20). Filters: \`user_id\`, \`plan_id\`, \`status\`, \`phone_number\`, \`tag\` (exact). ${CYCLE_NOTE}`,
      query: AllAutopaysQuery,
      responses: { 200: { description: 'A page of rules', schema: AutopayPage }, 422: invalid },
    },
    async (req, res) => {
      const { page, size, ...filters } = query(req, AllAutopaysQuery);
      const { items, total } = await listAutopays(deps.em, filters, { page, size });
      res.json(pageOf('items', items, total, { page, size }));
    },
  );

  adminRoute(
    'Autopay',
    {
      method: 'post',
      path: '/autopay/admin/process-due',
      summary: 'Run every autopay rule due now (admin)',
      description: `Runs each enabled rule whose \`next_due_date\` has come (at most ${PROCESS_DUE_LIMIT} per call, oldest due first) and answers one row per rule: \`processed\`/\`success\` (bought), \`failed\` with the reason (e.g. \`insufficient_funds\`: the cycle is missed), \`skipped\` (e.g. \`already processed\` by the rule's Schedule or an earlier call), or \`pending\` when the run takes longer than the API waits (its outcome shows on the rule). A cycle is charged once however often it is run.`,
      responses: { 200: { description: 'One row per rule run', schema: z.array(ProcessedRule) } },
    },
    async (req, res) => {
      res.json(await processDueAutopays(autopay, String(req.id), deps.config.PURCHASE_RESPONSE_WAIT_MS));
    },
  );
}
