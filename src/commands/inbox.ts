/**
 * The shop's inbox from staff's side: `reply` (to the customer's chat, once), `inbox` (open
 * conversations, longest waiting first), `assign`, `resolve`, and saved replies (`snippet add`,
 * `snippet list`, `snippet remove`). Notes (`note`) stay in the shop: nothing here sends them.
 */
import { z } from 'zod';
import { Staff } from '../../models/staff.js';
import { STAFF, staffCommand, type StaffContext } from '../core/command.js';
import { messagesFor, type Messages } from '../core/messages.js';
import { text, type AttachmentKind } from '../core/types.js';
import { resolveCustomer } from '../services/contacts.js';
import {
  assignConversation,
  getConversation,
  inboxSettings,
  notifyStaff,
  openConversations,
  replyToCustomer,
  resolveConversation,
  staffNamed,
} from '../services/conversations.js';
import { expandSnippets, listSnippets, removeSnippet, saveSnippet } from '../services/snippets.js';
import { assignedNotice, inboxPage, snippetList as snippetListView } from '../views/inbox.js';
import { takeCustomerRef, takePage } from './args.js';
import { afterResolve } from './ratings.js';
import { fetchReplyFiles, filesFor, MAX_REPLY_FILE_BYTES, mediaOf } from './reply-files.js';
import { check } from './validate.js';

const whichCustomer = z.object({ ref: z.string().min(1, 'say which customer') });

export const reply = staffCommand({
  name: 'reply',
  aliases: ['answer', 'trả lời', 'tl'],
  usage: 'reply <customer> <text | !saved-reply>   (also as the caption of a photo or file)',
  summary: 'reply',
  examples: ['reply C12 Your parcel left today and arrives on Friday.', 'reply C12 !thanks', 'reply C12 Here it is in blue (as a photo’s caption)'],
  allow: STAFF,
  async run(ctx) {
    const { ref, rest: body } = takeCustomerRef(ctx.args, ctx.region);
    check(whichCustomer, { ref });
    const c = await resolveCustomer(ref, ctx.region);
    const name = c.name || ctx.msg.noName();
    const attached = ctx.incoming.attachments ?? [];
    if (!body && attached.length === 0) return [text(ctx.msg.inbox.replyHint(c._id))];
    const written = body ? await expandSnippets(body, c) : '';
    // The customer reads the shop's voice, in their language; the staff name only when the shop says so.
    const shown = written && inboxSettings(ctx.deps.config).signReplies ? messagesFor(c.locale ?? undefined).inbox.signed(written, ctx.staff.name) : written;
    // A photo or file goes with it (fetched first: one that cannot be fetched sends and stores nothing).
    const fetched = attached.length > 0 ? await fetchReplyFiles(attached) : undefined;
    if (fetched && !fetched.ok) {
      const what = fileKindLabel(ctx.msg, fetched.kind);
      return [text(fetched.problem === 'too-large' ? ctx.msg.replyFile.tooLarge(c._id, name, what, MAX_REPLY_FILE_BYTES / 1024 / 1024) : ctx.msg.replyFile.unreadable(c._id, name, what, fetched.reason))];
    }
    const files = fetched?.files ?? [];
    const outcome = await replyToCustomer({
      customer: c,
      text: written || files.map((f) => `📎 ${f.fileName}`).join(' '),
      shown,
      authorId: ctx.staff.staffId,
      key: `reply:${ctx.incoming.deliveryId}`,
      notifier: ctx.deps.notifier,
      now: ctx.deps.now(),
      ...(files.length > 0 ? { replies: filesFor(files, shown), media: mediaOf(files, written)! } : {}),
    });
    switch (outcome.status) {
      case 'duplicate':
        return [text(ctx.msg.inbox.alreadySent(c._id))];
      case 'failed':
        return [text(outcome.permanent ? ctx.msg.inbox.unreachable(c._id, name, outcome.reason) : ctx.msg.inbox.failed(c._id, name, outcome.reason))];
      case 'sent': {
        const platform = outcome.platform ?? ctx.msg.none();
        if (outcome.firstResponseMs === undefined) return [text(ctx.msg.inbox.sent(c._id, name, platform))];
        return [text(ctx.msg.inbox.sentFirstResponse(c._id, name, platform, ctx.msg.minutes(outcome.firstResponseMs / 60_000)))];
      }
    }
  },
});

export const inbox = staffCommand({
  name: 'inbox',
  usage: 'inbox [mine] [page N]',
  summary: 'inbox',
  examples: ['inbox', 'inbox mine'],
  allow: STAFF,
  async run(ctx) {
    const { rest, page } = takePage(ctx.args);
    const { filter } = check(z.object({ filter: z.enum(['', 'mine', 'all'], { error: 'say "inbox" or "inbox mine"' }) }), { filter: rest.toLowerCase() });
    const mine = filter === 'mine';
    const result = await openConversations({ page, ...(mine ? { assigneeId: ctx.staff.staffId } : {}) });
    const assignees = [...new Set(result.items.flatMap((i) => (i.assigneeId ? [i.assigneeId] : [])))];
    const staffNames = await namesOf(assignees);
    return [inboxPage(result, { mine, now: ctx.deps.now(), staffNames }, ctx.msg)];
  },
});

