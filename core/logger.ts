import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /** Human-readable lines instead of JSON; by default only in development on a terminal. */
  pretty?: boolean;
}

/** JSON lines for log shippers; in development on a terminal, pino-pretty's readable lines. */
export function createLogger(level: string, name = 'platform', options: LoggerOptions = {}): Logger {
  const readable = options.pretty ?? ((process.env.NODE_ENV ?? 'development') === 'development' && process.stdout.isTTY === true);
  const settings = {
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'refresh', 'access'], remove: true },
  };
  return readable ? pino(settings, prettyStream()) : pino(settings);
}

/** One line per request (`GET /path 200 12ms`) rather than pino-http's request and response objects. */
function prettyStream() {
  return pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,req,res,responseTime',
    messageFormat: (log, messageKey) => {
      const req = log.req as { method?: string; url?: string; id?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      if (req && res) return `${req.method} ${req.url} ${res.statusCode} ${String(log.responseTime)}ms (request ${req.id})`;
      return String(log[messageKey] ?? '');
    },
  });
}
