import express from 'express';
import { z } from 'zod';
import { SANDBOX_PROVIDER_NAMES } from '../providers/types.js';
import { DomainError, FailureType } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createOnePipeSandbox, type PaymentSandbox } from '../providers/sandbox/onepipe-sandbox.js';
import { createPeachSandbox } from '../providers/sandbox/peach-sandbox.js';
import { createRazorpaySandbox } from '../providers/sandbox/razorpay-sandbox.js';
import { createVtpassSandbox } from '../providers/sandbox/vtpass-sandbox.js';
import { createFlashSandbox } from '../providers/sandbox/flash-sandbox.js';
import { createIndiaRechargeSandbox } from '../providers/sandbox/indiarecharge-sandbox.js';
import { createMobileMartSandbox } from '../providers/sandbox/mobilemart-sandbox.js';
import { SandboxFaults } from '../providers/sandbox/faults.js';
import { Outbox } from '../providers/sandbox/outbox.js';
import { createSmtpSandbox, type SmtpSandbox } from '../providers/sandbox/smtp-sandbox.js';
import { createTwilioSandbox } from '../providers/sandbox/twilio-sandbox.js';
import { notFoundHandler, platformEnvelope, surfaceErrorHandler } from './errors.js';
import { body, query } from './validation.js';
import { describeDevChain } from '../providers/chain/describe.js';

export interface SandboxRouter {
  router: express.Router;
  faults: SandboxFaults;
  vtuDeliveries(requestId: string): number;
  /** SMS and email the sandbox providers delivered. */
  outbox: Outbox;
  /** Started and stopped with the API; the worker's SMTP adapter sends to it. */
  smtp: SmtpSandbox;
  /** Deliveries by the other selling sandboxes, never more than one per request id. */
  sellerDeliveries(provider: 'indiarecharge' | 'flash' | 'mobilemart', requestId: string): number;
}

const CompleteBody = z.object({
  status: z.enum(['success', 'failed']),
  lose_webhook: z.boolean().default(false),
  /** Minor units the payer actually paid, when it differs from what was asked. */
  amount_minor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});
const OutboxQuery = z.object({ to: z.string().min(1).optional() });
const FaultBody = z.object({
  provider: z.enum(SANDBOX_PROVIDER_NAMES),
  mode: z.enum(['timeout', 'error', 'pending', 'none']),
  count: z.number().int().min(0).max(1000).default(1),
  outcome: z.enum(['success', 'failed']).optional(),
});

/**
 * Local imitations of the providers we cannot reach from here, served over HTTP so the real
 * adapters run against them, plus the controls tests and developers drive them with.
 */
export function createSandboxRouter(deps: {
  webhookUrl: () => string;
  webhookSecret: string;
  paymentsClientSecret: string;
  paymentsApiKey: string;
  vtuApiKey: string;
  /** Where the API listens: each payment sandbox posts its webhooks to /webhooks/<provider> there. */
  apiUrl: () => string;
  razorpay: { keyId: string; keySecret: string; webhookSecret: string };
  peach: { accessToken: string; entityId: string; webhookSecret: string };
  rechargeApiToken: string;
  flashClientId: string;
  flashClientSecret: string;
  mobilemartApiKey: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  /** Xclera's EVM node and contract, when configured. */
  chain?: { rpcUrl: string; chainId: number; contractAddress: string };
  logger: Logger;
}): SandboxRouter {
  const faults = new SandboxFaults();
  const onepipe = createOnePipeSandbox({
    webhookUrl: deps.webhookUrl,
    webhookSecret: deps.webhookSecret,
    faults,
    clientSecret: deps.paymentsClientSecret,
    apiKey: deps.paymentsApiKey,
  });
  const razorpay = createRazorpaySandbox({ webhookUrl: () => `${deps.apiUrl()}/webhooks/razorpay`, faults, ...deps.razorpay });
  const peach = createPeachSandbox({ webhookUrl: () => `${deps.apiUrl()}/webhooks/peach`, faults, ...deps.peach });
  const paymentSandboxes: PaymentSandbox[] = [onepipe, razorpay, peach];
  const vtpass = createVtpassSandbox({ faults, apiKey: deps.vtuApiKey });
  const sellers = {
    indiarecharge: createIndiaRechargeSandbox({ faults, apiToken: deps.rechargeApiToken }),
    flash: createFlashSandbox({ faults, clientId: deps.flashClientId, clientSecret: deps.flashClientSecret }),
    mobilemart: createMobileMartSandbox({ faults, apiKey: deps.mobilemartApiKey }),
  };

  const outbox = new Outbox();
  const twilio = createTwilioSandbox({ faults, outbox, accountSid: deps.twilioAccountSid, authToken: deps.twilioAuthToken });
  const smtp = createSmtpSandbox({ faults, outbox, logger: deps.logger });

  const router = express.Router();
  router.use('/providers/onepipe', onepipe.router);
  router.use('/providers/razorpay', razorpay.router);
  router.use('/providers/peach', peach.router);
  router.use('/providers/vtpass', vtpass.router);
  router.use('/providers/twilio', twilio.router);
  for (const [name, seller] of Object.entries(sellers)) router.use(`/providers/${name}`, seller.router);

  const controls = express.Router();
  controls.use(express.json({ limit: '16kb' }));
  controls.post('/payments/:reference/complete', async (req, res) => {
    const { status, lose_webhook, amount_minor } = body(req, CompleteBody);
    const reference = String(req.params.reference);
    const sandbox = paymentSandboxes.find((candidate) => candidate.holds(reference));
    if (!sandbox) throw new DomainError(FailureType.NotFound, `no sandbox collection ${reference}`);
    res.json(await sandbox.completeCollection(reference, status, { loseWebhook: lose_webhook, collectedMinor: amount_minor }));
  });
  controls.get('/outbox', (req, res) => {
    const { to } = query(req, OutboxQuery);
    // An unencoded `?to=+234...` arrives as " 234...": the query string reads "+" as a space.
    res.json({ messages: outbox.list({ to: to?.replace(/^ (?=\d)/, '+') }) });
  });
  controls.get('/faults', (_req, res) => {
    res.json({ providers: SANDBOX_PROVIDER_NAMES, planned: faults.planned() });
  });
  controls.post('/faults', (req, res) => {
    const fault = body(req, FaultBody);
    faults.set(fault);
    res.json(fault);
  });
  controls.get('/chain', async (_req, res) => {
    if (!deps.chain) throw new DomainError(FailureType.NotFound, 'no chain is configured (RPC_URL, XCLERA_CONTRACT_ADDRESS)');
    res.json(await describeDevChain(deps.chain));
  });
  controls.use(notFoundHandler());
  controls.use(surfaceErrorHandler(platformEnvelope, deps.logger));
  router.use(controls);

  return {
    router,
    faults,
    vtuDeliveries: (requestId) => vtpass.deliveries(requestId),
    outbox,
    smtp,
    sellerDeliveries: (provider, requestId) => sellers[provider].deliveries(requestId),
  };
}
