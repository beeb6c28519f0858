import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import type { Orm } from '../../db/orm.js';
import { createActivities } from '../../activities/index.js';
import { startFlow } from '../../api/flows.js';
import { ensureSystemAccount, SYSTEM_ACCOUNTS, walletAccountCode } from '../../core/accounts.js';
import { findAccountId, getBalances, postJournalEntry, type AccountBalances } from '../../core/ledger.js';
import { registerUser } from '../../core/users.js';
import type { Capability, CapabilityProviders, ProviderRegistry } from '../../providers/registry.js';
import {
  ProviderRejectedError,
  type Collection,
  type CollectionRequest,
  type CollectionStatus,
  type PaymentProvider,
  type VtuOrder,
  type VtuProvider,
  type VtuResult,
} from '../../providers/types.js';
import { resolveTemporalCli } from '../../scripts/temporal-cli.js';
import {
  COLLECTION_REFUSED_REASON,
  FailureType,
  FlowType,
  FlowTypeKey,
  flowWorkflowId,
  fundingStateQuery,
  payableReferenceUpdate,
  paymentWebhookSignal,
  purchaseDecisionSignal,
  purchaseStateQuery,
  TenantSlugKey,
  UserIdKey,
  type FundWalletInput,
  type PurchaseInput,
} from '../../workflows/contracts.js';
import { fundWallet, purchase, reconcileTenant, runHousekeeping, settleLatePayment } from '../../workflows/index.js';
import { openIsolatedTestOrm, requireEnv, uniqueId } from '../support/db.js';
import { eventually } from '../support/maxtera.js';

const TENANT = 'maxtera';
const CURRENCY = 'NGN';

/** A VTU provider whose orders stay pending until the test answers them. */
class ScriptedVtu implements VtuProvider {
  readonly name = 'scripted-vtu';
  private readonly answers = new Map<string, VtuResult>();
  private readonly queried = new Map<string, number>();

  answer(requestId: string, result: VtuResult): void {
    this.answers.set(requestId, result);
  }

  queriesOf(requestId: string): number {
    return this.queried.get(requestId) ?? 0;
  }

  async submitOrder(order: VtuOrder): Promise<VtuResult> {
    return this.answers.get(order.requestId) ?? { status: 'pending' };
  }

  async queryOrder(requestId: string): Promise<VtuResult> {
    this.queried.set(requestId, this.queriesOf(requestId) + 1);
    return this.answers.get(requestId) ?? { status: 'pending' };
  }
}

/** A payment provider whose collections stay open until the test says what was collected. */
class ScriptedPayments implements PaymentProvider {
  readonly name = 'scripted-payments';
  private readonly requested = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly held = new Map<string, Promise<void>>();
  private readonly checksHeld = new Map<string, Promise<void>>();
  private readonly outcomes = new Map<string, { status: CollectionStatus; collectedMinor?: bigint }>();

  /** The provider takes its time to accept this collection, until the returned function is called. */
  holdCollection(reference: string): () => void {
    return gate(this.held, reference);
  }

  /** The provider takes its time to say how this collection stands, until the returned function is called. */
  holdStatusCheck(reference: string): () => void {
    return gate(this.checksHeld, reference);
  }

  refuse(reference: string): void {
    this.refused.add(reference);
  }

  collect(reference: string, status: CollectionStatus, collectedMinor?: bigint): void {
    this.outcomes.set(reference, { status, collectedMinor });
  }

  wasAskedToCollect(reference: string): boolean {
    return this.requested.has(reference);
  }

  async createCollection(request: CollectionRequest): Promise<Collection> {
    this.requested.add(request.reference);
    await this.held.get(request.reference);
    if (this.refused.has(request.reference)) throw new ProviderRejectedError(this.name, 'DECLINED', 'collection declined');
    return { ...this.collectionOf(request.reference), status: 'pending' };
  }

  async getCollection(reference: string): Promise<Collection> {
    await this.checksHeld.get(reference);
    const outcome = this.outcomes.get(reference);
    return { ...this.collectionOf(reference), status: outcome?.status ?? 'pending', collectedMinor: outcome?.collectedMinor };
  }

  private collectionOf(reference: string): Omit<Collection, 'status'> {
    return { reference, providerReference: `SP-${reference}`, paymentUrl: `https://pay.example/${reference}` };
  }
}

