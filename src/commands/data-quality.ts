/**
 * Data-quality commands for owners and managers: `dupes` (likely duplicate
 * customers, with the merge command to run — nothing is merged automatically)
 * and `incomplete` (customers whose records need follow-up, least complete
 * first, with buttons to open them).
 */
import { MANAGERS, staffCommand } from '../core/command.js';
import type { Messages } from '../core/messages.js';
import { text, type Button } from '../core/types.js';
import type { Page } from '../services/contacts.js';
import { listIncomplete } from '../services/completeness.js';
import { audit } from '../services/audit.js';
import { listLikelyDuplicates, markDistinct, type DuplicatePair } from '../services/dupes.js';
import { resolveCustomer } from '../services/contacts.js';

import { takePage } from './args.js';
import { pageNav } from '../views/paging.js';

/** ‹ Previous / Next › buttons running `<command> page N`. */
function pageButtons<T>(result: Page<T>, command: string, msg: Messages): Button[][] {
  const nav = pageNav(result, (p) => `${command} page ${p}`, msg);
  return nav.length ? [nav] : [];
}

export const dupes = staffCommand({
  name: 'dupes',
  aliases: ['duplicates'],
  usage: 'dupes [page N] | dupes merge <keep C12> <merge-in C15> | dupes distinct <C12> <C15>',
  summary: 'dupes',
  examples: ['dupes', 'dupes page 2', 'dupes merge C12 C15', 'dupes distinct C12 C15'],
  allow: MANAGERS,
  async run(ctx) {
    const { rest, page } = takePage(ctx.args);
    const [sub = '', a = '', b = ''] = rest.split(/\s+/);
    if (sub.toLowerCase() === 'merge') {
      // The Merge button asks first: nothing is merged until a person confirms with the merge command itself.
      const [keep, merge] = await Promise.all([resolveCustomer(a, ctx.region), resolveCustomer(b, ctx.region)]);
      const confirm = [
        [{ label: ctx.msg.dupesConfirmButton(merge._id, keep._id), action: `merge ${keep._id} ${merge._id}` }],
        [{ label: ctx.msg.dupesCancelButton(), action: 'dupes' }],
      ];
      return [text(ctx.msg.dupesConfirm(keep._id, keep.name || ctx.msg.noName(), merge._id, merge.name || ctx.msg.noName()), confirm)];
    }
    if (sub.toLowerCase() === 'distinct') {
      const [x, y] = await Promise.all([resolveCustomer(a, ctx.region), resolveCustomer(b, ctx.region)]);
      await markDistinct(x._id, y._id);
      await audit(ctx.by, 'customers.distinct', x._id, { other: y._id });
      return [text(ctx.msg.dupesDistinctDone(x._id, y._id))];
    }
    const result = await listLikelyDuplicates(page);
    if (result.total === 0) return [text(ctx.msg.dupesNone())];
    const lines = [ctx.msg.dupesTitle(result.total)];
    const buttons: Button[][] = [];
    for (const p of result.items) {
      const keep = p.keep.id;
      const merge = p.merge.id;
      lines.push(ctx.msg.dupesLine(keep, p.keep.name || ctx.msg.noName(), merge, p.merge.name || ctx.msg.noName(), why(p, ctx.msg), `merge ${keep} ${merge}`));
      buttons.push([
        { label: ctx.msg.dupesMergeButton(merge, keep), action: `dupes merge ${keep} ${merge}` },
        { label: ctx.msg.dupesDistinctButton(merge, keep), action: `dupes distinct ${keep} ${merge}` },
      ]);
    }
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    return [text(lines.join('\n'), [...buttons, ...pageButtons(result, 'dupes', ctx.msg)])];
  },
});

/** Why a pair is suggested, in the reader's words. */
function why(pair: DuplicatePair, msg: Messages): string {
  const detail = pair.shared ? (pair.shared.kind === 'email' ? msg.dupesSameEmail(pair.shared.value) : msg.dupesSamePhone(pair.shared.value)) : '';
  switch (pair.reason) {
    case 'sameNameSharedDetail':
      return msg.dupesWhySameName(detail);
    case 'nameOneLetterApart':
      return msg.dupesWhyOneLetter(detail);
    case 'samePhone':
      return msg.dupesWhySamePhone(detail);
    case 'sameNameNoDetail':
      return msg.dupesWhyChatOnly(pair.chatOnly ?? pair.merge.id);
  }
}

export const incomplete = staffCommand({
  name: 'incomplete',
  usage: 'incomplete [page N]',
  summary: 'incomplete',
  examples: ['incomplete', 'incomplete page 2'],
  allow: MANAGERS,
  async run(ctx) {
    const { page } = takePage(ctx.args);
    const result = await listIncomplete(page);
    if (result.total === 0) return [text(ctx.msg.incompleteNone())];
    const lines = [ctx.msg.incompleteTitle(result.total)];
    for (const c of result.items) {
      const missing = c.missing.map((f) => ctx.msg.completenessField[f]()).join(', ');
      lines.push(ctx.msg.incompleteLine(c.id, c.name || ctx.msg.noName(), c.score, missing));
    }
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    const open = result.items.slice(0, 5).map((c) => [{ label: `${c.id} ${c.name}`.slice(0, 40), action: `customer ${c.id}` }]);
    return [text(lines.join('\n'), [...open, ...pageButtons(result, 'incomplete', ctx.msg)])];
  },
});
