/** The one command registry every platform shares. */
import { CommandRegistry } from '../core/registry.js';
import { merge, totals, unmerge } from './admin.js';
import { customer, find, lead, note, tag, untag } from './customers.js';
import { helpCommand } from './help.js';
import { order, orders, orderStatus } from './orders.js';
import { complaint, consent, start, stop } from './self-service.js';
import { invite, join, link, whoami } from './team.js';

/** Builds the registry with every command, in the order help lists them. */
export function createRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  registry.add(lead, find, customer, note, tag, untag, order, orderStatus, orders, merge, unmerge, invite, totals);
  registry.add(start, consent, stop, complaint, join, link, whoami);
  // --- insight commands: registry.add(...) below ---
  // --- jobs commands: registry.add(...) below ---
  registry.add(helpCommand(registry));
  return registry;
}
