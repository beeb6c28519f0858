import { Wallet, toBeHex, type HDNodeWallet } from 'ethers';
import { chainProvider } from '../../providers/chain/client.js';

/** An Xclera member as a client holds it: the wallet's key and, once signed in, its tokens. */
export interface Member {
  wallet: Wallet | HDNodeWallet;
  address: string;
  auth: { Authorization: string };
  refresh: string;
  profileId?: number;
}

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Talks to the Xclera surface over HTTP and signs with ethers, as the mobile app does. */
export function xclera(baseUrl: string, rpcUrl: string) {
  const B = `${baseUrl}/xclera/api`;
  const chain = chainProvider(rpcUrl, 31337);

  async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const res = await fetch(`${B}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** A fresh wallet with ether from anvil (anvil_setBalance), so no test shares an account or a nonce. */
  async function newWallet(ether = 100n): Promise<HDNodeWallet> {
    const wallet = Wallet.createRandom();
    await chain.send('anvil_setBalance', [wallet.address, toBeHex(ether * 10n ** 18n)]);
    return wallet;
  }

  async function signIn(wallet: Wallet | HDNodeWallet): Promise<Member> {
    const { body: challenge } = await call('GET', `/auth/nonce/${wallet.address}/`);
    const signature = await wallet.signMessage(challenge.message);
    const res = await call('POST', '/auth/authenticate/', { body: { wallet_address: wallet.address, signature, nonce: challenge.nonce } });
    if (res.status !== 200) throw new Error(`authenticate failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { wallet, address: wallet.address, auth: { Authorization: `Bearer ${res.body.access_token}` }, refresh: res.body.refresh_token };
  }

  /** Signs the prepared transaction exactly as the API gave it (a legacy, EIP-155 transaction). */
  function sign(wallet: Wallet | HDNodeWallet, tx: Record<string, string>, change: Record<string, unknown> = {}): Promise<string> {
    return wallet.signTransaction({
      type: 0,
      to: tx.to,
      value: BigInt(tx.value!),
      data: tx.data,
      chainId: BigInt(tx.chainId!),
      gasLimit: BigInt(tx.gas!),
      gasPrice: BigInt(tx.gasPrice!),
      nonce: Number(BigInt(tx.nonce!)),
      ...change,
    });
  }

  const details = (address: string) => ({ username: `m_${address.slice(2, 12).toLowerCase()}`, country: 'Germany', phone_number: '+4912345678' });

  /** Sign-in, login under the referrer, then both phases of registration. */
  async function join(referrer: Member | { address: string }): Promise<Member & { registration: Reply }> {
    const member = await signIn(await newWallet());
    const login = await call('POST', '/login/', { headers: member.auth, body: { wallet_address: member.address, referrer_wallet: referrer.address } });
    if (login.status !== 201) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const body = { wallet_address: member.address, referrer_wallet: referrer.address, ...details(member.address) };
    const prepared = await call('POST', '/register/', { body });
    if (prepared.status !== 200) throw new Error(`register phase 1 failed: ${prepared.status} ${JSON.stringify(prepared.body)}`);
    const registration = await call('POST', '/register/', { body: { ...body, signed_transaction: await sign(member.wallet, prepared.body.transaction) } });
    if (registration.status !== 200) throw new Error(`register phase 2 failed: ${registration.status} ${JSON.stringify(registration.body)}`);
    return { ...member, profileId: registration.body.profile_id, registration };
  }

  async function upgrade(member: Member): Promise<Reply> {
    const prepared = await call('POST', '/upgrade/', { headers: member.auth, body: { wallet_address: member.address } });
    if (prepared.status !== 200) return prepared;
    return call('POST', '/upgrade/', { headers: member.auth, body: { wallet_address: member.address, signed_transaction: await sign(member.wallet, prepared.body.transaction) } });
  }

  return { call, chain, newWallet, signIn, sign, details, join, upgrade, close: () => chain.destroy() };
}
