/**
 * Which button presses run anything: a button's action is a command line the core put on it, so
 * a press whose action names no command (a button from an older version, forged callback data
 * such as `b`) is answered "this button has expired" and runs nothing — it never reaches the core
 * as if the person had typed it ("I don't know "b"").
 *
 * @example
 *   isLiveAction(core.registry, 'customer C12') // → true
 *   isLiveAction(core.registry, 'b')            // → false
 */
import type { CommandRegistry } from '../../src/core/registry.js';

/** Whether a pressed button's action is a command the core knows (permissions are still checked by the core). */
export function isLiveAction(registry: Pick<CommandRegistry, 'match'> | undefined, action: string): boolean {
  if (!registry) return action.trim() !== '';
  return registry.match(action) !== undefined;
}
