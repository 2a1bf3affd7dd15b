/**
 * The composition root of the chat core: the shared command registry (every flow and command)
 * plugged into the core. Adapters, jobs' tests and benchmarks start from here.
 *
 * Why apart from src/core: the core routes and knows no command; the commands know no adapter.
 * This is the one place that puts them together.
 *
 * @example
 *   const core = createApp({ config, notifier, log, now: () => new Date() });
 *   await core.handle(incoming);
 */
import { createRegistry } from './commands/index.js';
import type { Deps } from './core/command.js';
import { createCore, type Core } from './core/handle.js';

export function createApp(deps: Deps): Core {
  return createCore(deps, createRegistry());
}
