/**
 * Structured logging with pino. Personal data goes only at debug level;
 * tokens are redacted wherever they might appear.
 *
 * Two shapes: in server mode every record is a JSON line on stderr (for the
 * platform's log collector); while the console chat owns the terminal, records
 * go to a file and only warnings and errors reach stderr, as one short line each.
 *
 * @example
 *   const log = createLogger('info'); // server: JSON lines on stderr
 *   const chatLog = createLogger('debug', { file: 'data/logs/chatcrm.log' }); // console chat
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

const redact = { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' };

/** Where the console chat's logs go instead of the terminal. */
export interface LogFileOptions {
  /** The log file (appended to; its folder is created as needed). Gets records at the logger's `level`. */
  file: string;
  /** Where warnings and errors are shown, one readable line each (default: stderr). */
  terminal?: { write(line: string): unknown };
}

/**
 * Creates the process logger. Without `options`: JSON lines to stderr, so stdout stays the console
 * chat's. With `options.file`: JSON lines at `level` to that file, and warnings and errors (whatever
 * `level` says) to the terminal in the short form of {@link formatForTerminal}.
 */
export function createLogger(level: string, options?: LogFileOptions): Logger {
  if (!options) return pino({ level, redact }, pino.destination(2));
  const file = pino.destination({ dest: options.file, mkdir: true, sync: true });
  const terminal = options.terminal ?? process.stderr;
  const toTerminal: DestinationStream = { write: (line: string) => void terminal.write(formatForTerminal(line)) };
  const streams = pino.multistream([
    { level: level, stream: file },
    { level: 'warn', stream: toTerminal },
  ]);
  // The logger must produce every record some stream wants: the file's level, or warn for the terminal.
  const wanted = pino.levels.values[level] ?? Number.POSITIVE_INFINITY;
  return pino({ level: wanted < pino.levels.values.warn! ? level : 'warn', redact }, streams);
}

/**
 * One pino JSON line as a short terminal line: level, message, the error's message and the
 * reference a user was shown, if any.
 *
 * @example
 *   formatForTerminal('{"level":50,"msg":"command failed","err":{"message":"boom"},"ref":"a1b2c3"}')
 *   // → '⚠ error: command failed: boom (ref a1b2c3)\n'
 */
export function formatForTerminal(line: string): string {
  let record: { level?: number; msg?: string; err?: { message?: string }; ref?: string; code?: string };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const label = (record.level !== undefined && pino.levels.labels[record.level]) || 'log';
  const error = record.err?.message ? `: ${record.err.message}` : '';
  const details = [record.code ? `code ${record.code}` : '', record.ref ? `ref ${record.ref}` : ''].filter(Boolean).join(', ');
  return `⚠ ${label}: ${record.msg ?? ''}${error}${details ? ` (${details})` : ''}\n`;
}

/** A logger that drops everything (tests, scripts). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
