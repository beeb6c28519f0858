import { Migration } from '@mikro-orm/migrations';

/**
 * GenCharge, part 3: analytics read a tenant's history, plans bought and sign-ups by date range;
 * without these, each would scan the whole table (the history's other index leads with the user).
 */
export class Migration20261126063000_gencharge_analytics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "wallet_transactions_tenant_created_at_index" on "wallet_transactions" ("tenant", "created_at");`);
    this.addSql(`create index "gencharge_subscriptions_created_at_index" on "gencharge_subscriptions" ("created_at");`);
    this.addSql(`create index "gencharge_profiles_created_at_index" on "gencharge_profiles" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "wallet_transactions_tenant_created_at_index";`);
    this.addSql(`drop index "gencharge_subscriptions_created_at_index";`);
    this.addSql(`drop index "gencharge_profiles_created_at_index";`);
  }
}
