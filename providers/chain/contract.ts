import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ContractFactory, Interface, type Signer } from 'ethers';

/**
 * The matrix contract's interface as the backend uses it; a test keeps it equal to what solc
 * compiles from `contracts/XcleraMatrix.sol`, so API and worker need no compiler at run time.
 */
export const MATRIX_ABI = [
  'constructor(uint256[] levelPrices, uint256 fee, uint16 bps)',
  'function root() view returns (address)',
  'function owner() view returns (address)',
  'function paused() view returns (bool)',
  'function serviceFee() view returns (uint256)',
  'function rewardBps() view returns (uint16)',
  'function levelCount() view returns (uint8)',
  'function priceOf(uint8 level) view returns (uint256)',
  'function referrerOf(address) view returns (address)',
  'function levelOf(address) view returns (uint8)',
  'function register(address referrer) payable',
  'function upgrade(uint8 level) payable',
  'function uplineFor(address member, uint8 level) view returns (address)',
  'function setPaused(bool value)',
  'function withdraw(address to, uint256 amount)',
  'event Registered(address indexed member, address indexed referrer, uint256 paid, address indexed upline, uint256 reward)',
  'event LevelUpgraded(address indexed member, uint8 level, uint256 paid, address indexed upline, uint256 reward)',
  'event Paused(bool paused)',
  'event Withdrawn(address indexed to, uint256 amount)',
  'error NotOwner()',
  'error ContractPaused()',
  'error AlreadyRegistered()',
  'error UnknownReferrer()',
  'error NotRegistered()',
  'error WrongLevel(uint8 expected)',
  'error WrongValue(uint256 expected)',
  'error TransferFailed()',
] as const;

export const matrixInterface = new Interface(MATRIX_ABI);

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
}

const SOURCE = join(import.meta.dirname, '..', '..', 'contracts', 'XcleraMatrix.sol');

/** Compiles the contract from source with solc-js (no compiler download), failing on any error. */
export function compileMatrixContract(): CompiledContract {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: { 'XcleraMatrix.sol': { content: readFileSync(SOURCE, 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`XcleraMatrix.sol does not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const compiled = output.contracts['XcleraMatrix.sol']!.XcleraMatrix!;
  return { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` };
}

export interface MatrixDeployment {
  /** Wei per level, level 1 first. */
  levelPricesWei: bigint[];
  serviceFeeWei: bigint;
  rewardBps: number;
}

/** Deploys a fresh matrix; the deployer becomes its root and owner. Returns the address. */
export async function deployMatrixContract(signer: Signer, params: MatrixDeployment): Promise<string> {
  const { abi, bytecode } = compileMatrixContract();
  const factory = new ContractFactory(abi as never, bytecode, signer);
  const contract = await factory.deploy(params.levelPricesWei, params.serviceFeeWei, params.rewardBps);
  await contract.waitForDeployment();
  return contract.getAddress();
}
