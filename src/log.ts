/**
 * Structured logging with pino. Personal data goes only at debug level;
 * tokens are redacted wherever they might appear.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Creates the process logger (JSON lines to stderr, so stdout stays the console chat's). */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

/** A logger that drops everything (tests, scripts). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
