import { Migration } from '@mikro-orm/migrations';

/** GenCharge, part 2: plans bought for phones (`/recharge/my/plans`), with their validity window and status. */
export class Migration20261126010000_gencharge_recharge extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_subscriptions" ("id" serial primary key, "user_id" bigint not null, "plan_id" int not null, "offer_id" int null, "phone_number" varchar(10) not null, "amount" bigint not null, "reference" varchar(64) not null, "transaction_id" bigint not null, "source" varchar(16) not null, "payment_method" varchar(16) not null, "valid_from" timestamptz not null, "valid_to" timestamptz not null, "status" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "gencharge_subscriptions_plan_id_index" on "gencharge_subscriptions" ("plan_id");`);
    this.addSql(`create index "gencharge_subscriptions_offer_id_index" on "gencharge_subscriptions" ("offer_id");`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_reference_unique" unique ("reference");`);
    this.addSql(`create index "gencharge_subscriptions_user_id_created_at_index" on "gencharge_subscriptions" ("user_id", "created_at");`);
    this.addSql(`create index "gencharge_subscriptions_phone_number_status_index" on "gencharge_subscriptions" ("phone_number", "status");`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_user_fk" foreign key ("user_id") references "users" ("id") on update no action on delete no action;`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_plan_fk" foreign key ("plan_id") references "gencharge_plans" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_offer_fk" foreign key ("offer_id") references "gencharge_offers" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_amount_check" check (amount > 0);`);
    this.addSql(`alter table "gencharge_subscriptions" add constraint "gencharge_subscriptions_status_check" check ("status" in ('active', 'queued', 'expired'));`);
  }
}
