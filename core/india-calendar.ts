/**
 * GenCharge's calendar: a day is a day in India. India keeps one offset all year (IST, no daylight
 * saving), so an Indian calendar day is a fixed interval of UTC and plain arithmetic finds it. One
 * place for the rule: list filters, analytics periods and backup selections all read days this way.
 */

/** The zone Postgres buckets Indian periods in (`date_trunc(..., at time zone ...)`). */
export const INDIA_TIME_ZONE = 'Asia/Kolkata';
/** IST's offset as ISO 8601 and SQL text write it. */
export const INDIA_UTC_OFFSET = '+05:30';
const INDIA_OFFSET_MS = 330 * 60_000;
export const DAY_MS = 86_400_000;

/** The instant an Indian calendar day (`2025-11-10`) begins. */
export const startOfIndianDay = (day: string) => new Date(`${day}T00:00:00${INDIA_UTC_OFFSET}`);

/** Days since 1970-01-01 of the Indian calendar day an instant falls on. */
export const indianDayNumber = (at: Date) => Math.floor((at.getTime() + INDIA_OFFSET_MS) / DAY_MS);

/** A day number as its calendar date, `2025-11-10`. */
export const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
