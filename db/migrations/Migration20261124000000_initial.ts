import { Migration } from '@mikro-orm/migrations';

/** The platform core: tenants, users and tokens, the double-entry ledger, wallet history, catalogues. */
export class Migration20261124000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "bill_services" ("id" bigserial primary key, "tenant" varchar(32) not null, "code" varchar(32) not null, "name" varchar(255) not null, "category" text not null, "min_amount" bigint not null, "max_amount" bigint not null, "active" boolean not null default true);`);
    this.addSql(`alter table "bill_services" add constraint "bill_services_tenant_code_unique" unique ("tenant", "code");`);
    this.addSql(`alter table "bill_services" add constraint "bill_services_category_check" check ("category" in ('cable', 'electricity', 'internet', 'water'));`);
    this.addSql(`create table "data_plans" ("id" bigserial primary key, "tenant" varchar(32) not null, "network" varchar(16) not null, "code" varchar(32) not null, "name" varchar(255) not null, "price" bigint not null, "validity_days" int not null, "active" boolean not null default true);`);
    this.addSql(`alter table "data_plans" add constraint "data_plans_tenant_network_code_unique" unique ("tenant", "network", "code");`);
    this.addSql(`create table "idempotency_records" ("id" bigserial primary key, "tenant" varchar(32) not null, "scope" varchar(255) not null, "key" varchar(255) not null, "request_hash" varchar(64) not null, "state" text not null, "status_code" int null, "content_type" varchar(255) null, "response_body" text null, "locked_until" timestamptz not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "idempotency_records_expires_at_index" on "idempotency_records" ("expires_at");`);
    this.addSql(`alter table "idempotency_records" add constraint "idempotency_records_tenant_scope_key_unique" unique ("tenant", "scope", "key");`);
    this.addSql(`alter table "idempotency_records" add constraint "idempotency_records_state_check" check ("state" in ('in_progress', 'completed'));`);
    this.addSql(`create table "journal_entries" ("id" bigserial primary key, "tenant" varchar(32) not null, "idempotency_key" varchar(255) not null, "fingerprint" varchar(64) not null, "description" varchar(255) not null, "reverses_entry_id" bigint null, "hold_id" bigint null, "metadata" jsonb not null default '{}', "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "journal_entries" add constraint "journal_entries_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`alter table "journal_entries" add constraint "journal_entries_reverses_entry_id_unique" unique ("reverses_entry_id");`);
    this.addSql(`create table "journal_lines" ("id" bigserial primary key, "entry_id" bigint not null, "account_id" bigint not null, "direction" text not null, "amount" bigint not null);`);
    this.addSql(`create index "journal_lines_entry_id_index" on "journal_lines" ("entry_id");`);
    this.addSql(`create index "journal_lines_account_id_index" on "journal_lines" ("account_id");`);
    this.addSql(`alter table "journal_lines" add constraint "journal_lines_direction_check" check ("direction" in ('debit', 'credit'));`);
    this.addSql(`create table "ledger_accounts" ("id" bigserial primary key, "tenant" varchar(32) not null, "currency" varchar(3) not null, "code" varchar(255) not null, "user_id" bigint null, "debits_must_not_exceed_credits" boolean not null default false, "debits_posted" bigint not null default '0', "credits_posted" bigint not null default '0', "debits_pending" bigint not null default '0', "credits_pending" bigint not null default '0', "created_at" timestamptz not null default now());`);
    this.addSql(`create index "ledger_accounts_user_id_index" on "ledger_accounts" ("user_id");`);
    this.addSql(`alter table "ledger_accounts" add constraint "ledger_accounts_tenant_code_unique" unique ("tenant", "code");`);
    this.addSql(`create table "ledger_holds" ("id" bigserial primary key, "tenant" varchar(32) not null, "idempotency_key" varchar(255) not null, "debit_account_id" bigint not null, "credit_account_id" bigint not null, "amount" bigint not null, "posted_amount" bigint null, "status" text not null default 'pending', "description" varchar(255) not null, "expires_at" timestamptz not null, "posting_entry_id" bigint null, "resolved_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "ledger_holds" add constraint "ledger_holds_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "ledger_holds_status_expires_at_index" on "ledger_holds" ("status", "expires_at");`);
    this.addSql(`alter table "ledger_holds" add constraint "ledger_holds_status_check" check ("status" in ('pending', 'posted', 'voided', 'expired'));`);
    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "user_id" bigint not null, "tenant" varchar(32) not null, "family_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`create index "refresh_tokens_user_id_index" on "refresh_tokens" ("user_id");`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);
    this.addSql(`create table "tenants" ("slug" varchar(32) not null, "name" varchar(255) not null, "currency" varchar(3) not null, "settings" jsonb not null default '{}', "created_at" timestamptz not null default now(), primary key ("slug"));`);
    this.addSql(`create table "users" ("id" bigserial primary key, "tenant" varchar(32) not null, "email" varchar(255) null, "phone" varchar(20) null, "password_hash" text null, "role" text not null default 'user', "created_at" timestamptz not null default now());`);
    this.addSql(`create index "users_tenant_phone_index" on "users" ("tenant", "phone");`);
    this.addSql(`alter table "users" add constraint "users_tenant_email_unique" unique ("tenant", "email");`);
    this.addSql(`alter table "users" add constraint "users_role_check" check ("role" in ('user', 'admin'));`);
    this.addSql(`create table "wallet_transactions" ("id" bigserial primary key, "tenant" varchar(32) not null, "user_id" bigint not null, "kind" text not null, "status" text not null default 'pending', "amount" bigint not null, "currency" varchar(3) not null, "reference" varchar(255) not null, "workflow_id" varchar(255) not null, "provider_reference" varchar(255) null, "hold_id" bigint null, "details" jsonb not null default '{}', "failure_reason" varchar(255) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_reference_unique" unique ("reference");`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`create index "wallet_transactions_tenant_user_id_created_at_index" on "wallet_transactions" ("tenant", "user_id", "created_at");`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_kind_check" check ("kind" in ('funding', 'airtime', 'data', 'bill'));`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_status_check" check ("status" in ('pending', 'success', 'failed'));`);
    this.addSql(`create table "webhook_events" ("id" bigserial primary key, "provider" varchar(32) not null, "event_id" varchar(255) not null, "reference" varchar(255) not null, "payload" jsonb not null, "received_at" timestamptz not null default now());`);
    this.addSql(`alter table "webhook_events" add constraint "webhook_events_provider_event_id_unique" unique ("provider", "event_id");`);
    this.addSql(`alter table "users" add constraint "users_tenant_fk" foreign key ("tenant") references "tenants" ("slug");`);
    this.addSql(`alter table "users" add constraint "users_contact_check" check ("email" is not null or "phone" is not null);`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_user_fk" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "ledger_accounts" add constraint "ledger_accounts_tenant_fk" foreign key ("tenant") references "tenants" ("slug");`);
    this.addSql(`alter table "ledger_accounts" add constraint "ledger_accounts_totals_check" check ("debits_posted" >= 0 and "credits_posted" >= 0 and "debits_pending" >= 0 and "credits_pending" >= 0);`);
    this.addSql(`alter table "ledger_accounts" add constraint "ledger_accounts_no_overdraft_check" check (not "debits_must_not_exceed_credits" or "debits_posted" + "debits_pending" <= "credits_posted");`);
    this.addSql(`alter table "journal_entries" add constraint "journal_entries_reverses_fk" foreign key ("reverses_entry_id") references "journal_entries" ("id");`);
    this.addSql(`alter table "journal_lines" add constraint "journal_lines_entry_fk" foreign key ("entry_id") references "journal_entries" ("id");`);
    this.addSql(`alter table "journal_lines" add constraint "journal_lines_account_fk" foreign key ("account_id") references "ledger_accounts" ("id");`);
    this.addSql(`alter table "journal_lines" add constraint "journal_lines_amount_check" check ("amount" > 0);`);
    this.addSql(`alter table "ledger_holds" add constraint "ledger_holds_debit_fk" foreign key ("debit_account_id") references "ledger_accounts" ("id");`);
    this.addSql(`alter table "ledger_holds" add constraint "ledger_holds_credit_fk" foreign key ("credit_account_id") references "ledger_accounts" ("id");`);
    this.addSql(`alter table "ledger_holds" add constraint "ledger_holds_amount_check" check ("amount" > 0 and ("posted_amount" is null or ("posted_amount" > 0 and "posted_amount" <= "amount")));`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_user_fk" foreign key ("user_id") references "users" ("id");`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_amount_check" check ("amount" > 0);`);
    this.addSql(`create index "wallet_transactions_user_history_index" on "wallet_transactions" ("tenant", "user_id", "id" desc);`);
    this.addSql(`create sequence "funding_reference_seq" start 23019482;`);
    this.addSql(`create sequence "purchase_reference_seq" start 1;`);
    this.addSql(`insert into "tenants" ("slug", "name", "currency") values ('maxtera', 'Maxtera', 'NGN'), ('chargeghar', 'ChargeGhar', 'NPR'), ('xclera', 'Xclera Matrix', 'USD'), ('mymoolah', 'MyMoolah', 'ZAR'), ('gencharge', 'GenCharge', 'INR');`);
  }
}
