/**
 * Plain-text rendering of replies for the terminal. Buttons become numbered
 * choices; typing the number runs the button's action.
 *
 * @example
 *   renderReplies([{ kind: 'text', text: 'Hi', buttons: [[{ label: 'Yes', action: 'consent yes' }]] }])
 *   // → { lines: ['Hi', '  [1] Yes'], actions: ['consent yes'] }
 */
import type { Reply } from '../../src/core/types.js';

export function renderReplies(replies: Reply[]): { lines: string[]; actions: string[] } {
  const lines: string[] = [];
  const actions: string[] = [];
  for (const reply of replies) {
    if (reply.kind === 'text') {
      lines.push(reply.text);
      for (const row of reply.buttons ?? []) {
        lines.push(
          '  ' +
            row
              .map((b) => {
                actions.push(b.action);
                return `[${actions.length}] ${b.label}`;
              })
              .join('   '),
        );
      }
      if (reply.requestContact) lines.push(`  (to share a phone number here, type: :contact +84…)`);
    } else {
      lines.push(`📎 ${reply.fileName} (${reply.data.length} bytes)${reply.caption ? ` — ${reply.caption}` : ''}`);
    }
  }
  return { lines, actions };
}
