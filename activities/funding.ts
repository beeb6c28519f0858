import type { Orm } from '../db/orm.js';
import { DomainError, FailureType } from '../core/errors.js';
import { postJournalEntry } from '../core/ledger.js';
import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CollectionStatus } from '../providers/types.js';
import type { FundWalletInput, LatePaymentInput, SuspenseResolution, UnmatchedPaymentInput } from '../workflows/contracts.js';
import { currentWorkflowId } from './context.js';
import { finishWalletTransaction, openWalletTransaction } from './wallet-transactions.js';
import { withTypedFailures } from './failures.js';

export interface FundingActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

type Deposit = Pick<FundWalletInput, 'tenant' | 'userId' | 'currency' | 'amountMinor' | 'reference'>;

export function createFundingActivities({ orm, providers }: FundingActivityDeps) {
  /**
   * Credits the wallet with what the provider collected and marks the deposit successful, in one
   * transaction. The posting key is the funding flow's, so the wallet is credited at most once,
   * whichever path (webhook, poll, late payment, reconciliation) gets there.
   */
  async function creditDeposit(deposit: Deposit, fundingWorkflowId: string, collectedMinor: string, providerReference?: string): Promise<void> {
    await orm.em.fork().transactional(async (tx) => {
      const wallet = await ensureWalletAccount(tx, deposit, deposit.userId);
      const clearing = await ensureSystemAccount(tx, deposit, SYSTEM_ACCOUNTS.paymentsClearing);
      const amount = BigInt(collectedMinor);
      const posted = await postJournalEntry(tx, {
        tenant: deposit.tenant,
        idempotencyKey: `${fundingWorkflowId}:credit-wallet`,
        description: `Wallet funding ${deposit.reference}`,
        lines: [
          { accountId: clearing, direction: 'debit', amount },
          { accountId: wallet, direction: 'credit', amount },
        ],
        metadata: { reference: deposit.reference, workflowId: fundingWorkflowId, requestedMinor: deposit.amountMinor },
      });
      if (!posted.replayed && collectedMinor !== deposit.amountMinor) {
        // The history shows what arrived; what was asked stays in the details.
        await tx.execute(
          `update wallet_transactions set amount = ?, details = details || ?::jsonb where workflow_id = ?`,
          [collectedMinor, JSON.stringify({ requestedAmountMinor: deposit.amountMinor }), fundingWorkflowId],
        );
      }
      await finishWalletTransaction(tx, fundingWorkflowId, { status: 'success', providerReference }, { overrideFailed: true });
    });
  }

  return withTypedFailures({
    async openFunding(input: FundWalletInput): Promise<number> {
      return orm.em.fork().transactional((tx) =>
        openWalletTransaction(tx, {
          tenant: input.tenant,
          userId: input.userId,
          kind: 'funding',
          amountMinor: BigInt(input.amountMinor),
          currency: input.currency,
          reference: input.reference,
          workflowId: currentWorkflowId(),
          details: { method: input.method },
        }),
      );
    },

    async requestPaymentCollection(
      input: FundWalletInput,
    ): Promise<{ status: CollectionStatus; providerReference: string; paymentUrl?: string }> {
      const collection = await providers.payments(input.tenant).createCollection({
        reference: input.reference,
        amountMinor: BigInt(input.amountMinor),
        currency: input.currency,
        customerEmail: input.customerEmail,
        description: `Wallet funding ${input.reference}`,
      });
      return { status: collection.status, providerReference: collection.providerReference, paymentUrl: collection.paymentUrl };
    },

    async checkPaymentCollection(input: FundWalletInput): Promise<{ status: CollectionStatus; amountMinor: string }> {
      const collection = await providers.payments(input.tenant).getCollection(input.reference);
      return { status: collection.status, amountMinor: (collection.collectedMinor ?? BigInt(input.amountMinor)).toString() };
    },

    async creditFundedWallet(input: FundWalletInput, providerReference: string, collectedMinor: string): Promise<void> {
      await creditDeposit(input, currentWorkflowId(), collectedMinor, providerReference);
    },

    async failFunding(reason: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional((tx) => finishWalletTransaction(tx, id, { status: 'failed', failureReason: reason }));
    },

    /** A deposit the provider confirmed after its flow had given up: credit what arrived, once. */
    async creditLatePayment(input: LatePaymentInput): Promise<'credited' | 'already-credited'> {
      const [row] = await orm.em.fork().execute<{ user_id: string; amount: string; currency: string; status: string }[]>(
        `select user_id, amount, currency, status from wallet_transactions
         where tenant = ? and reference = ? and workflow_id = ? and kind = 'funding'`,
        [input.tenant, input.reference, input.fundingWorkflowId],
      );
      if (!row) throw new DomainError(FailureType.NotFound, `no deposit ${input.reference}`);
      if (row.status === 'success') return 'already-credited';
      const deposit = { tenant: input.tenant, userId: Number(row.user_id), currency: row.currency, amountMinor: row.amount, reference: input.reference };
      await creditDeposit(deposit, input.fundingWorkflowId, input.amountMinor);
      return 'credited';
    },

    /** Money that arrived for no deposit we know: parked in suspense with an item an operator resolves. */
    async parkPaymentInSuspense(input: UnmatchedPaymentInput): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const [tenant] = await tx.execute<{ currency: string }[]>('select currency from tenants where slug = ?', [input.tenant]);
        if (!tenant) throw new DomainError(FailureType.NotFound, `unknown tenant ${input.tenant}`);
        const at = { tenant: input.tenant, currency: tenant.currency };
        const clearing = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.paymentsClearing);
        const suspense = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.suspense);
        const amount = BigInt(input.amountMinor);
        const posted = await postJournalEntry(tx, {
          tenant: input.tenant,
          idempotencyKey: `${currentWorkflowId()}:park-in-suspense`,
          description: `Unmatched ${input.provider} payment ${input.reference}`,
          lines: [
            { accountId: clearing, direction: 'debit', amount },
            { accountId: suspense, direction: 'credit', amount },
          ],
          metadata: { provider: input.provider, eventId: input.eventId, reference: input.reference },
        });
        await tx.execute(
          `insert into reconciliation_items (tenant, kind, reference, amount, currency, entry_id, details)
           values (?, 'unmatched_payment', ?, ?, ?, ?, ?) on conflict (tenant, kind, reference) do nothing`,
          [
            input.tenant,
            input.reference,
            input.amountMinor,
            tenant.currency,
            posted.entryId.toString(),
            JSON.stringify({ provider: input.provider, eventId: input.eventId }),
          ],
        );
      });
    },

    /** Moves an open suspense item's money into a user's wallet and closes the item, in one transaction. */
    async creditWalletFromSuspense(input: SuspenseResolution): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const [item] = await tx.execute<{ amount: string; currency: string; status: string; reference: string }[]>(
          'select amount, currency, status, reference from reconciliation_items where id = ? and tenant = ? for update',
          [input.itemId, input.tenant],
        );
        if (!item) throw new DomainError(FailureType.NotFound, `no suspense item ${input.itemId}`);
        const at = { tenant: input.tenant, currency: item.currency };
        const suspense = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.suspense);
        const wallet = await ensureWalletAccount(tx, at, input.userId);
        const amount = BigInt(item.amount);
        // Keyed by the item, so a second resolution of the same item can never move the money twice.
        await postJournalEntry(tx, {
          tenant: input.tenant,
          idempotencyKey: `${input.tenant}:suspense-item:${input.itemId}:resolve`,
          description: `Suspense item ${input.itemId} (${item.reference}) to wallet`,
          lines: [
            { accountId: suspense, direction: 'debit', amount },
            { accountId: wallet, direction: 'credit', amount },
          ],
          metadata: { itemId: input.itemId, operator: input.operator, reason: input.reason },
        });
        await tx.execute(
          `update reconciliation_items set status = 'resolved', resolved_at = now(), resolution = ? where id = ? and status = 'open'`,
          [JSON.stringify({ action: 'credit_wallet', userId: input.userId, reason: input.reason, operator: input.operator }), input.itemId],
        );
      });
    },
  });
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
