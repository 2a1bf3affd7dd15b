/** Record-keeping commands for managers: merge, unmerge, rebuilding totals. */
import { z } from 'zod';
import { MANAGERS, staffCommand } from '../core/command.js';
import { text } from '../core/types.js';
import { resolveCustomer } from '../services/contacts.js';
import { mergeCustomers, unmergeCustomer } from '../services/merge.js';
import { customerIdOf } from '../values/refs.js';
import { rebuildTotals } from '../services/totals.js';
import { check } from './validate.js';

export const merge = staffCommand({
  name: 'merge',
  usage: 'merge <keep C12> <merge-in C15>',
  summary: 'merge',
  examples: ['merge C12 C15'],
  allow: MANAGERS,
  async run(ctx) {
    const [a = '', b = ''] = ctx.args.split(/\s+/);
    const args = check(
      z.object({ keep: z.string().min(1, 'say which customer to keep'), mergeIn: z.string().min(1, 'say which customer to merge into it') }),
      { keep: a, mergeIn: b },
    );
    const kept = await resolveCustomer(args.keep, ctx.region);
    const merged = await resolveCustomer(args.mergeIn, ctx.region);
    const moved = await mergeCustomers(kept._id, merged._id, ctx.by);
    return [text(ctx.msg.merged(kept._id, merged._id, moved.orders, moved.interactions))];
  },
});

export const unmerge = staffCommand({
  name: 'unmerge',
  usage: 'unmerge <merged C15>',
  summary: 'unmerge',
  examples: ['unmerge C15'],
  allow: MANAGERS,
  async run(ctx) {
    const { id } = check(z.object({ id: z.string({ error: 'say which merged customer, e.g. C15' }) }), {
      id: customerIdOf(ctx.args.trim()),
    });
    const { keptId } = await unmergeCustomer(id, ctx.by);
    return [text(ctx.msg.unmerged(id, keptId))];
  },
});

export const totals = staffCommand({
  name: 'totals rebuild',
  usage: 'totals rebuild',
  summary: 'totals',
  allow: MANAGERS,
  async run(ctx) {
    const result = await rebuildTotals();
    return [text(ctx.msg.totalsRebuilt(result.customers, result.changed))];
  },
});
