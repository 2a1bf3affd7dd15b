/**
 * The core's edge limits as pure functions: cleaning what comes in, bounding what a reply quotes
 * back, and fitting every reply into one chat message.
 */
import { describe, expect, it } from 'vitest';
import {
  boundedMessages,
  cleanIncoming,
  cleanText,
  fitReplies,
  MAX_CAPTION_CHARS,
  MAX_ECHO_CHARS,
  MAX_NAME_CHARS,
  MAX_REPLY_CHARS,
  MAX_TEXT_CHARS,
  splitText,
  tooLong,
  truncateEcho,
} from '../../src/core/limits.js';
import { messagesFor } from '../../src/core/messages.js';
import { text, type Incoming, type Reply } from '../../src/core/types.js';
import { ValidationError } from '../../src/errors.js';

const en = messagesFor('en');
const bounded = boundedMessages(en);

describe('cleaning what comes in', () => {
  it('removes NUL and the other control characters, keeps tabs and line breaks (\\r\\n and \\r become \\n)', () => {
    expect(cleanText('find An\u0000na')).toBe('find Anna');
    expect(cleanText('a\u0001\u0007\u001b[31mb\u007f\u0085c')).toBe('a[31mbc');
    expect(cleanText('one\r\ntwo\rthree\n\tfour')).toBe('one\ntwo\nthree\n\tfour');
  });

  it('leaves Vietnamese, emoji sequences and other scripts as they are', () => {
    for (const s of ['Nguyễn Thị Bích Ngọc — đơn 350k', '👩‍👩‍👧‍👦 🇻🇳 👍🏽', 'مرحبا 你好 e\u0301', 'zero\u200bwidth\ufeff']) expect(cleanText(s)).toBe(s);
  });

  it('replaces broken UTF-16 (a lone surrogate) and keeps whole pairs', () => {
    expect(cleanText('a\uD83Db \uDE00c 😀')).toBe('a\uFFFDb \uFFFDc 😀');
  });

  it('cleans and caps the names an adapter passes, and keeps ids and attachments working', () => {
    const download = async () => Buffer.from('x');
    const raw: Incoming = {
      platform: 'telegram',
      chatId: '42',
      userId: '42',
      deliveryId: 'tg:1:1',
      displayName: `Lan\u0000 ${'x'.repeat(500)}`,
      text: 'lead Anna\u0000',
      forwardedFrom: { name: 'Bảo\nNguyễn\u0007' },
      contact: { phone: '+84\u0000912345678', firstName: 'Ánh\u0000' },
      attachments: [{ kind: 'file', fileName: 'list\u0000.csv', download }],
    };
    const clean = cleanIncoming(raw);
    expect(clean.text).toBe('lead Anna');
    expect(clean.displayName.startsWith('Lan xxx')).toBe(true);
    expect(clean.displayName).toHaveLength(MAX_NAME_CHARS);
    expect(clean.forwardedFrom).toEqual({ name: 'Bảo Nguyễn' });
    expect(clean.contact).toEqual({ phone: '+84912345678', firstName: 'Ánh' });
    expect(clean.attachments?.[0]?.fileName).toBe('list.csv');
    expect(clean.attachments?.[0]?.download).toBe(download);
    expect([clean.chatId, clean.userId, clean.deliveryId]).toEqual(['42', '42', 'tg:1:1']);
  });

  it(`refuses texts over ${MAX_TEXT_CHARS} characters, and only those`, () => {
    expect(tooLong('x'.repeat(MAX_TEXT_CHARS))).toBe(false);
    expect(tooLong('x'.repeat(MAX_TEXT_CHARS + 1))).toBe(true);
    expect(en.errors.messageTooLong({ length: 100_000, max: MAX_TEXT_CHARS })).toBe(
      'your message is too long (100,000 characters; at most 4,000). Nothing was done — send it in shorter parts.',
    );
  });
});

