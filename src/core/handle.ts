/**
 * The core: `handle(incoming) → Reply[]`, the one primitive every adapter
 * calls. It de-duplicates the delivery, resolves the actor, routes the text
 * to a command (or to the customer-message flow), checks permission, runs it
 * and turns errors into replies. It never knows which platform it talks to.
 *
 * @example
 *   const core = createCore(deps);
 *   const replies = await core.handle({ platform: 'console', chatId: 'console', userId: 'owner',
 *     displayName: 'Owner', text: 'lead Anna +84912345678', deliveryId: 'console:1' });
 */
import { randomBytes } from 'node:crypto';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { createRegistry } from '../commands/index.js';
import { logLead } from '../commands/customers.js';
import { hasCsvAttachment } from '../commands/import.js';
import { customerMessage, customerSharedContact } from '../commands/self-service.js';
import { AppError, asAppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { resolveActor } from '../services/people.js';
import type { Actor } from './actor.js';
import type { Command, CommandContext, Deps } from './command.js';
import { messagesFor, type Messages } from './messages.js';
import type { CommandRegistry } from './registry.js';
import { text, type Incoming, type Reply } from './types.js';
import { isDuplicateKey } from '../db/writes.js';

export interface Core {
  /** Handles one inbound message; returns the replies (empty for a duplicate delivery). */
  handle(incoming: Incoming): Promise<Reply[]>;
  readonly registry: CommandRegistry;
  readonly deps: Deps;
}

export function createCore(deps: Deps): Core {
  const registry = createRegistry();

  async function handle(incoming: Incoming): Promise<Reply[]> {
    // The delivery claim and the actor lookup are independent: do them in one round trip's time.
    const actorLookup = resolveActor(incoming, deps.config);
    actorLookup.catch(() => undefined); // awaited below; never an unhandled rejection
    if (!(await claimDelivery(incoming.deliveryId))) {
      deps.log.debug({ deliveryId: incoming.deliveryId }, 'duplicate delivery skipped');
      return [];
    }
    const msg = messagesFor(incoming.locale);
    let actor: Actor | undefined;
    try {
      actor = await actorLookup;
      return await route(incoming, actor, msg);
    } catch (error) {
      const err = asAppError(error);
      if (!err.userFacing) {
        // Let the platform's retry (same delivery id) try again: this one did not complete.
        await ProcessedDelivery.deleteOne({ _id: incoming.deliveryId }).catch(() => undefined);
        const ref = randomBytes(3).toString('hex');
        deps.log.error({ err: error, ref, code: err.code, platform: incoming.platform }, 'command failed');
        return [text(msg.internalError(ref))];
      }
      return [text(describe(err, msg, actor))];
    }
  }

  async function route(incoming: Incoming, actor: Actor, msg: Messages): Promise<Reply[]> {
    const base = { actor, incoming, deps, msg };
    if (incoming.contact) {
      if (actor.kind === 'staff') {
        const c = incoming.contact;
        const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
        return logLead({ ...base, args: '' }, `"${name}" ${c.phone} ${incoming.text ?? ''}`.trim(), incoming.platform);
      }
      // Only a card of the sender's own account vouches for the number (Telegram's contact button);
      // someone else's card from a customer would let them claim another person's record.
      if (incoming.contact.userId !== undefined && incoming.contact.userId !== incoming.userId) return [text(msg.contactNotOwn())];
      return customerSharedContact({ ...base, args: '' }, incoming.contact.phone);
    }
    if (incoming.forwardedFrom && actor.kind === 'staff') {
      // A salesperson forwarding a customer's message: a lead from its sender, the text as a note.
      return logLead({ ...base, args: '' }, `"${incoming.forwardedFrom.name}" note: ${incoming.text}`, incoming.platform);
    }
    // --- insight: a CSV file from staff is an import, whatever its caption (see commands/import.ts) ---
    const importer = actor.kind === 'staff' && hasCsvAttachment(incoming) ? registry.get('import') : undefined;
    if (importer) return runCommand(importer, { ...base, args: incoming.text.trim().replace(/^\/?import(@\w+)?\b/i, '').trim() });
    // --- end insight ---
    const body = incoming.text.trim();
    const found = body ? registry.match(body) : undefined;
    if (!found) {
      if (actor.kind !== 'staff') return body ? customerMessage({ ...base, args: body }, body) : [];
      const word = (body.split(/\s+/)[0] ?? '').replace(/^\//, '');
      return [text(msg.unknownCommand(word))];
    }
    if (actor.kind !== 'staff' && !found.command.allow.includes(actor.role) && !body.startsWith('/') && !incoming.fromButton) {
      // "find my order please" from a customer is a message, not a staff command: store and forward it.
      // Typed as a command (/find …) it gets the polite refusal below.
      return customerMessage({ ...base, args: body }, body);
    }
    return runCommand(found.command, { ...base, args: found.args });
  }

  async function runCommand(command: Command, ctx: CommandContext): Promise<Reply[]> {
    if (!command.allow.includes(ctx.actor.role)) {
      deps.log.debug({ command: command.name, role: ctx.actor.role }, 'command refused');
      throw new ForbiddenError(command.name);
    }
    try {
      return await command.run(ctx);
    } catch (error) {
      if (error instanceof ValidationError) throw new CommandUsageError(error, command.usage);
      throw error;
    }
  }

  function describe(err: AppError, msg: Messages, actor: Actor | undefined): string {
    if (err instanceof CommandUsageError) return msg.invalid(capitalise(err.reason), err.usage);
    if (err instanceof ForbiddenError) {
      // "Staff only" is for people who are not staff; staff hear that their role cannot do it.
      return actor?.kind !== 'staff' && STAFF_ONLY.has(err.action) ? msg.forbidden() : msg.forbiddenRole(err.action);
    }
    if (err instanceof NotFoundError) return msg.notFound(err.what, err.ref);
    return err.message;
  }

  // Commands customers cannot run at all get the "staff only" wording.
  const STAFF_ONLY = new Set(registry.list().filter((c) => !c.allow.includes('customer')).map((c) => c.name));

  return { handle, registry, deps };
}

/** A validation error with the usage line of the command that raised it. */
class CommandUsageError extends ValidationError {
  constructor(
    inner: ValidationError,
    readonly usage: string,
  ) {
    super(inner.field, inner.reason);
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Insert-or-skip on the delivery id: true the first time, false for a duplicate. */
async function claimDelivery(deliveryId: string): Promise<boolean> {
  try {
    await ProcessedDelivery.create({ _id: deliveryId });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
