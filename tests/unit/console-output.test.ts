/**
 * What the console chat prints and keeps: numbered buttons of the newest reply with buttons,
 * files saved under safe names without overwriting, and logs kept off the chat.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeFileName, saveFile, saveReplyFiles, type FileOutcome } from '../../bots/console/files.js';
import { renderReplies } from '../../bots/console/render.js';
import type { Reply } from '../../src/core/types.js';
import { createLogger, formatForTerminal } from '../../src/log.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatcrm-console-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderReplies', () => {
  it('numbers only the newest reply with buttons, across its rows in order', () => {
    const replies: Reply[] = [
      { kind: 'text', text: 'Older', buttons: [[{ label: 'Open', action: 'customer C1' }]] },
      { kind: 'text', text: 'Newer', buttons: [[{ label: 'Done', action: 'followup done F1' }, { label: 'Snooze', action: 'followup snooze F1 1h' }], [{ label: 'Open', action: 'customer C2' }]] },
      { kind: 'text', text: 'No buttons' },
    ];
    expect(renderReplies(replies)).toEqual({
      lines: ['Older', '  Open (type: customer C1)', 'Newer', '  [1] Done   [2] Snooze', '  [3] Open', 'No buttons'],
      actions: ['followup done F1', 'followup snooze F1 1h', 'customer C2'],
    });
  });

  it('has no actions when no reply has buttons', () => {
    expect(renderReplies([{ kind: 'text', text: 'Hi', buttons: [[]] }]).actions).toEqual([]);
  });

  it('shows where a file was saved, or why not, and only announces it with nowhere to save', () => {
    const saved: Reply = { kind: 'file', fileName: 'a.csv', mimeType: 'text/csv', data: Buffer.from('x,y\n'), caption: 'A' };
    const failed: Reply = { kind: 'image', fileName: 'b.png', data: Buffer.alloc(3) };
    const files = new Map<Reply, FileOutcome>([
      [saved, { path: '/data/files/a.csv' }],
      [failed, { error: 'EACCES' }],
    ]);
    expect(renderReplies([saved, failed], files).lines).toEqual(['📎 a.csv (4 bytes) — A', '   saved to /data/files/a.csv', '📎 b.png (3 bytes)', '   not saved: EACCES']);
    expect(renderReplies([saved]).lines).toEqual(['📎 a.csv (4 bytes) — A']);
  });
});

describe('saving files', () => {
  it('keeps the name and extension, minus anything unsafe', () => {
    expect(safeFileName('customers.csv')).toBe('customers.csv');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\evil.json')).toBe('evil.json');
    expect(safeFileName('.hidden')).toBe('hidden');
    expect(safeFileName('my data: 2026?.json')).toBe('my data_ 2026_.json');
    expect(safeFileName('Khách hàng.csv')).toBe('Khách hàng.csv');
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('???.png')).toBe('file.png');
    expect(safeFileName(`${'x'.repeat(300)}.csv`)).toMatch(/^x{116}\.csv$/);
  });

  it('never overwrites a file: a taken name gets -2, -3 … before the extension', async () => {
    const folder = join(dir, 'files');
    await saveFile(folder, 'my-data-C1.json', Buffer.from('first'));
    await writeFile(join(folder, 'my-data-C1-2.json'), 'not ours');
    expect(await saveFile(folder, 'my-data-C1.json', Buffer.from('second'))).toBe(join(folder, 'my-data-C1-3.json'));
    expect(await readFile(join(folder, 'my-data-C1.json'), 'utf8')).toBe('first');
    expect(await readFile(join(folder, 'my-data-C1-2.json'), 'utf8')).toBe('not ours');
    expect(await readFile(join(folder, 'my-data-C1-3.json'), 'utf8')).toBe('second');
  });

  it('saves every file and image reply of a batch, one outcome each', async () => {
    const folder = join(dir, 'batch');
    const replies: Reply[] = [
      { kind: 'text', text: 'Digest' },
      { kind: 'image', fileName: 'digest.png', data: Buffer.from([137, 80]) },
      { kind: 'file', fileName: 'orders.csv', mimeType: 'text/csv', data: Buffer.from('order\n') },
    ];
    const outcomes = await saveReplyFiles(replies, folder);
    expect([...outcomes.values()]).toEqual([{ path: join(folder, 'digest.png') }, { path: join(folder, 'orders.csv') }]);
    expect((await readdir(folder)).sort()).toEqual(['digest.png', 'orders.csv']);
  });
});

describe('console logging', () => {
  it('writes records at LOG_LEVEL to the file and only warnings and errors, readable, to the terminal', async () => {
    const file = join(dir, 'logs', 'nested', 'chatcrm.log');
    const terminal: string[] = [];
    const log = createLogger('debug', { file, terminal: { write: (line: string) => terminal.push(line) } });
    log.debug({ token: 'secret-token' }, 'detail');
    log.info('started');
    log.warn('slow reply');
    log.error({ err: new Error('boom'), ref: 'a1b2c3', code: 'INTERNAL' }, 'command failed');
    log.flush();
    const records = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { msg: string; token?: string });
    expect(records.map((r) => r.msg)).toEqual(['detail', 'started', 'slow reply', 'command failed']);
    expect(records[0]!.token).toBe('[redacted]');
    expect(terminal).toEqual(['⚠ warn: slow reply\n', '⚠ error: command failed: boom (code INTERNAL, ref a1b2c3)\n']);
  });

  it('still shows warnings on the terminal when the file level is higher or silent', async () => {
    const terminal: string[] = [];
    const file = join(dir, 'silent.log');
    const log = createLogger('silent', { file, terminal: { write: (line: string) => terminal.push(line) } });
    log.info('hidden');
    log.warn('shown');
    expect(terminal).toEqual(['⚠ warn: shown\n']);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('formats a line that is not JSON as it is', () => {
    expect(formatForTerminal('plain')).toBe('plain\n');
  });
});