describe('what a reply quotes back', () => {
  it(`is cut to ${MAX_ECHO_CHARS} characters with "…", never between the halves of an emoji`, () => {
    expect(truncateEcho('short')).toBe('short');
    expect(truncateEcho('x'.repeat(10_000))).toBe(`${'x'.repeat(MAX_ECHO_CHARS - 1)}…`);
    const emoji = `${'x'.repeat(MAX_ECHO_CHARS - 2)}😀😀`;
    expect(truncateEcho(emoji)).toBe(`${'x'.repeat(MAX_ECHO_CHARS - 2)}…`);
  });

  it('is bounded in the catalogue texts that echo input: unknown command, no match, invalid lead, bad amount', () => {
    const huge = 'y'.repeat(100_000);
    for (const reply of [bounded.findNone(huge), bounded.findTitle(huge), bounded.unknownCommand(huge), bounded.badAmount(huge), bounded.leadInvalid(huge), bounded.notFound('customer', huge)]) {
      expect(reply.length).toBeLessThan(MAX_ECHO_CHARS + 100);
    }
    expect(bounded.findNone('Anna')).toBe(en.findNone('Anna'));
  });

  it('is bounded in every error text, lists included, as the core renders them', () => {
    const err = new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: `#${'z'.repeat(50_000)}` } });
    expect(err.reasonIn(bounded.errors).length).toBeLessThan(MAX_ECHO_CHARS + 60);
    expect(err.reasonIn(bounded.errors)).toBe(err.reasonIn(en.errors).replace(/#z+/, `#${'z'.repeat(MAX_ECHO_CHARS - 2)}…`));
    const columns = Array.from({ length: 500 }, (_, i) => `col${i}`);
    const listed = bounded.errors.importNoContactColumn({ columns });
    expect(listed).toContain('"col19", "…"');
    expect(listed).not.toContain('col20');
  });

  it('leaves texts that carry a body on purpose alone (a customer message forwarded to staff)', () => {
    const body = 'b'.repeat(1500);
    expect(bounded.notifyMessage('C1', 'Anna', 'telegram', body)).toBe(en.notifyMessage('C1', 'Anna', 'telegram', body));
  });
});

describe('fitting replies into chat messages', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `C${i} Nguyễn Văn ${i} · +84 912 000 ${String(i).padStart(3, '0')}`).join('\n');

  it(`splits a long text at line boundaries into replies of at most ${MAX_REPLY_CHARS} characters, buttons on the last`, () => {
    const buttons = [[{ label: 'Next ›', action: 'find x page 2' }]];
    const replies = fitReplies([text(lines, buttons)]);
    expect(replies.length).toBeGreaterThan(1);
    const texts = replies.map((r) => (r.kind === 'text' ? r.text : ''));
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(texts.join('\n')).toBe(lines);
    expect(replies.map((r) => (r.kind === 'text' ? r.buttons : undefined))).toEqual([...replies.slice(1).map(() => undefined), buttons]);
  });

  it('cuts one very long line at a space, or hard without splitting an emoji', () => {
    const words = splitText(Array.from({ length: 2000 }, () => 'từ').join(' '), 100);
    for (const piece of words) expect(piece.length).toBeLessThanOrEqual(100);
    expect(words.join(' ')).toBe(Array.from({ length: 2000 }, () => 'từ').join(' '));
    const emoji = splitText('😀'.repeat(3000), 4095);
    for (const piece of emoji) expect(piece).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(emoji.join('')).toBe('😀'.repeat(3000));
  });

  it('leaves short replies as they are and cuts long captions', () => {
    const short: Reply[] = [text('ok'), { kind: 'file', fileName: 'a.csv', mimeType: 'text/csv', data: Buffer.from(''), caption: 'Customers (3)' }];
    expect(fitReplies(short)).toEqual(short);
    const [file] = fitReplies([{ kind: 'image', fileName: 'c.png', data: Buffer.from(''), caption: 'c'.repeat(5000) }]);
    expect(file?.kind === 'image' && file.caption?.length).toBe(MAX_CAPTION_CHARS);
  });
});