function gate(gates: Map<string, Promise<void>>, key: string): () => void {
  let release!: () => void;
  gates.set(key, new Promise<void>((resolve) => (release = resolve)));
  return release;
}

function scriptedRegistry(payments: PaymentProvider, vtu: VtuProvider): ProviderRegistry {
  function get<C extends Capability>(_tenant: string, capability: C): CapabilityProviders[C] {
    if (capability === 'payments') return payments as CapabilityProviders[C];
    if (capability === 'vtu') return vtu as CapabilityProviders[C];
    throw new Error(`the scripted registry has no ${capability} provider`);
  }
  return { get, payments: () => payments, vtu: () => vtu, webhookReceiver: () => undefined };
}


let orm: Orm;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `money-flows-${randomUUID()}`;
const payments = new ScriptedPayments();
const vtu = new ScriptedVtu();

beforeAll(async () => {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('no Temporal CLI: set TEMPORAL_CLI_PATH or run `npm run setup:temporal`');
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  // This file's flows run on their own Temporal server: its own database keeps the sweepers of the
  // two servers from taking each other's live flows for closed.
  orm = await openIsolatedTestOrm();
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: [TenantSlugKey, UserIdKey, FlowTypeKey] },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: requireEnv('WORKFLOW_BUNDLE_PATH') },
    activities: createActivities({ orm, providers: scriptedRegistry(payments, vtu), temporal: env.client }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await orm?.close();
});

// --- users, money and rows --------------------------------------------------------------------

async function newUser(openingBalanceMinor = 0n): Promise<number> {
  const user = await registerUser(orm.em, {
    tenant: TENANT,
    currency: CURRENCY,
    email: `${uniqueId('flows')}@example.com`,
    phone: '08031234567',
    password: 'correct-horse-1',
  });
  if (openingBalanceMinor > 0n) {
    await orm.em.fork().transactional(async (tx) => {
      const at = { tenant: TENANT, currency: CURRENCY };
      const clearing = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.paymentsClearing);
      await postJournalEntry(tx, {
        tenant: TENANT,
        idempotencyKey: uniqueId('opening-balance'),
        description: 'opening balance',
        lines: [
          { accountId: clearing, direction: 'debit', amount: openingBalanceMinor },
          { accountId: (await findAccountId(tx, TENANT, walletAccountCode(user.id)))!, direction: 'credit', amount: openingBalanceMinor },
        ],
      });
    });
  }
  return user.id;
}

async function walletOf(userId: number): Promise<Pick<AccountBalances, 'ledger' | 'available'>> {
  const em = orm.em.fork();
  const { ledger, available } = await getBalances(em, (await findAccountId(em, TENANT, walletAccountCode(userId)))!);
  return { ledger, available };
}

/** The idempotency keys of every posting that touched the user's wallet. */
async function walletPostings(userId: number): Promise<string[]> {
  const em = orm.em.fork();
  const rows = await em.execute<{ idempotency_key: string }[]>(
    `select e.idempotency_key from journal_entries e join journal_lines l on l.entry_id = e.id
     where l.account_id = ? order by e.id`,
    [(await findAccountId(em, TENANT, walletAccountCode(userId)))!.toString()],
  );
  return rows.map((r) => r.idempotency_key);
}

interface TransactionRow {
  status: string;
  under_review: boolean;
  amount: string;
  failure_reason: string | null;
  details: { decision?: { action: string } };
  hold_id: string | null;
  hold_status: string | null;
}

async function transactionOf(workflowId: string): Promise<TransactionRow> {
  const [row] = await orm.em.fork().execute<TransactionRow[]>(
    `select t.status, t.under_review, t.amount::text as amount, t.failure_reason, t.details, t.hold_id::text as hold_id, h.status as hold_status
     from wallet_transactions t left join ledger_holds h on h.id = t.hold_id where t.workflow_id = ?`,
    [workflowId],
  );
  if (!row) throw new Error(`no wallet transaction for ${workflowId}`);
  return row;
}

async function pendingActivities(handle: WorkflowHandle): Promise<string[]> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '');
}

// --- purchases ----------------------------------------------------------------------------------

