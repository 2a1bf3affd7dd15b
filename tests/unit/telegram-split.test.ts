import { describe, expect, it } from 'vitest';
import { splitText, TELEGRAM_TEXT_LIMIT } from '../../bots/telegram/split.js';

describe('splitText', () => {
  it('leaves a text within the limit alone', () => {
    expect(splitText('Hello')).toEqual(['Hello']);
    const max = 'x'.repeat(TELEGRAM_TEXT_LIMIT);
    expect(splitText(max)).toEqual([max]);
  });

  it('returns nothing for a blank text (Telegram refuses empty messages)', () => {
    expect(splitText('')).toEqual([]);
    expect(splitText('  \n ')).toEqual([]);
  });

  it('splits on line boundaries, filling each part as far as it goes', () => {
    expect(splitText('a\nb\nc', 3)).toEqual(['a\nb', 'c']);
    expect(splitText('aa\nbb\ncc\ndd', 5)).toEqual(['aa\nbb', 'cc\ndd']);
  });

  it('keeps every part within 4,096 and gives back the text when joined at the line breaks', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `C${i} Customer number ${i} · +84 90 000 ${String(i).padStart(4, '0')} · #vip`);
    const text = lines.join('\n');
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(parts.join('\n')).toBe(text);
    // No line is cut in two.
    for (const part of parts) for (const line of part.split('\n')) expect(lines).toContain(line);
  });

  it('cuts a line longer than the limit at its last space', () => {
    expect(splitText('one two three', 8)).toEqual(['one two', 'three']);
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(part.startsWith(' ') || part.endsWith(' ')).toBe(false);
    }
    expect(parts.join(' ')).toBe(words);
  });

  it('cuts a line without spaces at the limit', () => {
    expect(splitText('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
  });

  it('never cuts an emoji (a surrogate pair) in half', () => {
    const text = `a${'😀'.repeat(10)}`; // 1 + 20 UTF-16 units
    const parts = splitText(text, 4);
    expect(parts.join('')).toBe(text);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4);
      expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
      expect(part).not.toMatch(/^[\uDC00-\uDFFF]/);
    }
  });

  it('continues a long line’s tail with the following lines', () => {
    expect(splitText('aaaa bb\ncc', 5)).toEqual(['aaaa', 'bb\ncc']);
  });

  it('drops parts that would be blank, such as runs of empty lines at a cut', () => {
    const parts = splitText(`${'a'.repeat(5)}\n\n\n\n${'b'.repeat(5)}`, 5);
    expect(parts).toEqual(['aaaaa', 'bbbbb']);
  });

  it('rejects a limit too small to make progress', () => {
    expect(() => splitText('abc', 1)).toThrow(RangeError);
  });
});
