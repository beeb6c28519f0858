import { recordMaxteraHistories } from './maxtera.js';
import { recordXcleraHistories } from './xclera.js';
import { recordMyMoolahHistories } from './mymoolah.js';
import { recordChargeGharHistories } from './chargeghar.js';
import { recordGenChargeHistories } from './gencharge.js';
import { recordGenChargeAnnouncementHistories } from './gencharge-announcements.js';
import { recordGenChargeAutopayHistories } from './gencharge-autopay.js';
import { recordGenChargeBackupHistories } from './gencharge-backup.js';
import type { RecordingSession } from './session.js';

/** One recorder per app; `npm run record-histories -- <app>` runs only the named ones. */
export const RECORDERS: Record<string, (session: RecordingSession) => Promise<void>> = {
  maxtera: recordMaxteraHistories,
  xclera: recordXcleraHistories,
  mymoolah: recordMyMoolahHistories,
  chargeghar: recordChargeGharHistories,
  gencharge: recordGenChargeHistories,
  'gencharge-announcements': recordGenChargeAnnouncementHistories,
  'gencharge-autopay': recordGenChargeAutopayHistories,
  'gencharge-backup': recordGenChargeBackupHistories,
};
