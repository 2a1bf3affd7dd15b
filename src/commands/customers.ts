/** Staff commands over customers: lead, find, customer, note, tag, untag. */
import { z } from 'zod';
import { Staff } from '../../models/staff.js';
import { STAFF, staffCommand, type ActingStaff, type Command, type StaffContext } from '../core/command.js';
import { parseContactArgs } from '../values/parse.js';
import { text, type Button, type Reply } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { findCustomers, resolveCustomer, addTags, removeTags, getCustomer } from '../services/contacts.js';
import { answerLeadQuestion, leadOrAsk } from '../services/lead-questions.js';
import { customerIdOf } from '../values/refs.js';
import { formatPhone } from '../values/phone.js';
import { recordInteraction } from '../services/interactions.js';
import { latestInteractions, latestOrders } from '../services/recent.js';
import { takeCustomerRef, takePage } from './args.js';
import { customerCard, customerLine, leadQuestionView } from '../views/customers.js';
import { check } from './validate.js';
import { pageNav } from '../views/paging.js';

const leadArgs = z.object({
  name: z.string().max(120, 'name is too long (120 characters at most)').optional(),
  phones: z.array(z.string()).max(5, 'at most 5 phone numbers'),
  emails: z.array(z.string()).max(5, 'at most 5 e-mails'),
  tags: z.array(z.string()).max(20, 'at most 20 tags'),
  note: z.string().max(2000, 'the note is too long (2,000 characters at most)').optional(),
});

/** Who owns the leads a staff member brings in (`lead`, forwarded messages, `import`): whoever logged them, whatever their role. */
export function leadOwnerOf(staff: ActingStaff): string {
  return staff.staffId;
}

/** Creates or updates a lead from free text; shared by `lead` and forwarded messages. */
export async function logLead(ctx: StaffContext, line: string, source = 'chat'): Promise<Reply[]> {
  const parsed = parseContactArgs(line, ctx.region);
  if (parsed.invalid.length > 0) {
    throw new ValidationError('details', ctx.msg.leadInvalid(parsed.invalid.map((i) => `${i.kind} "${i.text}"`).join(', ')));
  }
  const args = check(leadArgs, parsed);
  if (!args.name && args.phones.length === 0 && args.emails.length === 0) throw new ValidationError('name', ctx.msg.leadNeedsName());
  const outcome = await leadOrAsk({ ...args, source, ownerId: leadOwnerOf(ctx.staff) }, ctx.by, ctx.deps.now());
  if (outcome.kind === 'question') {
    // Someone known may be this person: ask, and write nothing until the answer (lead-answer below).
    const view = leadQuestionView(outcome.question, outcome.candidates, args.name ?? '', ctx.msg);
    return [text(view.text, view.buttons)];
  }
  const result = outcome.result;
  const c = result.customer;
  const ref = c._id;
  const name = c.name || ctx.msg.noName();
  const open: Button[][] = [[{ label: ctx.msg.openCustomerButton(), action: `customer ${ref}` }]];
  if (result.created) return [text(ctx.msg.leadCreated(ref, name), open)];
  const added = [...result.added.phones, ...result.added.emails, ...result.added.tags.map((t) => `#${t}`)];
  if (added.length === 0) return [text(ctx.msg.leadExists(ref, name), open)];
  return [text(ctx.msg.leadUpdated(ref, name, added.join(', ')), open)];
}

export const lead = staffCommand({
  name: 'lead',
  usage: 'lead <name> [phone] [e-mail] [#tag …] [note]',
  summary: 'lead',
  examples: ['lead Anna Nguyen +84 912 345 678 anna@shop.vn #vip met at the expo', 'lead "Trần Thị Bích" 0987 654 321 -- wants the blue dress'],
  allow: STAFF,
  run: (ctx) => logLead(ctx, ctx.args),
});

