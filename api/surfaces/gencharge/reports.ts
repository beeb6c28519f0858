import type { InferEntity } from '@mikro-orm/core';
import { toMajorString } from '../../../core/money.js';
import {
  GENCHARGE_AUTOPAY_RUN_STATUSES,
  GENCHARGE_AUTOPAY_STATUSES,
  GENCHARGE_CATALOGUE_STATUSES,
  GENCHARGE_DISCOUNT_TYPES,
  GENCHARGE_REFERRAL_STATUSES,
  GENCHARGE_USER_STATUSES,
  GENCHARGE_USER_TYPES,
  TRANSACTION_STATUSES,
  type TransactionKind,
  type WalletTransaction,
} from '../../../db/entities/index.js';
import { z } from '../../openapi.js';
import { DocumentId } from './document-id.js';
import { rupeesText, TRANSACTION_VIEWS, transactionView } from './recharge.js';
import { anyOf, defineReport, iso, num, text, type Condition, type ReportDefinition, type ReportRow } from './report-engine.js';
import { NUL, noNul, PositiveId } from './schemas.js';
import { fromE164, GENCHARGE, RESOURCES } from './tenant.js';

/**
 * The thirteen GenCharge reports. Each is a query over the tables that hold its rows and a mapper
 * to the flat row the three formats share: ids as numbers (backups' as their 24-hex ids), times
 * ISO in UTC, amounts as rupee strings, JSON criteria as JSON text.
 */

const Ids = (what: string) => z.array(PositiveId).max(1000).optional().openapi({ description: `Only these ${what}` });
const OneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) => z.array(z.enum(values)).max(values.length * 4).optional().openapi({ description: `Only ${what}` });
const Flag = (what: string) => z.boolean().optional().openapi({ description: `Only rows where ${what} is this` });

const bool = (value: unknown): boolean | null => (value === null || value === undefined ? null : Boolean(value));
const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
const rupees = (value: unknown): string | null => (value === null || value === undefined ? null : rupeesText(value as string));
const gc = `'${GENCHARGE.slug}'`;

// Admins

const ADMIN_STATUSES = ['active', 'invited'] as const;
/** An admin is invited until they set a password. */
const ADMIN_STATUS = `case when u.password_hash is null then 'invited' else 'active' end`;

const admins = defineReport({
  name: 'admins-report',
  path: '/admins-report',
  summary: 'Admins report',
  description: 'One row per admin with their role. `status` is `invited` until the admin has set a password, then `active`.',
  filters: { admin_ids: Ids('admins'), role_ids: Ids('roles'), statuses: OneOf(ADMIN_STATUSES, 'admins in these states') },
  dates: { column: 'a.created_at', meaning: 'Admins created' },
  orderBy: { created_at: 'a.created_at', admin_id: 'a.user_id', name: 'a.name', email: 'u.email', role_id: 'a.role_id', updated_at: 'a.updated_at' },
  tieBreaker: ['a.user_id'],
  columns: ['admin_id', 'name', 'email', 'phone_number', 'role_id', 'role_name', 'super_admin', 'status', 'created_at', 'updated_at'],
  select: `select a.user_id, a.name, u.email, a.phone, a.role_id, r.name as role_name, r.super_admin,
      ${ADMIN_STATUS} as status, a.created_at, a.updated_at
    from gencharge_admins a join users u on u.id = a.user_id join gencharge_roles r on r.id = a.role_id`,
  where: (f) => [
    anyOf('a.user_id', f.admin_ids),
    anyOf('a.role_id', f.role_ids),
    anyOf(ADMIN_STATUS, f.statuses),
  ],
  row: (r) => ({
    admin_id: num(r.user_id),
    name: text(r.name),
    email: text(r.email),
    phone_number: fromE164(text(r.phone)),
    role_id: num(r.role_id),
    role_name: text(r.role_name),
    super_admin: bool(r.super_admin),
    status: text(r.status),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  }),
});

// Autopay

