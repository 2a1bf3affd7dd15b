/**
 * Pagination buttons, the same on every paginated command: ‹ Previous and
 * Next ›, each running the command again with `page N` (see `takePage` in
 * ./args.ts for the other half).
 *
 * @example
 *   pageNav({ page: 2, pages: 3 }, (p) => `find anna page ${p}`, msg)
 *   // → [{ label: '‹ Previous', action: 'find anna page 1' }, { label: 'Next ›', action: 'find anna page 3' }]
 */
import type { Messages } from '../core/messages.js';
import type { Button } from '../core/types.js';

export function pageNav(at: { page: number; pages: number }, actionFor: (page: number) => string, msg: Messages): Button[] {
  const nav: Button[] = [];
  if (at.page > 1) nav.push({ label: msg.prev(), action: actionFor(at.page - 1) });
  if (at.page < at.pages) nav.push({ label: msg.next(), action: actionFor(at.page + 1) });
  return nav;
}
