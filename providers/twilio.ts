import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { withoutTrailingSlash } from './http.js';
import { ProviderOutcomeUnknownError, ProviderRejectedError, type SmsMessage, type SmsProvider } from './types.js';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or alphanumeric sender id. */
  from: string;
  /** Where Twilio's REST API is served instead of https://api.twilio.com (the sandbox's imitation). */
  baseUrl?: string;
  timeoutMs: number;
}

const PROVIDER = 'twilio';
const TWILIO_API = 'https://api.twilio.com';

// 408 and 429 refuse nothing for good: the request may be repeated, so they count as "ask again".
const ANSWER_LATER = new Set([408, 429]);

/**
 * The SDK's own HTTP client, sending to `baseUrl` what it would send to api.twilio.com, so the
 * SDK's whole request path (form encoding, basic auth, error parsing) runs against the sandbox.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API) ? `${this.baseUrl}${opts.uri.slice(TWILIO_API.length)}` : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export function createTwilioSmsProvider(config: TwilioConfig): SmsProvider {
  const client = twilio(config.accountSid, config.authToken, {
    timeout: config.timeoutMs,
    ...(config.baseUrl ? { httpClient: new RedirectingRequestClient(withoutTrailingSlash(config.baseUrl), config.timeoutMs) } : {}),
  });

  return {
    name: PROVIDER,

    async sendSms(message: SmsMessage): Promise<{ providerMessageId: string }> {
      let sent: { sid?: string };
      try {
        sent = await client.messages.create({ to: message.to, from: message.from ?? config.from, body: message.body });
      } catch (error) {
        throw toProviderError(error);
      }
      if (typeof sent.sid !== 'string' || sent.sid === '') {
        throw new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} accepted the message without a sid`);
      }
      return { providerMessageId: sent.sid };
    },
  };
}

/** A status from Twilio means it answered; anything else (timeout, reset, refused) leaves the outcome unknown. */
function toProviderError(error: unknown): Error {
  const status = twilioStatus(error);
  if (status === undefined) {
    const reason = error instanceof Error ? error.message : 'request failed';
    return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} messages: ${reason}`, { cause: error });
  }
  if (status >= 500 || ANSWER_LATER.has(status)) {
    return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER} messages: HTTP ${status}`, { cause: error });
  }
  const { code, message } = error as { code?: number; message?: string };
  return new ProviderRejectedError(PROVIDER, String(code ?? status), message || `refused with HTTP ${status}`);
}

// RestException and TwilioServiceException (RFC 9457 bodies) both carry the HTTP status; transport errors do not.
function twilioStatus(error: unknown): number | undefined {
  const status = error instanceof Error ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
