import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of a presented credential with the expected one, as the real providers do. */
export function sameText(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
