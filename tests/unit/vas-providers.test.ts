import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { loadConfig, requireProviderKey, type ProviderKeyName } from '../../core/config.js';
import { createProviderRegistry } from '../../providers/registry.js';
import { createFlashProvider } from '../../providers/flash.js';
import { createIndiaRechargeProvider } from '../../providers/indiarecharge.js';
import { createMobileMartProvider } from '../../providers/mobilemart.js';
import { SandboxFaults } from '../../providers/sandbox/faults.js';
import { createFlashSandbox } from '../../providers/sandbox/flash-sandbox.js';
import { createIndiaRechargeSandbox } from '../../providers/sandbox/indiarecharge-sandbox.js';
import { createMobileMartSandbox } from '../../providers/sandbox/mobilemart-sandbox.js';
import { ProviderOutcomeUnknownError, type SandboxProviderName, type VtuOrder, type VtuProvider } from '../../providers/types.js';

const RECHARGE_TOKEN = 'test-recharge-token';
const FLASH_CLIENT_ID = 'test-flash-client';
const FLASH_CLIENT_SECRET = 'test-flash-secret';
const MOBILEMART_KEY = 'test-mobilemart-key';
const TIMEOUT_MS = 300;

const faults = new SandboxFaults();
const rechargeSandbox = createIndiaRechargeSandbox({ faults, apiToken: RECHARGE_TOKEN });
const flashSandbox = createFlashSandbox({ faults, clientId: FLASH_CLIENT_ID, clientSecret: FLASH_CLIENT_SECRET });
const mobileMartSandbox = createMobileMartSandbox({ faults, apiKey: MOBILEMART_KEY });

let server: Server;
let baseUrl = '';

beforeAll(async () => {
  const app = express();
  app.use('/sandbox/providers/indiarecharge', rechargeSandbox.router);
  app.use('/sandbox/providers/flash', flashSandbox.router);
  app.use('/sandbox/providers/mobilemart', mobileMartSandbox.router);
  app.use('/malformed', (_req, res) => {
    res.json({ unexpected: true });
  });
  server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(listening)));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The first fetch in a process loads the HTTP client; keep that out of the adapters' short timeout.
  await (await fetch(`${baseUrl}/malformed`)).text();
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
});

afterEach(() => {
  for (const provider of ['recharge', 'flash', 'mobilemart'] as const) faults.set({ provider, mode: 'none', count: 0 });
});

const indiaRecharge = (apiToken = RECHARGE_TOKEN, url = `${baseUrl}/sandbox/providers/indiarecharge`) =>
  createIndiaRechargeProvider({ baseUrl: url, apiToken, timeoutMs: TIMEOUT_MS });
const flash = (clientSecret = FLASH_CLIENT_SECRET, url = `${baseUrl}/sandbox/providers/flash`) =>
  createFlashProvider({ baseUrl: url, clientId: FLASH_CLIENT_ID, clientSecret, timeoutMs: TIMEOUT_MS });
const mobileMart = (apiKey = MOBILEMART_KEY, url = `${baseUrl}/sandbox/providers/mobilemart`) =>
  createMobileMartProvider({ baseUrl: url, apiKey, timeoutMs: TIMEOUT_MS });

interface SellerCase {
  title: string;
  fault: SandboxProviderName;
  adapter(): VtuProvider;
  withWrongCredentials(): VtuProvider;
  /** The adapter with the right credentials, pointed at another base URL. */
  pointedAt(url: string): VtuProvider;
  deliveries(requestId: string): number;
  order(overrides?: Partial<VtuOrder>): VtuOrder;
  /** An order the provider refuses: a recipient or product it does not know. */
  invalidOrders: Array<[string, Partial<VtuOrder>, string]>;
  wrongCredentialsCode: string;
}

