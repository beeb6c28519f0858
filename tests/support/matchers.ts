/**
 * Asymmetric matchers the GenCharge tests share. Their own module: they need Jest's `expect`,
 * and the support helpers also run outside Jest (`npm run record-histories`).
 */

/** A timestamp as the API writes it: ISO 8601 in UTC. */
export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
/** A document id (`_id`, `backup_id`): 24 hex digits. */
export const HEX_ID = expect.stringMatching(/^[0-9a-f]{24}$/);
