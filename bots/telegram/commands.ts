/**
 * The command menu Telegram shows next to the text box, built from the core's
 * registry so it can never drift from what exists: customers' commands for
 * everyone (default scope), staff commands for the configured owners' chats.
 *
 * Telegram accepts only `^[a-z0-9_]{1,32}$` as a command name, so multi-word
 * commands (`order status`, `totals rebuild`) are left out of the menu — they
 * still work when typed, and help lists them.
 *
 * @example
 *   commandMenu(core.registry, 'customer', messagesFor('en'))
 *   // → [{ command: 'orders', description: 'list orders (a customer’s, or your own)' }, { command: 'start', … }, …]
 */
import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { ActorRole } from '../../src/core/actor.js';
import type { Messages } from '../../src/core/messages.js';
import type { CommandRegistry } from '../../src/core/registry.js';

const TELEGRAM_COMMAND = /^[a-z0-9_]{1,32}$/;

/** The menu entries for a role (Telegram allows 100 at most, descriptions of 1–256 characters). */
export function commandMenu(registry: CommandRegistry, role: ActorRole, msg: Messages): BotCommand[] {
  return registry
    .visibleTo(role)
    .filter((c) => TELEGRAM_COMMAND.test(c.name))
    .slice(0, 100)
    .map((c) => ({ command: c.name, description: (msg.summary[c.summary] || c.usage).slice(0, 256) }));
}

/**
 * Registers the menus: customers' commands as the default, and the owner's
 * commands in each configured owner's private chat (their user id). `signal`
 * aborts the calls (a start-up attempt that ran out of time).
 */
export async function registerCommandMenus(
  api: Api,
  registry: CommandRegistry,
  ownerIds: readonly string[],
  msg: Messages,
  signal?: Parameters<Api['setMyCommands']>[2],
): Promise<void> {
  await api.setMyCommands(commandMenu(registry, 'customer', msg), undefined, signal);
  const staff = commandMenu(registry, 'owner', msg);
  for (const id of ownerIds) {
    if (!/^\d+$/.test(id)) continue;
    await api.setMyCommands(staff, { scope: { type: 'chat', chat_id: Number(id) } }, signal);
  }
}