const SELLERS: [SellerCase, SellerCase, SellerCase] = [
  {
    title: 'IndiaRecharge (GenCharge)',
    fault: 'recharge',
    adapter: () => indiaRecharge(),
    withWrongCredentials: () => indiaRecharge('wrong-token'),
    pointedAt: (url) => indiaRecharge(RECHARGE_TOKEN, url),
    deliveries: (id) => rechargeSandbox.deliveries(id),
    order: (overrides = {}) => ({
      requestId: `GC-${randomUUID()}`,
      kind: 'recharge',
      serviceId: 'JIO',
      circle: 'MH',
      amountMinor: 29_900n,
      recipient: '9876543210',
      ...overrides,
    }),
    invalidOrders: [
      ['a 9-digit mobile number', { recipient: '987654321' }, 'INVALID_MOBILE'],
      ['an unknown operator', { serviceId: 'TATA' }, 'INVALID_OPERATOR'],
      ['an amount with paise', { amountMinor: 29_950n }, 'INVALID_AMOUNT'],
    ],
    wrongCredentialsCode: 'INVALID_TOKEN',
  },
  {
    title: 'Flash (MyMoolah)',
    fault: 'flash',
    adapter: () => flash(),
    withWrongCredentials: () => flash('wrong-secret'),
    pointedAt: (url) => flash(FLASH_CLIENT_SECRET, url),
    deliveries: (id) => flashSandbox.deliveries(id),
    order: (overrides = {}) => ({
      requestId: `MM-FL-${randomUUID()}`,
      kind: 'airtime',
      serviceId: 'VODACOM',
      amountMinor: 5_000n,
      recipient: '0821234567',
      ...overrides,
    }),
    invalidOrders: [
      ['a number that is not South African mobile', { recipient: '12345' }, 'INVALID_ACCOUNT_NUMBER'],
      ['an unknown product code', { kind: 'data', variationCode: 'NOPE-1GB' }, 'INVALID_PRODUCT_CODE'],
    ],
    wrongCredentialsCode: 'invalid_client',
  },
  {
    title: 'MobileMart (MyMoolah)',
    fault: 'mobilemart',
    adapter: () => mobileMart(),
    withWrongCredentials: () => mobileMart('wrong-key'),
    pointedAt: (url) => mobileMart(MOBILEMART_KEY, url),
    deliveries: (id) => mobileMartSandbox.deliveries(id),
    order: (overrides = {}) => ({
      requestId: `MM-MM-${randomUUID()}`,
      kind: 'airtime',
      serviceId: 'MTN',
      amountMinor: 2_950n,
      recipient: '27831234567',
      ...overrides,
    }),
    invalidOrders: [
      ['an invalid msisdn', { recipient: '0831' }, 'INVALID_MSISDN'],
      ['an unknown network', { serviceId: 'VIRGIN' }, 'INVALID_NETWORK'],
      ['an unknown bundle', { kind: 'data', variationCode: '99GB-1D', amountMinor: 9_900n }, 'INVALID_PRODUCT'],
    ],
    wrongCredentialsCode: 'UNAUTHORIZED',
  },
];

const [rechargeCase, flashCase, mobileMartCase] = SELLERS;

