/**
 * The flows: messages that are not typed commands, tried in order before commands are matched
 * (src/core/flow.ts). Registered in commands/index.ts next to the commands they lead to.
 */
import { isStaff } from '../core/actor.js';
import { isStaffContext, type StaffContext } from '../core/command.js';
import type { Flow, FlowResult } from '../core/flow.js';
import { text, type Incoming } from '../core/types.js';
import { logLead } from './customers.js';
import { hasCsvAttachment } from './import.js';
import { customerMessage, customerSharedContact } from './self-service.js';
import { conversationForReply } from '../services/conversations.js';
import { reply } from './inbox.js';

/**
 * A flow only staff messages take, whose `run` gets a {@link StaffContext} — the flow
 * counterpart of `staffCommand` (a non-staff context reaching `run` is an internal error).
 */
function staffFlow(flow: { name: string; takes(incoming: Incoming): boolean; run(ctx: StaffContext): Promise<FlowResult> }): Flow {
  return {
    name: flow.name,
    takes: (incoming, actor) => isStaff(actor) && flow.takes(incoming),
    async run(ctx) {
      if (!isStaffContext(ctx)) throw new Error(`staff flow "${flow.name}" reached by a non-staff actor (${ctx.actor.kind})`);
      return flow.run(ctx);
    },
  };
}

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
    if (ctx.staff) {
      const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
      return logLead(ctx, `"${name}" ${c.phone} ${ctx.incoming.text ?? ''}`.trim(), ctx.incoming.platform);
    }
    if (c.userId !== undefined && c.userId !== ctx.incoming.userId) return [text(ctx.msg.contactNotOwn())];
    return customerSharedContact(ctx, c.phone);
  },
};

/** A salesperson forwarding a customer's message: a lead from its sender, the text as a note. */
export const forwardedMessage = staffFlow({
  name: 'forwarded message',
  takes: (incoming) => incoming.forwardedFrom !== undefined,
  run: (ctx) => logLead(ctx, `"${ctx.incoming.forwardedFrom!.name}" note: ${ctx.incoming.text}`, ctx.incoming.platform),
});

/** A CSV file from staff is an import, whatever its caption (`import --map …` keeps its mapping). */
export const fileAttached = staffFlow({
  name: 'file attached',
  takes: hasCsvAttachment,
  run: async (ctx) => importArgs(ctx),
});

function importArgs(ctx: StaffContext): FlowResult {
  return { command: 'import', args: ctx.incoming.text.trim().replace(/^\/?import(@\w+)?\b/i, '').trim() };
}

/** What a customer writes that is not a command they may run: stored and forwarded to staff. */
/**
 * A staff member answering a customer's notification the platform's way — Telegram's reply-to, a
 * reply in the Slack thread — replies to that customer (one `_id` lookup of the notification's
 * key). A reply to any other message is not ours: routing goes on as usual.
 */
export const replyToNotification = staffFlow({
  name: 'reply to a notification',
  takes: (incoming) => incoming.replyTo !== undefined && incoming.text.trim() !== '',
  async run(ctx) {
    const found = await conversationForReply(ctx.incoming.replyTo!);
    if (!found) return hasCsvAttachment(ctx.incoming) ? importArgs(ctx) : { pass: true };
    // With a photo or file, the words are its caption (the text is the adapter's `[photo] …` summary); they may be none.
    const words = (ctx.incoming.attachments ?? []).length > 0 ? (ctx.incoming.attachments![0]!.caption ?? '') : ctx.incoming.text;
    return { command: 'reply', args: `${found.customerId} ${words}`.trim() };
  },
});

/** `reply`, its aliases, as the first word of a caption (`/reply`, `reply@shop_bot` too). */
const REPLY_WORDS = new RegExp(`^/?(?:${[reply.name, ...(reply.aliases ?? [])].map((w) => w.replace(/\s+/g, '\\s+')).join('|')})(?:@\\w+)?(?:\\s+|$)`, 'iu');

/**
 * A photo or file from staff captioned `reply C12 …` is that reply, the file going with it. Tried
 * before the CSV import, so a CSV captioned as a reply reaches the customer. The caption is read
 * from the attachment: the message's text is the adapter's summary (`[photo] reply C12 …`).
 */
export const fileReply = staffFlow({
  name: 'file reply',
  takes: (incoming) => REPLY_WORDS.test(captionOf(incoming)),
  run: async (ctx) => ({ command: 'reply', args: captionOf(ctx.incoming).replace(REPLY_WORDS, '').trim() }),
});

/** The words sent with a file (its caption), or '' for a message without one. */
function captionOf(incoming: Incoming): string {
  const files = incoming.attachments ?? [];
  return files.length > 0 ? (files[0]!.caption ?? '').trim() : '';
}

export const customerText: Flow = {
  name: 'customer text',
  takes: (_incoming, actor) => !isStaff(actor),
  run: (ctx) => customerMessage(ctx, ctx.args),
};
