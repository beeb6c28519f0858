import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../core/logger.js';
import type { SandboxFaults } from './faults.js';
import type { Outbox } from './outbox.js';

export interface SmtpSandboxOptions {
  faults: SandboxFaults;
  outbox: Outbox;
  logger: Pick<Logger, 'warn'>;
}

export interface SmtpSandbox {
  /** Listens on 127.0.0.1 (port 0: an ephemeral one) and resolves with the port it listens on. */
  start(port: number): Promise<number>;
  /** The port it listens on, while it does. */
  port(): number | undefined;
  stop(): Promise<void>;
}

/** An error whose responseCode smtp-server sends back as the SMTP reply. */
function smtpReply(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * A local SMTP server that accepts any mail (no TLS, any or no credentials) and files what it
 * reads with mailparser in the outbox, one message per envelope recipient.
 */
export function createSmtpSandbox(options: SmtpSandboxOptions): SmtpSandbox {
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: 1000,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'sandbox' });
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const fault = options.faults.take('email');
          if (fault?.mode === 'error') {
            callback(smtpReply(451, 'Requested action aborted: local error in processing'));
            return;
          }
          if (fault?.mode !== 'timeout' || fault.outcome === 'success') {
            const text = (mail.text ?? (typeof mail.html === 'string' ? mail.html : '')).trimEnd();
            for (const recipient of session.envelope.rcptTo) {
              options.outbox.record({ channel: 'email', to: recipient.address, subject: mail.subject ?? '', body: text });
            }
          }
          // Accepted (or not, as planned), but the reply never comes: the client's timeout ends the exchange.
          if (fault?.mode === 'timeout') return;
          callback(null, 'Message queued');
        },
        (error: unknown) => callback(smtpReply(554, `Transaction failed: ${error instanceof Error ? error.message : 'unreadable message'}`)),
      );
    },
  });

  // A client dropping its connection (say, after its own timeout) must not take the process down.
  const logConnectionError = (error: Error) => options.logger.warn({ err: error }, 'sandbox smtp connection error');

  let listeningOn: number | undefined;
  return {
    start(port) {
      return new Promise<number>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          server.on('error', logConnectionError);
          listeningOn = (server.server.address() as AddressInfo).port;
          resolve(listeningOn);
        });
      });
    },
    port: () => listeningOn,
    stop() {
      if (listeningOn === undefined) return Promise.resolve();
      listeningOn = undefined;
      return new Promise<void>((resolve) =>
        server.close(() => {
          server.off('error', logConnectionError);
          resolve();
        }),
      );
    },
  };
}
