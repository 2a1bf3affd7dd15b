/**
 * A flow: a kind of message that is not a typed command — a shared contact card, a forwarded
 * message, a file — registered like a command and tried in order before commands are matched.
 *
 * Why: the core routes and nothing else (in the spirit of grammY's filter queries on one
 * middleware type). Which messages are leads, imports or customer chat is decided by flows that
 * live with the commands, not by special cases in `handle.ts`.
 *
 * @example
 *   const forwarded: Flow = {
 *     name: 'forwarded message',
 *     takes: (incoming, actor) => actor.kind === 'staff' && !!incoming.forwardedFrom,
 *     run: (ctx) => logLead(ctx, `"${ctx.incoming.forwardedFrom!.name}" note: ${ctx.incoming.text}`),
 *   };
 */
import type { Actor } from './actor.js';
import type { CommandContext } from './command.js';
import type { Incoming, Reply } from './types.js';

/**
 * What a flow answers: replies; "run this command with these arguments" (permission checked as
 * usual); or `{ pass: true }` — not mine after all (e.g. a reply-to of a message that is not a
 * notification): route the message as if no flow had taken it.
 */
export type FlowResult = Reply[] | { command: string; args: string } | { pass: true };

export interface Flow {
  /** For logs and tests: `contact shared`, `forwarded message`, `file attached`, `customer text`. */
  name: string;
  /** Whether this flow takes the message. */
  takes(incoming: Incoming, actor: Actor): boolean;
  run(ctx: CommandContext): Promise<FlowResult>;
}
