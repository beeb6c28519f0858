import { Contract, Transaction, Wallet, getAddress, toBeHex } from 'ethers';
import { expectTrialBalanceZero } from '../support/db.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { xclera, type Member } from '../support/xclera.js';
import { anvilAccounts } from '../../providers/chain/anvil.js';
import { MATRIX_ABI, compileMatrixContract, matrixInterface } from '../../providers/chain/contract.js';
import { XCLERA_ACCOUNTS } from '../../activities/xclera.js';

let platform: TestPlatform;
let x: ReturnType<typeof xclera>;
const root = { address: anvilAccounts()[0]!.address };

beforeAll(async () => {
  platform = await startTestPlatform({ XCLERA_PHASE2_TIMEOUT_MS: '20000' });
  x = xclera(platform.url, platform.config.RPC_URL!);
});
afterAll(async () => {
  x.close();
  await platform.stop();
});

const count = async (sql: string, params: unknown[]) => {
  const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params);
  return Number(row!.n);
};
const historyOf = (address: string) =>
  count(`wallet_transactions t join xclera_wallets w on w.user_id = t.user_id where w.address = ?`, [address.toLowerCase()]);
const levelOnChain = async (address: string) =>
  Number(await new Contract(platform.config.XCLERA_CONTRACT_ADDRESS!, MATRIX_ABI, x.chain).getFunction('levelOf')(address));

