/**
 * One command shape for everything a person can type. Help, permission
 * checks and pagination are built on this shape rather than beside it.
 *
 * @example
 *   export const note: Command = {
 *     name: 'note', usage: 'note <customer> <text>', summary: …,
 *     allow: STAFF, run: async (ctx) => [text('Saved.')],
 *   };
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Actor, ActorRole } from './actor.js';
import type { Messages } from './messages.js';
import type { Incoming, Notifier, Reply } from './types.js';

/** What services and commands need from the outside world. */
export interface Deps {
  config: Config;
  notifier: Notifier;
  log: Logger;
  /** The clock; tests drive it. */
  now: () => Date;
}

export interface CommandContext {
  actor: Actor;
  incoming: Incoming;
  /** The text after the command name. */
  args: string;
  deps: Deps;
  msg: Messages;
}

export interface Command {
  /** One or more words: `order status` is matched before `order`. */
  name: string;
  aliases?: readonly string[];
  /** The usage line shown in help and with every validation error. */
  usage: string;
  /** Key of its one-line description in the message catalogue (`msg.summary`). */
  summary: keyof Messages['summary'];
  /** Examples shown by `help <command>`. */
  examples?: readonly string[];
  /** Who may run it. */
  allow: readonly ActorRole[];
  /** Hidden from the help list (still runnable, e.g. button targets). */
  hidden?: boolean;
  run(ctx: CommandContext): Promise<Reply[]>;
}

export const STAFF: readonly ActorRole[] = ['owner', 'manager', 'sales', 'support'];
export const SELLERS: readonly ActorRole[] = ['owner', 'manager', 'sales'];
export const MANAGERS: readonly ActorRole[] = ['owner', 'manager'];
export const CUSTOMERS: readonly ActorRole[] = ['customer'];
export const EVERYONE: readonly ActorRole[] = [...STAFF, 'customer'];
