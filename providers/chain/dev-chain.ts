import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Contract, Wallet } from 'ethers';
import type { Config } from '../../core/config.js';
import { LEVEL_RULES, usdtMinorToWei } from '../../core/xclera-matrix.js';
import { anvilAccounts, startAnvil } from './anvil.js';
import { deployMatrixContract, MATRIX_ABI } from './contract.js';
import { chainProvider } from './client.js';

export interface DevChainOptions {
  /** Configured node; anvil starts only without it. */
  rpcUrl?: string;
  contractAddress?: string;
  /** Deploys when no address is configured; anvil's first account when unset. */
  signerKey?: string;
  chainId: number;
  weiPerUsdt: bigint;
  rewardBps: number;
  anvilPort: number;
  /** npm start keeps the chain (and the deployed address) across restarts; tests start fresh. */
  anvilStateFile?: string;
  addressFile?: string;
}

/** The chain settings a deployment takes from configuration; the caller adds where anvil runs. */
export function configuredChain(config: Config): Omit<DevChainOptions, 'anvilPort' | 'anvilStateFile' | 'addressFile'> {
  return {
    rpcUrl: config.RPC_URL,
    contractAddress: config.XCLERA_CONTRACT_ADDRESS,
    signerKey: config.XCLERA_SIGNER_KEY,
    chainId: config.XCLERA_CHAIN_ID,
    weiPerUsdt: BigInt(config.XCLERA_WEI_PER_USDT),
    rewardBps: config.XCLERA_UPLINE_REWARD_BPS,
  };
}

export interface DevChain {
  rpcUrl: string;
  contractAddress: string;
  rootWallet: string;
  startedAnvil: boolean;
  stop(): Promise<void>;
}

/**
 * Xclera's chain for `npm start` and the tests: anvil unless RPC_URL, and the matrix contract
 * compiled from source and deployed unless an address is configured (or one deployed on this
 * saved chain before is still there).
 */
export async function startDevChain(opts: DevChainOptions): Promise<DevChain> {
  const anvil = opts.rpcUrl ? undefined : await startAnvil({ port: opts.anvilPort, stateFile: opts.anvilStateFile });
  const rpcUrl = opts.rpcUrl ?? anvil!.rpcUrl;
  const provider = chainProvider(rpcUrl, opts.chainId);
  try {
    let address = opts.contractAddress;
    if (!address && opts.addressFile && existsSync(opts.addressFile)) {
      const saved = readFileSync(opts.addressFile, 'utf8').trim();
      if ((await provider.getCode(saved)) !== '0x') address = saved;
    }
    if (!address) {
      const signer = new Wallet(opts.signerKey ?? anvilAccounts()[0]!.privateKey, provider);
      address = await deployMatrixContract(signer, {
        levelPricesWei: LEVEL_RULES.map((l) => usdtMinorToWei(l.price, opts.weiPerUsdt)),
        serviceFeeWei: usdtMinorToWei(LEVEL_RULES[0]!.serviceFee, opts.weiPerUsdt),
        rewardBps: opts.rewardBps,
      });
      if (opts.addressFile) writeFileSync(opts.addressFile, address);
    }
    const rootWallet = (await new Contract(address, MATRIX_ABI, provider).getFunction('root')()) as string;
    return { rpcUrl, contractAddress: address, rootWallet, startedAnvil: anvil !== undefined, stop: async () => anvil?.stop() };
  } catch (err) {
    await anvil?.stop();
    throw err;
  } finally {
    provider.destroy();
  }
}
