/**
 * Bolt and its WebClient log through this adapter into our pino logger (component `slack`), so
 * their lines are structured like ours. Bolt never logs tokens (the WebClient redacts them);
 * request bodies appear only at debug level.
 *
 * @example
 *   new App({ logger: boltLogger(log), … })
 */
import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/log.js';

export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(format(...msg)),
    info: (...msg: unknown[]) => child.info(format(...msg)),
    warn: (...msg: unknown[]) => child.warn(format(...msg)),
    error: (...msg: unknown[]) => child.error(format(...msg)),
    // pino's own level decides what is written; Bolt only asks.
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
