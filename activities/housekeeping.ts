import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Orm } from '../db/orm.js';
import { voidHold } from '../core/ledger.js';
import type { HousekeepingResult } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface HousekeepingActivityDeps {
  orm: Orm;
  temporal: Client;
  clock?: () => Date;
}

const SWEEP_BATCH = 200;
const USED_REFRESH_TOKEN_RETENTION_DAYS = 7;
const DELIVERED_WEBHOOK_RETENTION_DAYS = 30;

export function createHousekeepingActivities({ orm, temporal, clock = () => new Date() }: HousekeepingActivityDeps) {
  /** A hold's flow is live while Temporal says it runs; only a closed (or vanished) flow's hold is swept. */
  async function flowIsRunning(workflowId: string): Promise<boolean> {
    try {
      const description = await temporal.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return withTypedFailures({
    /**
     * Voids expired holds whose flow has closed without resolving them (a terminated flow, for
     * instance), and fails their purchase. A live flow's hold is its own business, and a hold
     * under review waits for an operator, so both are left alone.
     */
    async voidHoldsOfClosedFlows(): Promise<Pick<HousekeepingResult, 'holdsVoided' | 'holdsLeftToLiveFlows'>> {
      const candidates = await orm.em.fork().execute<{ id: string; workflow_id: string | null }[]>(
        `select h.id, t.workflow_id from ledger_holds h
         left join wallet_transactions t on t.hold_id = h.id
         where h.status = 'pending' and h.expires_at <= ? and not coalesce(t.under_review, false)
         order by h.expires_at limit ?`,
        [clock(), SWEEP_BATCH],
      );
      let holdsVoided = 0;
      let holdsLeftToLiveFlows = 0;
      for (const candidate of candidates) {
        if (candidate.workflow_id && (await flowIsRunning(candidate.workflow_id))) {
          holdsLeftToLiveFlows++;
          continue;
        }
        const voided = await orm.em.fork().transactional(async (tx) => {
          const hold = await voidHold(tx, BigInt(candidate.id), 'expired');
          if (hold.status !== 'expired') return false;
          await tx.execute(
            `update wallet_transactions set status = 'failed', failure_reason = 'the reservation expired', updated_at = now()
             where hold_id = ? and status = 'pending'`,
            [candidate.id],
          );
          return true;
        });
        if (voided) holdsVoided++;
      }
      return { holdsVoided, holdsLeftToLiveFlows };
    },

    /**
     * Drops rows whose purpose has passed: replayable responses, dead refresh tokens, old delivered
     * webhooks, and sign-in proofs (one-time-code verifications, wallet sign-in nonces) past their expiry.
     */
    async purgeExpiredRecords(): Promise<
      Pick<HousekeepingResult, 'idempotencyRecordsPurged' | 'refreshTokensPurged' | 'webhookEventsPurged' | 'signInProofsPurged'>
    > {
      const em = orm.em.fork();
      const now = clock();
      const idempotency = await em.execute<{ id: string }[]>(
        `delete from idempotency_records where expires_at < ? returning id`,
        [now],
      );
      const tokens = await em.execute<{ id: string }[]>(
        `delete from refresh_tokens
         where expires_at < ? or coalesce(revoked_at, used_at) < ?::timestamptz - make_interval(days => ?) returning id`,
        [now, now, USED_REFRESH_TOKEN_RETENTION_DAYS],
      );
      const webhooks = await em.execute<{ id: string }[]>(
        `delete from webhook_events where delivered_at < ?::timestamptz - make_interval(days => ?) returning id`,
        [now, DELIVERED_WEBHOOK_RETENTION_DAYS],
      );
      // An expired proof is worthless whether it was used or not; the flows that made them have ended.
      const codes = await em.execute<{ id: string }[]>(`delete from otp_verifications where expires_at < ? returning id`, [now]);
      const nonces = await em.execute<{ nonce: string }[]>(`delete from xclera_login_nonces where expires_at < ? returning nonce`, [now]);
      const invites = await em.execute<{ user_id: string }[]>(`delete from gencharge_admin_invites where expires_at < ? returning user_id`, [now]);
      // A sign-up whose code went unverified for a day was abandoned; signing up again starts a new one.
      const signups = await em.execute<{ phone: string }[]>(
        `delete from gencharge_pending_signups where requested_at < ?::timestamptz - interval '1 day' returning phone`,
        [now],
      );
      return {
        idempotencyRecordsPurged: idempotency.length,
        refreshTokensPurged: tokens.length,
        webhookEventsPurged: webhooks.length,
        signInProofsPurged: codes.length + nonces.length + invites.length + signups.length,
      };
    },
  });
}

export type HousekeepingActivities = ReturnType<typeof createHousekeepingActivities>;
