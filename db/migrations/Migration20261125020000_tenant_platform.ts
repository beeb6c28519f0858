import { Migration } from '@mikro-orm/migrations';

/**
 * Reference numbers per tenant and kind (the global sequences numbered every app's references as
 * one), continuing Maxtera's numbering where the old sequences stopped; and which provider serves
 * each tenant for each capability, read by the composition roots at start.
 */
export class Migration20261125020000_tenant_platform extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "reference_sequences" ("tenant" varchar(32) not null, "kind" varchar(32) not null, "last_value" bigint not null, primary key ("tenant", "kind"));`);
    // Only numbers already handed out count; a sequence never called yet starts afresh.
    this.addSql(`insert into "reference_sequences" ("tenant", "kind", "last_value")
      select 'maxtera', 'funding', last_value from "funding_reference_seq" where is_called
      union all select 'maxtera', 'purchase', last_value from "purchase_reference_seq" where is_called;`);
    this.addSql(`drop sequence "funding_reference_seq";`);
    this.addSql(`drop sequence "purchase_reference_seq";`);

    const providers: Record<string, Record<string, string>> = {
      maxtera: { payments: 'onepipe', vtu: 'vtpass', sms: 'twilio', email: 'smtp' },
      chargeghar: { sms: 'twilio', email: 'smtp' },
      xclera: { email: 'smtp' },
      mymoolah: { payments: 'peach', flash: 'flash', mobilemart: 'mobilemart', sms: 'twilio', email: 'smtp' },
      gencharge: { payments: 'razorpay', vtu: 'indiarecharge', sms: 'twilio', email: 'smtp' },
    };
    for (const [slug, chosen] of Object.entries(providers)) {
      // Literal JSON of the constants above: no quotes to escape.
      this.addSql(`update "tenants" set "settings" = jsonb_set("settings", '{providers}', '${JSON.stringify(chosen)}'::jsonb) where "slug" = '${slug}';`);
    }
  }
}
