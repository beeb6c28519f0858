import { Migration } from '@mikro-orm/migrations';

/** GenCharge, part 2: each user's in-app notifications, written by platform events and announcements. */
export class Migration20261126000000_gencharge_notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_notifications" ("id" varchar(24) not null, "notice_key" varchar(200) not null, "user_id" bigint not null, "sender_type" text not null, "type" text not null, "kind" varchar(32) null, "description" text not null, "attachments" jsonb not null default '{}', "announcement_id" varchar(24) null, "scheduled_at" timestamptz null, "sms_sent_at" timestamptz null, "email_sent_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`alter table "gencharge_notifications" add constraint "gencharge_notifications_notice_key_unique" unique ("notice_key");`);
    this.addSql(`alter table "gencharge_notifications" add constraint "gencharge_notifications_sender_type_check" check ("sender_type" in ('system', 'admin'));`);
    this.addSql(`alter table "gencharge_notifications" add constraint "gencharge_notifications_type_check" check ("type" in ('in-app', 'announcement'));`);
    this.addSql(`create index "gencharge_notifications_user_created_index" on "gencharge_notifications" ("user_id", "created_at" desc, "id" desc);`);
    this.addSql(`alter table "gencharge_notifications" add constraint "gencharge_notifications_user_fk" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }
}
