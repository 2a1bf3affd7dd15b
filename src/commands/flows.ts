/**
 * The flows: messages that are not typed commands, tried in order before commands are matched
 * (src/core/flow.ts). Registered in commands/index.ts next to the commands they lead to.
 */
import type { Flow } from '../core/flow.js';
import { text } from '../core/types.js';
import { logLead } from './customers.js';
import { hasCsvAttachment } from './import.js';
import { customerMessage, customerSharedContact } from './self-service.js';

/**
 * A contact card. From staff: a lead. From a customer: their own phone number — but only a card
 * of the sender's own account vouches for it (Telegram's contact button); someone else's card
 * would let them claim another person's record.
 */
export const contactShared: Flow = {
  name: 'contact shared',
  takes: (incoming) => incoming.contact !== undefined,
  async run(ctx) {
    const c = ctx.incoming.contact!;
    if (ctx.actor.kind === 'staff') {
      const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
      return logLead(ctx, `"${name}" ${c.phone} ${ctx.incoming.text ?? ''}`.trim(), ctx.incoming.platform);
    }
    if (c.userId !== undefined && c.userId !== ctx.incoming.userId) return [text(ctx.msg.contactNotOwn())];
    return customerSharedContact(ctx, c.phone);
  },
};

/** A salesperson forwarding a customer's message: a lead from its sender, the text as a note. */
export const forwardedMessage: Flow = {
  name: 'forwarded message',
  takes: (incoming, actor) => actor.kind === 'staff' && incoming.forwardedFrom !== undefined,
  run: (ctx) => logLead(ctx, `"${ctx.incoming.forwardedFrom!.name}" note: ${ctx.incoming.text}`, ctx.incoming.platform),
};

/** A CSV file from staff is an import, whatever its caption (`import --map …` keeps its mapping). */
export const fileAttached: Flow = {
  name: 'file attached',
  takes: (incoming, actor) => actor.kind === 'staff' && hasCsvAttachment(incoming),
  run: async (ctx) => ({ command: 'import', args: ctx.incoming.text.trim().replace(/^\/?import(@\w+)?\b/i, '').trim() }),
};

/** What a customer writes that is not a command they may run: stored and forwarded to staff. */
export const customerText: Flow = {
  name: 'customer text',
  takes: (_incoming, actor) => actor.kind !== 'staff',
  run: (ctx) => customerMessage(ctx, ctx.args),
};
