import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { AnnouncementDelivery, AnnouncementDeliveryOutcome, GenChargeAnnouncementActivities } from './contracts.js';

const announcements = proxyActivities<GenChargeAnnouncementActivities>({
  startToCloseTimeout: '10 minutes',
  // A batch reports each recipient; a worker lost mid-batch is noticed within this.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * An admin's announcement: a durable timer until `scheduledAt` (none when it is absent or past),
 * then delivery in batches of recipients in user id order (the users there are when it begins),
 * then `delivered`. Each copy is keyed by
 * announcement and user, so retried batches and continued runs reach nobody twice.
 */
export async function deliverAnnouncement(input: AnnouncementDelivery): Promise<AnnouncementDeliveryOutcome> {
  if (input.scheduledAt) {
    const wait = Date.parse(input.scheduledAt) - Date.now();
    if (wait > 0) await sleep(wait);
  }
  let after = input.afterUserId ?? 0;
  let upTo = input.upToUserId;
  let recipients = input.deliveredSoFar ?? 0;
  for (;;) {
    const batch = await announcements.deliverAnnouncementBatch({ tenant: input.tenant, announcementId: input.announcementId, afterUserId: after, upToUserId: upTo });
    if (!batch.scheduled) return { announcementId: input.announcementId, status: 'cancelled', recipients };
    upTo ??= batch.upToUserId;
    recipients += batch.recipients;
    if (batch.lastUserId === null) break;
    after = batch.lastUserId;
    // Very many users: keep each run's history short.
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof deliverAnnouncement>({ ...input, scheduledAt: null, afterUserId: after, upToUserId: upTo, deliveredSoFar: recipients });
    }
  }
  await announcements.markAnnouncementDelivered({ tenant: input.tenant, announcementId: input.announcementId });
  return { announcementId: input.announcementId, status: 'delivered', recipients };
}
