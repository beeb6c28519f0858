import { Migration } from '@mikro-orm/migrations';

/**
 * MyMoolah's own tables: profiles (names, identity document, settings; one account per mobile
 * number), vouchers with their redemptions and EasyPay settlements, and the names of accounts
 * opened through its Ledger API. Its money stays in the platform ledger; nothing here touches a
 * shared table.
 */
export class Migration20261125030000_mymoolah extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "mymoolah_profiles" ("id" bigserial primary key, "user_id" bigint not null, "first_name" varchar(255) not null, "last_name" varchar(255) not null, "phone" varchar(20) null, "id_number" varchar(32) null, "id_type" text null, "kyc_status" text not null default 'not_started', "settings" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "mymoolah_profiles" add constraint "mymoolah_profiles_user_id_unique" unique ("user_id");`);
    this.addSql(`alter table "mymoolah_profiles" add constraint "mymoolah_profiles_phone_unique" unique ("phone");`);
    this.addSql(`alter table "mymoolah_profiles" add constraint "mymoolah_profiles_id_type_check" check ("id_type" in ('south_african_id', 'passport'));`);
    this.addSql(`alter table "mymoolah_profiles" add constraint "mymoolah_profiles_kyc_status_check" check ("kyc_status" in ('not_started', 'pending', 'verified', 'rejected'));`);
    this.addSql(`alter table "mymoolah_profiles" add constraint "mymoolah_profiles_user_fk" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`create table "mymoolah_vouchers" ("id" bigserial primary key, "user_id" bigint not null, "voucher_type" text not null, "status" text not null, "voucher_code" varchar(16) null, "easy_pay_code" varchar(14) null, "original_amount" bigint not null, "balance" bigint not null, "issued_to" varchar(255) null, "workflow_id" varchar(255) not null, "redemption_count" int not null default 0, "expires_at" timestamptz not null, "settled_at" timestamptz null, "closed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_voucher_code_unique" unique ("voucher_code");`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_easy_pay_code_unique" unique ("easy_pay_code");`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`create index "mymoolah_vouchers_user_id_status_index" on "mymoolah_vouchers" ("user_id", "status");`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_voucher_type_check" check ("voucher_type" in ('standard', 'easypay'));`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_status_check" check ("status" in ('pending_payment', 'active', 'redeemed', 'expired', 'cancelled'));`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_amounts_check" check (original_amount > 0 and balance >= 0 and balance <= original_amount);`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_code_check" check (status not in ('active', 'redeemed') or voucher_code is not null);`);
    this.addSql(`alter table "mymoolah_vouchers" add constraint "mymoolah_vouchers_user_fk" foreign key ("user_id") references "users" ("id");`);

    this.addSql(`create table "mymoolah_voucher_redemptions" ("id" bigserial primary key, "voucher_id" bigint not null, "request_key" varchar(255) not null, "amount" bigint not null, "remaining_balance" bigint not null, "redeemer_id" varchar(255) null, "merchant_id" varchar(255) null, "service_provider_id" varchar(255) null, "entry_id" bigint not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "mymoolah_voucher_redemptions_voucher_id_index" on "mymoolah_voucher_redemptions" ("voucher_id");`);
    this.addSql(`alter table "mymoolah_voucher_redemptions" add constraint "mymoolah_voucher_redemptions_request_key_unique" unique ("request_key");`);
    this.addSql(`alter table "mymoolah_voucher_redemptions" add constraint "mymoolah_voucher_redemptions_amount_check" check (amount > 0);`);
    this.addSql(`alter table "mymoolah_voucher_redemptions" add constraint "mymoolah_voucher_redemptions_voucher_fk" foreign key ("voucher_id") references "mymoolah_vouchers" ("id");`);

    this.addSql(`create table "mymoolah_easypay_settlements" ("id" bigserial primary key, "transaction_id" varchar(255) not null, "voucher_id" bigint not null, "amount" bigint not null, "merchant_id" varchar(255) null, "channel" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "mymoolah_easypay_settlements" add constraint "mymoolah_easypay_settlements_transaction_id_unique" unique ("transaction_id");`);
    this.addSql(`create index "mymoolah_easypay_settlements_voucher_id_index" on "mymoolah_easypay_settlements" ("voucher_id");`);
    this.addSql(`alter table "mymoolah_easypay_settlements" add constraint "mymoolah_easypay_settlements_channel_check" check ("channel" in ('network', 'api'));`);
    this.addSql(`alter table "mymoolah_easypay_settlements" add constraint "mymoolah_easypay_settlements_amount_check" check (amount > 0);`);
    this.addSql(`alter table "mymoolah_easypay_settlements" add constraint "mymoolah_easypay_settlements_voucher_fk" foreign key ("voucher_id") references "mymoolah_vouchers" ("id");`);

    this.addSql(`create table "mymoolah_ledger_accounts" ("id" bigserial primary key, "account_id" bigint not null, "name" varchar(255) not null, "type" text not null, "normal_side" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "mymoolah_ledger_accounts" add constraint "mymoolah_ledger_accounts_account_id_unique" unique ("account_id");`);
    this.addSql(`alter table "mymoolah_ledger_accounts" add constraint "mymoolah_ledger_accounts_type_check" check ("type" in ('asset', 'liability', 'equity', 'revenue', 'expense'));`);
    this.addSql(`alter table "mymoolah_ledger_accounts" add constraint "mymoolah_ledger_accounts_normal_side_check" check ("normal_side" in ('debit', 'credit'));`);
    this.addSql(`alter table "mymoolah_ledger_accounts" add constraint "mymoolah_ledger_accounts_account_fk" foreign key ("account_id") references "ledger_accounts" ("id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "mymoolah_ledger_accounts";`);
    this.addSql(`drop table "mymoolah_easypay_settlements";`);
    this.addSql(`drop table "mymoolah_voucher_redemptions";`);
    this.addSql(`drop table "mymoolah_vouchers";`);
    this.addSql(`drop table "mymoolah_profiles";`);
  }
}
