import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { SandboxFaults } from './faults.js';
import type { Outbox } from './outbox.js';
import { sameText } from '../../core/credentials.js';

export interface TwilioSandboxOptions {
  faults: SandboxFaults;
  outbox: Outbox;
  accountSid: string;
  authToken: string;
}

const E164 = /^\+[1-9]\d{7,14}$/;

const messageRequestSchema = z.object({
  To: z.string().optional(),
  From: z.string().optional(),
  Body: z.string().optional(),
});

/** Twilio's error body: `{ code, message, more_info, status }`. */
function twilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/**
 * An imitation of Twilio's Programmable Messaging create-message endpoint, served at the path the
 * SDK calls (`/2010-04-01/Accounts/{AccountSid}/Messages.json`), so the real SDK runs against it.
 */
export function createTwilioSandbox(options: TwilioSandboxOptions): { router: Router } {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  router.post('/2010-04-01/Accounts/:accountSid/Messages.json', (req, res) => {
    const credentials = basicAuth(req.get('authorization'));
    if (!credentials || !sameText(credentials.user, options.accountSid) || !sameText(credentials.pass, options.authToken)) {
      twilioError(res, 401, 20003, 'Authenticate');
      return;
    }
    const accountSid = String(req.params.accountSid);
    if (accountSid !== options.accountSid) {
      twilioError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${accountSid}/Messages.json was not found`);
      return;
    }
    const parsed = messageRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      twilioError(res, 400, 20001, 'Invalid parameter');
      return;
    }
    const { To: to, From: from, Body: text } = parsed.data;
    if (!to) {
      twilioError(res, 400, 21604, "A 'To' phone number is required.");
      return;
    }
    if (!E164.test(to)) {
      twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
      return;
    }
    if (!from) {
      twilioError(res, 400, 21603, "A 'From' phone number is required.");
      return;
    }
    if (!text) {
      twilioError(res, 400, 21602, 'Message body is required.');
      return;
    }

    const fault = options.faults.take('sms');
    if (fault?.mode === 'error') {
      twilioError(res, 500, 20500, 'An internal server error has occurred');
      return;
    }
    if (fault?.mode !== 'timeout' || fault.outcome === 'success') options.outbox.record({ channel: 'sms', to, body: text });
    // Sent (or not, as planned), but the answer never comes: the client's timeout ends the exchange.
    if (fault?.mode === 'timeout') return;

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString().replace('GMT', '+0000');
    res.status(201).json({
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: text,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(Math.max(1, Math.ceil(text.length / 160))),
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });

  return { router };
}

function basicAuth(header: string | undefined): { user: string; pass: string } | undefined {
  const match = header?.match(/^Basic\s+(\S+)$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

