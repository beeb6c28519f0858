import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startFlow } from '../api/flows.js';
import { postJournalEntry } from '../core/ledger.js';
import { SYSTEM_ACCOUNTS, ensureSystemAccount, ensureWalletAccount } from '../core/accounts.js';
import { purchase } from '../workflows/index.js';
import { FlowType, flowWorkflowId, type PurchaseInput, type PurchaseOutcome } from '../workflows/contracts.js';
import { maxtera } from '../tests/support/maxtera.js';
import type { TestPlatform } from '../tests/support/platform.js';
import { createTrivialActivities } from './trivial-activities.js';
import { trivialFlow } from './trivial-workflow.js';

const TENANT = 'maxtera';
const CURRENCY = 'NGN';
const PRICE_MINOR = 10_000n;

export interface FlowBenchOptions {
  flows: number;
  concurrency: number;
  warmupFlows: number;
}

export interface FlowBenchResult {
  flows: number;
  failed: number;
  seconds: number;
  flowsPerSecond: number;
}

/**
 * Airtime purchases end to end: hold, the sandbox VTU provider over HTTP, settlement. Each
 * starter buys for its own funded user, so wallets do not queue behind each other.
 */
export async function measurePurchases(platform: TestPlatform, opts: FlowBenchOptions): Promise<FlowBenchResult> {
  const run = randomUUID().slice(0, 8);
  const buyers = await fundedBuyers(platform, opts.concurrency, PRICE_MINOR * BigInt(opts.flows + opts.warmupFlows));
  let sequence = 0;
  const buy = async (starter: number): Promise<boolean> => {
    const userId = buyers[starter]!;
    const reference = `BENCH-${run}-${sequence++}`;
    const input: PurchaseInput = {
      tenant: TENANT,
      userId,
      currency: CURRENCY,
      kind: 'airtime',
      amountMinor: PRICE_MINOR.toString(),
      reference,
      serviceId: 'MTN',
      recipient: '08031234567',
      description: `MTN airtime for 08031234567 (${reference})`,
      timing: { requeryIntervalMs: 200, requeryLimitMs: 20_000, holdTtlMs: 3_600_000 },
    };
    const handle = await startFlow(platform.temporal, platform.config.TEMPORAL_TASK_QUEUE, {
      workflow: purchase,
      workflowId: flowWorkflowId(TENANT, FlowType.Purchase, reference),
      args: [input],
      tenant: TENANT,
      userId,
      flowType: FlowType.Purchase,
      requestId: `bench-${run}`,
      memo: { reference, amountMinor: input.amountMinor, kind: input.kind },
    });
    const outcome: PurchaseOutcome = await handle.result();
    return outcome.status === 'success';
  };
  await inParallel(opts.warmupFlows, opts.concurrency, buy);
  return inParallel(opts.flows, opts.concurrency, buy);
}

/** The same load on `trivialFlow`, served by its own worker with default settings like the platform's. */
export async function measureTrivialFlows(platform: TestPlatform, opts: FlowBenchOptions): Promise<FlowBenchResult> {
  const run = randomUUID().slice(0, 8);
  const taskQueue = `bench-trivial-${run}`;
  const bundle = await bundleWorkflowCode({
    workflowsPath: new URL('./trivial-workflow.ts', import.meta.url).pathname,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const connection = await NativeConnection.connect({ address: platform.config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: platform.config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowBundle: { code: bundle.code },
      activities: createTrivialActivities(),
    });
    let sequence = 0;
    const runOne = async (): Promise<boolean> => {
      const reference = `bench-${run}-${sequence++}`;
      const result = await platform.temporal.workflow.execute(trivialFlow, { taskQueue, workflowId: reference, args: [reference] });
      return result === reference;
    };
    return await worker.runUntil(async () => {
      await inParallel(opts.warmupFlows, opts.concurrency, runOne);
      return inParallel(opts.flows, opts.concurrency, runOne);
    });
  } finally {
    await connection.close();
  }
}

/** Real users signed up over the API, their wallets credited from payments clearing as a deposit would be. */
async function fundedBuyers(platform: TestPlatform, count: number, amountEach: bigint): Promise<number[]> {
  const users = await Promise.all(Array.from({ length: count }, () => maxtera(platform).signUp()));
  const at = { tenant: TENANT, currency: CURRENCY };
  await platform.orm.em.fork().transactional(async (tx) => {
    const clearing = await ensureSystemAccount(tx, at, SYSTEM_ACCOUNTS.paymentsClearing);
    for (const user of users) {
      const wallet = await ensureWalletAccount(tx, at, user.id);
      await postJournalEntry(tx, {
        tenant: TENANT,
        idempotencyKey: `bench:fund-buyer:${user.id}`,
        description: 'Bench buyer funding',
        lines: [
          { accountId: clearing, direction: 'debit', amount: amountEach },
          { accountId: wallet, direction: 'credit', amount: amountEach },
        ],
      });
    }
  });
  return users.map((u) => u.id);
}

/** Runs `total` flows, `concurrency` at a time; a starter begins another as soon as its flow ends. */
async function inParallel(
  total: number,
  concurrency: number,
  runFlow: (starter: number) => Promise<boolean>,
): Promise<FlowBenchResult> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, starter) => {
      while (next < total) {
        next++;
        if (!(await runFlow(starter))) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { flows: total, failed, seconds, flowsPerSecond: total / seconds };
}
