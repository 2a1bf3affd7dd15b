/**
 * The real program, `src/main.ts`, as a child process: the console chat driven through piped
 * stdin against this file's test database, and start-up refusing a bad `.env`.
 */
import '../../models/index.js';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer, Interaction, Order } from '../../models/index.js';
import { useTestDatabase } from '../support/db.js';

const db = useTestDatabase('e2e_console');

const mainPath = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// `--import tsx` resolves from the cwd; the children run in an empty temp dir, so name the loader by path.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx src/main.ts` in `cwd` with exactly `env` (no inherited tokens), feeding `input` on stdin. */
function runMain(cwd: string, env: Record<string, string>, input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, mainPath], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'chatcrm-e2e-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('console chat through piped stdin', () => {
  let run: Run;
  beforeAll(async () => {
    const script = [
      'lead Anna Nguyen 0912 345 678 anna@shop.vn #vip met at the expo',
      'find anna',
      'order C1 350k 2x áo dài',
      ':as customer Zoe',
      'Hello, is the blue dress in stock?',
      'orders',
      ':as owner',
      'find #vip',
      'orders C1',
    ].join('\n');
    run = await runMain(
      cwd,
      { MONGODB_URI: db.uri, MONGODB_DB: db.dbName, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      `${script}\n`,
    );
  }, 120_000);

  it('exits with code 0 when stdin ends, without errors on stderr', () => {
    expect(run.stderr).not.toMatch(/^ {4}at /m);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
  });

  it('prints each line it read and the replies to it, in order', () => {
    const out = run.stdout.split('\n');
    const expected = [
      'Owner> lead Anna Nguyen 0912 345 678 anna@shop.vn #vip met at the expo',
      'New lead C1 Anna Nguyen saved.',
      '  [1] Open customer',
      'Owner> find anna',
      'Customers matching "anna":',
      'C1 Anna Nguyen · +84 912 345 678 · #vip',
      'Owner> order C1 350k 2x áo dài',
      'Order O1 for C1 Anna Nguyen: ₫350,000 (new).',
      '(you are now Zoe)',
      'Zoe> Hello, is the blue dress in stock?',
      '📨 to owner: 💬 C2 Zoe (console): Hello, is the blue dress in stock?',
      'Thanks, we got your message and will answer soon.',
      'Zoe> orders',
      'You have no orders with us yet.',
      '(you are now Owner)',
      'Owner> find #vip',
      'Owner> orders C1',
      'Orders of C1 Anna Nguyen:',
    ];
    let at = -1;
    for (const line of expected) {
      const found = out.indexOf(line, at + 1);
      expect(found, `"${line}" after line ${at} of:\n${run.stdout}`).toBeGreaterThan(at);
      at = found;
    }
    expect(run.stdout).toMatch(/^O1 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · ₫350,000 · new · 2× áo dài$/m);
  });

  it('stored what the chat said it stored', async () => {
    expect(await Customer.find({}, { name: 1, phones: 1, emails: 1, tags: 1, source: 1 }).sort({ _id: 1 }).lean()).toEqual([
      { _id: 'C1', name: 'Anna Nguyen', phones: ['+84912345678'], emails: ['anna@shop.vn'], tags: ['vip'], source: 'chat' },
      { _id: 'C2', name: 'Zoe', phones: [], emails: [], tags: [], source: 'console' },
    ]);
    expect(await Order.find({}, { customerId: 1, amountMinor: 1, currency: 1 }).lean()).toEqual([{ _id: 'O1', customerId: 'C1', amountMinor: 350_000, currency: 'VND' }]);
    expect((await Interaction.find({}, { _id: 0, customerId: 1, kind: 1, text: 1 }).sort({ customerId: 1 }).lean())).toEqual([
      { customerId: 'C1', kind: 'note', text: 'met at the expo' },
      { customerId: 'C2', kind: 'message', text: 'Hello, is the blue dress in stock?' },
    ]);
  });
});

describe('start-up with a bad .env', () => {
  it('exits with code 2 naming every bad key, without their values or a stack trace', async () => {
    const dir = join(cwd, 'bad-env');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, '.env'), 'HTTP_PORT=abc\nTELEGRAM_MODE=carrier-pigeon\n');
    const run = await runMain(dir, { LOG_LEVEL: 'silent' }, '');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ {2}- HTTP_PORT: /m);
    expect(run.stderr).toMatch(/^ {2}- TELEGRAM_MODE: must be one of webhook, polling$/m);
    expect(run.stderr).toContain('.env.example');
    expect(run.stderr).not.toContain('carrier-pigeon');
    expect(run.stderr).not.toMatch(/\babc\b/);
    expect(run.stderr).not.toMatch(/^ {4}at /m);
    expect(run.stdout).toBe('');
  }, 120_000);
});
