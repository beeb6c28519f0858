import { Migration } from '@mikro-orm/migrations';

/**
 * Paths where money could be lost: the webhook inbox (delivered mark), purchases under review,
 * reconciliation items for money parked in suspense, and each tenant's providers in its settings.
 */
export class Migration20261125010000_money_paths extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_events" add column "tenant" varchar(32) null, add column "delivered_at" timestamptz null, add column "delivery_attempts" int not null default 0;`);
    this.addSql(`update "webhook_events" set "tenant" = 'maxtera', "delivered_at" = "received_at";`);
    this.addSql(`alter table "webhook_events" alter column "tenant" set not null;`);
    this.addSql(`create index "webhook_events_delivered_at_received_at_index" on "webhook_events" ("delivered_at", "received_at");`);

    this.addSql(`alter table "wallet_transactions" add column "under_review" boolean not null default false;`);

    this.addSql(`create table "reconciliation_items" ("id" bigserial primary key, "tenant" varchar(32) not null, "kind" text not null, "status" text not null default 'open', "reference" varchar(255) not null, "amount" bigint not null, "currency" varchar(8) not null, "entry_id" bigint null, "details" jsonb not null default '{}', "resolution" jsonb null, "created_at" timestamptz not null default now(), "resolved_at" timestamptz null);`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_tenant_kind_reference_unique" unique ("tenant", "kind", "reference");`);
    this.addSql(`create index "reconciliation_items_tenant_status_index" on "reconciliation_items" ("tenant", "status");`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_kind_check" check ("kind" in ('unmatched_payment'));`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_status_check" check ("status" in ('open', 'resolved'));`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_tenant_fk" foreign key ("tenant") references "tenants" ("slug");`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_amount_check" check ("amount" > 0);`);
    this.addSql(`alter table "reconciliation_items" add constraint "reconciliation_items_currency_fk" foreign key ("currency") references "currencies" ("code");`);

    // Which provider serves each tenant for each capability; the composition roots read this.
    this.addSql(`update "tenants" set "settings" = "settings" || '{"providers": {"payments": "onepipe", "vtu": "vtpass"}}'::jsonb where "slug" = 'maxtera';`);
  }
}
