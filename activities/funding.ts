import { currentWorkflowId } from './context.js';
import type { Orm } from '../db/orm.js';
import { postJournalEntry } from '../core/ledger.js';
import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import type { CollectionStatus, PaymentProvider } from '../providers/types.js';
import type { FundWalletInput } from '../workflows/contracts.js';
import { finishWalletTransaction, openWalletTransaction } from './wallet-transactions.js';
import { withTypedFailures } from './failures.js';

export interface FundingActivityDeps {
  orm: Orm;
  payments: PaymentProvider;
}

export function createFundingActivities({ orm, payments }: FundingActivityDeps) {
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

    async requestPaymentCollection(input: FundWalletInput): Promise<{ status: CollectionStatus; providerReference: string }> {
      const collection = await payments.createCollection({
        reference: input.reference,
        amountMinor: BigInt(input.amountMinor),
        currency: input.currency,
        customerEmail: input.customerEmail,
        description: `Wallet funding ${input.reference}`,
      });
      return { status: collection.status, providerReference: collection.providerReference };
    },

    async checkPaymentCollection(reference: string): Promise<CollectionStatus> {
      return (await payments.getCollection(reference)).status;
    },

    /** Credits the wallet and closes the history row in one transaction, once per flow. */
    async creditFundedWallet(input: FundWalletInput, providerReference: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional(async (tx) => {
        const wallet = await ensureWalletAccount(tx, input, input.userId);
        const clearing = await ensureSystemAccount(tx, input, SYSTEM_ACCOUNTS.paymentsClearing);
        const amount = BigInt(input.amountMinor);
        await postJournalEntry(tx, {
          tenant: input.tenant,
          idempotencyKey: `${id}:credit-wallet`,
          description: `Wallet funding ${input.reference}`,
          lines: [
            { accountId: clearing, direction: 'debit', amount },
            { accountId: wallet, direction: 'credit', amount },
          ],
          metadata: { reference: input.reference, workflowId: id },
        });
        await finishWalletTransaction(tx, id, { status: 'success', providerReference });
      });
    },

    async failFunding(reason: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional((tx) => finishWalletTransaction(tx, id, { status: 'failed', failureReason: reason }));
    },
  });
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
