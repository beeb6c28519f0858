import { loadConfig } from '../../core/config.js';
import { configuredChain, startDevChain } from './dev-chain.js';

/**
 * `npm run deploy:xclera`: compiles the matrix contract and deploys it to RPC_URL with
 * XCLERA_SIGNER_KEY (who becomes its root and owner), at the configured rate; prints the address
 * to set as XCLERA_CONTRACT_ADDRESS.
 */
async function main(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'unused', TEMPORAL_ADDRESS: 'unused', ...process.env });
  if (!config.RPC_URL || !config.XCLERA_SIGNER_KEY) throw new Error('set RPC_URL and XCLERA_SIGNER_KEY (the owner who deploys)');
  // A configured address is ignored: this command exists to deploy a new contract.
  const chain = await startDevChain({ ...configuredChain(config), contractAddress: undefined, anvilPort: 0 });
  process.stdout.write(`XCLERA_CONTRACT_ADDRESS=${chain.contractAddress}  (root ${chain.rootWallet})\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