const autopay = defineReport({
  name: 'autopay-report',
  path: '/autopay-report',
  summary: 'Autopay report',
  description: 'One row per autopay rule with its plan and how its last run went.',
  filters: {
    autopay_ids: Ids('autopay rules'),
    user_ids: Ids('users'),
    plan_ids: Ids('plans'),
    statuses: OneOf(GENCHARGE_AUTOPAY_STATUSES, 'rules in these states'),
    last_run_statuses: OneOf(GENCHARGE_AUTOPAY_RUN_STATUSES, 'rules whose last run ended so'),
  },
  dates: { column: 'ap.created_at', meaning: 'Rules created' },
  orderBy: { created_at: 'ap.created_at', autopay_id: 'ap.id', next_due_date: 'ap.next_due_date', last_run_at: 'ap.last_run_at', missed_count: 'ap.missed_count', user_id: 'ap.user_id' },
  tieBreaker: ['ap.id'],
  columns: ['autopay_id', 'user_id', 'plan_id', 'plan_name', 'plan_price', 'phone_number', 'tag', 'status', 'next_due_date', 'last_run_status', 'last_run_at', 'last_failure_reason', 'missed_count', 'created_at', 'updated_at'],
  select: `select ap.*, p.name as plan_name, p.price as plan_price
    from gencharge_autopays ap join gencharge_plans p on p.id = ap.plan_id`,
  where: (f) => [
    anyOf('ap.id', f.autopay_ids),
    anyOf('ap.user_id', f.user_ids),
    anyOf('ap.plan_id', f.plan_ids),
    anyOf('ap.status', f.statuses),
    anyOf('ap.last_run_status', f.last_run_statuses),
  ],
  row: (r) => ({
    autopay_id: num(r.id),
    user_id: num(r.user_id),
    plan_id: num(r.plan_id),
    plan_name: text(r.plan_name),
    plan_price: rupees(r.plan_price),
    phone_number: text(r.phone_number),
    tag: text(r.tag),
    status: text(r.status),
    next_due_date: iso(r.next_due_date),
    last_run_status: text(r.last_run_status),
    last_run_at: iso(r.last_run_at),
    last_failure_reason: text(r.last_failure_reason),
    missed_count: num(r.missed_count),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  }),
});

// Backups

const backup = defineReport({
  name: 'backup-report',
  path: '/backup-report',
  summary: 'Backup report',
  description: "One row per database backup: its status, size (bytes) and SHA-256 checksum, who made it and when. Where the artifact is stored is not shown.",
  filters: {
    backup_ids: z.array(DocumentId).max(1000).optional().openapi({ description: 'Only these backups' }),
    statuses: OneOf(['running', 'success', 'failed'] as const, 'backups in these states'),
    created_by_ids: Ids('admins who made the backup'),
  },
  dates: { column: 'b.created_at', meaning: 'Backups started' },
  orderBy: { created_at: 'b.created_at', backup_id: 'b.id', size_bytes: 'b.size_bytes', finished_at: 'b.finished_at' },
  tieBreaker: ['b.id'],
  columns: ['backup_id', 'backup_data', 'snapshot_name', 'description', 'backup_status', 'size_bytes', 'checksum', 'failure_reason', 'created_by', 'created_by_name', 'created_at', 'finished_at'],
  select: `select b.id, b.backup_data, b.snapshot_name, b.description, b.status, b.size_bytes, b.checksum, b.failure_reason,
      b.created_by, a.name as created_by_name, b.created_at, b.finished_at
    from gencharge_backups b left join gencharge_admins a on a.user_id = b.created_by`,
  where: (f) => [anyOf('b.id', f.backup_ids), anyOf('b.status', f.statuses), anyOf('b.created_by', f.created_by_ids)],
  row: (r) => ({
    backup_id: text(r.id),
    backup_data: text(r.backup_data),
    snapshot_name: text(r.snapshot_name),
    description: text(r.description),
    backup_status: text(r.status),
    size_bytes: num(r.size_bytes),
    checksum: text(r.checksum),
    failure_reason: text(r.failure_reason),
    created_by: num(r.created_by),
    created_by_name: text(r.created_by_name),
    created_at: iso(r.created_at),
    finished_at: iso(r.finished_at),
  }),
});

