import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureAccount } from './ledger.js';

/** Ledger account codes. Wallets are per user; the rest exist once per tenant. */
export const SYSTEM_ACCOUNTS = {
  /** Money collected by the payment provider but not yet settled to us. */
  paymentsClearing: 'clearing:payments',
  /** Money owed to VTU / bill providers for delivered purchases. */
  vtuClearing: 'clearing:vtu',
  fees: 'revenue:fees',
  suspense: 'suspense',
  /** What the tenant pays out as rewards (referrals): an expense, so its balance runs below zero. */
  rewards: 'expense:rewards',
} as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[keyof typeof SYSTEM_ACCOUNTS];

export function walletAccountCode(userId: number): string {
  return `wallet:${userId}`;
}

export interface TenantCurrency {
  tenant: string;
  currency: string;
}

/** A user's wallet: a liability that can never be overdrawn. */
export function ensureWalletAccount(tx: EntityManager, at: TenantCurrency, userId: number): Promise<bigint> {
  return ensureAccount(tx, { ...at, code: walletAccountCode(userId), userId, debitsMustNotExceedCredits: true });
}

export function ensureSystemAccount(tx: EntityManager, at: TenantCurrency, code: SystemAccount): Promise<bigint> {
  return ensureAccount(tx, { ...at, code, debitsMustNotExceedCredits: false });
}
