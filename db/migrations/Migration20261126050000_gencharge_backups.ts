import { Migration } from '@mikro-orm/migrations';

/**
 * GenCharge, part 3: database backups (each made by a backup workflow, its artifact in backup
 * storage with size and SHA-256) and the restores run from them. At most one restore runs at a
 * time: a partial unique index over running rows makes a second one fail to insert (409).
 */
export class Migration20261126050000_gencharge_backups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_backups" ("id" varchar(24) not null, "backup_data" varchar(100) not null, "description" text null, "selection" jsonb null, "status" text not null default 'running', "snapshot_name" varchar(200) not null, "storage_key" varchar(300) null, "size_bytes" bigint null, "checksum" varchar(64) null, "failure_reason" text null, "progress" jsonb not null default '{}', "workflow_id" varchar(255) not null, "created_by" bigint null, "created_at" timestamptz not null default now(), "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "gencharge_backups" add constraint "gencharge_backups_status_check" check ("status" in ('running', 'success', 'failed'));`);
    this.addSql(`alter table "gencharge_backups" add constraint "gencharge_backups_snapshot_name_unique" unique ("snapshot_name");`);
    this.addSql(`create index "gencharge_backups_status_created_index" on "gencharge_backups" ("status", "created_at" desc);`);
    this.addSql(`alter table "gencharge_backups" add constraint "gencharge_backups_created_by_fk" foreign key ("created_by") references "users" ("id") on delete set null;`);

    this.addSql(`create table "gencharge_backup_restores" ("id" bigserial primary key, "backup_id" varchar(24) not null, "target_db" varchar(63) not null, "clean" boolean not null default false, "status" text not null default 'running', "failure_reason" text null, "progress" jsonb not null default '{}', "workflow_id" varchar(255) not null, "requested_by" bigint null, "created_at" timestamptz not null default now(), "finished_at" timestamptz null);`);
    this.addSql(`alter table "gencharge_backup_restores" add constraint "gencharge_backup_restores_status_check" check ("status" in ('running', 'success', 'failed'));`);
    this.addSql(`create index "gencharge_backup_restores_backup_id_index" on "gencharge_backup_restores" ("backup_id");`);
    this.addSql(`create unique index "gencharge_backup_restores_one_running" on "gencharge_backup_restores" ((true)) where status = 'running';`);
    this.addSql(`alter table "gencharge_backup_restores" add constraint "gencharge_backup_restores_backup_fk" foreign key ("backup_id") references "gencharge_backups" ("id") on delete cascade;`);
    this.addSql(`alter table "gencharge_backup_restores" add constraint "gencharge_backup_restores_requested_by_fk" foreign key ("requested_by") references "users" ("id") on delete set null;`);
  }
}
