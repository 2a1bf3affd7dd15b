/**
 * Slack text handling as pure functions: escaping outbound mrkdwn, decoding inbound Slack
 * markup, splitting long text for section blocks, and rendering replies within Block Kit limits.
 */
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, slackTextToPlain, splitForSections, truncateLabel } from '../../bots/slack/format.js';
import { renderReplies, type SlackMessage } from '../../bots/slack/render.js';
import { text, type Button } from '../../src/core/types.js';

describe('escapeMrkdwn', () => {
  it('escapes exactly &, < and > the way Slack specifies', () => {
    expect(escapeMrkdwn('Tom & Jerry <3 > 2')).toBe('Tom &amp; Jerry &lt;3 &gt; 2');
  });

  it('turns mention and link syntax into visible characters', () => {
    expect(escapeMrkdwn('<!channel> <@U123> <https://evil.example|your bank>')).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|your bank&gt;',
    );
  });

  it('escapes an already escaped entity again, so it shows literally', () => {
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
  });

  it('leaves other characters, including non-Latin text and emoji, alone', () => {
    expect(escapeMrkdwn('Trần Thị Bích *vip* _x_ 🎉')).toBe('Trần Thị Bích *vip* _x_ 🎉');
  });
});

describe('slackTextToPlain', () => {
  it('decodes entities', () => {
    expect(slackTextToPlain('a &amp; b &lt;c&gt;')).toBe('a & b <c>');
  });

  it('decodes &amp;lt; to the literal text &lt; (one level only)', () => {
    expect(slackTextToPlain('&amp;lt;')).toBe('&lt;');
  });

  it('turns auto-linked e-mails, phones and URLs back into what was typed', () => {
    expect(slackTextToPlain('lead Anna <mailto:anna@shop.vn|anna@shop.vn> <tel:+84912345678|0912 345 678>')).toBe(
      'lead Anna anna@shop.vn 0912 345 678',
    );
    expect(slackTextToPlain('see <https://shop.vn>')).toBe('see https://shop.vn');
    expect(slackTextToPlain('see <http://shop.vn|shop.vn>')).toBe('see shop.vn');
  });

  it('keeps the address of a hyperlink whose words differ, so a link cannot hide where it goes', () => {
    expect(slackTextToPlain('pay at <https://evil.example|your bank>')).toBe('pay at your bank (https://evil.example)');
  });

  it('keeps what a person typed literally: Slack sends a typed "<!channel>" escaped', () => {
    expect(slackTextToPlain('&lt;!channel&gt; &amp; co')).toBe('<!channel> & co');
  });

  it('turns mentions into @names', () => {
    expect(slackTextToPlain('ask <@U123|ann> and <@U456>')).toBe('ask @ann and @U456');
    expect(slackTextToPlain('<!here> <!subteam^S1|@sales>')).toBe('@here @sales');
    expect(slackTextToPlain('in <#C1|general>')).toBe('in #general');
  });
});

describe('splitForSections', () => {
  it('returns short text as one piece and empty text as none', () => {
    expect(splitForSections('hello')).toEqual(['hello']);
    expect(splitForSections('')).toEqual([]);
  });

  it('cuts text without separators at the limit', () => {
    expect(splitForSections('a'.repeat(3500)).map((p) => p.length)).toEqual([3000, 500]);
  });

  it('prefers line ends, then spaces', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const pieces = splitForSections(lines, 1000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.startsWith('line ')).toBe(true);
    expect(pieces.join('\n')).toBe(lines);
  });

  it('measures the escaped length, so every escaped piece fits', () => {
    const pieces = splitForSections('&'.repeat(1000), 3000);
    expect(pieces.map((p) => p.length)).toEqual([600, 400]);
    for (const p of pieces) expect(escapeMrkdwn(p).length).toBeLessThanOrEqual(3000);
  });

  it('never splits a surrogate pair', () => {
    const pieces = splitForSections('🎉'.repeat(10), 5);
    expect(pieces.join('')).toBe('🎉'.repeat(10));
    for (const p of pieces) expect(Array.from(p).every((ch) => ch === '🎉')).toBe(true);
  });
});

