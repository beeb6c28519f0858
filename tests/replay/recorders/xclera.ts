import { Contract, Wallet } from 'ethers';
import { startTestPlatform } from '../../support/platform.js';
import { xclera } from '../../support/xclera.js';
import { anvilAccounts } from '../../../providers/chain/anvil.js';
import { MATRIX_ABI } from '../../../providers/chain/contract.js';
import type { RecordingSession } from './session.js';

/** Xclera's two-phase register/upgrade flow: confirmed, refused then confirmed, reverted, expired. */
export async function recordXcleraHistories({ record }: RecordingSession): Promise<void> {
  // Its own platform, so that an unsigned attempt expires within seconds.
  const platform = await startTestPlatform({ XCLERA_PHASE2_TIMEOUT_MS: '3000' });
  const x = xclera(platform.url, platform.config.RPC_URL!);
  const root = { address: anvilAccounts()[0]!.address };
  const idOf = (kind: 'registration' | 'upgrade', address: string, level: number) => `xclera:matrix-${kind}:${address.toLowerCase()}:${level}`;
  try {
    const a = await x.join(root);
    await record('matrix-registration', idOf('registration', a.address, 1));
    for (let i = 0; i < 3; i++) await x.join(a);

    // A tampered transaction is refused and the attempt goes on to the right one.
    const prepared = await x.call('POST', '/upgrade/', { headers: a.auth, body: { wallet_address: a.address } });
    await x.call('POST', '/upgrade/', { headers: a.auth, body: { wallet_address: a.address, signed_transaction: await x.sign(a.wallet, prepared.body.transaction, { value: 1n }) } });
    await x.call('POST', '/upgrade/', { headers: a.auth, body: { wallet_address: a.address, signed_transaction: await x.sign(a.wallet, prepared.body.transaction) } });
    await record('matrix-upgrade-after-refusal', idOf('upgrade', a.address, 2));

    const late = await x.signIn(await x.newWallet());
    await x.call('POST', '/register/', { body: { wallet_address: late.address, referrer_wallet: a.address, ...x.details(late.address) } });
    await record('matrix-registration-expired', idOf('registration', late.address, 1));

    const paused = await x.signIn(await x.newWallet());
    const body = { wallet_address: paused.address, referrer_wallet: a.address, ...x.details(paused.address) };
    const tx = (await x.call('POST', '/register/', { body })).body.transaction;
    const owner = new Contract(platform.config.XCLERA_CONTRACT_ADDRESS!, MATRIX_ABI, new Wallet(anvilAccounts()[0]!.privateKey, x.chain));
    await (await owner.getFunction('setPaused')(true)).wait();
    try {
      await x.call('POST', '/register/', { body: { ...body, signed_transaction: await x.sign(paused.wallet, tx) } });
    } finally {
      await (await owner.getFunction('setPaused')(false)).wait();
    }
    await record('matrix-registration-reverted', idOf('registration', paused.address, 1));
  } finally {
    x.close();
    await platform.stop();
  }
}