// Plans bought and running now

const currentActivePlans = defineReport({
  name: 'current-active-plans-report',
  path: '/current-active-plans-report',
  summary: 'Current active plans report',
  description: 'One row per bought plan running now: status `active` and valid until after this instant.',
  filters: {
    subscription_ids: Ids('bought plans'),
    user_ids: Ids('users'),
    plan_ids: Ids('plans'),
    offer_ids: Ids('offers'),
    plan_types: OneOf(GENCHARGE_USER_TYPES, 'plans of these types'),
    sources: OneOf(['recharge', 'autopay'] as const, 'plans bought this way'),
    phone_numbers: z.array(z.string().regex(/^\d{10}$/, 'Value error, must be 10 digits')).max(1000).optional().openapi({ description: 'Only plans on these numbers' }),
  },
  dates: { column: 's.created_at', meaning: 'Plans bought' },
  orderBy: { created_at: 's.created_at', subscription_id: 's.id', valid_to: 's.valid_to', valid_from: 's.valid_from', amount: 's.amount', user_id: 's.user_id' },
  tieBreaker: ['s.id'],
  columns: ['subscription_id', 'user_id', 'phone_number', 'plan_id', 'plan_name', 'plan_type', 'offer_id', 'amount', 'source', 'payment_method', 'valid_from', 'valid_to', 'status', 'created_at'],
  select: `select s.*, p.name as plan_name, p.plan_type
    from gencharge_subscriptions s join gencharge_plans p on p.id = s.plan_id`,
  where: (f) => [
    [`s.status = 'active' and s.valid_to > now()`],
    anyOf('s.id', f.subscription_ids),
    anyOf('s.user_id', f.user_ids),
    anyOf('s.plan_id', f.plan_ids),
    anyOf('s.offer_id', f.offer_ids),
    anyOf('p.plan_type', f.plan_types),
    anyOf('s.source', f.sources),
    anyOf('s.phone_number', f.phone_numbers),
  ],
  row: (r) => ({
    subscription_id: num(r.id),
    user_id: num(r.user_id),
    phone_number: text(r.phone_number),
    plan_id: num(r.plan_id),
    plan_name: text(r.plan_name),
    plan_type: text(r.plan_type),
    offer_id: num(r.offer_id),
    amount: rupees(r.amount),
    source: text(r.source),
    payment_method: text(r.payment_method),
    valid_from: iso(r.valid_from),
    valid_to: iso(r.valid_to),
    status: text(r.status),
    created_at: iso(r.created_at),
  }),
});

// Catalogue

/** Percent in basis points and rupees in paise both have two decimals. */
const discount = (value: unknown) => (value === null || value === undefined ? null : toMajorString(BigInt(value as string), GENCHARGE.currency));

