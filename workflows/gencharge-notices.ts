import { log, proxyActivities } from '@temporalio/workflow';
import type { GenChargeNotice, GenChargeNoticeActivities } from './contracts.js';

const notices = proxyActivities<GenChargeNoticeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Tells a GenCharge user what happened (in-app, and SMS/email where their preferences allow). A
 * notice is told, not owed: one that cannot be delivered never changes what happened to the money.
 */
export async function tellGenChargeUser(notice: GenChargeNotice): Promise<void> {
  await notices.notifyGenChargeUser(notice).catch((err: unknown) => log.warn('notice not delivered', { kind: notice.kind, error: String(err) }));
}
