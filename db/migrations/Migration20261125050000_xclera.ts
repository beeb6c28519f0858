import { Migration } from '@mikro-orm/migrations';

/**
 * Xclera Matrix: members sign in with a wallet (no email or phone), so `users_contact_check`
 * admits Xclera users without either; their address, sign-in nonces, matrix profiles and the
 * level table live in Xclera's own tables.
 */
export class Migration20261125050000_xclera extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_contact_check";`);
    this.addSql(`alter table "users" add constraint "users_contact_check" check (email is not null or phone is not null or tenant = 'xclera');`);

    this.addSql(`create table "xclera_wallets" ("user_id" bigint not null, "address" varchar(42) not null, "created_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`alter table "xclera_wallets" add constraint "xclera_wallets_address_unique" unique ("address");`);
    this.addSql(`alter table "xclera_wallets" add constraint "xclera_wallets_user_fk" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "xclera_wallets" add constraint "xclera_wallets_address_check" check (address ~ '^0x[0-9a-f]{40}$');`);

    this.addSql(`create table "xclera_login_nonces" ("nonce" varchar(32) not null, "address" varchar(42) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("nonce"));`);
    this.addSql(`create index "xclera_login_nonces_expires_at_index" on "xclera_login_nonces" ("expires_at");`);

    this.addSql(`create table "xclera_profiles" ("user_id" bigint not null, "username" varchar(64) null, "country" varchar(64) null, "phone_number" varchar(20) null, "email" varchar(254) null, "referrer_id" bigint null, "current_level" int not null default 0, "is_registered_on_chain" boolean not null default false, "date_registered" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`alter table "xclera_profiles" add constraint "xclera_profiles_username_unique" unique ("username");`);
    this.addSql(`create index "xclera_profiles_referrer_id_index" on "xclera_profiles" ("referrer_id");`);
    this.addSql(`alter table "xclera_profiles" add constraint "xclera_profiles_user_fk" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "xclera_profiles" add constraint "xclera_profiles_referrer_fk" foreign key ("referrer_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "xclera_profiles" add constraint "xclera_profiles_level_check" check (current_level >= 0);`);

    // Xclera takes its payments on chain: the provider registry builds the EVM adapter for it.
    this.addSql(`update "tenants" set "settings" = jsonb_set("settings", '{providers,chain}', '"evm"') where "slug" = 'xclera';`);

    this.addSql(`create table "xclera_levels" ("level_number" int not null, "price" bigint not null, "service_fee" bigint not null default '0', "min_direct_referrals" int not null default 0, "min_referral_depth" int not null default 0, "requires_complete_profile" boolean not null default false, primary key ("level_number"));`);
    this.addSql(`alter table "xclera_levels" add constraint "xclera_levels_amounts_check" check (level_number > 0 and price > 0 and service_fee >= 0);`);
  }

  override async down(): Promise<void> {
    this.addSql(`update "tenants" set "settings" = "settings" #- '{providers,chain}' where "slug" = 'xclera';`);
    this.addSql(`drop table "xclera_levels", "xclera_profiles", "xclera_login_nonces", "xclera_wallets";`);
    this.addSql(`alter table "users" drop constraint "users_contact_check";`);
    this.addSql(`alter table "users" add constraint "users_contact_check" check (email is not null or phone is not null);`);
  }
}
