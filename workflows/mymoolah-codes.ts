/**
 * MyMoolah's voucher numbers, pure and workflow-safe: 16-digit MMVoucher codes and 14-digit
 * EasyPay numbers, each ending in a Luhn check digit, and the way the app shows them.
 */

/** The Luhn check digit that completes `payload`. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidLuhn(digits: string): boolean {
  return /^\d{2,}$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** EasyPay numbers start with 9 and the receiver id EasyPay gave MyMoolah. */
export const EASYPAY_PREFIX = '91234';

export const isVoucherCode = (code: string) => /^\d{16}$/.test(code) && hasValidLuhn(code);
export const isEasyPayCode = (code: string) => /^9\d{13}$/.test(code) && hasValidLuhn(code);

/** `1093 2371 6105 6632` */
export const displayVoucherCode = (code: string) => code.replace(/(\d{4})(?=\d)/g, '$1 ');

/** `9 1234 3886 6192 9`: the network's prefix digit, three groups of four, the check digit. */
export const displayEasyPayCode = (code: string) => `${code.slice(0, 1)} ${code.slice(1, 5)} ${code.slice(5, 9)} ${code.slice(9, 13)} ${code.slice(13)}`;

/** An EasyPay number for the n-th EasyPay voucher (8-digit account number, then the check digit). */
export function easyPayCodeFor(accountNumber: number): string {
  const payload = `${EASYPAY_PREFIX}${String(accountNumber).padStart(8, '0')}`;
  return `${payload}${luhnCheckDigit(payload)}`;
}

/** Completes 15 random digits (first not zero) into an MMVoucher code. */
export function voucherCodeFrom(randomDigits: string): string {
  return `${randomDigits}${luhnCheckDigit(randomDigits)}`;
}