const offers = defineReport({
  name: 'offers-report',
  path: '/offers-report',
  summary: 'Offers report',
  description: 'One row per offer with its type. `discount_value` is a percentage or rupees, by `discount_type`; `criteria` is JSON text.',
  filters: {
    offer_ids: Ids('offers'),
    offer_type_ids: Ids('offer types'),
    statuses: OneOf(GENCHARGE_CATALOGUE_STATUSES, 'offers in these states'),
    discount_types: OneOf(GENCHARGE_DISCOUNT_TYPES, 'offers with these discounts'),
    is_special: Flag('is_special'),
  },
  dates: { column: 'o.created_at', meaning: 'Offers created' },
  orderBy: { created_at: 'o.created_at', offer_id: 'o.id', offer_name: 'o.name', offer_validity: 'o.validity_days', updated_at: 'o.updated_at' },
  tieBreaker: ['o.id'],
  columns: ['offer_id', 'offer_name', 'offer_type_id', 'offer_type_name', 'offer_validity', 'is_special', 'discount_type', 'discount_value', 'description', 'criteria', 'status', 'created_at', 'updated_at'],
  select: `select o.*, t.name as offer_type_name
    from gencharge_offers o join gencharge_offer_types t on t.id = o.offer_type_id`,
  where: (f) => [
    anyOf('o.id', f.offer_ids),
    anyOf('o.offer_type_id', f.offer_type_ids),
    anyOf('o.status', f.statuses),
    anyOf('o.discount_type', f.discount_types),
    f.is_special === undefined ? undefined : ['o.is_special = ?', f.is_special],
  ],
  row: (r) => ({
    offer_id: num(r.id),
    offer_name: text(r.name),
    offer_type_id: num(r.offer_type_id),
    offer_type_name: text(r.offer_type_name),
    offer_validity: num(r.validity_days),
    is_special: bool(r.is_special),
    discount_type: text(r.discount_type),
    discount_value: discount(r.discount_value),
    description: text(r.description),
    criteria: json(r.criteria),
    status: text(r.status),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  }),
});

const plans = defineReport({
  name: 'plans-report',
  path: '/plans-report',
  summary: 'Plans report',
  description: 'One row per plan with its group. `price` is in rupees; `criteria` is JSON text.',
  filters: {
    plan_ids: Ids('plans'),
    group_ids: Ids('plan groups'),
    statuses: OneOf(GENCHARGE_CATALOGUE_STATUSES, 'plans in these states'),
    plan_types: OneOf(GENCHARGE_USER_TYPES, 'plans of these types'),
    most_popular: Flag('most_popular'),
  },
  dates: { column: 'p.created_at', meaning: 'Plans created' },
  orderBy: { created_at: 'p.created_at', plan_id: 'p.id', plan_name: 'p.name', price: 'p.price', validity: 'p.validity_days', updated_at: 'p.updated_at' },
  tieBreaker: ['p.id'],
  columns: ['plan_id', 'plan_name', 'group_id', 'group_name', 'plan_type', 'price', 'validity', 'most_popular', 'description', 'criteria', 'status', 'created_at', 'updated_at'],
  select: `select p.*, g.name as group_name
    from gencharge_plans p join gencharge_plan_groups g on g.id = p.group_id`,
  where: (f) => [
    anyOf('p.id', f.plan_ids),
    anyOf('p.group_id', f.group_ids),
    anyOf('p.status', f.statuses),
    anyOf('p.plan_type', f.plan_types),
    f.most_popular === undefined ? undefined : ['p.most_popular = ?', f.most_popular],
  ],
  row: (r) => ({
    plan_id: num(r.id),
    plan_name: text(r.name),
    group_id: num(r.group_id),
    group_name: text(r.group_name),
    plan_type: text(r.plan_type),
    price: rupees(r.price),
    validity: num(r.validity_days),
    most_popular: bool(r.most_popular),
    description: text(r.description),
    criteria: json(r.criteria),
    status: text(r.status),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  }),
});

// Referrals

