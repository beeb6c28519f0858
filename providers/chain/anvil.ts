import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HDNodeWallet, Mnemonic } from 'ethers';

/** anvil's own default: its accounts are funded with 10,000 ether each and known to every tool. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
export const ANVIL_CHAIN_ID = 31337;
const ANVIL_ACCOUNTS = 10;

export interface DevAccount {
  address: string;
  privateKey: string;
}

let accounts: DevAccount[] | undefined;

/** The development chain's funded accounts; the first is the matrix root. */
export function anvilAccounts(): DevAccount[] {
  accounts ??= Array.from({ length: ANVIL_ACCOUNTS }, (_, i) => {
    const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_MNEMONIC), `m/44'/60'/0'/0/${i}`);
    return { address: wallet.address, privateKey: wallet.privateKey };
  });
  return accounts;
}

/** The anvil binary that `@foundry-rs/anvil` installs for this platform (an optional dependency). */
export function resolveAnvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

export interface RunningAnvil {
  rpcUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A real EVM node: anvil on 127.0.0.1, mining each transaction as it arrives. With `stateFile`
 * the chain is saved on exit and loaded on the next start, so contracts and balances survive.
 */
export async function startAnvil(opts: { port: number; stateFile?: string }): Promise<RunningAnvil> {
  const args = ['--host', '127.0.0.1', '--port', String(opts.port), '--chain-id', String(ANVIL_CHAIN_ID), '--mnemonic', ANVIL_MNEMONIC, '--silent'];
  if (opts.stateFile) args.push('--state', opts.stateFile);
  const child = spawn(resolveAnvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const rpcUrl = `http://127.0.0.1:${opts.port}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`anvil exited (${code}): ${stderr}`))));
  exited.catch(() => {});
  await Promise.race([waitForRpc(rpcUrl, 30_000), exited]);
  return {
    rpcUrl,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGINT lets anvil dump its state file.
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

async function waitForRpc(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`anvil did not answer at ${url} within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
