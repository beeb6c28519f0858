import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransactionKind } from '../db/entities/index.js';

export interface OpenTransaction {
  tenant: string;
  userId: number;
  kind: TransactionKind;
  amountMinor: bigint;
  currency: string;
  reference: string;
  workflowId: string;
  details: Record<string, unknown>;
}

/** Records the user-visible row once per flow; a retried activity finds the first one. */
export async function openWalletTransaction(tx: EntityManager, t: OpenTransaction): Promise<number> {
  const inserted = await tx.execute<{ id: string }[]>(
    `insert into wallet_transactions (tenant, user_id, kind, amount, currency, reference, workflow_id, details)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (workflow_id) do nothing returning id`,
    [t.tenant, t.userId, t.kind, t.amountMinor.toString(), t.currency, t.reference, t.workflowId, JSON.stringify(t.details)],
  );
  if (inserted[0]) return Number(inserted[0].id);
  const [existing] = await tx.execute<{ id: string }[]>('select id from wallet_transactions where workflow_id = ?', [
    t.workflowId,
  ]);
  return Number(existing!.id);
}

/**
 * Moves a pending row to its final status; a final row never changes again, except that a
 * deposit given up as failed becomes successful when its payment arrives late.
 */
export async function finishWalletTransaction(
  tx: EntityManager,
  workflowId: string,
  outcome: {
    status: 'success' | 'failed';
    providerReference?: string;
    failureReason?: string;
    /** An operator's decision that ended a review, kept with the row for the audit trail. */
    decision?: { action: string; reason: string; operator: string };
    /** What the provider delivered that the buyer needs later (a prepaid electricity token, a voucher PIN). */
    token?: string;
  },
  opts: { overrideFailed?: boolean } = {},
): Promise<void> {
  const from = opts.overrideFailed ? ['pending', 'failed'] : ['pending'];
  const details = {
    ...(outcome.decision && { decision: { ...outcome.decision, decidedAt: new Date().toISOString() } }),
    ...(outcome.token && { token: outcome.token }),
  };
  await tx.execute(
    `update wallet_transactions
     set status = ?, provider_reference = coalesce(?, provider_reference), failure_reason = ?, under_review = false,
         details = details || ?::jsonb, updated_at = now()
     where workflow_id = ? and status in (?)`,
    [outcome.status, outcome.providerReference ?? null, outcome.failureReason ?? null, JSON.stringify(details), workflowId, from],
  );
}