const referral = defineReport({
  name: 'referral-report',
  path: '/referral-report',
  summary: 'Referral report',
  description: 'One row per referral reward, with the referrer and the referred user.',
  filters: {
    reward_ids: Ids('rewards'),
    referrer_ids: Ids('referrers'),
    referred_ids: Ids('referred users'),
    statuses: OneOf(GENCHARGE_REFERRAL_STATUSES, 'rewards in these states'),
  },
  dates: { column: 'rw.created_at', meaning: 'Rewards earned' },
  orderBy: { created_at: 'rw.created_at', reward_id: 'rw.id', reward_amount: 'rw.reward_amount', claimed_at: 'rw.claimed_at', referrer_id: 'rw.referrer_id' },
  tieBreaker: ['rw.id'],
  columns: ['reward_id', 'referrer_id', 'referrer_name', 'referrer_phone', 'referral_code', 'referred_id', 'referred_name', 'referred_phone', 'reward_amount', 'status', 'created_at', 'claimed_at'],
  select: `select rw.*, rp.name as referrer_name, ru.phone as referrer_phone, rp.referral_code,
      dp.name as referred_name, du.phone as referred_phone
    from gencharge_referral_rewards rw
    join users ru on ru.id = rw.referrer_id left join gencharge_profiles rp on rp.user_id = rw.referrer_id
    join users du on du.id = rw.referred_id left join gencharge_profiles dp on dp.user_id = rw.referred_id`,
  where: (f) => [anyOf('rw.id', f.reward_ids), anyOf('rw.referrer_id', f.referrer_ids), anyOf('rw.referred_id', f.referred_ids), anyOf('rw.status', f.statuses)],
  row: (r) => ({
    reward_id: num(r.id),
    referrer_id: num(r.referrer_id),
    referrer_name: text(r.referrer_name),
    referrer_phone: fromE164(text(r.referrer_phone)),
    referral_code: text(r.referral_code),
    referred_id: num(r.referred_id),
    referred_name: text(r.referred_name),
    referred_phone: fromE164(text(r.referred_phone)),
    reward_amount: rupees(r.reward_amount),
    status: text(r.status),
    created_at: iso(r.created_at),
    claimed_at: iso(r.claimed_at),
  }),
});

// Roles and their permissions

const rolePermission = defineReport({
  name: 'role-permission-report',
  path: '/role-permission-report',
  summary: 'Role-permission report',
  description: 'One row per role and resource it holds, with the four verbs; a role holding nothing has one row with `resource` null.',
  filters: { role_ids: Ids('roles'), resources: OneOf(RESOURCES, 'these resources'), super_admin: Flag('super_admin') },
  dates: { column: 'rp.role_created_at', meaning: 'Roles created' },
  orderBy: { role_id: 'rp.role_id', role_name: 'rp.role_name', resource: 'rp.resource', created_at: 'rp.role_created_at' },
  tieBreaker: ['rp.role_id', 'rp.resource'],
  columns: ['role_id', 'role_name', 'super_admin', 'resource', 'read', 'write', 'edit', 'delete', 'created_at'],
  select: `select * from (
      select r.id as role_id, r.name as role_name, r.super_admin, r.created_at as role_created_at, p.resource,
        coalesce(bool_or(p.read), false) as read, coalesce(bool_or(p.write), false) as write,
        coalesce(bool_or(p.edit), false) as edit, coalesce(bool_or(p.delete), false) as delete
      from gencharge_roles r
      left join gencharge_role_permissions j on j.role_id = r.id left join gencharge_permissions p on p.id = j.permission_id
      group by r.id, p.resource) rp`,
  where: (f) => [anyOf('rp.role_id', f.role_ids), anyOf('rp.resource', f.resources), f.super_admin === undefined ? undefined : ['rp.super_admin = ?', f.super_admin]],
  row: (r) => ({
    role_id: num(r.role_id),
    role_name: text(r.role_name),
    super_admin: bool(r.super_admin),
    resource: text(r.resource),
    read: bool(r.read),
    write: bool(r.write),
    edit: bool(r.edit),
    delete: bool(r.delete),
    created_at: iso(r.role_created_at),
  }),
});

// Sign-in sessions

const SESSION_STATUSES = ['active', 'ended'] as const;

