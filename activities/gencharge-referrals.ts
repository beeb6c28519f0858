import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import { postJournalEntry } from '../core/ledger.js';
import type { Orm } from '../db/orm.js';
import type { GenChargeReferralActivities, ReferralRewardOutcome, ReferralRewardRequest } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface GenChargeReferralActivityDeps {
  orm: Orm;
  /** GENCHARGE_REFERRAL_REWARD_MINOR (paise), from the worker's configuration; absent or 0 pays no rewards. */
  genchargeReferralRewardMinor?: number;
}

interface Referral {
  referrer_id: string;
  currency: string;
}

interface StoredReward {
  id: number;
  referrer_id: string;
  reward_amount: string;
  reference: string;
}

/** One key per referred user: whichever recharge gets there first, the ledger pays once. */
export const referralRewardKey = (tenant: string, referredUserId: number) => `${tenant}:referral-reward:${referredUserId}`;

export function createGenChargeReferralActivities({ orm, genchargeReferralRewardMinor = 0 }: GenChargeReferralActivityDeps) {
  const rewardMinor = BigInt(genchargeReferralRewardMinor);

  return withTypedFailures({
    /**
     * Pays the referrer of `referredUserId` their reward from the tenant's rewards account, once
     * per referred user ever: the reward row (unique on the referred user), the posting and the
     * referrer's history row commit together, so of two recharges racing only one inserts and
     * pays. A retry of the paying call (same recharge reference) answers as the first did.
     */
    async rewardReferrer(request: ReferralRewardRequest): Promise<ReferralRewardOutcome> {
      if (rewardMinor <= 0n) return { rewarded: false };
      return orm.em.fork().transactional(async (tx) => {
        // A referrer who archived their account earns nothing; one who is blocked still does (the wallet stays theirs).
        const [referral] = await tx.execute<Referral[]>(
          `select referrer.user_id as referrer_id, t.currency
           from gencharge_profiles referred
           join users ru on ru.id = referred.user_id and ru.tenant = ?
           join tenants t on t.slug = ru.tenant
           join gencharge_profiles referrer on referrer.referral_code = referred.referee_code and referrer.user_id <> referred.user_id
           join users rr on rr.id = referrer.user_id and rr.deleted_at is null
           where referred.user_id = ?`,
          [request.tenant, request.referredUserId],
        );
        if (!referral) return { rewarded: false };
        const referrerId = Number(referral.referrer_id);
        const [inserted] = await tx.execute<{ id: number }[]>(
          `insert into gencharge_referral_rewards (referrer_id, referred_id, reward_amount, reference, claimed_at)
           values (?, ?, ?, ?, now()) on conflict (referred_id) do nothing returning id`,
          [referrerId, request.referredUserId, rewardMinor.toString(), request.reference],
        );
        if (!inserted) {
          const [stored] = await tx.execute<StoredReward[]>(
            'select id, referrer_id, reward_amount, reference from gencharge_referral_rewards where referred_id = ?',
            [request.referredUserId],
          );
          if (stored?.reference !== request.reference) return { rewarded: false };
          return { rewarded: true, rewardId: stored.id, referrerId: Number(stored.referrer_id), rewardMinor: stored.reward_amount };
        }
        const at = { tenant: request.tenant, currency: referral.currency };
        const rewards = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.rewards);
        const wallet = await ensureWalletAccount(tx, at, referrerId);
        const key = referralRewardKey(request.tenant, request.referredUserId);
        await postJournalEntry(tx, {
          tenant: request.tenant,
          idempotencyKey: key,
          description: `Referral reward for user ${request.referredUserId}`,
          lines: [
            { accountId: rewards, direction: 'debit', amount: rewardMinor },
            { accountId: wallet, direction: 'credit', amount: rewardMinor },
          ],
          metadata: { rewardId: inserted.id, referredUserId: request.referredUserId, reference: request.reference },
        });
        await tx.execute(
          `insert into wallet_transactions (tenant, user_id, kind, status, amount, currency, reference, workflow_id, details)
           values (?, ?, 'referral_reward', 'success', ?, ?, ?, ?, ?)`,
          [
            request.tenant,
            referrerId,
            rewardMinor.toString(),
            referral.currency,
            `RWD-${inserted.id}`,
            key,
            JSON.stringify({ rewardId: inserted.id, referredUserId: request.referredUserId, rechargeReference: request.reference }),
          ],
        );
        return { rewarded: true, rewardId: inserted.id, referrerId, rewardMinor: rewardMinor.toString() };
      });
    },
  } satisfies GenChargeReferralActivities);
}
