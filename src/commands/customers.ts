/** Staff commands over customers: lead, find, customer, note, tag, untag. */
import { z } from 'zod';
import { Staff } from '../../models/staff.js';
import { STAFF, staffCommand, type ActingStaff, type Command, type StaffContext } from '../core/command.js';
import { parseContactArgs } from '../values/parse.js';
import { text, type Button, type Reply } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { findCustomers, resolveCustomer, upsertLead, addTags, removeTags, getCustomer } from '../services/contacts.js';
import { recordInteraction } from '../services/interactions.js';
import { latestInteractions, latestOrders } from '../services/recent.js';
import { takeCustomerRef, takePage } from './args.js';
import { customerCard, customerLine } from '../views/customers.js';
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
  const result = await upsertLead({ ...args, source, ownerId: leadOwnerOf(ctx.staff) }, ctx.by, ctx.deps.now());
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
    const c = await resolveCustomer(ref, ctx.region);
    const [orders, interactions, owner] = await Promise.all([
      latestOrders(c, 5),
      latestInteractions(c, 5),
      c.ownerId ? Staff.findById(c.ownerId).lean() : Promise.resolve(null),
    ]);
    const cref = c._id;
    return [
      text(customerCard(c, { ownerName: owner?.name, orders, interactions }, ctx.msg, ctx.zone), [
        [
          { label: 'Orders', action: `orders ${cref}` },
          { label: 'Add note', action: `help note` },
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