function purchaseInput(userId: number, timing: Partial<PurchaseInput['timing']> = {}): PurchaseInput {
  return {
    tenant: TENANT,
    userId,
    currency: CURRENCY,
    kind: 'airtime',
    amountMinor: '30000',
    reference: uniqueId('MFT-AIR'),
    serviceId: 'MTN',
    recipient: '08031234567',
    description: 'MTN airtime',
    // The hold outlives the test by far: only this file's own SQL makes one expire.
    timing: { requeryIntervalMs: 250, requeryLimitMs: 1_000, holdTtlMs: 3_600_000, ...timing },
  };
}

function startPurchase(input: PurchaseInput) {
  return env.client.workflow.start(purchase, {
    taskQueue,
    workflowId: flowWorkflowId(TENANT, FlowType.Purchase, input.reference),
    args: [input],
  });
}

async function purchaseUnderReview(): Promise<{ userId: number; handle: WorkflowHandle<typeof purchase> }> {
  const userId = await newUser(100_000n);
  const handle = await startPurchase(purchaseInput(userId));
  await eventually(() => handle.query(purchaseStateQuery), (s) => s.status === 'review');
  return { userId, handle };
}

describe('a purchase whose outcome stays unknown past the requery limit', () => {
  it('when the requery limit passes, then the flow is under review, the hold stays reserved and the operator voids it', async () => {
    const { userId, handle } = await purchaseUnderReview();
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'pending', under_review: true, hold_status: 'pending' });
    expect(await walletOf(userId)).toEqual({ ledger: 100_000n, available: 70_000n });

    await handle.signal(purchaseDecisionSignal, { action: 'void', reason: 'provider confirmed no delivery', operator: 'ops@maxtera' });

    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'failed', failureReason: 'the purchase could not be confirmed and was refunded' });
    expect(await transactionOf(handle.workflowId)).toMatchObject({
      status: 'failed',
      under_review: false,
      hold_status: 'voided',
      details: { decision: { action: 'void' } },
    });
    expect(await walletOf(userId)).toEqual({ ledger: 100_000n, available: 100_000n });
  });

  it('when the operator confirms delivery, then the flow posts the hold and the purchase succeeds', async () => {
    const { userId, handle } = await purchaseUnderReview();

    await handle.signal(purchaseDecisionSignal, { action: 'post', reason: 'provider statement shows delivery', operator: 'ops@maxtera' });

    expect(await handle.result()).toMatchObject({ status: 'success' });
    expect(await transactionOf(handle.workflowId)).toMatchObject({
      status: 'success',
      under_review: false,
      hold_status: 'posted',
      details: { decision: { action: 'post' } },
    });
    expect(await walletOf(userId)).toEqual({ ledger: 70_000n, available: 70_000n });
  });
});

/** A purchase still re-querying its provider whose hold has passed its expiry, after a sweep has run. */
async function sweptWhileReQuerying() {
  const userId = await newUser(100_000n);
  const input = purchaseInput(userId, { requeryIntervalMs: 300, requeryLimitMs: 60_000 });
  const handle = await startPurchase(input);
  await eventually(async () => vtu.queriesOf(input.reference), (n) => n >= 1);
  const { hold_id: holdId } = await transactionOf(handle.workflowId);
  await orm.em.fork().execute(`update ledger_holds set expires_at = now() - interval '1 minute' where id = ?`, [holdId]);
  const swept = await env.client.workflow.execute(runHousekeeping, {
    taskQueue,
    workflowId: flowWorkflowId('platform', FlowType.Housekeeping, uniqueId('run')),
  });
  return { userId, input, handle, swept };
}

describe('the hold sweeper next to a live purchase', () => {
  it('when a re-querying purchase has an expired hold, then the sweep leaves it to its flow, which releases it on the provider\'s refusal', async () => {
    const { userId, input, handle, swept } = await sweptWhileReQuerying();

    expect(swept.holdsLeftToLiveFlows).toBeGreaterThanOrEqual(1);
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'pending', under_review: false, hold_status: 'pending' });
    expect(await walletOf(userId)).toEqual({ ledger: 100_000n, available: 70_000n });

    vtu.answer(input.reference, { status: 'failed', message: 'invalid recipient' });

    expect(await handle.result()).toMatchObject({ status: 'failed', failureReason: 'invalid recipient' });
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'failed', hold_status: 'voided' });
    expect(await walletOf(userId)).toEqual({ ledger: 100_000n, available: 100_000n });
  });

  it('when a re-querying purchase has an expired hold and the provider then delivers, then its flow posts the hold', async () => {
    const { userId, input, handle } = await sweptWhileReQuerying();

    vtu.answer(input.reference, { status: 'success', providerReference: `VT-${input.reference}` });

    expect(await handle.result()).toMatchObject({ status: 'success' });
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'success', hold_status: 'posted' });
    expect(await walletOf(userId)).toEqual({ ledger: 70_000n, available: 70_000n });
  });
});

