import { z } from '../../openapi.js';
import { body, params, query } from '../../validation.js';
import * as catalogue from './catalogue.js';
import * as S from './catalogue-schemas.js';
import { LIST_HEADERS_NOTE, sendList } from './listing.js';
import type { GenChargeRoutes } from './router.js';
import { Empty, ERRORS } from './schemas.js';

const CREATED_NOTE = 'The spec shows no status code for creation; a new record answers 201 Created.';
const VALIDITY_NOTE = '`offer_validity` is in days (at least 1).';
const RETIRE_NOTE =
  'An offer that a subscription or an autopay rule still refers to is not deleted from under it: it is retired instead (status becomes inactive, so it leaves the public list), and the answer is the same `{}`.';

/** Offer types and offers (admin, Offers permission), and the public list of active offers. */
export function registerOfferRoutes({ deps, route, adminRoute }: GenChargeRoutes): void {
  const { notFound, conflict, invalid } = ERRORS;
  const em = () => deps.em.fork();

  adminRoute(
    'Offers',
    {
      method: 'post',
      path: '/offers/offer_type',
      summary: 'Create an offer type',
      description: `Offer type names are unique (409 when taken). ${CREATED_NOTE}`,
      body: S.OfferTypeBody,
      responses: { 201: { description: 'The new offer type', schema: S.OfferType }, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { offer_type_name } = body(req, S.OfferTypeBody);
      res.status(201).json(await catalogue.createOfferType(em(), offer_type_name));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'get',
      path: '/offers/offer_type',
      summary: 'List offer types',
      description: `Filtered by \`offer_type_name\` (part of the name), sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${LIST_HEADERS_NOTE}`,
      query: S.OfferTypesQuery,
      responses: { 200: { description: 'Offer types', schema: z.array(S.OfferType) }, 422: invalid },
    },
    async (req, res) => {
      const { items, total } = await catalogue.listOfferTypes(em(), query(req, S.OfferTypesQuery));
      sendList(res, items, total);
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'get',
      path: '/offers/offer_type/:offer_type_id',
      summary: 'Get an offer type',
      params: S.OfferTypeIdParams,
      responses: { 200: { description: 'The offer type', schema: S.OfferType }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { offer_type_id } = params(req, S.OfferTypeIdParams);
      res.json(await catalogue.getOfferType(em(), offer_type_id));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'put',
      path: '/offers/offer_type/:offer_type_id',
      summary: 'Rename an offer type',
      description: 'Offer type names are unique (409 when taken).',
      params: S.OfferTypeIdParams,
      body: S.OfferTypeBody,
      responses: { 200: { description: 'The renamed offer type', schema: S.OfferType }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { offer_type_id } = params(req, S.OfferTypeIdParams);
      const { offer_type_name } = body(req, S.OfferTypeBody);
      res.json(await catalogue.renameOfferType(em(), offer_type_id, offer_type_name));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'delete',
      path: '/offers/offer_type/:offer_type_id',
      summary: 'Delete an offer type',
      description: 'An offer type that still has offers (active or not) cannot be deleted: 409; move or delete its offers first.',
      params: S.OfferTypeIdParams,
      responses: { 200: { description: 'Deleted', schema: Empty }, 404: notFound, 409: conflict, 422: invalid },
    },
    async (req, res) => {
      const { offer_type_id } = params(req, S.OfferTypeIdParams);
      await catalogue.deleteOfferType(em(), offer_type_id);
      res.json({});
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'post',
      path: '/offers/offers',
      summary: 'Create an offer',
      description: `${VALIDITY_NOTE} \`offer_type_id\` must name an existing offer type (404 otherwise). \`status\` defaults to active. ${S.DISCOUNT_NOTE} ${CREATED_NOTE}`,
      body: S.OfferCreateBody,
      responses: { 201: { description: 'The new offer', schema: S.Offer }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      res.status(201).json(await catalogue.createOffer(em(), body(req, S.OfferCreateBody)));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'get',
      path: '/offers/offers',
      summary: 'List offers (admin)',
      description: `All offers, active or not. Filters: \`offer_name\` and \`offer_type_name\` (part of the name), \`status\`, \`is_special\`, \`offer_type_id\`, \`discount_type\`; sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${S.DISCOUNT_NOTE} ${LIST_HEADERS_NOTE}`,
      query: S.OffersQuery,
      responses: { 200: { description: 'Offers', schema: z.array(S.Offer) }, 422: invalid },
    },
    async (req, res) => {
      const { offers, total } = await catalogue.listOffers(em(), query(req, S.OffersQuery));
      sendList(
        res,
        offers.map(({ offer, type }) => catalogue.offerView(offer, type)),
        total,
      );
    },
  );

  // Before /offers/offers/:offer_id, which would otherwise read "public" as an id and ask for a token.
  route(
    {
      method: 'get',
      path: '/offers/offers/public',
      summary: 'Active offers (public)',
      description: `No sign-in needed; only active offers still running (created less than \`offer_validity\` days ago; a subscription refuses an offer past that). Filters: \`is_special\`, \`offer_type_id\`; sorted by \`sort_by\`/\`sort_order\`, paged with \`skip\`/\`limit\`. ${S.DISCOUNT_NOTE} ${LIST_HEADERS_NOTE}`,
      secured: false,
      query: S.PublicOffersQuery,
      responses: { 200: { description: 'Active offers', schema: z.array(S.PublicOffer) }, 422: invalid },
    },
    async (req, res) => {
      const { offers, total } = await catalogue.listOffers(em(), {
        ...query(req, S.PublicOffersQuery),
        status: 'active',
        runningAt: { now: new Date(), dayMs: deps.config.GENCHARGE_DAY_MS },
      });
      sendList(
        res,
        offers.map(({ offer, type }) => catalogue.publicOfferView(offer, type)),
        total,
      );
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'get',
      path: '/offers/offers/:offer_id',
      summary: 'Get an offer',
      description: S.DISCOUNT_NOTE,
      params: S.OfferIdParams,
      responses: { 200: { description: 'The offer', schema: S.Offer }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { offer_id } = params(req, S.OfferIdParams);
      res.json(await catalogue.getOffer(em(), offer_id));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'put',
      path: '/offers/offers/:offer_id',
      summary: 'Update an offer',
      description: `Changes the fields sent and keeps the others; a discount is replaced whole (send both discount fields, or both null to remove it). ${VALIDITY_NOTE} An \`offer_type_id\` must name an existing offer type (404 otherwise). ${S.DISCOUNT_NOTE}`,
      params: S.OfferIdParams,
      body: S.OfferUpdateBody,
      responses: { 200: { description: 'The updated offer', schema: S.Offer }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { offer_id } = params(req, S.OfferIdParams);
      res.json(await catalogue.updateOffer(em(), offer_id, body(req, S.OfferUpdateBody)));
    },
  );

  adminRoute(
    'Offers',
    {
      method: 'delete',
      path: '/offers/offers/:offer_id',
      summary: 'Delete an offer',
      description: RETIRE_NOTE,
      params: S.OfferIdParams,
      responses: { 200: { description: 'Deleted, or retired when in use', schema: Empty }, 404: notFound, 422: invalid },
    },
    async (req, res) => {
      const { offer_id } = params(req, S.OfferIdParams);
      await catalogue.deleteOffer(em(), offer_id);
      res.json({});
    },
  );
}
