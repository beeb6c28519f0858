import { randomInt } from 'node:crypto';
import type { SandboxProviderName } from '../types.js';
import type { FaultOutcome, SandboxFaults } from './faults.js';

export type BookedStatus = 'delivered' | 'pending' | 'failed';

export interface BookedOrder<T> {
  requestId: string;
  details: T;
  /** The provider's own transaction id. */
  transactionId: string;
  status: BookedStatus;
  /** For an order answered as pending: what it becomes when first re-queried. */
  settlesAs?: FaultOutcome;
}

/**
 * The orders a selling sandbox has taken, keyed by the caller's request id, with the planned
 * faults applied: a request id is booked once, so a repeat never delivers twice.
 */
export interface SandboxOrderBook<T> {
  find(requestId: string): BookedOrder<T> | undefined;
  /** Books a new order; `answered: false` means the provider acted but its answer never leaves (timeout). */
  place(requestId: string, details: T): { order: BookedOrder<T>; answered: boolean };
  /** A status query: a planned `pending` fault keeps a pending order pending for that many more queries. */
  requery(order: BookedOrder<T>): BookedOrder<T>;
  /** How many times the order was actually delivered to the recipient: never more than once. */
  deliveries(requestId: string): number;
}

const SETTLED_STATUS: Record<FaultOutcome, BookedStatus> = { success: 'delivered', failed: 'failed' };

export function createSandboxOrderBook<T>(faults: SandboxFaults, provider: SandboxProviderName): SandboxOrderBook<T> {
  const orders = new Map<string, BookedOrder<T>>();
  const deliveryCounts = new Map<string, number>();

  function settle(order: BookedOrder<T>, status: BookedStatus): void {
    order.status = status;
    if (status === 'delivered') deliveryCounts.set(order.requestId, (deliveryCounts.get(order.requestId) ?? 0) + 1);
  }

  return {
    find: (requestId) => orders.get(requestId),

    place(requestId, details) {
      if (orders.has(requestId)) throw new Error(`${provider} sandbox: ${requestId} is already booked`);
      const order: BookedOrder<T> = { requestId, details, transactionId: String(randomInt(1e12, 1e13)), status: 'pending' };
      orders.set(requestId, order);
      const fault = faults.take(provider);
      switch (fault?.mode) {
        case 'error':
          settle(order, 'failed');
          break;
        case 'timeout':
          settle(order, SETTLED_STATUS[fault.outcome]);
          return { order, answered: false };
        case 'pending':
          order.settlesAs = fault.outcome;
          break;
        default:
          settle(order, 'delivered');
      }
      return { order, answered: true };
    },

    requery(order) {
      const stillUnknown = order.status === 'pending' && faults.peek(provider)?.mode === 'pending' && faults.take(provider);
      if (!stillUnknown && order.status === 'pending' && order.settlesAs) settle(order, SETTLED_STATUS[order.settlesAs]);
      return order;
    },

    deliveries: (requestId) => deliveryCounts.get(requestId) ?? 0,
  };
}


/** A string of random digits, e.g. a voucher PIN or an electricity token. */
export function randomDigits(length: number): string {
  let digits = '';
  while (digits.length < length) digits += String(randomInt(0, 1e9)).padStart(9, '0');
  return digits.slice(0, length);
}
