/**
 * Money is integer minor units (bigint) inside the platform. Surfaces accept and show major units
 * as their specs do; these are the only conversions between the two.
 */
export const MINOR_PER_MAJOR = 100n;

/** Parses a major-unit amount with at most two decimals, via its decimal string, never float maths. */
export function toMinor(major: number | string): bigint {
  const text = typeof major === 'number' ? numberToPlainString(major) : major.trim();
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`not an amount with at most two decimals: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const minor = BigInt(whole!) * MINOR_PER_MAJOR + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -minor : minor;
}

export function hasAtMostTwoDecimals(major: number): boolean {
  return /^-?\d+(\.\d{1,2})?$/.test(numberToPlainString(major));
}

/** For JSON bodies whose spec shows a number (5400.00); exact for any realistic wallet amount. */
export function toMajorNumber(minor: bigint): number {
  return Number(minor) / Number(MINOR_PER_MAJOR);
}

/** For specs that show a decimal string ("500.00"). */
export function toMajorString(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = abs / MINOR_PER_MAJOR;
  const fraction = (abs % MINOR_PER_MAJOR).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  // Avoid exponent notation (1e21) so the decimal check sees every digit.
  return Math.abs(n) >= 1e21 ? BigInt(Math.trunc(n)).toString() : n.toString();
}
