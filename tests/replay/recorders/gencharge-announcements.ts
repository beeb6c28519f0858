import { GC, gencharge } from '../../support/gencharge.js';
import type { RecordingSession } from './session.js';

/** An announcement to all users, scheduled two seconds ahead: a durable timer, then a delivery batch. */
export async function recordGenChargeAnnouncementHistories({ platform, record }: RecordingSession): Promise<void> {
  const gc = gencharge(platform);
  await gc.signUp();
  const admin = await gc.superAdmin();
  const res = await gc
    .api()
    .post(`${GC}/notification/announcement`)
    .set(admin.auth)
    .send({ description: 'Scheduled maintenance at 10 PM', attachments: {}, scheduled_at: new Date(Date.now() + 2000).toISOString(), recipient_type: 'all_users' });
  if (res.status !== 201) throw new Error(`announcement failed: ${res.status} ${res.text}`);
  await record('gencharge-announcement', `gencharge:announcement:${res.body._id}`);
}
