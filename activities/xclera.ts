import { Context } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import { publicError, FailureType, DomainError } from '../core/errors.js';
import { ensureAccount, postJournalEntry } from '../core/ledger.js';
import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import {
  assertLevelAllowed,
  ensureProfile,
  ensureWalletUser,
  findProfile,
  findWalletUser,
  isProfileComplete,
  levelRule,
  XCLERA_TENANT,
} from '../core/xclera-matrix.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ConfirmedMatrixPayment } from '../providers/chain/client.js';
import type { MatrixPaymentInput, MatrixPaymentOutcome, MatrixPrepared } from '../workflows/contracts.js';
import { currentWorkflowId } from './context.js';
import { withTypedFailures } from './failures.js';
import { finishWalletTransaction, openWalletTransaction } from './wallet-transactions.js';

export interface XcleraActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

/**
 * Xclera's books: what arrived on chain (`clearing:chain`) is, at every instant, the matrix
 * treasury plus the fees, which is what the contract holds; rewards pass through the upline's
 * wallet on their way out.
 */
export const XCLERA_ACCOUNTS = { chainClearing: 'clearing:chain', treasury: 'matrix:treasury', uplineRewards: 'rewards:upline' } as const;

/** One history row per attempt: a failed attempt's row stays, and the next run of the same ID gets its own. */
function attemptId(): string {
  const run = Context.current().info.workflowExecution?.runId;
  return `${currentWorkflowId()}:${run}`;
}

