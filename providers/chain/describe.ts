import { ProviderOutcomeUnknownError } from '../types.js';
import { ANVIL_CHAIN_ID, anvilAccounts, type DevAccount } from './anvil.js';
import { chainProvider } from './client.js';

export interface ChainDescription {
  rpcUrl: string;
  chainId: number;
  contracts: { xclera: string };
  /** anvil's funded development accounts (the first is the matrix root); none on another chain. */
  accounts: DevAccount[];
}

/** What `GET /sandbox/chain` tells a developer: where the node is, the contract, keys to sign with. */
export async function describeDevChain(chain: { rpcUrl: string; chainId: number; contractAddress: string }): Promise<ChainDescription> {
  const provider = chainProvider(chain.rpcUrl, chain.chainId);
  try {
    const chainId = Number(await provider.send('eth_chainId', []));
    return { rpcUrl: chain.rpcUrl, chainId, contracts: { xclera: chain.contractAddress }, accounts: chainId === ANVIL_CHAIN_ID ? anvilAccounts() : [] };
  } catch (err) {
    throw new ProviderOutcomeUnknownError('evm', `the node at ${chain.rpcUrl} did not answer`, { cause: err });
  } finally {
    provider.destroy();
  }
}