const sessions = defineReport({
  name: 'sessions-report',
  path: '/sessions-report',
  summary: 'Sessions report',
  description:
    'One row per GenCharge sign-in (a refresh-token family): who, when it started, its last refresh, when it expires, and when it ended (signed out, revoked or expired; null while active).',
  filters: {
    session_ids: z.array(z.uuid()).max(1000).optional().openapi({ description: 'Only these sessions' }),
    user_ids: Ids('users or admins'),
    user_roles: OneOf(['user', 'admin'] as const, 'sessions of mobile users or of admins'),
    statuses: OneOf(SESSION_STATUSES, 'sessions in these states'),
  },
  dates: { column: 'ss.started_at', meaning: 'Sessions started' },
  orderBy: { started_at: 'ss.started_at', last_refreshed_at: 'ss.last_refreshed_at', expires_at: 'ss.expires_at', ended_at: 'ss.ended_at', user_id: 'ss.user_id' },
  tieBreaker: ['ss.session_id'],
  columns: ['session_id', 'user_id', 'user_role', 'email', 'phone_number', 'status', 'started_at', 'last_refreshed_at', 'expires_at', 'ended_at'],
  select: `select * from (
      select t.family_id as session_id, t.user_id, u.role as user_role, u.email, u.phone,
        min(t.created_at) as started_at,
        case when count(*) > 1 then max(t.created_at) end as last_refreshed_at,
        max(t.expires_at) as expires_at,
        bool_or(t.revoked_at is null and t.used_at is null and t.expires_at > now()) as live,
        case when bool_or(t.revoked_at is null and t.used_at is null and t.expires_at > now()) then null
          else coalesce(max(t.revoked_at), max(t.expires_at)) end as ended_at
      from refresh_tokens t join users u on u.id = t.user_id
      where t.tenant = ${gc}
      group by t.family_id, t.user_id, u.role, u.email, u.phone) ss`,
  where: (f) => [
    anyOf('ss.session_id::text', f.session_ids),
    anyOf('ss.user_id', f.user_ids),
    anyOf('ss.user_role', f.user_roles),
    anyOf(`case when ss.live then 'active' else 'ended' end`, f.statuses),
  ],
  row: (r) => ({
    session_id: text(r.session_id),
    user_id: num(r.user_id),
    user_role: text(r.user_role),
    email: text(r.email),
    phone_number: fromE164(text(r.phone)),
    status: r.live ? 'active' : 'ended',
    started_at: iso(r.started_at),
    last_refreshed_at: iso(r.last_refreshed_at),
    expires_at: iso(r.expires_at),
    ended_at: iso(r.ended_at),
  }),
});

// The wallet and recharge history

type TransactionRow = InferEntity<typeof WalletTransaction>;
type Category = 'wallet' | 'service';

const viewedKinds = Object.keys(TRANSACTION_VIEWS) as TransactionKind[];
const kindsWhere = (keep: (kind: TransactionKind) => boolean) => viewedKinds.filter(keep);
/** The history's `source` in SQL, as transactionView tells it: the kind's own, else the row's details. */
const SOURCE_SQL = `case t.kind ${viewedKinds
  .filter((kind) => TRANSACTION_VIEWS[kind]!.source)
  .map((kind) => `when '${kind}' then '${TRANSACTION_VIEWS[kind]!.source}'`)
  .join(' ')} else coalesce(t.details->>'source', 'recharge') end`;
const PAYMENT_METHOD_SQL = `coalesce(t.details->>'payment_method', t.details->>'method')`;
const TRANSACTION_SOURCES = ['wallet_topup', 'referral_reward', 'recharge', 'autopay'] as const;

const transactionFilters = {
  txn_ids: Ids('transactions'),
  statuses: OneOf(TRANSACTION_STATUSES, 'transactions in these states'),
  categories: OneOf(['wallet', 'service'] as const, 'wallet movements (top-ups, rewards) or services (recharges)'),
  txn_types: OneOf(['credit', 'debit'] as const, 'credits or debits'),
  sources: OneOf(TRANSACTION_SOURCES, 'rows from these sources'),
  payment_methods: z.array(z.string().refine(noNul, NUL).min(1).max(32)).max(20).optional().openapi({ description: 'Only rows paid this way (wallet, UPI, Card, NetBanking)' }),
  plan_ids: Ids('recharges of these plans'),
};

const TRANSACTION_COLUMNS = [
  'txn_id', 'user_id', 'category', 'txn_type', 'amount', 'source', 'status', 'payment_method', 'reference',
  'service_type', 'plan_id', 'plan_name', 'offer_id', 'phone_number', 'subscription_id', 'valid_from', 'valid_to', 'subscription_status', 'created_at',
] as const;

