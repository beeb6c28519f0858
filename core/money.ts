/**
 * Money is integer minor units (bigint) inside the platform. Surfaces accept and show major units
 * as their specs do; these are the only conversions between the two, and each takes the currency,
 * because a currency's exponent decides what one minor unit is (kobo, paisa, a millionth of USDT).
 *
 * Workflow-safe: no imports, no I/O, no floats in the arithmetic.
 */

/** Mirrors the `currencies` table (a test keeps the two equal); workflows cannot read the table. */
export const CURRENCY_EXPONENTS = {
  NGN: 2,
  NPR: 2,
  ZAR: 2,
  INR: 2,
  USDT: 6,
  /** Reward points (ChargeGhar): whole points, kept in the ledger like money but never mixed with it. */
  PTS: 0,
} as const satisfies Record<string, number>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** Decimal places of the currency's major unit; unknown currencies are refused, never guessed. */
export function currencyExponent(currency: string): number {
  if (!isCurrencyCode(currency)) throw new RangeError(`unknown currency: ${currency}`);
  return CURRENCY_EXPONENTS[currency];
}

/** Parses a major-unit amount with at most the currency's decimals, via its decimal string. */
export function toMinor(major: number | string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const parsed = parseDecimal(major, exponent);
  if (!parsed) {
    throw new RangeError(`not a ${currency} amount with at most ${exponent} decimals: ${plainText(major)}`);
  }
  const minor = BigInt(parsed.whole) * 10n ** BigInt(exponent) + BigInt(parsed.fraction.padEnd(exponent, '0') || '0');
  return parsed.negative ? -minor : minor;
}

/** True when the amount has no more decimals than the currency allows (two for NGN, six for USDT). */
export function hasValidDecimals(major: number | string, currency: string): boolean {
  return parseDecimal(major, currencyExponent(currency)) !== null;
}

/** For specs that show a decimal string: every decimal of the currency ("500.00", "1.250000"). */
export function toMajorString(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const unit = 10n ** BigInt(exponent);
  const whole = (abs / unit).toString();
  const fraction = exponent === 0 ? '' : `.${(abs % unit).toString().padStart(exponent, '0')}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * For JSON bodies whose spec shows a number (5400.00): the nearest double to the exact decimal,
 * parsed from its string rather than divided, so 0.1 NGN is 0.1 and not 0.1000000000000000055.
 */
export function toMajorNumber(minor: bigint, currency: string): number {
  return Number(toMajorString(minor, currency));
}

function parseDecimal(
  major: number | string,
  maxDecimals: number,
): { negative: boolean; whole: string; fraction: string } | null {
  const text = plainText(major);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > maxDecimals) return null;
  return { negative: sign === '-', whole: whole!, fraction };
}

function plainText(major: number | string): string {
  if (typeof major === 'string') return major.trim();
  if (!Number.isFinite(major)) return String(major);
  // Avoid exponent notation (1e21) so the decimal check sees every digit.
  return Math.abs(major) >= 1e21 ? BigInt(Math.trunc(major)).toString() : major.toString();
}
