import type { Orm } from '../db/orm.js';
import { findExpiredHoldIds, voidHold } from '../core/ledger.js';
import { withTypedFailures } from './failures.js';

export interface LedgerActivityDeps {
  orm: Orm;
  clock?: () => Date;
}

const SWEEP_BATCH = 200;

export function createLedgerActivities({ orm, clock = () => new Date() }: LedgerActivityDeps) {
  return withTypedFailures({
    /**
     * Releases holds past their expiry, each in its own transaction, and fails the purchase that
     * placed it. Safe to run concurrently and repeatedly: voiding is a no-op on a resolved hold.
     */
    async expireLedgerHolds(): Promise<number> {
      const ids = await findExpiredHoldIds(orm.em.fork(), clock(), SWEEP_BATCH);
      let expired = 0;
      for (const id of ids) {
        const voided = await orm.em.fork().transactional(async (tx) => {
          const hold = await voidHold(tx, id, 'expired');
          if (hold.status !== 'expired') return false;
          await tx.execute(
            `update wallet_transactions set status = 'failed', failure_reason = 'the reservation expired', updated_at = now()
             where hold_id = ? and status = 'pending'`,
            [id.toString()],
          );
          return true;
        });
        if (voided) expired++;
      }
      return expired;
    },
  });
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
