import { loadConfig } from '../../core/config.js';
import { startDevChain } from './dev-chain.js';

/**
 * `npm run deploy:xclera`: compiles the matrix contract and deploys it to RPC_URL with
 * XCLERA_SIGNER_KEY (who becomes its root and owner), at the configured rate; prints the address
 * to set as XCLERA_CONTRACT_ADDRESS.
 */
async function main(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'unused', TEMPORAL_ADDRESS: 'unused', ...process.env });
  if (!config.RPC_URL || !config.XCLERA_SIGNER_KEY) throw new Error('set RPC_URL and XCLERA_SIGNER_KEY (the owner who deploys)');
  const chain = await startDevChain({
    rpcUrl: config.RPC_URL,
    chainId: config.XCLERA_CHAIN_ID,
    signerKey: config.XCLERA_SIGNER_KEY,
    weiPerUsdt: BigInt(config.XCLERA_WEI_PER_USDT),
    rewardBps: config.XCLERA_UPLINE_REWARD_BPS,
    anvilPort: 0,
  });
  process.stdout.write(`XCLERA_CONTRACT_ADDRESS=${chain.contractAddress}  (root ${chain.rootWallet})\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
