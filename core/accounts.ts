/** Ledger account codes. Wallets are per user; the rest exist once per tenant. */
export const SYSTEM_ACCOUNTS = {
  /** Money collected by the payment provider but not yet settled to us. */
  paymentsClearing: 'clearing:payments',
  /** Money owed to VTU / bill providers for delivered purchases. */
  vtuClearing: 'clearing:vtu',
  fees: 'revenue:fees',
  suspense: 'suspense',
} as const;

export function walletAccountCode(userId: number): string {
  return `wallet:${userId}`;
}
