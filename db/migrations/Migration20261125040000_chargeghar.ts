import { Migration } from '@mikro-orm/migrations';

/**
 * One-time-code verifications (any surface); ChargeGhar's profiles, devices and KYC submissions;
 * `users.deleted_at` for accounts deleted with their ledger history kept; reward points as a unit
 * of the ledger.
 */
export class Migration20261125040000_chargeghar extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "deleted_at" timestamptz null;`);
    this.addSql(`insert into "currencies" ("code", "exponent") values ('PTS', 0) on conflict do nothing;`);

    this.addSql(`create table "otp_verifications" ("id" bigserial primary key, "tenant" varchar(32) not null, "identifier" varchar(254) not null, "channel" text not null, "purpose" varchar(32) not null, "token_hash" varchar(64) not null, "workflow_id" varchar(255) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "otp_verifications" add constraint "otp_verifications_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "otp_verifications_tenant_identifier_index" on "otp_verifications" ("tenant", "identifier");`);
    this.addSql(`alter table "otp_verifications" add constraint "otp_verifications_channel_check" check ("channel" in ('sms', 'email'));`);
    this.addSql(`alter table "otp_verifications" add constraint "otp_verifications_tenant_fk" foreign key ("tenant") references "tenants" ("slug");`);

    this.addSql(`create table "chargeghar_profiles" ("user_id" bigint not null, "full_name" varchar(120) null, "date_of_birth" date null, "gender" text null, "address" varchar(255) null, "preferred_language" text not null default 'en', "kyc_status" text not null default 'not_submitted', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`create index "chargeghar_profiles_kyc_status_index" on "chargeghar_profiles" ("kyc_status");`);
    this.addSql(`alter table "chargeghar_profiles" add constraint "chargeghar_profiles_gender_check" check ("gender" in ('male', 'female', 'other'));`);
    this.addSql(`alter table "chargeghar_profiles" add constraint "chargeghar_profiles_preferred_language_check" check ("preferred_language" in ('en', 'ne'));`);
    this.addSql(`alter table "chargeghar_profiles" add constraint "chargeghar_profiles_kyc_status_check" check ("kyc_status" in ('not_submitted', 'pending', 'approved', 'rejected'));`);
    this.addSql(`alter table "chargeghar_profiles" add constraint "chargeghar_profiles_user_fk" foreign key ("user_id") references "users" ("id");`);

    this.addSql(`create table "chargeghar_devices" ("id" bigserial primary key, "user_id" bigint not null, "device_id" varchar(128) not null, "fcm_token" varchar(512) not null, "platform" text not null, "app_version" varchar(32) not null, "os_version" varchar(32) null, "device_name" varchar(100) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "chargeghar_devices" add constraint "chargeghar_devices_user_id_device_id_unique" unique ("user_id", "device_id");`);
    this.addSql(`alter table "chargeghar_devices" add constraint "chargeghar_devices_fcm_token_unique" unique ("fcm_token");`);
    this.addSql(`alter table "chargeghar_devices" add constraint "chargeghar_devices_platform_check" check ("platform" in ('android', 'ios', 'web'));`);
    this.addSql(`alter table "chargeghar_devices" add constraint "chargeghar_devices_user_fk" foreign key ("user_id") references "users" ("id");`);

    this.addSql(`create table "chargeghar_kyc_submissions" ("id" bigserial primary key, "user_id" bigint not null, "workflow_id" varchar(255) not null, "document_type" text not null, "document_number" varchar(64) null, "front_image_key" varchar(255) null, "back_image_key" varchar(255) null, "status" text not null default 'pending', "rejection_reason" varchar(500) null, "reviewed_by" varchar(64) null, "reviewed_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "chargeghar_kyc_submissions_user_id_index" on "chargeghar_kyc_submissions" ("user_id");`);
    this.addSql(`alter table "chargeghar_kyc_submissions" add constraint "chargeghar_kyc_submissions_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`alter table "chargeghar_kyc_submissions" add constraint "chargeghar_kyc_submissions_document_type_check" check ("document_type" in ('citizenship', 'passport', 'driving_license', 'national_id'));`);
    this.addSql(`alter table "chargeghar_kyc_submissions" add constraint "chargeghar_kyc_submissions_status_check" check ("status" in ('pending', 'approved', 'rejected', 'withdrawn'));`);
    this.addSql(`alter table "chargeghar_kyc_submissions" add constraint "chargeghar_kyc_submissions_user_fk" foreign key ("user_id") references "users" ("id");`);
    // At most one submission waits for review per user, whatever races the API.
    this.addSql(`create unique index "chargeghar_kyc_submissions_one_pending_index" on "chargeghar_kyc_submissions" ("user_id") where status = 'pending';`);
  }
}
