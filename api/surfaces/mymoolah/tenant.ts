export const MYMOOLAH = { slug: 'mymoolah', currency: 'ZAR' } as const;

/** MyMoolah's numbering: deposits, purchases, vouchers (flow keys) and EasyPay account numbers. */
export const MYMOOLAH_REFERENCES = {
  deposit: { kind: 'deposit', startAt: 1_000_001 },
  purchase: { kind: 'purchase', startAt: 1_000_001 },
  voucher: { kind: 'voucher', startAt: 1 },
  easyPay: { kind: 'easypay', startAt: 38_866_192 },
} as const;

/** The wallet id the app shows for a user's wallet (the ledger account is `wallet:<user id>`). */
export const walletIdOf = (userId: number) => `WAL-${String(userId).padStart(8, '0')}`;
export const userIdOfWalletId = (walletId: string): number | undefined => {
  const match = /^WAL-(\d{1,15})$/.exec(walletId);
  return match ? Number(match[1]) : undefined;
};

/** Exactly as the spec words it (with its non-breaking hyphen). */
export const EASYPAY_NOT_REDEEMABLE = 'EasyPay codes (14 digits) cannot be redeemed. Use the 16\u2011digit MMVoucher code.';
