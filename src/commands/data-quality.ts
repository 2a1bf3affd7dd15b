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
import { listLikelyDuplicates } from '../services/dupes.js';

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
  usage: 'dupes [page N]',
  summary: 'dupes',
  examples: ['dupes', 'dupes page 2'],
  allow: MANAGERS,
  async run(ctx) {
    const { page } = takePage(ctx.args);
    const result = await listLikelyDuplicates(page);
    if (result.total === 0) return [text(ctx.msg.dupesNone())];
    const lines = [ctx.msg.dupesTitle(result.total)];
    for (const p of result.items) {
      const keep = p.keep.id;
      const merge = p.merge.id;
      lines.push(
        ctx.msg.dupesLine(
          keep,
          p.keep.name || ctx.msg.noName(),
          merge,
          p.merge.name || ctx.msg.noName(),
          p.shared.kind === 'email' ? ctx.msg.dupesSameEmail(p.shared.value) : ctx.msg.dupesSamePhone(p.shared.value),
          `merge ${keep} ${merge}`,
        ),
      );
    }
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    return [text(lines.join('\n'), pageButtons(result, 'dupes', ctx.msg))];
  },
});

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
