import { Migration } from '@mikro-orm/migrations';

/**
 * Currencies with their exponent, every currency column wide enough for USDT and bound to that
 * table, Xclera in USDT; and the books' invariants held by the database itself: entries balance
 * (checked at commit) and posted entries and lines are never updated or deleted.
 */
export class Migration20261125000000_books_invariants extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "currencies" ("code" varchar(8) not null, "exponent" int not null, primary key ("code"));`);
    this.addSql(`alter table "currencies" add constraint "currencies_exponent_check" check (exponent >= 0 and exponent <= 18);`);
    this.addSql(`insert into "currencies" ("code", "exponent") values ('NGN', 2), ('NPR', 2), ('ZAR', 2), ('INR', 2), ('USDT', 6);`);

    this.addSql(`alter table "tenants" alter column "currency" type varchar(8) using ("currency"::varchar(8));`);
    this.addSql(`alter table "ledger_accounts" alter column "currency" type varchar(8) using ("currency"::varchar(8));`);
    this.addSql(`alter table "wallet_transactions" alter column "currency" type varchar(8) using ("currency"::varchar(8));`);

    // Xclera never moved money before this, so its USD accounts (seeded, empty) are relabelled;
    // a USD amount would mean something else in USDT, so any money there stops the migration.
    this.addSql(`do $$ begin
  if exists (select 1 from ledger_accounts where tenant = 'xclera' and currency = 'USD'
             and (debits_posted <> 0 or credits_posted <> 0 or debits_pending <> 0 or credits_pending <> 0))
     or exists (select 1 from wallet_transactions where tenant = 'xclera' and currency = 'USD') then
    raise exception 'xclera holds USD money; convert it to USDT by hand before this migration';
  end if;
end $$;`);
    this.addSql(`update "tenants" set "currency" = 'USDT' where "slug" = 'xclera' and "currency" = 'USD';`);
    this.addSql(`update "ledger_accounts" set "currency" = 'USDT' where "tenant" = 'xclera' and "currency" = 'USD';`);

    this.addSql(`alter table "tenants" add constraint "tenants_currency_fk" foreign key ("currency") references "currencies" ("code");`);
    this.addSql(`alter table "ledger_accounts" add constraint "ledger_accounts_currency_fk" foreign key ("currency") references "currencies" ("code");`);
    this.addSql(`alter table "wallet_transactions" add constraint "wallet_transactions_currency_fk" foreign key ("currency") references "currencies" ("code");`);

    this.addSql(`create or replace function journal_entry_must_balance() returns trigger language plpgsql as $$
declare
  checked_entry bigint;
  line_count int;
  debits numeric;
  credits numeric;
begin
  if tg_table_name = 'journal_entries' then
    checked_entry := new.id;
  else
    checked_entry := new.entry_id;
  end if;
  select count(*), coalesce(sum(amount) filter (where direction = 'debit'), 0), coalesce(sum(amount) filter (where direction = 'credit'), 0)
    into line_count, debits, credits
    from journal_lines where entry_id = checked_entry;
  if line_count < 2 or debits <> credits then
    raise exception 'journal entry % does not balance (% lines, debits %, credits %)', checked_entry, line_count, debits, credits
      using errcode = 'check_violation', constraint = 'journal_entries_balanced';
  end if;
  return null;
end $$;`);
    this.addSql(`create constraint trigger journal_entries_balanced after insert on journal_entries deferrable initially deferred for each row execute function journal_entry_must_balance();`);
    this.addSql(`create constraint trigger journal_lines_balanced after insert on journal_lines deferrable initially deferred for each row execute function journal_entry_must_balance();`);

    this.addSql(`create or replace function journal_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% are immutable: correct a posting with a reversing entry', tg_table_name
    using errcode = 'integrity_constraint_violation';
end $$;`);
    for (const table of ['journal_entries', 'journal_lines']) {
      this.addSql(`create trigger ${table}_immutable before update or delete on ${table} for each row execute function journal_refuse_change();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function journal_refuse_change();`);
    }
  }
}