/**
 * The answer to a lead's question, from its buttons: `lead-answer Q1a2b3c4d5 same C1` (the same
 * person: the lead's details, and its name as another name, go to C1) or `lead-answer Q… new`
 * (a different person: a new customer). A second press writes nothing and says what the first did.
 */
export const leadAnswer = staffCommand({
  name: 'lead-answer',
  usage: 'lead-answer <Q…> <same C12 | new>',
  summary: 'lead',
  hidden: true,
  examples: ['lead-answer Q1a2b3c4d5 same C1', 'lead-answer Q1a2b3c4d5 new'],
  allow: STAFF,
  async run(ctx) {
    const [questionId = '', choice = '', ref = ''] = ctx.args.trim().split(/\s+/);
    const args = check(
      z.object({ questionId: z.string().regex(/^Q[0-9a-f]{6,20}$/, 'say which question, e.g. Q1a2b3c4d5'), choice: z.enum(['same', 'new']), ref: z.string() }),
      { questionId, choice, ref },
    );
    const sameAs = args.choice === 'same' ? customerIdOf(args.ref) : undefined;
    if (args.choice === 'same' && sameAs === undefined) throw new ValidationError('customer', 'say which customer, e.g. same C1');
    const out = await answerLeadQuestion(args.questionId, sameAs !== undefined ? { same: sameAs } : { new: true }, ctx.by, ctx.deps.now());
    const c = out.customer;
    const name = c.name || ctx.msg.noName();
    const open: Button[][] = [[{ label: ctx.msg.openCustomerButton(), action: `customer ${c._id}` }]];
    if (out.already) return [text(ctx.msg.leadAsk.alreadyAnswered(c._id, name), open)];
    if (out.did === 'new') {
      const others = out.question.candidates.join(', ');
      return [text(out.question.kind === 'shared-phone' ? ctx.msg.leadAsk.sharedCreated(c._id, name, others) : ctx.msg.leadAsk.distinctCreated(c._id, name, others), open)];
    }
    const added = [...(out.added?.phones ?? []), ...(out.added?.emails ?? []), ...(out.added?.tags ?? []).map((t) => `#${t}`)];
    const lines = [
      ...(out.alias ? [ctx.msg.leadAsk.aliasKept(c._id, name, out.alias)] : []),
      ...(added.length ? [ctx.msg.leadUpdated(c._id, name, added.join(', '))] : []),
    ];
    return [text(lines.length ? lines.join('\n') : ctx.msg.leadExists(c._id, name), open)];
  },
});

export const find = staffCommand({
  name: 'find',
  aliases: ['search', 'tìm'],
  usage: 'find <name | phone | e-mail | #tag | C12>',
  summary: 'find',
  examples: ['find nguyen', 'find 0912345678', 'find #vip'],
  allow: STAFF,
  async run(ctx) {
    const { rest, page } = takePage(ctx.args);
    const { query } = check(z.object({ query: z.string().min(1, 'say what to look for') }), { query: rest });
    const result = await findCustomers(query, page, ctx.region);
    if (result.total === 0) return [text(ctx.msg.findNone(query))];
    const lines = [ctx.msg.findTitle(query), ...result.items.map((c) => customerLine(c, ctx.msg))];
    if (result.sharedPhone) lines.splice(1, 0, ctx.msg.leadAsk.sharedPhoneFound(formatPhone(result.sharedPhone.phone), result.sharedPhone.holder));
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    const nav = pageNav(result, (p) => `find ${query} page ${p}`, ctx.msg);
    const open = result.items.slice(0, 5).map((c) => [{ label: `${c._id} ${c.name}`.slice(0, 40), action: `customer ${c._id}` }]);
    return [text(lines.join('\n'), [...open, ...(nav.length ? [nav] : [])])];
  },
});

