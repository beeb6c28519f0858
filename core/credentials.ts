import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a presented credential or signature with the expected one, so the
 * time an answer takes tells nothing about how much of a guess was right. Both sides are hashed
 * first: timingSafeEqual needs equal lengths, and comparing lengths directly would leak the length.
 */
export function sameText(given: string | Buffer | undefined, expected: string | Buffer): boolean {
  if (given === undefined) return false;
  const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