const TRANSACTION_SELECT = `select t.id, t.user_id, t.kind, t.status, t.amount, t.reference, t.details, t.created_at,
    s.id as subscription_id, s.valid_from, s.valid_to, s.status as subscription_status, p.name as plan_name
  from wallet_transactions t
  left join gencharge_subscriptions s on s.transaction_id = t.id
  left join gencharge_plans p on p.id = coalesce(s.plan_id, case when t.details->>'plan_id' ~ '^[0-9]{1,9}$' then (t.details->>'plan_id')::int end)`;

const TRANSACTION_ORDER = { created_at: 't.created_at', txn_id: 't.id', amount: 't.amount', status: 't.status', user_id: 't.user_id' };

type TransactionFilters = z.infer<z.ZodObject<typeof transactionFilters>>;

function transactionWhere(f: TransactionFilters): Condition[] {
  const kinds = kindsWhere(
    (kind) =>
      (!f.categories || f.categories.includes(TRANSACTION_VIEWS[kind]!.category as Category)) &&
      (!f.txn_types || f.txn_types.includes(TRANSACTION_VIEWS[kind]!.txnType)),
  );
  return [
    [`t.tenant = ${gc}`],
    anyOf('t.kind', kinds),
    anyOf('t.id', f.txn_ids),
    anyOf('t.status', f.statuses),
    anyOf(SOURCE_SQL, f.sources),
    anyOf(PAYMENT_METHOD_SQL, f.payment_methods),
    anyOf(`t.details->>'plan_id'`, f.plan_ids?.map(String)),
  ];
}

const NO_SERVICE = { service_type: null, plan_id: null, offer_id: null, phone_number: null };

/** The history row as /recharge/my/transactions shows it, with its bought plan when it bought one. */
function transactionRow(r: Record<string, unknown>): ReportRow {
  const entity = {
    id: Number(r.id),
    userId: Number(r.user_id),
    kind: r.kind as TransactionKind,
    status: r.status as TransactionRow['status'],
    amount: BigInt(r.amount as string),
    reference: String(r.reference),
    details: (r.details ?? {}) as Record<string, unknown>,
    createdAt: new Date(r.created_at as string),
  } as TransactionRow;
  return {
    ...NO_SERVICE,
    ...transactionView(entity, { withUser: true }),
    plan_name: text(r.plan_name),
    subscription_id: num(r.subscription_id),
    valid_from: iso(r.valid_from),
    valid_to: iso(r.valid_to),
    subscription_status: text(r.subscription_status),
  };
}

const TRANSACTIONS_NOTE =
  'One row per wallet top-up, referral reward and recharge, as the recharge history shows them, with the plan a recharge bought. Service columns are null on wallet rows.';

const transactions = defineReport({
  name: 'transactions-report',
  path: '/transactions-report',
  summary: 'Transactions report',
  description: TRANSACTIONS_NOTE,
  filters: { ...transactionFilters, user_ids: Ids('users') },
  dates: { column: 't.created_at', meaning: 'Transactions made' },
  orderBy: TRANSACTION_ORDER,
  tieBreaker: ['t.id'],
  columns: TRANSACTION_COLUMNS,
  select: TRANSACTION_SELECT,
  where: (f) => [...transactionWhere(f), anyOf('t.user_id', f.user_ids)],
  row: transactionRow,
});

/** The caller's own history; the route answers it to mobile users only. */
export const myTransactions = defineReport({
  name: 'my-transactions-report',
  path: '/me/transactions-report',
  summary: 'My transactions report',
  description: `${TRANSACTIONS_NOTE} Only the caller's own rows.`,
  filters: transactionFilters,
  dates: { column: 't.created_at', meaning: 'Transactions made' },
  orderBy: TRANSACTION_ORDER,
  tieBreaker: ['t.id'],
  columns: TRANSACTION_COLUMNS,
  select: TRANSACTION_SELECT,
  where: (f, caller) => [...transactionWhere(f), ['t.user_id = ?', caller.id]],
  row: transactionRow,
});

