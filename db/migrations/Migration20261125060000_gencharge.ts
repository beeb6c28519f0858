import { Migration } from '@mikro-orm/migrations';

/** Every resource of GenCharge's admin API; each gets one permission row per verb. */
const RESOURCES = ['Users', 'Admins', 'Roles', 'Plans', 'Offers', 'Recharge', 'Autopay', 'Referrals', 'Notifications', 'Content', 'Contact', 'Backup', 'Reports', 'Analytics'];
const VERBS = ['read', 'write', 'edit', 'delete'];

/**
 * GenCharge, part 1: mobile users' profiles, preferences and sign-ups in progress; admins, roles
 * and permissions (seeded, with the Super Admin role holding them all); plan groups, plans, offer
 * types and offers. A user's email is unique among live users only, so an archived GenCharge
 * user's address can sign up again.
 */
export class Migration20261125060000_gencharge extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_tenant_email_unique";`);
    this.addSql(`create unique index "users_tenant_email_unique" on "users" ("tenant", "email") where deleted_at is null;`);

    this.addSql(`create table "gencharge_offer_types" ("id" serial primary key, "name" varchar(100) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "gencharge_offer_types" add constraint "gencharge_offer_types_name_unique" unique ("name");`);
    this.addSql(`create table "gencharge_offers" ("id" serial primary key, "name" varchar(150) not null, "validity_days" int not null, "offer_type_id" int not null, "is_special" boolean not null default false, "criteria" jsonb not null default '{}', "description" text null, "discount_type" text null, "discount_value" bigint null, "status" text not null default 'active', "created_at" timestamptz not null default now(), "updated_at" timestamptz null);`);
    this.addSql(`create index "gencharge_offers_offer_type_id_index" on "gencharge_offers" ("offer_type_id");`);
    this.addSql(`create index "gencharge_offers_status_index" on "gencharge_offers" ("status");`);
    this.addSql(`create table "gencharge_pending_signups" ("phone" varchar(20) not null, "user_type" text not null, "requested_at" timestamptz not null default now(), primary key ("phone"));`);
    this.addSql(`create table "gencharge_permissions" ("id" serial primary key, "resource" varchar(32) not null, "read" boolean not null default false, "write" boolean not null default false, "edit" boolean not null default false, "delete" boolean not null default false);`);
    this.addSql(`alter table "gencharge_permissions" add constraint "gencharge_permissions_resource_read_write_edit_delete_unique" unique ("resource", "read", "write", "edit", "delete");`);
    this.addSql(`create table "gencharge_plan_groups" ("id" serial primary key, "name" varchar(100) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "gencharge_plan_groups" add constraint "gencharge_plan_groups_name_unique" unique ("name");`);
    this.addSql(`create table "gencharge_plans" ("id" serial primary key, "name" varchar(150) not null, "price" bigint not null, "validity_days" int not null, "plan_type" text not null, "group_id" int not null, "description" text null, "criteria" jsonb not null default '{}', "most_popular" boolean not null default false, "status" text not null default 'active', "created_at" timestamptz not null default now(), "updated_at" timestamptz null);`);
    this.addSql(`create index "gencharge_plans_group_id_index" on "gencharge_plans" ("group_id");`);
    this.addSql(`create index "gencharge_plans_status_plan_type_index" on "gencharge_plans" ("status", "plan_type");`);
    this.addSql(`create table "gencharge_roles" ("id" serial primary key, "name" varchar(64) not null, "super_admin" boolean not null default false, "created_at" timestamptz not null default now(), "updated_at" timestamptz null);`);
    this.addSql(`alter table "gencharge_roles" add constraint "gencharge_roles_name_unique" unique ("name");`);
    this.addSql(`create table "gencharge_role_permissions" ("role_id" int not null, "permission_id" int not null, primary key ("role_id", "permission_id"));`);
    this.addSql(`create index "gencharge_role_permissions_permission_id_index" on "gencharge_role_permissions" ("permission_id");`);
    this.addSql(`create table "gencharge_profiles" ("user_id" bigint not null, "name" varchar(100) not null, "user_type" text not null, "status" text not null default 'active', "referral_code" varchar(12) not null, "referee_code" varchar(12) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`alter table "gencharge_profiles" add constraint "gencharge_profiles_referral_code_unique" unique ("referral_code");`);
    this.addSql(`create index "gencharge_profiles_status_index" on "gencharge_profiles" ("status");`);
    this.addSql(`create index "gencharge_profiles_user_type_index" on "gencharge_profiles" ("user_type");`);
    this.addSql(`create table "gencharge_preferences" ("user_id" bigint not null, "email_notification" boolean not null default true, "sms_notification" boolean not null default true, "marketing_communication" boolean not null default false, "recharge_remainders" boolean not null default true, "promotional_offers" boolean not null default false, "transactional_alerts" boolean not null default true, "data_analytics" boolean not null default true, "third_party_integrations" boolean not null default false, "updated_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`create table "gencharge_admin_invites" ("token_hash" varchar(64) not null, "user_id" bigint not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("token_hash"));`);
    this.addSql(`create index "gencharge_admin_invites_user_id_index" on "gencharge_admin_invites" ("user_id");`);
    this.addSql(`create table "gencharge_admins" ("user_id" bigint not null, "name" varchar(100) not null, "phone" varchar(20) not null, "role_id" int not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz null, primary key ("user_id"));`);
    this.addSql(`alter table "gencharge_admins" add constraint "gencharge_admins_phone_unique" unique ("phone");`);
    this.addSql(`create index "gencharge_admins_role_id_index" on "gencharge_admins" ("role_id");`);
    this.addSql(`alter table "gencharge_offers" add constraint "gencharge_offers_offer_type_fk" foreign key ("offer_type_id") references "gencharge_offer_types" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_offers" add constraint "gencharge_offers_validity_check" check (validity_days > 0);`);
    this.addSql(`alter table "gencharge_offers" add constraint "gencharge_offers_discount_check" check ((discount_type is null and discount_value is null) or (discount_type = 'percentage' and discount_value between 1 and 10000) or (discount_type = 'flat' and discount_value > 0));`);
    this.addSql(`alter table "gencharge_offers" add constraint "gencharge_offers_discount_type_check" check ("discount_type" in ('percentage', 'flat'));`);
    this.addSql(`alter table "gencharge_offers" add constraint "gencharge_offers_status_check" check ("status" in ('active', 'inactive'));`);
    this.addSql(`alter table "gencharge_pending_signups" add constraint "gencharge_pending_signups_user_type_check" check ("user_type" in ('prepaid', 'postpaid'));`);
    this.addSql(`alter table "gencharge_plans" add constraint "gencharge_plans_group_fk" foreign key ("group_id") references "gencharge_plan_groups" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_plans" add constraint "gencharge_plans_price_check" check (price > 0);`);
    this.addSql(`alter table "gencharge_plans" add constraint "gencharge_plans_validity_check" check (validity_days > 0);`);
    this.addSql(`alter table "gencharge_plans" add constraint "gencharge_plans_plan_type_check" check ("plan_type" in ('prepaid', 'postpaid'));`);
    this.addSql(`alter table "gencharge_plans" add constraint "gencharge_plans_status_check" check ("status" in ('active', 'inactive'));`);
    this.addSql(`alter table "gencharge_role_permissions" add constraint "gencharge_role_permissions_role_fk" foreign key ("role_id") references "gencharge_roles" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "gencharge_role_permissions" add constraint "gencharge_role_permissions_permission_fk" foreign key ("permission_id") references "gencharge_permissions" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "gencharge_profiles" add constraint "gencharge_profiles_user_fk" foreign key ("user_id") references "users" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "gencharge_profiles" add constraint "gencharge_profiles_user_type_check" check ("user_type" in ('prepaid', 'postpaid'));`);
    this.addSql(`alter table "gencharge_profiles" add constraint "gencharge_profiles_status_check" check ("status" in ('active', 'inactive', 'blocked'));`);
    this.addSql(`alter table "gencharge_preferences" add constraint "gencharge_preferences_user_fk" foreign key ("user_id") references "users" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "gencharge_admin_invites" add constraint "gencharge_admin_invites_user_fk" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "gencharge_admins" add constraint "gencharge_admins_user_fk" foreign key ("user_id") references "users" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "gencharge_admins" add constraint "gencharge_admins_role_fk" foreign key ("role_id") references "gencharge_roles" ("id") on delete no action;`);


    const rows = RESOURCES.flatMap((resource) => VERBS.map((verb) => `('${resource}', ${VERBS.map((v) => String(v === verb)).join(', ')})`));
    this.addSql(`insert into "gencharge_permissions" ("resource", "read", "write", "edit", "delete") values ${rows.join(', ')};`);
    this.addSql(`insert into "gencharge_roles" ("name", "super_admin") values ('Super Admin', true);`);
    this.addSql(`insert into "gencharge_role_permissions" ("role_id", "permission_id") select r.id, p.id from "gencharge_roles" r cross join "gencharge_permissions" p where r.super_admin;`);
  }
}
