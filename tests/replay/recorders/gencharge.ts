import { genchargeAdmins } from '../../support/gencharge-admins.js';
import type { RecordingSession } from './session.js';

/** The admin invitation flow, driven through the GenCharge admin API. */
export async function recordGenChargeHistories({ platform, record }: RecordingSession): Promise<void> {
  const ga = genchargeAdmins(platform);
  const role = await ga.createRole([['Plans', 'read']]);
  const admin = await ga.invite(role.role_id);
  await ga.invitationToken(admin.email);
  await record('gencharge-admin-invitation', `gencharge:admin-invitation:${admin.adminId}`);
}
