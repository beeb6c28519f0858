import { currentWorkflowId } from './context.js';
import type { Orm } from '../db/orm.js';
import { keepHoldForReview, placeHold, postHold, voidHold } from '../core/ledger.js';
import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { ProviderOutcomeUnknownError, ProviderRejectedError, type VtuOrder, type VtuProvider, type VtuResult } from '../providers/types.js';
import type { PurchaseDecision, PurchaseInput } from '../workflows/contracts.js';
import { finishWalletTransaction, openWalletTransaction } from './wallet-transactions.js';
import { withTypedFailures } from './failures.js';

export interface PurchaseActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

/** How long a hold under review stays reserved at the least; its flow decides, not the clock. */
const REVIEW_HOLD_DAYS = 365;

export interface OpenedPurchase {
  transactionId: number;
  holdId: string;
}

function vtuOrderOf(input: PurchaseInput): VtuOrder {
  return {
    requestId: input.reference,
    kind: input.kind,
    serviceId: input.serviceId,
    amountMinor: BigInt(input.amountMinor),
    recipient: input.recipient,
    variationCode: input.variationCode,
  };
}

export function createPurchaseActivities({ orm, providers }: PurchaseActivityDeps) {
  return withTypedFailures({
    /** Records the purchase and reserves its price in one transaction; nothing is written without funds. */
    async openPurchase(input: PurchaseInput): Promise<OpenedPurchase> {
      const id = currentWorkflowId();
      return orm.em.fork().transactional(async (tx) => {
        const transactionId = await openWalletTransaction(tx, {
          tenant: input.tenant,
          userId: input.userId,
          kind: input.kind,
          amountMinor: BigInt(input.amountMinor),
          currency: input.currency,
          reference: input.reference,
          workflowId: id,
          details: { ...input.details, serviceId: input.serviceId, recipient: input.recipient, variationCode: input.variationCode },
        });
        const wallet = await ensureWalletAccount(tx, input, input.userId);
        const clearing = await ensureSystemAccount(tx, input, SYSTEM_ACCOUNTS.vtuClearing);
        const hold = await placeHold(tx, {
          tenant: input.tenant,
          idempotencyKey: `${id}:hold`,
          debitAccountId: wallet,
          creditAccountId: clearing,
          amount: BigInt(input.amountMinor),
          description: input.description,
          expiresAt: new Date(Date.now() + input.timing.holdTtlMs),
        });
        await tx.execute('update wallet_transactions set hold_id = ? where id = ?', [hold.id.toString(), transactionId]);
        return { transactionId, holdId: hold.id.toString() };
      });
    },

    /** An unknown outcome is reported as pending: the flow re-queries, it never refunds blind. */
    async submitVtuOrder(input: PurchaseInput): Promise<VtuResult> {
      return submitOrClassify(providers.get(input.tenant, input.capability ?? 'vtu'), vtuOrderOf(input));
    },

    async requeryVtuOrder(input: PurchaseInput): Promise<VtuResult> {
      const vtu = providers.get(input.tenant, input.capability ?? 'vtu');
      try {
        return await vtu.queryOrder(input.reference);
      } catch (err) {
        if (err instanceof ProviderOutcomeUnknownError) return { status: 'pending', message: err.message };
        // The provider never saw the order: send it again under the same request id, which it dedupes.
        if (err instanceof ProviderRejectedError && err.code === 'NOT_FOUND') return submitOrClassify(vtu, vtuOrderOf(input));
        throw err;
      }
    },

    /** The provider's answer stayed unknown: the hold stays reserved until an operator decides. */
    async keepPurchaseForReview(holdId: string, reason: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional(async (tx) => {
        await keepHoldForReview(tx, BigInt(holdId), new Date(Date.now() + REVIEW_HOLD_DAYS * 24 * 3600_000));
        await tx.execute(
          `update wallet_transactions set under_review = true, details = details || ?::jsonb, updated_at = now() where workflow_id = ?`,
          [JSON.stringify({ review: { reason, since: new Date().toISOString() } }), id],
        );
      });
    },

    /** `token` is appended last so that flows started before it existed still call this the same way. */
    async settlePurchase(holdId: string, providerReference: string | undefined, decision?: PurchaseDecision, token?: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional(async (tx) => {
        await postHold(tx, BigInt(holdId), undefined, { byOwner: true });
        await finishWalletTransaction(tx, id, { status: 'success', providerReference, decision, token });
      });
    },

    async refundPurchase(holdId: string, reason: string, decision?: PurchaseDecision): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional(async (tx) => {
        await voidHold(tx, BigInt(holdId));
        await finishWalletTransaction(tx, id, { status: 'failed', failureReason: reason, decision });
      });
    },
  });
}

async function submitOrClassify(vtu: VtuProvider, order: VtuOrder): Promise<VtuResult> {
  try {
    return await vtu.submitOrder(order);
  } catch (err) {
    if (err instanceof ProviderOutcomeUnknownError) return { status: 'pending', message: err.message };
    if (err instanceof ProviderRejectedError) return { status: 'failed', message: err.message };
    throw err;
  }
}

export type PurchaseActivities = ReturnType<typeof createPurchaseActivities>;
