import { proxyActivities } from '@temporalio/workflow';
import type { AdminInvitationActivities } from '../activities/admin-invitation.js';
import type { AdminInvitationInput, AdminInvitationOutcome } from './contracts.js';

const invitations = proxyActivities<AdminInvitationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/**
 * Invites a new GenCharge admin: one email with a one-time token to set their password. The
 * activity derives the token from this run, so a retried send repeats the same token.
 */
export async function inviteGenChargeAdmin(input: AdminInvitationInput): Promise<AdminInvitationOutcome> {
  return invitations.sendAdminInvitation(input);
}
