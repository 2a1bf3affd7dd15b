/**
 * The app's deps and core as the tests build them, in one place: configuration
 * from the test's own keys (no `.env` file, silent logs), the notifier the test
 * wants, and a clock — one the test moves, or the real one.
 *
 * Why: the chat helpers (./chat.ts), the jobs fixtures (./jobs-fixtures.ts) and
 * the e2e stacks (./app-stack.ts) all need the same deps; built here, a new
 * dependency of the core is added once.
 *
 * @example
 *   const { core, clock, notifier } = createTestApp({ DEFAULT_TIMEZONE: 'Europe/Berlin' }, new Date('2026-03-27T11:00:00Z'));
 *   clock.now = new Date('2026-03-28T09:00:00Z'); // deps.now() reads it
 *   await core.handle({ …, deliveryId: nextDeliveryId() });
 */
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/core/command.js';
import { createApp } from '../../src/app.js';
import type { Core } from '../../src/core/handle.js';
import type { Notifier } from '../../src/core/types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { RecordingNotifier } from './recording-notifier.js';

/** A clock the test sets: `deps.now()` returns a copy of `now`. */
export interface TestClock {
  now: Date;
}

/**
 * Deps for tests. With `clock`, `deps.now()` reads it; without, it is the real clock.
 *
 * @example
 *   const deps = testDeps({ env: { OWNER_SLACK_IDS: 'U1' }, notifier: new RoutingNotifier() });
 */
export function testDeps(options: { env?: Record<string, string>; notifier: Notifier; log?: Logger; clock?: TestClock }): Deps {
  const { clock } = options;
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', ...options.env }, { envFile: null }),
    notifier: options.notifier,
    log: options.log ?? silentLogger(),
    now: clock ? () => new Date(clock.now.getTime()) : () => new Date(),
  };
}

/** The core on test deps with a recording notifier and a movable clock. */
export interface TestApp {
  core: Core;
  deps: Deps;
  notifier: RecordingNotifier;
  /** The clock `deps.now()` reads; set it to move time. */
  clock: TestClock;
}

/**
 * Builds the core as src/main.ts does, with a {@link RecordingNotifier} and a
 * clock starting at `start`.
 */
export function createTestApp(env: Record<string, string>, start: Date): TestApp {
  const notifier = new RecordingNotifier();
  const clock: TestClock = { now: start };
  const deps = testDeps({ env, notifier, clock });
  return { core: createApp(deps), deps, notifier, clock };
}

let deliveries = 0;

/** A delivery id no other message of this test process has (`test:<pid>:<n>`). */
export function nextDeliveryId(): string {
  return `test:${process.pid}:${++deliveries}`;
}
