/**
 * Plain-text rendering of replies for the terminal. The buttons of the newest reply that has
 * buttons become numbered choices, counted across its rows in order; typing the number runs the
 * button's action. Buttons of earlier replies in the same batch are shown with the command they
 * run, to type instead. Files show where they were saved.
 *
 * @example
 *   renderReplies([{ kind: 'text', text: 'Hi', buttons: [[{ label: 'Yes', action: 'consent yes' }]] }])
 *   // → { lines: ['Hi', '  [1] Yes'], actions: ['consent yes'] }
 */
import type { Reply } from '../../src/core/types.js';
import type { FileOutcome } from './files.js';

export interface Rendered {
  lines: string[];
  /** The numbered buttons' actions (`actions[0]` is [1]); empty when no reply has buttons. */
  actions: string[];
}

/**
 * Renders replies; `files` says what became of each file or image reply (saved path or error).
 * A file reply with no entry is announced only (a console sender with nowhere to save).
 */
export function renderReplies(replies: Reply[], files: ReadonlyMap<Reply, FileOutcome> = new Map()): Rendered {
  const lines: string[] = [];
  const actions: string[] = [];
  let newest = -1;
  replies.forEach((r, i) => {
    if (r.kind === 'text' && (r.buttons ?? []).some((row) => row.length > 0)) newest = i;
  });
  replies.forEach((reply, index) => {
    if (reply.kind === 'text') {
      lines.push(reply.text);
      for (const row of reply.buttons ?? []) {
        if (row.length === 0) continue;
        const cells = row.map((b) => {
          if (index !== newest) return `${b.label} (type: ${b.action})`;
          actions.push(b.action);
          return `[${actions.length}] ${b.label}`;
        });
        lines.push(`  ${cells.join('   ')}`);
      }
      if (reply.requestContact) lines.push(`  (to share a phone number here, type: :contact +84…)`);
    } else if (reply.kind === 'forward') {
      // The console has no platform to copy from: what was sent is shown by its summary.
      lines.push(`↪️ ${reply.caption ?? `a message from ${reply.from.platform}`}`);
    } else {
      lines.push(`📎 ${reply.fileName} (${reply.data.length} bytes)${reply.caption ? ` — ${reply.caption}` : ''}`);
      const outcome = files.get(reply);
      if (outcome && 'path' in outcome) lines.push(`   saved to ${outcome.path}`);
      else if (outcome) lines.push(`   not saved: ${outcome.error}`);
    }
  });
  return { lines, actions };
}
