import type { Orm } from '../db/orm.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CollectionStatus } from '../providers/types.js';
import { withTypedFailures } from './failures.js';

export interface ReconciliationActivityDeps {
  orm: Orm;
  providers: ProviderRegistry;
}

export interface DepositToRequery {
  reference: string;
  workflowId: string;
  amountMinor: string;
}

/** How far back a failed deposit is still asked about; providers settle late, but not months late. */
const REQUERY_WINDOW_DAYS = 7;
const REQUERY_BATCH = 100;

export function createReconciliationActivities({ orm, providers }: ReconciliationActivityDeps) {
  return withTypedFailures({
    /** Deposits that ended failed (no webhook in time, or none at all) and may still have been paid. */
    async findDepositsToRequery(tenant: string): Promise<DepositToRequery[]> {
      const rows = await orm.em.fork().execute<{ reference: string; workflow_id: string; amount: string }[]>(
        `select reference, workflow_id, amount from wallet_transactions
         where tenant = ? and kind = 'funding' and status = 'failed' and created_at > now() - make_interval(days => ?)
         order by id limit ?`,
        [tenant, REQUERY_WINDOW_DAYS, REQUERY_BATCH],
      );
      return rows.map((r) => ({ reference: r.reference, workflowId: r.workflow_id, amountMinor: r.amount }));
    },

    async requeryDeposit(tenant: string, reference: string): Promise<{ status: CollectionStatus; collectedMinor?: string }> {
      const collection = await providers.payments(tenant).getCollection(reference);
      return { status: collection.status, collectedMinor: collection.collectedMinor?.toString() };
    },

    async listItemsAwaitingOperators(tenant: string): Promise<{ purchasesAwaitingReview: string[]; openSuspenseItems: number }> {
      const em = orm.em.fork();
      const reviews = await em.execute<{ reference: string }[]>(
        `select reference from wallet_transactions where tenant = ? and under_review and status = 'pending' order by id limit 100`,
        [tenant],
      );
      const [open] = await em.execute<{ n: string }[]>(
        `select count(*) as n from reconciliation_items where tenant = ? and status = 'open'`,
        [tenant],
      );
      return { purchasesAwaitingReview: reviews.map((r) => r.reference), openSuspenseItems: Number(open!.n) };
    },
  });
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
