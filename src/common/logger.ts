import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * One structured logger. Secrets never reach it: callers log ids, never passwords, tokens or
 * cookies, and these paths are redacted in case a request object slips in.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'req.headers.cookie', 'headers.cookie', 'cookie'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const LOGGER = Symbol('LOGGER');
export type { Logger };
