import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureAccount } from '../../core/ledger.js';
import { MYMOOLAH_ACCOUNTS } from '../entities/mymoolah.js';

/**
 * MyMoolah's development data: its voucher float and redemption clearing accounts (so the trial
 * balance lists them from the start) and a profile for the development admin, who signs in with
 * `admin@mymoolah.local` like any other MyMoolah user.
 */
export async function seedMyMoolah(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    const at = { tenant: 'mymoolah', currency: 'ZAR' };
    await ensureAccount(tx, { ...at, code: MYMOOLAH_ACCOUNTS.voucherFloat, debitsMustNotExceedCredits: true });
    await ensureAccount(tx, { ...at, code: MYMOOLAH_ACCOUNTS.voucherRedemptions, debitsMustNotExceedCredits: false });
    await tx.execute(
      `insert into mymoolah_profiles (user_id, first_name, last_name, kyc_status)
       select id, 'MyMoolah', 'Admin', 'verified' from users where tenant = 'mymoolah' and email = 'admin@mymoolah.local'
       on conflict (user_id) do nothing`,
    );
  });
}