// --- deposits -----------------------------------------------------------------------------------

function depositInput(userId: number, amountMinor: string, timing: FundWalletInput['timing']): FundWalletInput {
  return {
    tenant: TENANT,
    userId,
    currency: CURRENCY,
    amountMinor,
    reference: uniqueId('MFT-DEP'),
    method: 'onepipe',
    customerEmail: 'payer@example.com',
    timing,
  };
}

/** A deposit whose deadline passes long before the provider is polled: only a webhook or a late path can credit it. */
const SHORT_DEADLINE = { timeoutMs: 1_000, pollIntervalMs: 600_000 };

/** Starts the deposit as the API does: the answer comes once the reference is payable. */
async function startDeposit(input: FundWalletInput): Promise<WorkflowHandle<typeof fundWallet>> {
  const workflowId = flowWorkflowId(TENANT, FlowType.FundWallet, input.reference);
  const operation = new WithStartWorkflowOperation(fundWallet, { taskQueue, workflowId, args: [input], workflowIdConflictPolicy: 'FAIL' });
  await env.client.workflow.executeUpdateWithStart(payableReferenceUpdate, { startWorkflowOperation: operation });
  return operation.workflowHandle();
}

/** What the webhook router does with a confirmed payment: signal the flow, or settle it late once it has closed. */
async function deliverPaymentWebhook(
  input: FundWalletInput,
  fundingWorkflowId: string,
  event: { eventId: string; amountMinor: string },
): Promise<'signalled' | 'credited' | 'already-credited'> {
  try {
    await env.client.workflow
      .getHandle(fundingWorkflowId)
      .signal(paymentWebhookSignal, { ...event, reference: input.reference, status: 'success' });
    return 'signalled';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const late = await startFlow(env.client, taskQueue, {
    workflow: settleLatePayment,
    workflowId: flowWorkflowId(TENANT, FlowType.LatePayment, input.reference),
    args: [{ tenant: TENANT, reference: input.reference, fundingWorkflowId, eventId: event.eventId, amountMinor: event.amountMinor }],
    tenant: TENANT,
    userId: input.userId,
    flowType: FlowType.LatePayment,
    requestId: uniqueId('req'),
  });
  return late.result();
}

describe('funding answers once the reference is payable', () => {
  it('when the provider is slow to accept the collection, then the update answers only after it has, and the payment completes at once', async () => {
    const userId = await newUser();
    const input = depositInput(userId, '250000', { timeoutMs: 60_000, pollIntervalMs: 600_000 });
    const workflowId = flowWorkflowId(TENANT, FlowType.FundWallet, input.reference);
    const release = payments.holdCollection(input.reference);
    const operation = new WithStartWorkflowOperation(fundWallet, { taskQueue, workflowId, args: [input], workflowIdConflictPolicy: 'FAIL' });
    let answered = false;
    const answer = env.client.workflow
      .executeUpdateWithStart(payableReferenceUpdate, { startWorkflowOperation: operation })
      .finally(() => (answered = true));

    await eventually(async () => payments.wasAskedToCollect(input.reference), Boolean);
    const handle = env.client.workflow.getHandle<typeof fundWallet>(workflowId);
    expect(await handle.query(fundingStateQuery)).toEqual({ reference: input.reference, status: 'pending' });
    expect(answered).toBe(false);

    release();
    await expect(answer).resolves.toEqual({ reference: input.reference, paymentUrl: `https://pay.example/${input.reference}` });

    await handle.signal(paymentWebhookSignal, { eventId: uniqueId('evt'), reference: input.reference, status: 'success', amountMinor: '250000' });
    expect(await handle.result()).toEqual({ reference: input.reference, status: 'success' });
    expect(await walletOf(userId)).toEqual({ ledger: 250_000n, available: 250_000n });
  });

  it('when the provider refuses the collection, then the update fails with PROVIDER_REJECTED and the deposit ends failed', async () => {
    const userId = await newUser();
    const input = depositInput(userId, '50000', SHORT_DEADLINE);
    payments.refuse(input.reference);
    const operation = new WithStartWorkflowOperation(fundWallet, {
      taskQueue,
      workflowId: flowWorkflowId(TENANT, FlowType.FundWallet, input.reference),
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });

    await expect(env.client.workflow.executeUpdateWithStart(payableReferenceUpdate, { startWorkflowOperation: operation })).rejects.toMatchObject({
      name: 'WorkflowUpdateFailedError',
      cause: { type: FailureType.ProviderRejected },
    });

    const handle = await operation.workflowHandle();
    expect(await handle.result()).toEqual({ reference: input.reference, status: 'failed', failureReason: COLLECTION_REFUSED_REASON });
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'failed', failure_reason: COLLECTION_REFUSED_REASON });
    expect(await walletPostings(userId)).toEqual([]);
  });
});

