import { Migration } from '@mikro-orm/migrations';

/**
 * GenCharge, part 2: referral rewards (one per referred user, whatever races) and admins'
 * announcements, whose per-user copies land in gencharge_notifications.
 */
export class Migration20261126030000_gencharge_referrals_announcements extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_referral_rewards" ("id" serial primary key, "referrer_id" bigint not null, "referred_id" bigint not null, "reward_amount" bigint not null, "status" text not null default 'earned', "reference" varchar(64) not null, "created_at" timestamptz not null default now(), "claimed_at" timestamptz null);`);
    this.addSql(`alter table "gencharge_referral_rewards" add constraint "gencharge_referral_rewards_referred_id_unique" unique ("referred_id");`);
    this.addSql(`create index "gencharge_referral_rewards_referrer_id_created_at_index" on "gencharge_referral_rewards" ("referrer_id", "created_at");`);
    this.addSql(`create index "gencharge_referral_rewards_created_at_index" on "gencharge_referral_rewards" ("created_at");`);
    this.addSql(`create table "gencharge_announcements" ("id" varchar(24) not null, "sender_type" text not null default 'admin', "type" text not null default 'announcement', "description" text not null, "attachments" jsonb not null default '{}', "recipient_type" text not null, "recipient_id" bigint null, "status" text not null default 'scheduled', "created_by" bigint not null, "created_at" timestamptz not null default now(), "scheduled_at" timestamptz null, "delivered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "gencharge_announcements_created_at_index" on "gencharge_announcements" ("created_at");`);
    this.addSql(`alter table "gencharge_referral_rewards" add constraint "gencharge_referral_rewards_referrer_fk" foreign key ("referrer_id") references "users" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_referral_rewards" add constraint "gencharge_referral_rewards_referred_fk" foreign key ("referred_id") references "users" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_referral_rewards" add constraint "gencharge_referral_rewards_amount_check" check (reward_amount > 0);`);
    this.addSql(`alter table "gencharge_referral_rewards" add constraint "gencharge_referral_rewards_status_check" check ("status" in ('earned'));`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_recipient_fk" foreign key ("recipient_id") references "users" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_created_by_fk" foreign key ("created_by") references "users" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_recipient_check" check ((recipient_type = 'user') = (recipient_id is not null));`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_sender_type_check" check ("sender_type" in ('system', 'admin'));`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_type_check" check ("type" in ('in-app', 'announcement'));`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_recipient_type_check" check ("recipient_type" in ('all_users', 'user'));`);
    this.addSql(`alter table "gencharge_announcements" add constraint "gencharge_announcements_status_check" check ("status" in ('scheduled', 'delivered', 'cancelled'));`);
  }
}