export function createXcleraActivities({ orm, providers }: XcleraActivityDeps) {
  const chain = () => providers.get(XCLERA_TENANT.slug, 'chain');
  const at = { tenant: XCLERA_TENANT.slug, currency: XCLERA_TENANT.currency };

  async function paidMinor(em: EntityManager, input: MatrixPaymentInput): Promise<bigint> {
    const rule = await levelRule(em, input.level);
    if (!rule) throw new DomainError(FailureType.NotFound, `no level ${input.level}`);
    return input.kind === 'registration' ? rule.price + rule.serviceFee : rule.price;
  }

  return withTypedFailures({
    /** Phase 1: the level rules once more, then the unsigned transaction for the member to sign. */
    async prepareMatrixPayment(input: MatrixPaymentInput): Promise<MatrixPrepared> {
      const em = orm.em.fork();
      const profile = await findProfile(em, { address: input.wallet });
      await assertLevelAllowed(
        em,
        {
          userId: profile?.userId ?? null,
          currentLevel: profile?.currentLevel ?? 0,
          username: input.profile?.username ?? profile?.username ?? null,
          country: input.profile?.country ?? profile?.country ?? null,
          phoneNumber: input.profile?.phoneNumber ?? profile?.phoneNumber ?? null,
        },
        input.level,
      );
      let referrer = input.referrerWallet;
      if (input.kind === 'registration') {
        if (!referrer) throw publicError(FailureType.Validation, 'A referrer_wallet is required to register.');
        const upline = await findProfile(em, { address: referrer });
        if (!upline?.isRegisteredOnChain) throw publicError(FailureType.Validation, 'The referrer is not registered on chain.');
        if (upline.userId === profile?.userId) throw publicError(FailureType.Validation, 'A wallet cannot refer itself.');
        referrer = upline.address;
      }
      const prepared = await chain().prepare(
        input.kind === 'registration' ? { kind: 'registration', member: input.wallet, referrer: referrer! } : { kind: 'upgrade', member: input.wallet, level: input.level },
      );
      return { transaction: prepared.transaction, unsignedHash: prepared.unsignedHash };
    },

    /** Phase 2's gate: exactly the prepared transaction, signed by the member. */
    async verifyMatrixSignature(signedTransaction: string, prepared: MatrixPrepared): Promise<string> {
      return chain().verifySigned(signedTransaction, { unsignedHash: prepared.unsignedHash, from: prepared.transaction.from });
    },

    async broadcastMatrixTransaction(signedTransaction: string): Promise<string> {
      return chain().broadcast(signedTransaction);
    },

    /** The history row, pending, as soon as the transaction is at the node. */
    async openMatrixPayment(input: MatrixPaymentInput, hash: string): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const userId = await ensureWalletUser(tx, input.wallet);
        const referrerId = input.referrerWallet ? await findWalletUser(tx, input.referrerWallet) : null;
        await ensureProfile(tx, userId, referrerId);
        await openWalletTransaction(tx, {
          ...at,
          userId,
          kind: input.kind,
          amountMinor: await paidMinor(tx, input),
          reference: hash,
          workflowId: attemptId(),
          details: { level: input.level, transactionHash: hash },
        });
      });
    },

    /** Not yet confirmed is an outcome-unknown failure, so the retry policy keeps asking. */
    async confirmMatrixTransaction(hash: string): Promise<ConfirmedMatrixPayment> {
      return chain().confirmation(hash);
    },

    async failMatrixPayment(reason: string): Promise<void> {
      const id = attemptId();
      await orm.em.fork().transactional((tx) => finishWalletTransaction(tx, id, { status: 'failed', failureReason: reason }));
    },

    /**
     * The confirmed payment, once: the level, the history row, and the books (paid in, split into
     * treasury, upline reward and fee, the reward paid out), all in one transaction.
     */
    async recordMatrixPayment(input: MatrixPaymentInput, confirmed: ConfirmedMatrixPayment): Promise<MatrixPaymentOutcome> {
      const workflowId = currentWorkflowId();
      const rowId = attemptId();
      return orm.em.fork().transactional(async (tx) => {
        const userId = await ensureWalletUser(tx, input.wallet);
        const level = confirmed.level ?? input.level;
        const p = input.profile ?? {};
        await tx.execute(
          `update xclera_profiles set current_level = greatest(current_level, ?), is_registered_on_chain = true,
             date_registered = coalesce(date_registered, now()), username = coalesce(?, username), country = coalesce(?, country),
             phone_number = coalesce(?, phone_number), email = coalesce(?, email), updated_at = now()
           where user_id = ?`,
          [level, p.username ?? null, p.country ?? null, p.phoneNumber ?? null, p.email ?? null, userId],
        );
        const paid = await paidMinor(tx, input);
        const rule = await levelRule(tx, input.level);
        const fee = input.kind === 'registration' ? rule!.serviceFee : 0n;
        // The contract's own split, in USDT: the reward is the same share of what was paid on chain.
        const reward = confirmed.paidWei && BigInt(confirmed.paidWei) > 0n ? (paid * BigInt(confirmed.rewardWei ?? '0')) / BigInt(confirmed.paidWei) : 0n;
        const uplineId = confirmed.upline ? await findWalletUser(tx, confirmed.upline) : null;

        const wallet = await ensureWalletAccount(tx, at, userId);
        const clearing = await ensureAccount(tx, { ...at, code: XCLERA_ACCOUNTS.chainClearing, debitsMustNotExceedCredits: false });
        const treasury = await ensureAccount(tx, { ...at, code: XCLERA_ACCOUNTS.treasury, debitsMustNotExceedCredits: false });
        const rewards = await ensureAccount(tx, { ...at, code: XCLERA_ACCOUNTS.uplineRewards, debitsMustNotExceedCredits: false });
        const fees = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.fees);
        const post = (step: string, description: string, lines: Parameters<typeof postJournalEntry>[1]['lines']) =>
          postJournalEntry(tx, {
            tenant: at.tenant,
            idempotencyKey: `${workflowId}:${confirmed.hash}:${step}`,
            description,
            lines: lines.filter((l) => l.amount > 0n),
            metadata: { transactionHash: confirmed.hash, level, workflowId },
          });
        const what = `${input.kind === 'registration' ? 'Registration' : `Upgrade to level ${level}`} ${confirmed.hash}`;
        await post('paid-in', `${what}: paid on chain`, [
          { accountId: clearing, direction: 'debit', amount: paid },
          { accountId: wallet, direction: 'credit', amount: paid },
        ]);
        await post('split', `${what}: treasury, upline reward, fee`, [
          { accountId: wallet, direction: 'debit', amount: paid },
          { accountId: treasury, direction: 'credit', amount: paid - fee - reward },
          { accountId: rewards, direction: 'credit', amount: reward },
          { accountId: fees, direction: 'credit', amount: fee },
        ]);
        if (reward > 0n && uplineId !== null) {
          const uplineWallet = await ensureWalletAccount(tx, at, uplineId);
          await post('reward-earned', `${what}: upline reward`, [
            { accountId: rewards, direction: 'debit', amount: reward },
            { accountId: uplineWallet, direction: 'credit', amount: reward },
          ]);
          await post('reward-paid-out', `${what}: upline reward paid on chain`, [
            { accountId: uplineWallet, direction: 'debit', amount: reward },
            { accountId: clearing, direction: 'credit', amount: reward },
          ]);
        }

        await tx.execute(`update wallet_transactions set details = details || ?::jsonb where workflow_id = ?`, [
          JSON.stringify({ recipientUserId: uplineId, uplineRewardMinor: reward.toString(), blockNumber: confirmed.blockNumber }),
          rowId,
        ]);
        await finishWalletTransaction(tx, rowId, { status: 'success', providerReference: confirmed.hash });
        const profile = await findProfile(tx, { userId });
        const upline = uplineId === null ? null : await findProfile(tx, { userId: uplineId });
        return {
          transactionHash: confirmed.hash,
          level,
          profileId: userId,
          isProfileComplete: profile ? isProfileComplete(profile) : false,
          upline: confirmed.upline ? { wallet: confirmed.upline, username: upline?.username ?? null } : null,
          uplineRewardMinor: reward.toString(),
        };
      });
    },
  });
}

export type XcleraActivities = ReturnType<typeof createXcleraActivities>;