export const assign = staffCommand({
  name: 'assign',
  usage: 'assign <customer> <staff name | me>',
  summary: 'assign',
  examples: ['assign C12 me', 'assign C12 Lan'],
  allow: STAFF,
  async run(ctx) {
    const { ref, rest: body } = takeCustomerRef(ctx.args, ctx.region);
    const args = check(z.object({ ref: z.string().min(1, 'say which customer'), who: z.string().min(1, 'say to whom: a colleague’s name, or me') }), { ref, who: body });
    const c = await resolveCustomer(args.ref, ctx.region);
    const to = /^(me|myself|tôi)$/i.test(args.who) ? { _id: ctx.staff.staffId, name: ctx.staff.name } : await staffNamed(args.who);
    const result = await assignConversation(c, to._id);
    const name = c.name || ctx.msg.noName();
    if (to._id !== ctx.staff.staffId) await tellAssignee(ctx, to._id, c._id, name);
    return [text(result.madeOwner ? ctx.msg.inbox.assignedAndOwner(c._id, name, to.name) : ctx.msg.inbox.assigned(c._id, name, to.name))];
  },
});

/** The colleague a conversation was given to hears it, with what the customer last wrote. */
async function tellAssignee(ctx: StaffContext, staffId: string, customerId: string, name: string): Promise<void> {
  const conversation = await getConversation(customerId);
  const notice = assignedNotice({ ref: customerId, name, by: ctx.staff.name, preview: conversation?.state === 'open' ? (conversation.preview ?? '') : '' }, ctx.msg);
  await notifyStaff(ctx.deps.notifier, [staffId], [notice], customerId, ctx.deps.now(), ctx.deps.log);
}

export const resolve = staffCommand({
  name: 'resolve',
  aliases: ['close'],
  usage: 'resolve <customer>',
  summary: 'resolve',
  examples: ['resolve C12'],
  allow: STAFF,
  async run(ctx) {
    const { ref } = check(whichCustomer, { ref: ctx.args.trim() });
    const c = await resolveCustomer(ref, ctx.region);
    const name = c.name || ctx.msg.noName();
    const before = await getConversation(c._id); // its opening time and assignee, for the rating request
    if (!(await resolveConversation(c._id))) return [text(ctx.msg.inbox.notOpen(c._id, name))];
    await afterResolve(ctx, c, before); // recorded once; the customer is asked to rate it (src/commands/ratings.ts)
    return [text(ctx.msg.inbox.resolved(c._id, name))];
  },
});

export const snippetAdd = staffCommand({
  name: 'snippet add',
  usage: 'snippet add <name> <text with {name} and {lastOrder}>',
  summary: 'snippetAdd',
  examples: ['snippet add shipped Hi {name}, your order {lastOrder} is on its way!'],
  allow: STAFF,
  async run(ctx) {
    const m = /^(\S*)\s*([\s\S]*)$/.exec(ctx.args.trim())!;
    const args = check(z.object({ name: z.string().min(1, 'name the saved reply, e.g. thanks'), body: z.string().min(1, 'write the reply after its name') }), {
      name: m[1],
      body: m[2]!.trim(),
    });
    const saved = await saveSnippet(args.name, args.body, ctx.by, ctx.deps.now());
    return [text(saved.created ? ctx.msg.inbox.snippetSaved(saved.name) : ctx.msg.inbox.snippetReplaced(saved.name))];
  },
});

export const snippetList = staffCommand({
  name: 'snippet list',
  aliases: ['snippets'],
  usage: 'snippet list',
  summary: 'snippetList',
  allow: STAFF,
  run: async (ctx) => [snippetListView(await listSnippets(), ctx.msg)],
});

export const snippetRemove = staffCommand({
  name: 'snippet remove',
  aliases: ['snippet delete'],
  usage: 'snippet remove <name>',
  summary: 'snippetRemove',
  examples: ['snippet remove thanks'],
  allow: STAFF,
  async run(ctx) {
    const { name } = check(z.object({ name: z.string().min(1, 'say which saved reply') }), { name: ctx.args.trim() });
    const removed = await removeSnippet(name);
    return [text(removed.removed ? ctx.msg.inbox.snippetRemoved(removed.name) : ctx.msg.inbox.snippetMissing(removed.name))];
  },
});

/** A kind of file in the reader's words (`photo`, `file`, `voice message`…). */
function fileKindLabel(msg: Messages, kind: AttachmentKind): string {
  const t = msg.traffic;
  return { image: t.photo, voice: t.voice, audio: t.audio, video: t.video, sticker: t.sticker, file: t.file }[kind]();
}

/** The inbox commands, in the order help lists them. */
export const inboxCommands = [reply, inbox, assign, resolve, snippetAdd, snippetList, snippetRemove];

/** Staff names by id (`_id` reads, a few at a time). */
async function namesOf(ids: string[]): Promise<Map<string, string>> {
  const docs = await Promise.all(ids.map((id) => Staff.findById(id, { name: 1 }).lean<{ _id: string; name: string }>()));
  return new Map(docs.flatMap((d) => (d ? [[d._id, d.name] as [string, string]] : [])));
}