describe('truncateLabel', () => {
  it('keeps short labels and cuts long ones with an ellipsis', () => {
    expect(truncateLabel('Mark paid', 75)).toBe('Mark paid');
    expect(truncateLabel('x'.repeat(80), 75)).toHaveLength(75);
    expect(truncateLabel('x'.repeat(80), 75).endsWith('…')).toBe(true);
  });
});

describe('renderReplies', () => {
  const messages = (r: ReturnType<typeof renderReplies>) => r.items.filter((i): i is SlackMessage => i.kind === 'message');

  it('renders text as an escaped mrkdwn section with the same fallback text', () => {
    const [m] = messages(renderReplies([text('Hi <!channel> & you')]));
    expect(m?.text).toBe('Hi &lt;!channel&gt; &amp; you');
    expect(m?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'Hi &lt;!channel&gt; &amp; you' } }]);
  });

  it('renders button rows as actions blocks with unique action ids and the action as value', () => {
    const rows: Button[][] = [
      [
        { label: 'Mark paid', action: 'order status O7 paid' },
        { label: 'Mark cancelled', action: 'order status O7 cancelled' },
      ],
      [{ label: 'Open', action: 'customer C1' }],
    ];
    const [m] = messages(renderReplies([text('Order O7', rows)]));
    const actions = m?.blocks.filter((b) => b.type === 'actions') ?? [];
    expect(actions).toHaveLength(2);
    const elements = actions.flatMap((b) => (b.type === 'actions' ? b.elements : [])) as { action_id: string; value: string }[];
    expect(elements.map((e) => e.value)).toEqual(['order status O7 paid', 'order status O7 cancelled', 'customer C1']);
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(3);
  });

  it('keeps within Slack limits: 25 buttons per actions block, 75-character labels, 2,000-character values', () => {
    const many: Button[] = Array.from({ length: 30 }, (_, i) => ({ label: `${'L'.repeat(80)}${i}`, action: `customer C${i}` }));
    const tooLong: Button = { label: 'huge', action: 'x'.repeat(2001) };
    const rendered = renderReplies([text('Pick one', [[...many, tooLong]])]);
    const [m] = messages(rendered);
    const actions = m?.blocks.filter((b) => b.type === 'actions') ?? [];
    expect(actions.map((b) => (b.type === 'actions' ? b.elements.length : 0))).toEqual([25, 5]);
    for (const b of actions) {
      if (b.type !== 'actions') continue;
      for (const e of b.elements as { text: { text: string } }[]) expect(Array.from(e.text.text).length).toBeLessThanOrEqual(75);
    }
    expect(rendered.dropped).toHaveLength(1);
  });

  it('splits text over 3,000 characters into several sections and, past five, several messages', () => {
    const long = Array.from({ length: 400 }, (_, i) => `Line ${i}: ${'y'.repeat(60)}`).join('\n'); // ~27k characters
    const out = messages(renderReplies([text(long, [[{ label: 'Next', action: 'find y page 2' }]])]));
    expect(out.length).toBeGreaterThan(1);
    for (const m of out) {
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      for (const b of m.blocks) if (b.type === 'section') expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    // The buttons come once, after the last part.
    expect(out.at(-1)?.blocks.at(-1)?.type).toBe('actions');
    expect(out.slice(0, -1).every((m) => m.blocks.every((b) => b.type === 'section'))).toBe(true);
    const sections = out.flatMap((m) => m.blocks.flatMap((b) => (b.type === 'section' ? [b.text?.text ?? ''] : [])));
    expect(sections.join('\n')).toBe(long);
  });

  it('renders files and images as uploads with their caption', () => {
    const data = Buffer.from('a,b\n');
    const { items } = renderReplies([
      { kind: 'file', fileName: 'export.csv', mimeType: 'text/csv', data, caption: 'Export' },
      { kind: 'image', fileName: 'chart.png', data },
    ]);
    expect(items).toEqual([
      { kind: 'upload', fileName: 'export.csv', data, caption: 'Export' },
      { kind: 'upload', fileName: 'chart.png', data },
    ]);
  });
});
