import type { Orm } from '../db/orm.js';
import { revokeAllSessions } from '../core/tokens.js';
import type { DocumentStorage } from '../providers/storage.js';
import type { AccountDeletionInput } from '../workflows/contracts.js';
import { withTypedFailures } from './failures.js';

export interface AccountDeletionActivityDeps {
  orm: Orm;
  /** Where KYC images are kept; the worker's composition root passes the same store the API writes to. */
  documents?: DocumentStorage;
}

export function createAccountDeletionActivities({ orm, documents }: AccountDeletionActivityDeps) {
  return withTypedFailures({
    /** Marks the user deleted and ends every login, in one transaction: from here on nobody signs in as them. */
    async closeAccount(input: AccountDeletionInput): Promise<{ deletedAt: string }> {
      return orm.em.fork().transactional(async (tx) => {
        const [row] = await tx.execute<{ deleted_at: Date }[]>(
          'update users set deleted_at = coalesce(deleted_at, now()) where id = ? and tenant = ? returning deleted_at',
          [input.userId, input.tenant],
        );
        if (!row) throw new Error(`no user ${input.userId} in ${input.tenant}`);
        await revokeAllSessions(tx, input.tenant, input.userId);
        return { deletedAt: new Date(row.deleted_at).toISOString() };
      });
    },

    /** Removes the user's identity document images from storage; the rows forget them in the next step. */
    async deleteKycDocuments(input: AccountDeletionInput): Promise<number> {
      const rows = await orm.em.fork().execute<{ key: string }[]>(
        `select unnest(array[front_image_key, back_image_key]) as key from chargeghar_kyc_submissions where user_id = ?`,
        [input.userId],
      );
      const keys = rows.map((r) => r.key).filter((k): k is string => Boolean(k));
      if (keys.length && !documents) throw new Error('this worker was started without the document storage');
      for (const key of keys) await documents!.remove(key);
      return keys.length;
    },

    /**
     * Erases what identifies the person: contact details (the identifier may register anew),
     * profile, devices, document numbers and image keys. Ledger entries and the history of what
     * was paid stay, since financial records outlive the account. Returns the KYC reviews still
     * waiting, which the flow withdraws.
     */
    async eraseAccountPersonalData(input: AccountDeletionInput): Promise<{ pendingKycReviews: string[] }> {
      return orm.em.fork().transactional(async (tx) => {
        const [user] = await tx.execute<{ email: string | null; phone: string | null }[]>(
          'select email, phone from users where id = ? and tenant = ? for update',
          [input.userId, input.tenant],
        );
        if (!user) throw new Error(`no user ${input.userId} in ${input.tenant}`);
        const identifiers = [user.email, user.phone].filter((v): v is string => v !== null);
        if (identifiers.length) {
          await tx.execute('delete from otp_verifications where tenant = ? and identifier in (?)', [input.tenant, identifiers]);
        }
        // The contact check wants an email or a phone: a placeholder no one can receive mail at.
        await tx.execute(`update users set email = ?, phone = null, password_hash = null where id = ?`, [
          `deleted-${input.userId}@deleted.invalid`,
          input.userId,
        ]);
        await tx.execute(
          `update chargeghar_profiles set full_name = null, date_of_birth = null, gender = null, address = null, updated_at = now() where user_id = ?`,
          [input.userId],
        );
        await tx.execute('delete from chargeghar_devices where user_id = ?', [input.userId]);
        await tx.execute(
          `update chargeghar_kyc_submissions set document_number = null, front_image_key = null, back_image_key = null where user_id = ?`,
          [input.userId],
        );
        const pending = await tx.execute<{ workflow_id: string }[]>(
          `select workflow_id from chargeghar_kyc_submissions where user_id = ? and status = 'pending'`,
          [input.userId],
        );
        return { pendingKycReviews: pending.map((p) => p.workflow_id) };
      });
    },
  });
}

export type AccountDeletionActivities = ReturnType<typeof createAccountDeletionActivities>;
