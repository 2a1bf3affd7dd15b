/**
 * The console plays both sides with files too (issue 11, items 2 and 9): `:file <path> [caption]`
 * sends a local photo or file as a chat app would, so the owner answers a customer with
 * `:file dress.jpg reply C1 …` and the customer's chat receives the photo (saved under the files
 * folder) with the words as its caption. Runs the console adapter in-process on piped input.
 */
import '../../models/index.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleSender, runConsole } from '../../bots/console/index.js';
import { Interaction } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { testDeps } from '../support/test-app.js';

useTestDatabase('e2e_console_files');

describe('console :file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-files-'));
    await writeFile(join(dir, 'blue.jpg'), Buffer.from('blue jpeg bytes'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the owner answers a customer with a photo; the customer’s chat gets it with its caption, once', async () => {
    const output = new PassThrough();
    let printed = '';
    output.setEncoding('utf8').on('data', (d: string) => (printed += d));
    const filesDir = join(dir, 'received');
    const sender = new ConsoleSender(output, filesDir);
    const core = createApp(testDeps({ notifier: new RoutingNotifier([sender]) }));
    const lines = [
      ':as customer Binh',
      'is the blue dress in stock?',
      ':as owner',
      `:file ${join(dir, 'blue.jpg')} reply C1 Here it is, in stock`,
      `:file ${join(dir, 'missing.jpg')} reply C1 again`,
    ];
    await runConsole({ core, input: Readable.from(lines.map((l) => `${l}\n`)), output, interactive: false, ownerName: 'Owner', filesDir, sender });
    expect(printed).toMatch(/📨 to customer-binh: .*blue\.jpg/);
    expect(printed).toContain('Here it is, in stock');
    expect(printed).toMatch(/Sent to C1 Binh \(console\)/);
    expect(printed).toMatch(/\(cannot read .*missing\.jpg: ENOENT\)/);
    expect((await readFile(join(filesDir, 'blue.jpg'))).toString()).toBe('blue jpeg bytes');
    expect(await Interaction.findOne({ customerId: 'C1', kind: 'reply' }).lean()).toMatchObject({ text: 'Here it is, in stock', media: { kind: 'image', fileName: 'blue.jpg' } });
  });
});
