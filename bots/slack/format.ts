/**
 * Slack text in both directions, as pure functions.
 *
 * Outbound: the core's texts are plain (no Markdown), and customer words travel inside them, so
 * everything we put into a `mrkdwn` field is escaped with {@link escapeMrkdwn} — a customer who
 * writes `<!channel>` or `<https://evil|your bank>` gets those characters shown, not a mention or
 * a disguised link. Slack's rule is to escape exactly `&`, `<` and `>`; nothing else is decoded.
 *
 * Inbound: Slack hands us message and slash-command text with its own markup (`&amp;`, links
 * such as `<mailto:anna@shop.vn|anna@shop.vn>`, mentions such as `<@U123|ann>`). The core parses
 * plain words, so {@link slackTextToPlain} turns that back into what the person typed.
 */

/** Slack's limit for the text of one section block. */
export const SECTION_TEXT_MAX = 3000;

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters.
 *
 * @example
 *   escapeMrkdwn('Tom & Jerry <!channel>') // → 'Tom &amp; Jerry &lt;!channel&gt;'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

/**
 * Turns Slack's formatted text back into what the person typed: auto-linked e-mails, phones and
 * URLs become the typed text, a hyperlink with other words becomes `words (address)`, mentions
 * become `@name`, special mentions `@here`, and `&amp;`/`&lt;`/`&gt;` the characters themselves.
 *
 * @example
 *   slackTextToPlain('lead Anna <mailto:anna@shop.vn|anna@shop.vn> &amp; co') // → 'lead Anna anna@shop.vn & co'
 *   slackTextToPlain('ask <@U123|ann> about <https://shop.vn|the shop>')       // → 'ask @ann about the shop (https://shop.vn)'
 */
export function slackTextToPlain(text: string): string {
  const replaced = text.replace(/<([^<>]*)>/g, (_all, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? undefined : inner.slice(bar + 1);
    if (target.startsWith('@')) return label ? `@${label.replace(/^@/, '')}` : target;
    if (target.startsWith('#')) return label ? `#${label.replace(/^#/, '')}` : target;
    if (target.startsWith('!')) {
      // <!here>, <!channel>, <!subteam^S1|@sales>, <!date^…|fallback>
      if (label) return label;
      const word = target.slice(1).split('^')[0] ?? '';
      return `@${word}`;
    }
    if (/^(mailto|tel):/.test(target)) return label || target.replace(/^(mailto|tel):/, '');
    // An auto-linked URL shows as typed; a hyperlink with its own words keeps its address visible.
    if (!label || label === target || label === target.replace(/^https?:\/\//, '')) return label || target;
    return `${label} (${target})`;
  });
  return replaced.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Length a character takes once escaped. */
function escapedLength(ch: string): number {
  return ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : ch.length;
}

/**
 * Splits plain text into pieces whose escaped form fits one section block (`max` characters),
 * breaking at a line end where possible, else at a space, else anywhere (never inside a
 * surrogate pair, never inside an escape). Returns the pieces still unescaped; empty text gives `[]`.
 *
 * @example
 *   splitForSections('a'.repeat(3500)).map((p) => p.length) // → [3000, 500]
 *   splitForSections('line one\nline two', 12)              // → ['line one', 'line two']
 */
export function splitForSections(text: string, max: number = SECTION_TEXT_MAX): string[] {
  if (max < 5) throw new RangeError('max must be at least 5 (one escaped "&")');
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    // The longest prefix whose escaped form fits.
    let used = 0;
    let end = 0;
    for (const ch of rest) {
      const len = escapedLength(ch);
      if (used + len > max) break;
      used += len;
      end += ch.length;
    }
    if (end >= rest.length) {
      pieces.push(rest);
      break;
    }
    const head = rest.slice(0, end);
    const newline = head.lastIndexOf('\n');
    const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'));
    // Break at a separator only when it keeps at least half a piece (no slivers).
    const at = newline >= end / 2 ? newline : space >= end / 2 ? space : -1;
    if (at > 0) {
      pieces.push(rest.slice(0, at));
      rest = rest.slice(at + 1);
    } else {
      pieces.push(head);
      rest = rest.slice(end);
    }
  }
  return pieces.filter((p) => p.length > 0);
}

/**
 * Shortens a label to `max` characters (Slack's button text limit is 75), ending in `…`.
 *
 * @example
 *   truncateLabel('Mark delivered', 10) // → 'Mark deli…'
 */
export function truncateLabel(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}