// Users

const userFilters = {
  user_ids: Ids('users'),
  statuses: OneOf(GENCHARGE_USER_STATUSES, 'users in these states'),
  user_types: OneOf(GENCHARGE_USER_TYPES, 'users of these types'),
  referee_codes: z.array(z.string().refine(noNul, NUL).min(1).max(12)).max(1000).optional().openapi({ description: 'Only users who registered with these referral codes' }),
};
const USER_ORDER = { created_at: 'u.created_at', user_id: 'u.id', name: 'g.name', email: 'u.email', status: 'g.status', user_type: 'g.user_type' };
// The wallet balance is the ledger's available balance (core/ledger.ts availableOf: credits posted
// less debits posted and pending) of the user's wallet account, read in the same statement.
const USER_SELECT = `select u.id, g.name, u.email, u.phone, g.user_type, g.status, g.referral_code, g.referee_code, u.created_at, g.updated_at, u.deleted_at,
    coalesce(w.credits_posted - w.debits_posted - w.debits_pending, 0) as wallet_balance
  from gencharge_profiles g join users u on u.id = g.user_id
  left join ledger_accounts w on w.tenant = u.tenant and w.code = 'wallet:' || u.id`;

const userWhere = (f: z.infer<z.ZodObject<typeof userFilters>>, archived: boolean): Condition[] => [
  [`u.tenant = ${gc} and u.deleted_at is ${archived ? 'not null' : 'null'}`],
  anyOf('u.id', f.user_ids),
  anyOf('g.status', f.statuses),
  anyOf('g.user_type', f.user_types),
  anyOf('g.referee_code', f.referee_codes),
];

const userRow = (r: Record<string, unknown>): ReportRow => ({
  user_id: num(r.id),
  name: text(r.name),
  email: text(r.email),
  phone_number: fromE164(text(r.phone)),
  user_type: text(r.user_type),
  status: text(r.status),
  referral_code: text(r.referral_code),
  referee_code: text(r.referee_code),
  wallet_balance: rupees(r.wallet_balance),
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
  deleted_at: iso(r.deleted_at),
});

const USER_COLUMNS = ['user_id', 'name', 'email', 'phone_number', 'user_type', 'status', 'referral_code', 'referee_code', 'wallet_balance', 'created_at', 'updated_at'] as const;

const users = defineReport({
  name: 'users-report',
  path: '/users-report',
  summary: 'Users report',
  description: 'One row per live GenCharge user with their profile and available wallet balance (rupees).',
  filters: userFilters,
  dates: { column: 'u.created_at', meaning: 'Users registered' },
  orderBy: USER_ORDER,
  tieBreaker: ['u.id'],
  columns: USER_COLUMNS,
  select: USER_SELECT,
  where: (f) => userWhere(f, false),
  row: userRow,
});

const archivedUsers = defineReport({
  name: 'archived-users-report',
  path: '/archived-users-report',
  summary: 'Archived users report',
  description: 'One row per archived (deleted) GenCharge user, as their profile was kept. `start_date`/`end_date` read when they were archived.',
  filters: userFilters,
  dates: { column: 'u.deleted_at', meaning: 'Users archived' },
  orderBy: { deleted_at: 'u.deleted_at', ...USER_ORDER },
  tieBreaker: ['u.id'],
  columns: [...USER_COLUMNS, 'deleted_at'],
  select: USER_SELECT,
  where: (f) => userWhere(f, true),
  row: userRow,
});

/** The admin reports (Reports permission, read), in the spec's order. */
export const ADMIN_REPORTS: ReportDefinition[] = [
  admins,
  autopay,
  backup,
  currentActivePlans,
  offers,
  plans,
  referral,
  rolePermission,
  sessions,
  transactions,
  archivedUsers,
  users,
] as unknown as ReportDefinition[];
