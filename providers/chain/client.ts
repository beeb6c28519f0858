import { Contract, JsonRpcProvider, Network, Transaction, getAddress, isError, toBeHex, type Log } from 'ethers';
import { DomainError, FailureType, publicError } from '../../core/errors.js';
import { ProviderOutcomeUnknownError, ProviderRejectedError } from '../types.js';
import { MATRIX_ABI, matrixInterface } from './contract.js';

/** What the spec shows a wallet to sign: every number in hex. */
export interface UnsignedMatrixTransaction {
  from: string;
  to: string;
  value: string;
  data: string;
  chainId: string;
  gas: string;
  gasPrice: string;
  nonce: string;
}

export interface PreparedMatrixTransaction {
  transaction: UnsignedMatrixTransaction;
  /** The hash a signature covers: the only signed transaction phase 2 accepts has exactly this one. */
  unsignedHash: string;
  valueWei: string;
}

export type MatrixPayment = { kind: 'registration'; member: string; referrer: string } | { kind: 'upgrade'; member: string; level: number };

export interface ConfirmedMatrixPayment {
  hash: string;
  status: 'confirmed' | 'reverted';
  blockNumber: number;
  /** From the contract's Registered / LevelUpgraded event; absent when the transaction reverted. */
  paidWei?: string;
  upline?: string;
  rewardWei?: string;
  level?: number;
}

/** The EVM side of the Xclera matrix, as activities use it. */
export interface MatrixChain {
  readonly name: string;
  readonly contractAddress: string;
  chainId(): Promise<number>;
  prepare(payment: MatrixPayment): Promise<PreparedMatrixTransaction>;
  /** Refuses anything but the prepared transaction, signed by the member; returns its hash. */
  verifySigned(signedTransaction: string, prepared: { unsignedHash: string; from: string }): string;
  broadcast(signedTransaction: string): Promise<string>;
  /** The transaction's outcome once it has the configured confirmations; an outcome-unknown error until then. */
  confirmation(hash: string): Promise<ConfirmedMatrixPayment>;
}

/** Enough for register and upgrade, whose upline walk is bounded by the level count. */
const GAS_LIMIT = 300_000n;
const NAME = 'evm';

