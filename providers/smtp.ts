import nodemailer from 'nodemailer';
import { ProviderOutcomeUnknownError, ProviderRejectedError, type EmailMessage, type EmailProvider } from './types.js';

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** The sender, e.g. `"MyMoolah" <no-reply@example.com>`. */
  from: string;
  /** How long to wait for the server at each step before the outcome counts as unknown. */
  timeoutMs?: number;
}

const PROVIDER = 'smtp';
const DEFAULT_TIMEOUT_MS = 10_000;

// Refusals made before anything was handed over: the same message would be refused again.
const REFUSED_BEFORE_SENDING = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG']);

export function createSmtpEmailProvider(config: SmtpConfig): EmailProvider {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });

  return {
    name: PROVIDER,

    async sendEmail(message: EmailMessage): Promise<{ providerMessageId: string }> {
      try {
        const info = await transport.sendMail({
          from: message.fromName ? { name: message.fromName, address: senderAddress(config.from) } : config.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
        });
        return { providerMessageId: info.messageId };
      } catch (error) {
        throw toProviderError(error);
      }
    },
  };
}

/** The address of a configured sender, which may carry a display name (`"MyMoolah" <no-reply@example.com>`). */
function senderAddress(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

/** SMTP 5xx refuses for good; 4xx asks to try later; no reply at all leaves the outcome unknown. */
function toProviderError(error: unknown): Error {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  const reason = message ?? 'send failed';
  if (typeof responseCode === 'number' && responseCode >= 500) {
    return new ProviderRejectedError(PROVIDER, String(responseCode), reason);
  }
  if (responseCode === undefined && code !== undefined && REFUSED_BEFORE_SENDING.has(code)) {
    return new ProviderRejectedError(PROVIDER, code, reason);
  }
  return new ProviderOutcomeUnknownError(PROVIDER, `${PROVIDER}: ${reason}`, { cause: error });
}
