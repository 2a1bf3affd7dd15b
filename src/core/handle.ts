/**
 * The core: `handle(incoming) → Reply[]`, the one primitive every adapter
 * calls. It cleans the input and applies the limits (./limits.ts), de-duplicates
 * the delivery, resolves the actor, routes the text to a command (or to the
 * customer-message flow), checks permission, runs it and turns errors into
 * replies, each within a chat message's length. It never knows which platform it talks to.
 *
 * Exactly once: the run is keyed by the delivery id (src/services/deliveries.ts). A duplicate of a
 * delivery that ran (or is running) gets no reply; one whose run failed after a keyed write (an
 * order) resumes it, and the order it reserved is found, not booked again. A failure after
 * something was saved answers what was saved, never just "something went wrong".
 *
 * @example
 *   const core = createCore(deps);
 *   const replies = await core.handle({ platform: 'console', chatId: 'console', userId: 'owner',
 *     displayName: 'Owner', text: 'lead Anna +84912345678', deliveryId: 'console:1' });
 */
import { randomBytes } from 'node:crypto';
import { AppError, asAppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { claimDeliveryRun, newDeliveryRun, releaseDelivery, settleDeliveryRun, withinDeliveryRun } from '../services/deliveries.js';
import { readerLanguage, resolveActor } from '../services/people.js';
import type { Actor } from './actor.js';
import { commandContext, usageOf, type Command, type CommandContext, type Deps } from './command.js';
import type { Flow } from './flow.js';
import { boundedMessages, cleanIncoming, fitReplies, MAX_TEXT_CHARS, tooLong } from './limits.js';
import { messagesFor, type Messages } from './messages.js';
import type { CommandRegistry } from './registry.js';
import { text, type Incoming, type Reply } from './types.js';

export interface Core {
  /** Handles one inbound message; returns the replies (empty for a duplicate delivery), each within 4,096 characters. */
  handle(incoming: Incoming): Promise<Reply[]>;
  readonly registry: CommandRegistry;
  readonly deps: Deps;
}

/**
 * The core over a registry of flows and commands (src/app.ts builds the shared one). Routing is
 * the registry's flows in order, then the command a line starts with, then the customer-text
 * flow for what a customer writes that is not a command they may run.
 */
export function createCore(deps: Deps, registry: CommandRegistry): Core {

  async function handle(raw: Incoming): Promise<Reply[]> {
    // The edge: control characters out, names capped (src/core/limits.ts). Everything below sees only this.
    const incoming = cleanIncoming(raw);
    // The delivery claim and the actor lookup are independent: do them in one round trip's time.
    const actorLookup = resolveActor(incoming, deps.config);
    actorLookup.catch(() => undefined); // awaited below; never an unhandled rejection
    const claim = await claimDeliveryRun(incoming.deliveryId);
    if (claim === 'duplicate') {
      deps.log.debug({ deliveryId: incoming.deliveryId }, 'duplicate delivery skipped');
      return [];
    }
    // The reader's language: their own `lang`, else their chat app's, else the shop's (known once the actor is).
    let msg = boundedMessages(messagesFor(readerLanguage(undefined, incoming, deps.config)));
    if (tooLong(incoming.text)) {
      return [text(capitalise(msg.errors.messageTooLong({ length: incoming.text.length, max: MAX_TEXT_CHARS })))];
    }
    const run = newDeliveryRun(incoming.deliveryId, deps.log);
    let actor: Actor | undefined;
    let replies: Reply[];
    try {
      actor = await actorLookup;
      msg = boundedMessages(messagesFor(readerLanguage(actor, incoming, deps.config)));
      const resolved = actor;
      replies = await withinDeliveryRun(run, () => route(incoming, resolved, msg));
    } catch (error) {
      const err = asAppError(error);
      if (err.userFacing) {
        replies = [text(describe(err, msg, actor))];
      } else {
        const ref = randomBytes(3).toString('hex');
        deps.log.error({ err: error, ref, code: err.code, platform: incoming.platform, created: run.writes }, 'command failed');
        // Nothing keyed written: free the delivery id, so a re-delivery of the same update — a webhook
        // timeout, a restart mid-command — runs it again. Something written: keep the claim as `failed`,
        // and a re-delivery resumes the run, finding what it wrote instead of writing it again.
        if (run.writes.length === 0) await releaseDelivery(incoming.deliveryId).catch(() => undefined);
        else await settleDeliveryRun(run, 'failed').catch((e: unknown) => deps.log.error({ err: e, ref }, 'could not store the failed run'));
        const saved = run.writes.filter((w) => w.stored).map((w) => w.id);
        return [text(saved.length > 0 ? msg.errors.savedThenFailed({ saved, ref }) : msg.internalError(ref))];
      }
    }
    await settleDeliveryRun(run, 'done', claim === 'resumed').catch((e: unknown) =>
      deps.log.error({ err: e, deliveryId: incoming.deliveryId }, 'could not store the outcome of a delivery'),
    );
    return fitReplies(replies);
  }

  async function route(incoming: Incoming, actor: Actor, msg: Messages): Promise<Reply[]> {
    // Derived once per message: who is talking and what follows (by, zone, region, the acting staff member).
    const base = commandContext({ actor, incoming, deps, msg, args: '' });
    const flow = registry.flowFor(incoming, actor);
    if (flow) {
      const answered = await runFlow(flow, base);
      if (answered) return answered;
    }
    const body = incoming.text.trim();
    const found = body ? registry.match(body) : undefined;
    const customerText = registry.customerTextFlow();
    if (!found) {
      if (actor.kind !== 'staff') return body && customerText ? ((await runFlow(customerText, { ...base, args: body })) ?? []) : [];
      const word = (/^\S*/.exec(body)?.[0] ?? '').replace(/^\//, '');
      return [text(msg.unknownCommand(word))];
    }
    if (customerText && actor.kind !== 'staff' && !found.command.allow.includes(actor.role) && !body.startsWith('/') && !incoming.fromButton) {
      // "find my order please" from a customer is a message, not a staff command: store and forward it.
      // Typed as a command (/find …) it gets the polite refusal below.
      return (await runFlow(customerText, { ...base, args: body })) ?? [];
    }
    return runCommand(found.command, { ...base, args: found.args });
  }

  /** Runs a flow; `undefined` when it passed (routing goes on as if no flow had taken the message). */
  async function runFlow(flow: Flow, ctx: CommandContext): Promise<Reply[] | undefined> {
    const result = await flow.run(ctx);
    if (Array.isArray(result)) return result;
    if ('pass' in result) return undefined;
    const command = registry.get(result.command);
    if (!command) throw new Error(`flow "${flow.name}" handed over to an unknown command "${result.command}"`);
    return runCommand(command, { ...ctx, args: result.args });
  }

  async function runCommand(command: Command, ctx: CommandContext): Promise<Reply[]> {
    if (!command.allow.includes(ctx.actor.role)) {
      deps.log.debug({ command: command.name, role: ctx.actor.role }, 'command refused');
      throw new ForbiddenError(command.name);
    }
    try {
      return await command.run(ctx);
    } catch (error) {
      if (error instanceof ValidationError) throw new CommandUsageError(error, usageOf(command, ctx.msg));
      throw error;
    }
  }

  /**
   * A user-facing error in the reader's words: a coded case is rendered from their catalogue
   * (`msg.errors`); words a command raised are shown as given.
   */
  function describe(err: AppError, msg: Messages, actor: Actor | undefined): string {
    if (err instanceof CommandUsageError) return msg.invalid(capitalise(err.reasonIn(msg.errors)), err.usage);
    if (err instanceof ForbiddenError) {
      // "Staff only" is for people who are not staff; staff hear that their role cannot do it.
      if (actor?.kind !== 'staff' && STAFF_ONLY.has(err.action)) return msg.forbidden();
      return err.key ? err.textIn(msg.errors) : msg.forbiddenRole(err.action);
    }
    if (err instanceof NotFoundError && err.what !== undefined) return msg.notFound(err.what, err.ref);
    return err.textIn(msg.errors);
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