describe('Xclera sign-in by wallet signature', () => {
  it('when a wallet signs its nonce, then tokens with expiry times come back, and refresh and verify work', async () => {
    const wallet = await x.newWallet();
    const challenge = await x.call('GET', `/auth/nonce/${wallet.address.toLowerCase()}/`);
    expect(challenge.status).toBe(200);
    expect(challenge.body.message).toBe(`Sign this message to authenticate with Xclera Matrix: ${challenge.body.nonce}`);
    const signature = await wallet.signMessage(challenge.body.message);
    // The address's case does not matter: a lowercase one matches the checksummed signer.
    const res = await x.call('POST', '/auth/authenticate/', { body: { wallet_address: wallet.address.toLowerCase(), signature, nonce: challenge.body.nonce } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      access_expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
      refresh_expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
      wallet_address: wallet.address,
      profile_exists: false,
    });

    const replayed = await x.call('POST', '/auth/authenticate/', { body: { wallet_address: wallet.address, signature, nonce: challenge.body.nonce } });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toEqual({ error: 'This nonce was already used; request a new one.', details: {} });

    const refreshed = await x.call('POST', '/auth/refresh/', { body: { refresh_token: res.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({ access_token: expect.any(String), expires_at: expect.any(String), wallet_address: wallet.address });
    // The app keeps its refresh token: it works again.
    expect((await x.call('POST', '/auth/refresh/', { body: { refresh_token: res.body.refresh_token } })).status).toBe(200);

    const verified = await x.call('GET', '/auth/verify/', { headers: { Authorization: `Bearer ${refreshed.body.access_token}` } });
    expect(verified.body).toEqual({ wallet_address: wallet.address, username: null, current_level: 0, is_profile_complete: false });
  });

  it('when the signature is by another key, the nonce expired or the address is malformed, then 401 or 400 and no tokens', async () => {
    const wallet = await x.newWallet();
    const other = Wallet.createRandom();
    const challenge = (await x.call('GET', `/auth/nonce/${wallet.address}/`)).body;
    const byOther = await x.call('POST', '/auth/authenticate/', { body: { wallet_address: wallet.address, signature: await other.signMessage(challenge.message), nonce: challenge.nonce } });
    expect(byOther).toEqual({ status: 401, body: { error: 'Invalid signature', details: {} } });

    await platform.orm.em.fork().execute(`update xclera_login_nonces set expires_at = now() - interval '1 second' where nonce = ?`, [challenge.nonce]);
    const expired = await x.call('POST', '/auth/authenticate/', { body: { wallet_address: wallet.address, signature: await wallet.signMessage(challenge.message), nonce: challenge.nonce } });
    expect(expired).toEqual({ status: 401, body: { error: 'This nonce has expired; request a new one.', details: {} } });

    const malformed = await x.call('GET', '/auth/nonce/0x1234/');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: 'Invalid input', details: { wallet_address: [expect.stringContaining('valid wallet address')] } });
    // Mixed case is a checksum, and this one is wrong.
    const badChecksum = await x.call('GET', '/auth/nonce/0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266/');
    expect(badChecksum).toEqual({ status: 400, body: { error: 'Invalid input', details: { wallet_address: ['The wallet address has an invalid checksum.'] } } });
    expect(await count('xclera_wallets where address = ?', [wallet.address.toLowerCase()])).toBe(0);
  });
});

describe('Xclera matrix', () => {
  let a: Member & { registration: { body: Record<string, unknown> } };
  let kids: Member[];
  let grandchild: Member;

  it('when members join under a referrer, then each registration is paid on chain and the upline rewarded', async () => {
    const rootBefore = await x.chain.getBalance(root.address);
    a = await x.join(root);
    expect(a.registration.body).toEqual({
      message: 'Registration successful',
      profile_id: expect.any(Number),
      transaction_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      is_profile_complete: true,
      upline_rewarded: 'root_user',
      upline_reward: 80,
    });
    // 100 USDT at 1e15 wei per USDT, 80% of it to the root.
    expect((await x.chain.getBalance(root.address)) - rootBefore).toBe(80n * 10n ** 15n);
    expect(await levelOnChain(a.address)).toBe(1);

    kids = [await x.join(a), await x.join(a), await x.join(a)];
    grandchild = await x.join(kids[0]!);
    const profile = await x.call('GET', `/profiles/by_wallet/?address=${a.address}`, { headers: a.auth });
    expect(profile.body).toMatchObject({
      id: a.profileId,
      wallet_address: a.address,
      referrer_username: 'root_user',
      current_level: 1,
      direct_referrals_count: 3,
      max_referral_depth: 2,
      is_registered_on_chain: true,
      is_profile_complete: true,
    });
  });

  it('when a member upgrades with enough referrals, then the level is confirmed on chain and in the history', async () => {
    const up2 = await x.upgrade(a);
    expect(up2).toEqual({
      status: 200,
      body: { message: 'Level upgrade successful', new_level: 2, transaction_hash: expect.any(String), upline_rewarded: 'root_user', upline_reward: 120 },
    });
    const up3 = await x.upgrade(a);
    expect(up3.status).toBe(200);
    expect(up3.body.new_level).toBe(3);
    expect(await levelOnChain(a.address)).toBe(3);

    const history = await x.call('GET', `/transactions/?wallet_address=${a.address}`, { headers: a.auth });
    expect(history.body.map((t: Record<string, unknown>) => [t.transaction_type, t.amount, t.level, t.status, t.recipient_username])).toEqual([
      ['REGISTRATION', 115, 1, 'CONFIRMED', 'root_user'],
      ['UPGRADE', 150, 2, 'CONFIRMED', 'root_user'],
      ['UPGRADE', 200, 3, 'CONFIRMED', 'root_user'],
    ]);
    expect((await x.call('GET', `/profiles/${a.profileId}/transactions/`, { headers: a.auth })).body).toEqual(history.body);
    expect((await x.call('GET', `/profiles/${a.profileId}/transactions/`, { headers: kids[0]!.auth })).status).toBe(403);
  });

  it('when the tree is read, then uplines reach the root and downlines page by depth', async () => {
    const up = await x.call('GET', `/profiles/${grandchild.profileId}/uplines/`, { headers: a.auth });
    expect(up.body.map((m: { wallet_address: string; depth: number }) => [m.wallet_address, m.depth])).toEqual([
      [kids[0]!.address, 1],
      [a.address, 2],
      [getAddress(root.address), 3],
    ]);
    const page1 = await x.call('GET', `/profiles/${a.profileId}/downlines/?page_size=2`, { headers: a.auth });
    expect(page1.body).toMatchObject({ count: 4, page: 1, page_size: 2, max_depth: 3 });
    expect(page1.body.results.map((m: { depth: number }) => m.depth)).toEqual([1, 1]);
    const shallow = await x.call('GET', `/profiles/${a.profileId}/downlines/?max_depth=1`, { headers: a.auth });
    expect(shallow.body.count).toBe(3);
    expect((await x.call('GET', `/profiles/${a.profileId}/downlines/?max_depth=99`, { headers: a.auth })).status).toBe(400);
    const referrals = await x.call('GET', `/profiles/${a.profileId}/referrals/`, { headers: a.auth });
    expect(referrals.body.map((m: { wallet_address: string }) => m.wallet_address).sort()).toEqual(kids.map((k) => k.address).sort());
  });

  it('when the level rules are not met, then phase 1 is refused with the rule and nothing is written', async () => {
    const few = await x.upgrade(kids[1]!);
    expect(few).toEqual({ status: 400, body: { error: 'Level 2 requires at least 3 direct referrals registered on chain; this wallet has 0.', details: { level: 2 } } });

    const fresh = await x.signIn(await x.newWallet());
    const unregistered = await x.upgrade(fresh);
    expect(unregistered.status).toBe(400);
    expect(unregistered.body).toEqual({ error: 'Register (level 1) before upgrading.', details: { level: 1 } });

    const incomplete = await x.call('POST', '/register/', { body: { wallet_address: fresh.address, referrer_wallet: a.address, country: 'Kenya', phone_number: '+254700000000' } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.details.username).toEqual([expect.any(String)]);

    const again = await x.call('POST', '/register/', { body: { wallet_address: a.address, referrer_wallet: root.address, ...x.details(a.address) } });
    expect(again).toEqual({ status: 400, body: { error: 'This wallet is already registered.', details: { level: 1 } } });

    const orphan = await x.newWallet();
    const unknownReferrer = await x.call('POST', '/register/', { body: { wallet_address: orphan.address, referrer_wallet: Wallet.createRandom().address, ...x.details(orphan.address) } });
    expect(unknownReferrer.status).toBe(400);
    expect(await historyOf(fresh.address)).toBe(0);
  });

  it('when phase 2 carries anything but the prepared transaction signed by the member, then it is refused, and the right one only once', async () => {
    const member = await x.signIn(await x.newWallet());
    const body = { wallet_address: member.address, referrer_wallet: a.address, ...x.details(member.address) };
    const withoutPhase1 = await x.call('POST', '/register/', { body: { ...body, signed_transaction: '0x1234' } });
    expect(withoutPhase1.status).toBe(400);
    expect(withoutPhase1.body.error).toContain('No transaction is prepared');

    const prepared = (await x.call('POST', '/register/', { body })).body.transaction;
    expect(prepared).toEqual({
      from: member.address,
      to: platform.config.XCLERA_CONTRACT_ADDRESS,
      value: toBeHex(115n * BigInt(platform.config.XCLERA_WEI_PER_USDT)),
      data: matrixInterface.encodeFunctionData('register', [a.address]),
      chainId: '0x7a69',
      gas: expect.stringMatching(/^0x[0-9a-f]+$/),
      gasPrice: expect.stringMatching(/^0x[0-9a-f]+$/),
      nonce: '0x00',
    });
    const other = Wallet.createRandom();
    const tampered = {
      'another recipient': await x.sign(member.wallet, prepared, { to: other.address }),
      'another value': await x.sign(member.wallet, prepared, { value: 1n }),
      'other data': await x.sign(member.wallet, prepared, { data: matrixInterface.encodeFunctionData('register', [root.address]) }),
      'chain id 0': await x.sign(member.wallet, prepared, { chainId: 0n }),
      'another key': await x.sign(other, prepared),
      unsigned: Transaction.from({ type: 0, to: prepared.to, value: BigInt(prepared.value), data: prepared.data, chainId: 31337n, gasLimit: BigInt(prepared.gas), gasPrice: BigInt(prepared.gasPrice), nonce: 0 }).unsignedSerialized,
    };
    for (const [what, signed] of Object.entries(tampered)) {
      const res = await x.call('POST', '/register/', { body: { ...body, signed_transaction: signed } });
      expect([what, res.status]).toEqual([what, 400]);
      expect(res.body.details.signed_transaction).toEqual([res.body.error]);
    }
    expect(await historyOf(member.address)).toBe(0);
    expect(await levelOnChain(member.address)).toBe(0);

    const signed = await x.sign(member.wallet, prepared);
    const ok = await x.call('POST', '/register/', { body: { ...body, signed_transaction: signed } });
    expect(ok.status).toBe(200);
    const twice = await x.call('POST', '/register/', { body: { ...body, signed_transaction: signed } });
    expect(twice).toEqual({ status: 409, body: { error: 'This signed transaction was already submitted and confirmed.', details: { transaction_hash: ok.body.transaction_hash } } });
    expect(await historyOf(member.address)).toBe(1);
  });

  it('when the transaction reverts on chain, then the attempt fails, nothing changes and a new attempt can follow', async () => {
    const member = await x.signIn(await x.newWallet());
    const body = { wallet_address: member.address, referrer_wallet: a.address, ...x.details(member.address) };
    const prepared = (await x.call('POST', '/register/', { body })).body.transaction;
    const owner = new Contract(platform.config.XCLERA_CONTRACT_ADDRESS!, MATRIX_ABI, new Wallet(anvilAccounts()[0]!.privateKey, x.chain));
    await (await owner.getFunction('setPaused')(true)).wait();
    let reverted;
    try {
      reverted = await x.call('POST', '/register/', { body: { ...body, signed_transaction: await x.sign(member.wallet, prepared) } });
    } finally {
      await (await owner.getFunction('setPaused')(false)).wait();
    }
    expect(reverted.status).toBe(502);
    expect(reverted.body.error).toMatch(/reverted on chain; nothing changed/);
    const profile = await x.call('GET', `/profiles/by_wallet/?address=${member.address}`, { headers: member.auth });
    expect(profile.body).toMatchObject({ current_level: 0, is_registered_on_chain: false });
    const history = await x.call('GET', '/transactions/', { headers: member.auth });
    expect(history.body.map((t: { status: string }) => t.status)).toEqual(['FAILED']);
    const flow = platform.temporal.workflow.getHandle(`xclera:matrix-registration:${member.address.toLowerCase()}:1`);
    expect((await flow.describe()).status.name).toBe('FAILED');

    const retried = (await x.call('POST', '/register/', { body })).body.transaction;
    expect(retried.nonce).toBe('0x01');
    const ok = await x.call('POST', '/register/', { body: { ...body, signed_transaction: await x.sign(member.wallet, retried) } });
    expect(ok.status).toBe(200);
  });

  it('when everything is booked, then the books balance and the chain clearing account is what the contract holds', async () => {
    await expectTrialBalanceZero(platform.orm.em);
    const [row] = await platform.orm.em.fork().execute<{ balance: string }[]>(
      `select debits_posted - credits_posted as balance from ledger_accounts where tenant = 'xclera' and code = ?`,
      [XCLERA_ACCOUNTS.chainClearing],
    );
    const held = await x.chain.getBalance(platform.config.XCLERA_CONTRACT_ADDRESS!);
    expect(BigInt(row!.balance) * BigInt(platform.config.XCLERA_WEI_PER_USDT) / 1_000_000n).toBe(held);
  });
});

describe('Xclera with its node down', () => {
  it('when the node does not answer, then phase 1 says so with 503 and nothing is written', async () => {
    const down = await startTestPlatform({ RPC_URL: 'http://127.0.0.1:9', XCLERA_PREPARE_WAIT_MS: '1500' });
    try {
      const member = await x.newWallet();
      const res = await fetch(`${down.url}/xclera/api/register/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ wallet_address: member.address, referrer_wallet: root.address, ...x.details(member.address) }),
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'The blockchain node is not answering; try again shortly.', details: {} });
      expect(await historyOf(member.address)).toBe(0);
    } finally {
      await down.stop();
    }
  });
});

it('when the contract is compiled from source, then its interface is the one the backend uses', () => {
  const compiled = compileMatrixContract();
  const fromSource = new Contract(platform.config.XCLERA_CONTRACT_ADDRESS!, compiled.abi as never).interface.format().sort();
  expect(fromSource).toEqual([...matrixInterface.format()].sort());
});