describe.each(SELLERS)('$title adapter against its sandbox', (seller) => {
  it('when an order is submitted, then it is delivered once and the query agrees', async () => {
    const provider = seller.adapter();
    const order = seller.order();
    const result = await provider.submitOrder(order);
    expect(result).toMatchObject({ status: 'success', providerReference: expect.any(String) });
    await expect(provider.queryOrder(order.requestId)).resolves.toEqual(result);
    expect(seller.deliveries(order.requestId)).toBe(1);
  });

  it.each(seller.invalidOrders)('when the order has %s, then the provider refuses it and nothing is delivered', async (_what, overrides, code) => {
    const order = seller.order(overrides);
    await expect(seller.adapter().submitOrder(order)).rejects.toMatchObject({ name: 'ProviderRejectedError', code });
    expect(seller.deliveries(order.requestId)).toBe(0);
    await expect(seller.adapter().queryOrder(order.requestId)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the provider fails the order, then the result is failed and nothing is delivered', async () => {
    faults.set({ provider: seller.fault, mode: 'error', count: 1 });
    const order = seller.order();
    await expect(seller.adapter().submitOrder(order)).resolves.toMatchObject({ status: 'failed' });
    expect(seller.deliveries(order.requestId)).toBe(0);
  });

  it.each(['success', 'failed'] as const)('when the provider never answers, then the outcome is unknown and a query finds it %s', async (outcome) => {
    const provider = seller.adapter();
    faults.set({ provider: seller.fault, mode: 'timeout', count: 1, outcome });
    const order = seller.order();
    await expect(provider.submitOrder(order)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: outcome });
    expect(seller.deliveries(order.requestId)).toBe(outcome === 'success' ? 1 : 0);
  });

  it('when the provider answers pending, then the order stays pending for as many queries as planned, then settles', async () => {
    const provider = seller.adapter();
    faults.set({ provider: seller.fault, mode: 'pending', count: 3, outcome: 'success' });
    const order = seller.order();
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'pending' });
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'pending' });
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'pending' });
    expect(seller.deliveries(order.requestId)).toBe(0);
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'success' });
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'success' });
    expect(seller.deliveries(order.requestId)).toBe(1);
  });

  it('when a pending order fails at the provider, then the query reports it failed', async () => {
    const provider = seller.adapter();
    faults.set({ provider: seller.fault, mode: 'pending', count: 1, outcome: 'failed' });
    const order = seller.order();
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'pending' });
    await expect(provider.queryOrder(order.requestId)).resolves.toMatchObject({ status: 'failed' });
    expect(seller.deliveries(order.requestId)).toBe(0);
  });

  it('when the same request id is submitted again, then the original result comes back and it is delivered once', async () => {
    const provider = seller.adapter();
    const order = seller.order();
    const first = await provider.submitOrder(order);
    const second = await provider.submitOrder(order);
    expect(second).toEqual(first);
    expect(seller.deliveries(order.requestId)).toBe(1);
  });

  it('when an order whose answer was lost is submitted again, then it is not delivered a second time', async () => {
    const provider = seller.adapter();
    faults.set({ provider: seller.fault, mode: 'timeout', count: 1, outcome: 'success' });
    const order = seller.order();
    await expect(provider.submitOrder(order)).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'success' });
    expect(seller.deliveries(order.requestId)).toBe(1);
  });

  it('when the credentials are wrong, then the provider refuses the order and nothing is delivered', async () => {
    const order = seller.order();
    await expect(seller.withWrongCredentials().submitOrder(order)).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: seller.wrongCredentialsCode,
    });
    await expect(seller.withWrongCredentials().queryOrder(order.requestId)).rejects.toMatchObject({ name: 'ProviderRejectedError' });
    expect(seller.deliveries(order.requestId)).toBe(0);
  });

  it('when an unknown request id is queried, then the provider rejects it as NOT_FOUND', async () => {
    await expect(seller.adapter().queryOrder(`X-${randomUUID()}`)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'NOT_FOUND' });
  });

  it('when the provider answers with an unreadable body, then the outcome is unknown', async () => {
    await expect(seller.pointedAt(`${baseUrl}/malformed`).submitOrder(seller.order())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('when nothing listens at the address, then the outcome is unknown', async () => {
    await expect(seller.pointedAt('http://127.0.0.1:1').submitOrder(seller.order())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe('Flash access tokens and products', () => {
  it('when one adapter makes several calls, then it fetches one access token and reuses it', async () => {
    const provider = flash();
    const before = flashSandbox.tokensIssued();
    const order = flashCase.order();
    await provider.submitOrder(order);
    await provider.queryOrder(order.requestId);
    await Promise.all([provider.queryOrder(order.requestId), provider.queryOrder(order.requestId)]);
    expect(flashSandbox.tokensIssued() - before).toBe(1);
  });

  it('when the cached token is revoked, then the adapter fetches a new one and the purchase goes through once', async () => {
    const provider = flash();
    await provider.submitOrder(flashCase.order());
    flashSandbox.revokeTokens();
    const order = flashCase.order();
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'success' });
    expect(flashSandbox.deliveries(order.requestId)).toBe(1);
  });

  it('when a 1Voucher is bought, then its PIN comes back with the result', async () => {
    const order = flashCase.order({ kind: 'voucher', serviceId: '1VOUCHER', amountMinor: 10_000n });
    await expect(flash().submitOrder(order)).resolves.toMatchObject({ status: 'success', token: expect.stringMatching(/^\d{16}$/) });
  });

  it('when prepaid electricity is bought for a meter, then the token comes back with the result', async () => {
    const order = flashCase.order({ kind: 'bill', serviceId: 'ESKOM', recipient: '04040404040', amountMinor: 20_000n });
    await expect(flash().submitOrder(order)).resolves.toMatchObject({ status: 'success', token: expect.stringMatching(/^\d{20}$/) });
  });

  it('when a bundle is bought at another price than its own, then Flash refuses it', async () => {
    const order = flashCase.order({ kind: 'data', variationCode: 'VODACOM-DATA-1GB', amountMinor: 5_000n });
    await expect(flash().submitOrder(order)).rejects.toMatchObject({ name: 'ProviderRejectedError', code: 'INVALID_AMOUNT' });
    await expect(flash().submitOrder({ ...order, amountMinor: 9_900n })).resolves.toMatchObject({ status: 'success' });
  });

  it('when a purchase is still pending, then no PIN is shown yet', async () => {
    faults.set({ provider: 'flash', mode: 'pending', count: 1, outcome: 'success' });
    const order = flashCase.order({ kind: 'voucher', serviceId: '1VOUCHER', amountMinor: 10_000n });
    const pending = await flash().submitOrder(order);
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending.token).toBeUndefined();
    await expect(flash().queryOrder(order.requestId)).resolves.toMatchObject({ status: 'success', token: expect.any(String) });
  });
});

describe('MobileMart products', () => {
  it('when a data bundle is bought, then it is delivered', async () => {
    const order = mobileMartCase.order({ kind: 'data', variationCode: '1GB-30D', amountMinor: 9_900n });
    await expect(mobileMart().submitOrder(order)).resolves.toMatchObject({ status: 'success' });
    expect(mobileMartSandbox.deliveries(order.requestId)).toBe(1);
  });

  it('when prepaid electricity is bought, then the token comes back with the result', async () => {
    const order = mobileMartCase.order({ kind: 'bill', serviceId: 'ESKOM', recipient: '04040404040', amountMinor: 15_000n });
    await expect(mobileMart().submitOrder(order)).resolves.toMatchObject({ status: 'success', token: expect.stringMatching(/^\d{20}$/) });
  });

  it('when a kind MobileMart does not sell is ordered, then it is refused without a call', async () => {
    await expect(mobileMart('any', 'http://127.0.0.1:1').submitOrder(mobileMartCase.order({ kind: 'voucher' }))).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      code: 'UNSUPPORTED_PRODUCT',
    });
  });
});

describe('IndiaRecharge duplicates', () => {
  it('when the aggregator refuses a repeated client_ref, then the adapter answers with the original recharge', async () => {
    const provider = indiaRecharge();
    faults.set({ provider: 'recharge', mode: 'pending', count: 1, outcome: 'failed' });
    const order = rechargeCase.order({ serviceId: 'AIRTEL', circle: 'DL', recipient: '7012345678' });
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'pending' });
    await expect(provider.submitOrder(order)).resolves.toMatchObject({ status: 'failed' });
    expect(rechargeSandbox.deliveries(order.requestId)).toBe(0);
  });

  it('when no circle is given, then the aggregator routes the recharge itself', async () => {
    await expect(indiaRecharge().submitOrder(rechargeCase.order({ circle: undefined, serviceId: 'BSNL' }))).resolves.toMatchObject({ status: 'success' });
  });
});

