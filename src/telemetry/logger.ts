import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  /** Where JSON lines go; defaults to stdout. */
  readonly destination?: { write(line: string): void };
}

/**
 * Creates serin's JSON logger. Configured by the caller, never from the environment at import time.
 * Secrets are redacted wherever they might appear.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'serin',
      level: options.level ?? 'info',
      redact: {
        paths: [
          'token',
          'bearerToken',
          '*.token',
          '*.bearerToken',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
