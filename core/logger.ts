import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'platform'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'refresh', 'access'], remove: true },
  });
}