export const customer = staffCommand({
  name: 'customer',
  aliases: ['profile', 'khách', 'hồ sơ'],
  usage: 'customer <C12 | phone | e-mail | name>',
  summary: 'customer',
  examples: ['customer C12', 'customer anna@shop.vn'],
  allow: STAFF,
  async run(ctx) {
    const { ref } = check(z.object({ ref: z.string().min(1, 'say which customer') }), { ref: ctx.args.trim() });
    // By a phone: the holder's card, naming the others who use that phone (a family phone).
    const phoneLike = !ref.includes('@') && ref.replace(/\D/g, '').length >= 7;
    const found = phoneLike ? await findCustomers(ref, 1, ctx.region) : undefined;
    const c = found?.sharedPhone ? found.items[0]! : await resolveCustomer(ref, ctx.region);
    const sharedPhone = found?.sharedPhone ? { ...found.sharedPhone, sharers: found.items.slice(1) } : undefined;
    const [orders, interactions, owner] = await Promise.all([
      latestOrders(c, 5),
      latestInteractions(c, 5),
      c.ownerId ? Staff.findById(c.ownerId).lean() : Promise.resolve(null),
    ]);
    const cref = c._id;
    const others = (sharedPhone?.sharers ?? []).slice(0, 4).map((s) => [{ label: `${s._id} ${s.name}`.slice(0, 40), action: `customer ${s._id}` }]);
    return [
      text(customerCard(c, { ownerName: owner?.name, orders, interactions, sharedPhone }, ctx.msg, ctx.zone), [
        ...others,
        [
          { label: ctx.msg.cardOrdersButton(), action: `orders ${cref}` },
          { label: ctx.msg.cardNoteButton(), action: `help note` },
          { label: ctx.msg.startLink.button(), action: `chat link ${cref}` },
        ],
      ]),
    ];
  },
});

export const note = staffCommand({
  name: 'note',
  aliases: ['ghi chú', 'ghichú'],
  usage: 'note <customer> <text>',
  summary: 'note',
  examples: ['note C12 called back, wants delivery on Friday'],
  allow: STAFF,
  async run(ctx) {
    const { ref, rest } = takeCustomerRef(ctx.args, ctx.region);
    const args = check(
      z.object({ ref: z.string().min(1, 'say which customer'), body: z.string().min(1, 'write the note after the customer').max(4000, 'the note is too long') }),
      { ref, body: rest },
    );
    const c = await resolveCustomer(args.ref, ctx.region);
    await recordInteraction({
      customerId: c._id,
      kind: 'note',
      text: args.body,
      staffId: ctx.staff.staffId,
      platform: ctx.incoming.platform,
      at: ctx.deps.now(),
    });
    return [text(ctx.msg.noteSaved(c._id))];
  },
});

function tagCommand(name: 'tag' | 'untag'): Command {
  return staffCommand({
    name,
    usage: `${name} <customer> #tag [#tag …]`,
    summary: name,
    examples: [`${name} C12 #vip #wholesale`],
    allow: STAFF,
    async run(ctx) {
      const { ref, rest } = takeCustomerRef(ctx.args, ctx.region);
      const args = check(
        z.object({ ref: z.string().min(1, 'say which customer'), tags: z.array(z.string()).min(1, 'give at least one tag, e.g. #vip') }),
        { ref, tags: rest.split(/[\s,]+/).filter(Boolean) },
      );
      const c = await resolveCustomer(args.ref, ctx.region);
      const cref = c._id;
      if (name === 'tag') {
        const added = await addTags(c._id, args.tags, ctx.by);
        return [text(added.length ? ctx.msg.tagsAdded(cref, added.map((t) => `#${t}`).join(' ')) : ctx.msg.tagsUnchanged(cref))];
      }
      const removed = await removeTags(c._id, args.tags, ctx.by);
      return [text(removed.length ? ctx.msg.tagsRemoved(cref, removed.map((t) => `#${t}`).join(' ')) : ctx.msg.tagsNotThere(cref))];
    },
  });
}

export const tag = tagCommand('tag');
export const untag = tagCommand('untag');

/** Re-exported for the customer flows. */
export { getCustomer };
