import { Migration } from '@mikro-orm/migrations';

/** GenCharge, part 2: the content admins publish (with its image's stored name) and contact-form messages. */
export class Migration20261126040000_gencharge_content extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "gencharge_content" ("id" varchar(24) not null, "content_type" varchar(50) not null, "title" varchar(200) not null, "body" text not null, "image_filename" varchar(100) null, "created_by" bigint null, "updated_by" bigint null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`alter table "gencharge_content" add constraint "gencharge_content_image_filename_unique" unique ("image_filename");`);
    this.addSql(`create index "gencharge_content_type_created_index" on "gencharge_content" ("content_type", "created_at" desc, "id" desc);`);
    this.addSql(`alter table "gencharge_content" add constraint "gencharge_content_created_by_fk" foreign key ("created_by") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "gencharge_content" add constraint "gencharge_content_updated_by_fk" foreign key ("updated_by") references "users" ("id") on delete set null;`);

    this.addSql(`create table "gencharge_contacts" ("id" varchar(24) not null, "name" varchar(100) not null, "email" varchar(254) not null, "description" text not null, "resolved" boolean not null default false, "resolved_at" timestamptz null, "resolved_by" bigint null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`create index "gencharge_contacts_email_index" on "gencharge_contacts" ("email");`);
    this.addSql(`create index "gencharge_contacts_resolved_created_index" on "gencharge_contacts" ("resolved", "created_at" desc, "id" desc);`);
    this.addSql(`alter table "gencharge_contacts" add constraint "gencharge_contacts_resolved_by_fk" foreign key ("resolved_by") references "users" ("id") on delete set null;`);
  }
}
