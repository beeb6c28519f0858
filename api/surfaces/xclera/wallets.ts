import { getAddress } from 'ethers';
import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../../core/errors.js';

/** The signed-in user's wallet, checksummed; a token of a user without one is no Xclera login. */
export async function walletOf(em: EntityManager, userId: number): Promise<string> {
  const [row] = await em.execute<{ address: string }[]>('select address from xclera_wallets where user_id = ?', [userId]);
  if (!row) throw unauthenticated('invalid', `user ${userId} has no wallet`);
  return getAddress(row.address);
}
