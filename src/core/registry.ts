/**
 * The command registry: finds the command a line starts with (longest name
 * first, so `order status 5 paid` is `order status`), tolerating a leading
 * `/` and Telegram's `@botname` suffix. Names and aliases are matched without
 * case or diacritics (`foldName`): the Vietnamese alias `tìm` is also `tim`,
 * `TÌM` and `tìm` typed in decomposed Unicode — so two names that fold alike
 * are duplicates.
 *
 * @example
 *   registry.match('/lead@shop_bot Anna +84912345678') // → { command: lead, args: 'Anna +84912345678' }
 *   registry.match('Ghi chú C12 gọi lại')              // → { command: note, args: 'C12 gọi lại' }
 */
import { foldName } from '../values/names.js';
import type { Actor, ActorRole } from './actor.js';
import type { Command } from './command.js';
import type { Flow } from './flow.js';
import type { Incoming } from './types.js';

export class CommandRegistry {
  private readonly byName = new Map<string, Command>();
  private readonly all: Command[] = [];
  private readonly flows: Flow[] = [];
  private customerText: Flow | undefined;

  /**
   * Registers flows (contact shared, forwarded message, file attached…), tried in this order
   * before any command is matched.
   */
  addFlow(...flows: Flow[]): this {
    this.flows.push(...flows);
    return this;
  }

  /** The first flow that takes this message, if any. */
  flowFor(incoming: Incoming, actor: Actor): Flow | undefined {
    return this.flows.find((f) => f.takes(incoming, actor));
  }

  /**
   * The flow for what a customer writes that is not a command they may run: stored and
   * forwarded to staff ("find my order please" is a message, not the staff command `find`).
   */
  setCustomerText(flow: Flow): this {
    this.customerText = flow;
    return this;
  }

  /** The customer-text flow (see {@link setCustomerText}). */
  customerTextFlow(): Flow | undefined {
    return this.customerText;
  }

  /** Registers commands; names and aliases must be unique, case and diacritics aside (`tìm` and `tim` are one name). */
  add(...commands: Command[]): this {
    for (const command of commands) {
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        const key = foldName(name);
        if (this.byName.has(key)) throw new Error(`duplicate command name: ${name}`);
        this.byName.set(key, command);
      }
      this.all.push(command);
    }
    return this;
  }

  /** The command a line invokes and its arguments, or `undefined`. */
  match(line: string): { command: Command; args: string } | undefined {
    const trimmed = line.trim();
    const spans = [...trimmed.matchAll(/\S+/g)].slice(0, 3);
    const words = spans.map((m) => m[0]);
    if (words.length === 0) return undefined;
    words[0] = words[0]!.replace(/^\//, '').replace(/@\w+$/, '');
    for (let n = words.length; n >= 1; n--) {
      const command = this.byName.get(foldName(words.slice(0, n).join(' ')));
      if (command) {
        const last = spans[n - 1]!;
        return { command, args: trimmed.slice(last.index + last[0].length).trim() };
      }
    }
    return undefined;
  }

  /** A command by its name (case and diacritics aside). */
  get(name: string): Command | undefined {
    return this.byName.get(foldName(name));
  }

  /** Every command, in registration order. */
  list(): readonly Command[] {
    return this.all;
  }

  /** Commands visible to a role (for help and the platforms' command menus). */
  visibleTo(role: ActorRole): Command[] {
    return this.all.filter((c) => !c.hidden && c.allow.includes(role));
  }
}
