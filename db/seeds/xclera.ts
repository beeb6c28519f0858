import type { EntityManager } from '@mikro-orm/postgresql';
import { ensureProfile, ensureWalletUser, LEVEL_RULES, XCLERA_LEVEL_COUNT } from '../../core/xclera-matrix.js';
import { XcleraLevel } from '../entities/index.js';

/** anvil's first account: the root of a development chain started with anvil's default mnemonic. */
export const ANVIL_FIRST_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

/**
 * Xclera's level table and the matrix root: the contract's root, which the launcher that deployed
 * it passes as XCLERA_ROOT_WALLET (the chain's first account), holding every level.
 */
export async function seedXclera(em: EntityManager): Promise<void> {
  await em.upsertMany(XcleraLevel, [...LEVEL_RULES], { onConflictFields: ['levelNumber'], onConflictAction: 'ignore' });
  const root = process.env.XCLERA_ROOT_WALLET ?? ANVIL_FIRST_ACCOUNT;
  await em.transactional(async (tx) => {
    const userId = await ensureWalletUser(tx, root);
    await ensureProfile(tx, userId, null);
    await tx.execute(
      `update xclera_profiles set username = coalesce(username, 'root_user'), current_level = ?, is_registered_on_chain = true,
         date_registered = coalesce(date_registered, now()) where user_id = ?`,
      [XCLERA_LEVEL_COUNT, userId],
    );
  });
}
