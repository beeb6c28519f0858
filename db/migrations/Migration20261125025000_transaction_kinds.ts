import { Migration } from '@mikro-orm/migrations';

/**
 * Four more apps bring their own history kinds (vouchers, on-chain upgrades, recharges). One shared
 * list in a check constraint would make every app's migration rewrite the others' kinds, so the
 * database checks only the spelling and the code keeps the list.
 */
export class Migration20261125025000_transaction_kinds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "wallet_transactions" drop constraint "wallet_transactions_kind_check";`);
    this.addSql(`alter table "wallet_transactions" alter column "kind" type varchar(32);`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_kind_check" check (kind ~ '^[a-z][a-z_]*$');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "wallet_transactions" drop constraint "wallet_transactions_kind_check";`);
    this.addSql(`alter table "wallet_transactions" alter column "kind" type text;`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_kind_check" check ("kind" in ('funding', 'airtime', 'data', 'bill'));`);
  }
}