describe('a webhook arriving while a deposit is failing', () => {
  it('when the webhook arrives while the flow records its timeout, then the flow itself credits the wallet once', async () => {
    const userId = await newUser();
    const input = depositInput(userId, '120000', SHORT_DEADLINE);
    const releaseCheck = payments.holdStatusCheck(input.reference);
    const handle = await startDeposit(input);

    // The row lock keeps the flow inside its failure step until the webhook has been delivered.
    await orm.em.fork().transactional(async (tx) => {
      await tx.execute('select id from wallet_transactions where workflow_id = ? for update', [handle.workflowId]);
      releaseCheck();
      await eventually(() => pendingActivities(handle), (names) => names.includes('failFunding'));
      await handle.signal(paymentWebhookSignal, { eventId: uniqueId('evt'), reference: input.reference, status: 'success', amountMinor: '120000' });
    });

    expect(await handle.result()).toEqual({ reference: input.reference, status: 'success' });
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'success', failure_reason: null });
    expect(await walletOf(userId)).toEqual({ ledger: 120_000n, available: 120_000n });
    expect(await walletPostings(userId)).toEqual([`${handle.workflowId}:credit-wallet`]);
  });

  it('when the webhook arrives after the flow has closed failed, then the late-payment flow credits the wallet once, redelivery included', async () => {
    const userId = await newUser();
    const input = depositInput(userId, '90000', SHORT_DEADLINE);
    const handle = await startDeposit(input);
    expect(await handle.result()).toMatchObject({ status: 'failed' });
    const event = { eventId: uniqueId('evt'), amountMinor: '90000' };

    expect(await deliverPaymentWebhook(input, handle.workflowId, event)).toBe('credited');
    expect(await deliverPaymentWebhook(input, handle.workflowId, event)).toBe('credited');

    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'success' });
    expect(await walletOf(userId)).toEqual({ ledger: 90_000n, available: 90_000n });
    expect(await walletPostings(userId)).toEqual([`${handle.workflowId}:credit-wallet`]);
  });
});

describe('reconciliation', () => {
  it('when a timed-out deposit was collected after all and its webhook was lost, then reconciliation credits what arrived, once', async () => {
    const userId = await newUser();
    const input = depositInput(userId, '70000', SHORT_DEADLINE);
    const handle = await startDeposit(input);
    expect(await handle.result()).toMatchObject({ status: 'failed' });
    payments.collect(input.reference, 'success', 65_000n);
    const reconcile = () =>
      env.client.workflow.execute(reconcileTenant, {
        taskQueue,
        workflowId: flowWorkflowId(TENANT, FlowType.Reconciliation, uniqueId('run')),
        args: [TENANT],
      });

    const first = await reconcile();
    expect(first.lateDepositsCredited).toContain(input.reference);
    expect(await transactionOf(handle.workflowId)).toMatchObject({ status: 'success', amount: '65000' });
    expect(await walletOf(userId)).toEqual({ ledger: 65_000n, available: 65_000n });

    const second = await reconcile();
    expect(second.lateDepositsCredited).not.toContain(input.reference);
    expect(await walletOf(userId)).toEqual({ ledger: 65_000n, available: 65_000n });
    expect(await walletPostings(userId)).toEqual([`${handle.workflowId}:credit-wallet`]);
  });
});
