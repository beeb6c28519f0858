import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import * as catalogue from './catalogue.js';
import * as S from './catalogue-schemas.js';
import { LIST_HEADERS_NOTE, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Empty, ERRORS } from './schemas.js';

const PRICE_NOTE = '`price` is in rupees (at most two decimals) and is kept in paise; `validity` is in days.';
const CREATED_NOTE = 'The spec shows no status code for creation; a new record answers 201 Created.';
const RETIRE_NOTE =
  'A plan that a subscription or an autopay rule still refers to is not deleted from under it: it is retired instead (status becomes inactive, so it leaves the public list and cannot be chosen again), and the answer is the same `{}`.';

/** Plan groups and plans (admin, Plans permission), and the public list of active plans. */
export function registerPlanRoutes({ deps, route, adminRoute }: GenChargeRoutes): void {
  const { notFound, conflict, invalid } = ERRORS;
  const em = () => deps.em.fork();

  adminRoute(
    'Plans',
    {
      method: 'post',
      path: '/plans/plan-group',
      summary: 'Create a plan group',
      description: `Group names are unique (409 when taken). ${CREATED_NOTE}`,
      body: S.PlanGroupBody,
      responses: { 201: { description: 'The new group', schema: S.PlanGroup }, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { group_name } = body(req, S.PlanGroupBody);
      res.status(201).json(await catalogue.createPlanGroup(em(), group_name));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'get',
      path: '/plans/plan-group',
      summary: 'List plan groups',
      description: `Filtered by \`group_name\` (part of the name), sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${LIST_HEADERS_NOTE}`,
      query: S.PlanGroupsQuery,
      responses: { 200: { description: 'Plan groups', schema: z.array(S.PlanGroup) }, 422: invalid },
    },
    async (req, res) => {
      const { items, total } = await catalogue.listPlanGroups(em(), query(req, S.PlanGroupsQuery));
      sendList(res, items, total);
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'get',
      path: '/plans/plan-group/:group_id',
      summary: 'Get a plan group',
      params: S.GroupIdParams,
      responses: { 200: { description: 'The group', schema: S.PlanGroup }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { group_id } = params(req, S.GroupIdParams);
      res.json(await catalogue.getPlanGroup(em(), group_id));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'put',
      path: '/plans/plan-group/:group_id',
      summary: 'Rename a plan group',
      description: 'Group names are unique (409 when taken).',
      params: S.GroupIdParams,
      body: S.PlanGroupBody,
      responses: { 200: { description: 'The renamed group', schema: S.PlanGroup }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { group_id } = params(req, S.GroupIdParams);
      const { group_name } = body(req, S.PlanGroupBody);
      res.json(await catalogue.renamePlanGroup(em(), group_id, group_name));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'delete',
      path: '/plans/plan-group/:group_id',
      summary: 'Delete a plan group',
      description: 'A group that still has plans (active or not) cannot be deleted: 409; move or delete its plans first.',
      params: S.GroupIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { group_id } = params(req, S.GroupIdParams);
      await catalogue.deletePlanGroup(em(), group_id);
      res.json({});
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'post',
      path: '/plans/plan',
      summary: 'Create a plan',
      description: `${PRICE_NOTE} \`group_id\` must name an existing plan group (404 otherwise). \`status\` defaults to active. ${CREATED_NOTE}`,
      body: S.PlanCreateBody,
      responses: { 201: { description: 'The new plan', schema: S.Plan }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      res.status(201).json(await catalogue.createPlan(em(), body(req, S.PlanCreateBody)));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'get',
      path: '/plans/plan',
      summary: 'List plans (admin)',
      description: `All plans, active or not. Filters: \`plan_name\` and \`group_name\` (part of the name), \`status\`, \`plan_type\`, \`group_id\`, \`most_popular\`; sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${PRICE_NOTE} ${LIST_HEADERS_NOTE}`,
      query: S.PlansQuery,
      responses: { 200: { description: 'Plans', schema: z.array(S.Plan) }, 422: invalid },
    },
    async (req, res) => {
      const { plans, total } = await catalogue.listPlans(em(), query(req, S.PlansQuery));
      sendList(res, plans.map(catalogue.planView), total);
    },
  );

  route(
    {
      method: 'get',
      path: '/plans/public/all',
      summary: 'Active plans (public)',
      description: `No sign-in needed; only active plans. Filters: \`plan_type\`, \`group_id\`, \`most_popular\`; sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${PRICE_NOTE} ${LIST_HEADERS_NOTE}`,
      secured: false,
      query: S.PublicPlansQuery,
      responses: { 200: { description: 'Active plans', schema: z.array(S.PublicPlan) }, 422: invalid },
    },
    async (req, res) => {
      const { plans, total } = await catalogue.listPlans(em(), { ...query(req, S.PublicPlansQuery), status: 'active' });
      sendList(res, plans.map(catalogue.publicPlanView), total);
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'get',
      path: '/plans/plan/:plan_id',
      summary: 'Get a plan',
      description: PRICE_NOTE,
      params: S.PlanIdParams,
      responses: { 200: { description: 'The plan', schema: S.Plan }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { plan_id } = params(req, S.PlanIdParams);
      res.json(await catalogue.getPlan(em(), plan_id));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'put',
      path: '/plans/plan/:plan_id',
      summary: 'Update a plan',
      description: `Changes the fields sent and keeps the others. ${PRICE_NOTE} A \`group_id\` must name an existing plan group (404 otherwise). Setting status inactive retires the plan from the public list.`,
      params: S.PlanIdParams,
      body: S.PlanUpdateBody,
      responses: { 200: { description: 'The updated plan', schema: S.Plan }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { plan_id } = params(req, S.PlanIdParams);
      res.json(await catalogue.updatePlan(em(), plan_id, body(req, S.PlanUpdateBody)));
    },
  );

  adminRoute(
    'Plans',
    {
      method: 'delete',
      path: '/plans/plan/:plan_id',
      summary: 'Delete a plan',
      description: RETIRE_NOTE,
      params: S.PlanIdParams,
      responses: { 200: { description: 'Deleted, or retired when in use', schema: Empty }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { plan_id } = params(req, S.PlanIdParams);
      await catalogue.deletePlan(em(), plan_id);
      res.json({});
    },
  );
}
