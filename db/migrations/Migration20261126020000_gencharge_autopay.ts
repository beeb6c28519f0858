import { Migration } from '@mikro-orm/migrations';

/** GenCharge, part 2: autopay rules (each with its Temporal Schedule) and the record of their runs, one per due date. */
export class Migration20261126020000_gencharge_autopay extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_autopays" ("id" serial primary key, "user_id" bigint not null, "plan_id" int not null, "phone_number" varchar(10) not null, "tag" varchar(50) null, "status" text not null default 'enabled', "next_due_date" timestamptz not null, "last_run_status" text null, "last_run_at" timestamptz null, "last_failure_reason" text null, "missed_count" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz null);`);
    this.addSql(`create index "gencharge_autopays_plan_id_index" on "gencharge_autopays" ("plan_id");`);
    this.addSql(`create index "gencharge_autopays_user_index" on "gencharge_autopays" ("user_id", "id");`);
    this.addSql(`create index "gencharge_autopays_due_index" on "gencharge_autopays" ("status", "next_due_date");`);
    this.addSql(`alter table "gencharge_autopays" add constraint "gencharge_autopays_user_fk" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "gencharge_autopays" add constraint "gencharge_autopays_plan_fk" foreign key ("plan_id") references "gencharge_plans" ("id") on delete no action;`);
    this.addSql(`alter table "gencharge_autopays" add constraint "gencharge_autopays_status_check" check ("status" in ('enabled', 'disabled'));`);
    this.addSql(`alter table "gencharge_autopays" add constraint "gencharge_autopays_last_run_status_check" check ("last_run_status" in ('success', 'missed', 'failed'));`);

    this.addSql(`create table "gencharge_autopay_runs" ("id" bigserial primary key, "autopay_id" int not null, "due_date" timestamptz not null, "status" text not null, "reference" varchar(64) not null, "failure_reason" text null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "gencharge_autopay_runs" add constraint "gencharge_autopay_runs_due_unique" unique ("autopay_id", "due_date");`);
    this.addSql(`alter table "gencharge_autopay_runs" add constraint "gencharge_autopay_runs_autopay_fk" foreign key ("autopay_id") references "gencharge_autopays" ("id") on delete cascade;`);
    this.addSql(`alter table "gencharge_autopay_runs" add constraint "gencharge_autopay_runs_status_check" check ("status" in ('success', 'missed', 'failed'));`);
  }
}
