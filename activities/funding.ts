import type { Orm } from '../db/orm.js';
import { DomainError, FailureType } from '../core/errors.js';
import { postJournalEntry } from '../core/ledger.js';
import { ensureSystemAccount, ensureWalletAccount, SYSTEM_ACCOUNTS } from '../core/accounts.js';
import type { CollectionStatus, PaymentProvider } from '../providers/types.js';
import type { FundWalletInput, LatePaymentInput } from '../workflows/contracts.js';
import { currentWorkflowId } from './context.js';
import { finishWalletTransaction, openWalletTransaction } from './wallet-transactions.js';
import { withTypedFailures } from './failures.js';

export interface FundingActivityDeps {
  orm: Orm;
  payments: PaymentProvider;
}

type Deposit = Pick<FundWalletInput, 'tenant' | 'userId' | 'currency' | 'amountMinor' | 'reference'>;

export function createFundingActivities({ orm, payments }: FundingActivityDeps) {
  /**
   * Credits the wallet and marks the deposit successful in one transaction. The posting key is
   * the funding flow's, so the wallet is credited at most once, whichever path gets there.
   */
  async function creditDeposit(deposit: Deposit, fundingWorkflowId: string, providerReference?: string): Promise<void> {
    await orm.em.fork().transactional(async (tx) => {
      const wallet = await ensureWalletAccount(tx, deposit, deposit.userId);
      const clearing = await ensureSystemAccount(tx, deposit, SYSTEM_ACCOUNTS.paymentsClearing);
      const amount = BigInt(deposit.amountMinor);
      await postJournalEntry(tx, {
        tenant: deposit.tenant,
        idempotencyKey: `${fundingWorkflowId}:credit-wallet`,
        description: `Wallet funding ${deposit.reference}`,
        lines: [
          { accountId: clearing, direction: 'debit', amount },
          { accountId: wallet, direction: 'credit', amount },
        ],
        metadata: { reference: deposit.reference, workflowId: fundingWorkflowId },
      });
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

    async creditFundedWallet(input: FundWalletInput, providerReference: string): Promise<void> {
      await creditDeposit(input, currentWorkflowId(), providerReference);
    },

    async failFunding(reason: string): Promise<void> {
      const id = currentWorkflowId();
      await orm.em.fork().transactional((tx) => finishWalletTransaction(tx, id, { status: 'failed', failureReason: reason }));
    },

    /** A deposit the provider confirmed after its flow had given up: credit it now, once. */
    async creditLatePayment(input: LatePaymentInput): Promise<'credited' | 'already-credited'> {
      const [row] = await orm.em.fork().execute<{ user_id: string; amount: string; currency: string; status: string }[]>(
        `select user_id, amount, currency, status from wallet_transactions
         where tenant = ? and reference = ? and workflow_id = ? and kind = 'funding'`,
        [input.tenant, input.reference, input.fundingWorkflowId],
      );
      if (!row) throw new DomainError(FailureType.NotFound, `no deposit ${input.reference}`);
      if (row.status === 'success') return 'already-credited';
      if (row.amount !== input.amountMinor) {
        throw new DomainError(FailureType.Validation, `collected ${input.amountMinor} but ${row.amount} was requested for ${input.reference}`);
      }
      const deposit = { tenant: input.tenant, userId: Number(row.user_id), currency: row.currency, amountMinor: row.amount, reference: input.reference };
      await creditDeposit(deposit, input.fundingWorkflowId);
      return 'credited';
    },
  });
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