/** Transport trouble (node down, timeout) is retried; only the node's definite refusals are final. */
function chainFailure(err: unknown, doing: string): Error {
  if (err instanceof DomainError || err instanceof ProviderRejectedError) return err;
  if (isError(err, 'NONCE_EXPIRED') || isError(err, 'INSUFFICIENT_FUNDS') || isError(err, 'REPLACEMENT_UNDERPRICED')) {
    return new ProviderRejectedError(NAME, err.code, `the node refused the transaction (${doing}): ${err.shortMessage}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderOutcomeUnknownError(NAME, `the node did not answer (${doing}): ${message}`, { cause: err });
}

/** A provider on a known chain: ethers then never probes the network in a retrying, logging loop while the node is down. */
export function chainProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  const network = Network.from(chainId);
  return new JsonRpcProvider(rpcUrl, network, { staticNetwork: network, cacheTimeout: -1 });
}

export function createMatrixChain(opts: { rpcUrl: string; chainId: number; contractAddress: string; confirmations: number }): MatrixChain {
  const provider = chainProvider(opts.rpcUrl, opts.chainId);
  const contractAddress = getAddress(opts.contractAddress);
  const contract = new Contract(contractAddress, MATRIX_ABI, provider);
  let checked: Promise<number> | undefined;

  /** The node must be on the configured chain: a signature for another chain is worthless here. */
  async function currentChainId(): Promise<number> {
    checked ??= provider.send('eth_chainId', []).then((id: string) => {
      if (Number(id) !== opts.chainId) throw new ProviderRejectedError(NAME, 'WRONG_CHAIN', `the node is on chain ${Number(id)}, not ${opts.chainId}`);
      return opts.chainId;
    });
    return checked.catch((err) => {
      checked = undefined;
      throw err;
    });
  }

  return {
    name: NAME,
    contractAddress,
    chainId: () => currentChainId().catch((err) => Promise.reject(chainFailure(err, 'chain id'))),

    async prepare(payment) {
      try {
        const from = getAddress(payment.member);
        const [id, nonce, fees] = await Promise.all([currentChainId(), provider.getTransactionCount(from, 'pending'), provider.getFeeData()]);
        const value =
          payment.kind === 'registration'
            ? ((await contract.getFunction('priceOf')(1)) as bigint) + ((await contract.getFunction('serviceFee')()) as bigint)
            : ((await contract.getFunction('priceOf')(payment.level)) as bigint);
        const data =
          payment.kind === 'registration'
            ? matrixInterface.encodeFunctionData('register', [getAddress(payment.referrer)])
            : matrixInterface.encodeFunctionData('upgrade', [payment.level]);
        const gasPrice = fees.gasPrice ?? 1_000_000_000n;
        const tx = Transaction.from({ type: 0, to: contractAddress, value, data, chainId: id, gasLimit: GAS_LIMIT, gasPrice, nonce });
        return {
          transaction: {
            from,
            to: contractAddress,
            value: toBeHex(value),
            data,
            chainId: toBeHex(id),
            gas: toBeHex(GAS_LIMIT),
            gasPrice: toBeHex(gasPrice),
            nonce: toBeHex(nonce),
          },
          unsignedHash: tx.unsignedHash,
          valueWei: value.toString(),
        };
      } catch (err) {
        throw chainFailure(err, 'preparing the transaction');
      }
    },

    verifySigned(signedTransaction, prepared) {
      const refuse = (reason: string) => publicError(FailureType.Validation, reason, undefined, { publicDetails: { signed_transaction: [reason] } });
      let tx: Transaction;
      try {
        tx = Transaction.from(signedTransaction);
      } catch {
        throw refuse('The signed transaction could not be decoded.');
      }
      if (!tx.signature || !tx.from) throw refuse('The transaction is not signed.');
      if (tx.chainId === 0n) throw refuse('The transaction has no chain id (chain id 0); sign it for this chain.');
      if (tx.unsignedHash !== prepared.unsignedHash) {
        throw refuse('The signed transaction is not the prepared one (recipient, value, data, chain id, gas or nonce differ).');
      }
      if (getAddress(tx.from) !== getAddress(prepared.from)) throw refuse('The transaction is signed by another wallet.');
      return tx.hash!;
    },

    async broadcast(signedTransaction) {
      const hash = Transaction.from(signedTransaction).hash!;
      try {
        // A retried broadcast finds its transaction already at the node and sends nothing again.
        if (await provider.getTransaction(hash)) return hash;
        await provider.broadcastTransaction(signedTransaction);
        return hash;
      } catch (err) {
        if (await provider.getTransaction(hash).catch(() => null)) return hash;
        throw chainFailure(err, 'broadcasting');
      }
    },

    async confirmation(hash) {
      let receipt;
      try {
        receipt = await provider.getTransactionReceipt(hash);
        if (receipt && (await receipt.confirmations()) < opts.confirmations) receipt = null;
      } catch (err) {
        throw chainFailure(err, 'reading the receipt');
      }
      if (!receipt) throw new ProviderOutcomeUnknownError(NAME, `transaction ${hash} does not have ${opts.confirmations} confirmation(s) yet`);
      if (receipt.status !== 1) return { hash, status: 'reverted', blockNumber: receipt.blockNumber };
      const event = matrixEvent(receipt.logs, contractAddress);
      return { hash, status: 'confirmed', blockNumber: receipt.blockNumber, ...event };
    },
  };
}

function matrixEvent(logs: readonly Log[], contractAddress: string): Partial<ConfirmedMatrixPayment> {
  for (const log of logs) {
    if (getAddress(log.address) !== contractAddress) continue;
    const parsed = matrixInterface.parseLog(log);
    if (parsed?.name === 'Registered') {
      return { paidWei: parsed.args.paid.toString(), upline: getAddress(parsed.args.upline), rewardWei: parsed.args.reward.toString(), level: 1 };
    }
    if (parsed?.name === 'LevelUpgraded') {
      return { paidWei: parsed.args.paid.toString(), upline: getAddress(parsed.args.upline), rewardWei: parsed.args.reward.toString(), level: Number(parsed.args.level) };
    }
  }
  return {};
}