describe('the provider registry', () => {
  it('when tenants name indiarecharge, flash and mobilemart, then their adapters reach the sandboxes with the configured keys', async () => {
    const config = loadConfig({ NODE_ENV: 'test', SANDBOX: 'true', DATABASE_URL: 'postgres://unused', TEMPORAL_ADDRESS: 'unused:7233' });
    const key = (name: ProviderKeyName) => requireProviderKey(config, name, 'this test');
    const faultsHere = new SandboxFaults();
    const app = express();
    app.use('/sandbox/providers/indiarecharge', createIndiaRechargeSandbox({ faults: faultsHere, apiToken: key('INDIARECHARGE_API_TOKEN') }).router);
    app.use(
      '/sandbox/providers/flash',
      createFlashSandbox({ faults: faultsHere, clientId: key('FLASH_CLIENT_ID'), clientSecret: key('FLASH_CLIENT_SECRET') }).router,
    );
    app.use('/sandbox/providers/mobilemart', createMobileMartSandbox({ faults: faultsHere, apiKey: key('MOBILEMART_API_KEY') }).router);
    const local = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(listening)));
    });
    try {
      const tenants = [
        { slug: 'gencharge', currency: 'INR', settings: { providers: { vtu: 'indiarecharge' } } },
        { slug: 'mymoolah', currency: 'ZAR', settings: { providers: { flash: 'flash', mobilemart: 'mobilemart' } } },
      ];
      const registry = createProviderRegistry(config, tenants, `http://127.0.0.1:${(local.address() as AddressInfo).port}`);
      await expect(registry.vtu('gencharge').submitOrder(rechargeCase.order())).resolves.toMatchObject({ status: 'success' });
      await expect(registry.get('mymoolah', 'flash').submitOrder(flashCase.order())).resolves.toMatchObject({ status: 'success' });
      await expect(registry.get('mymoolah', 'mobilemart').submitOrder(mobileMartCase.order())).resolves.toMatchObject({ status: 'success' });
    } finally {
      await new Promise<void>((resolve, reject) => {
        local.close((error) => (error ? reject(error) : resolve()));
        local.closeAllConnections();
      });
    }
  });
});
