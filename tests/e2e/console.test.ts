/**
 * The real program, `src/main.ts`, as a child process: the console chat driven through piped
 * stdin (all at once, and line by line waiting for each answer) against this file's test
 * database — logs kept off the terminal, files saved, numbered buttons, `:as` — and start-up
 * refusing a bad `.env`.
 */
import '../../models/index.js';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
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

/** Lines of `text` that are JSON objects (pino's log records), which must never reach the terminal. */
function jsonLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s*\{.*\}\s*$/.test(line));
}

/** A running `src/main.ts` fed one line at a time: each step waits for the output it expects. */
interface Session {
  /** Types one line. */
  type(line: string): void;
  /** Resolves with stdout from the last match on, once `pattern` matches there (rejects after 20 s, or if the program exits first). */
  expect(pattern: RegExp): Promise<RegExpExecArray>;
  /** Ends stdin and waits for the program to exit. */
  end(): Promise<Run>;
  readonly stdout: string;
  readonly stderr: string;
}

function startMain(cwd: string, env: Record<string, string>): Session {
  const child = spawn(process.execPath, ['--import', tsxLoader, mainPath], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let seen = 0; // stdout before this offset was matched by an earlier step
  let exited: number | null | undefined;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), wake()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = code;
      wake();
      resolve({ code, stdout, stderr });
    });
  });
  return {
    type: (line) => child.stdin.write(`${line}\n`),
    expect: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const rest = stdout.slice(seen);
          const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(rest);
          if (match) {
            seen += match.index + match[0].length;
            done();
            resolve(match);
          } else if (exited !== undefined) {
            done();
            reject(new Error(`exited (${exited}) before ${pattern} appeared in:\n${rest}\nstderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within 20 s in:\n${stdout.slice(seen)}\nstderr:\n${stderr}`));
        }, 20_000);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    end: () => {
      child.stdin.end();
      return closed;
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'chatcrm-e2e-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('console chat, a customer first', () => {
  it('notifies the owner of a message played as a customer before the owner typed anything', async () => {
    const run = await runMain(
      cwd,
      { MONGODB_URI: db.uri, MONGODB_DB: `${db.dbName}_first`, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      ':as customer Minh\nShop còn áo dài xanh không?\n',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('📨 to owner: 💬 C1 Minh (console): Shop còn áo dài xanh không?');
  }, 120_000);
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

  it('keeps log lines out of the chat: says once where the log file is, and the file exists', async () => {
    const logFile = join(await realpath(cwd), 'data', 'logs', 'chatcrm.log');
    expect(jsonLines(run.stdout)).toEqual([]);
    expect(jsonLines(run.stderr)).toEqual([]);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('Log file: '))).toEqual([`Log file: ${logFile} (only warnings and worse are shown here)`]);
    expect((await stat(logFile)).isFile()).toBe(true);
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
      '(you are now Zoe — customer)',
      'Zoe> Hello, is the blue dress in stock?',
      '📨 to owner: 💬 C2 Zoe (console): Hello, is the blue dress in stock?',
      'Thanks, we got your message and will answer soon.',
      'Zoe> orders',
      'You have no orders with us yet.',
      '(you are now Owner — owner)',
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

describe('console chat line by line: logs, files, buttons and :as', () => {
  // Its own database and data folder, so the piped chat above keeps its exact records.
  const dbName = `${db.dbName}_lines`;
  let dir: string;
  let chat: Session;
  let exit: Run;
  const customersCsv: string[] = [];

  beforeAll(async () => {
    dir = join(await realpath(cwd), 'lines');
    await mkdir(dir);
    chat = startMain(dir, { MONGODB_URI: db.uri, MONGODB_DB: dbName, LOG_LEVEL: 'debug', NODE_ENV: 'test' });
  });
  afterAll(async () => {
    if (chat && !exit) await chat.end();
    await mongoose.connection.useDb(dbName).dropDatabase();
  });

  it('saves each file of a reply under the data folder, prints its path, and never overwrites one', async () => {
    chat.type('lead Anna Nguyen 0912 345 678 anna@shop.vn #vip');
    await chat.expect(/^New lead C1 Anna Nguyen saved\.$/m);
    const filesDir = join(dir, 'data', 'files');
    for (const round of [1, 2]) {
      chat.type('export');
      const [, customers] = await chat.expect(/^📎 customers\.csv \(\d+ bytes\) — Customers \(1\)\n {3}saved to (.+)$/m);
      const [, orders] = await chat.expect(/^📎 orders\.csv \(\d+ bytes\) — Orders \(0\)\n {3}saved to (.+)$/m);
      const suffix = round === 1 ? '' : '-2';
      expect(customers).toBe(join(filesDir, `customers${suffix}.csv`));
      expect(orders).toBe(join(filesDir, `orders${suffix}.csv`));
      customersCsv.push(await readFile(customers!, 'utf8'));
      expect(await readFile(orders!, 'utf8')).toBe('\ufefforder,customer,created_at,status,amount,currency,items\n'); // with a BOM: Excel reads UTF-8
    }
    const [first, second] = customersCsv;
    expect(first!.split('\n')[0]).toBe('\ufeffcustomer,name,phones,emails,tags,owner,source,promotions_consent,status,merged_into,orders,revenue,currency,other_revenue,first_order_at,last_order_at,created_at,notes');
    expect(first).toMatch(/^C1,Anna Nguyen,\+84912345678,anna@shop\.vn,vip,[^,\n]*,chat,[^\n]*,\d{4}-\d\d-\d\d \d\d:\d\d,[^\n]*$/m); // shop-local time
    expect(second).toBe(first); // the second export went to a new file; the first is untouched
    expect((await readdir(filesDir)).sort()).toEqual(['customers-2.csv', 'customers.csv', 'orders-2.csv', 'orders.csv']);
  });

  it('presses the button of the newest reply that has buttons, in this person’s chat', async () => {
    chat.type('lead Bob 0912 000 111');
    await chat.expect(/^New lead C2 Bob saved\.\n {2}\[1\] Open customer$/m);
    chat.type('1');
    await chat.expect(/^Owner> 1\nC2 · Bob$/m);
    // Zoe's message reaches the owner as a notification with its own button; the owner's newest.
    chat.type(':as customer Zoe');
    chat.type('Hello, is the blue dress in stock?');
    await chat.expect(/^📨 to owner: 💬 C3 Zoe \(console\): Hello, is the blue dress in stock\?\n {5}\[1\] Open customer$/m);
    await chat.expect(/^Thanks, we got your message/m);
    chat.type('1'); // Zoe has no buttons: her "1" is a message, not the owner's button
    await chat.expect(/^Zoe> 1\n📨 to owner: 💬 C3 Zoe \(console\): 1\n {5}\[1\] Open customer\n {5}\[2\] Assign to me {3}\[3\] Resolve\n {5}\[4\] Reply…\nThanks, we got your message/m);
    chat.type(':as owner');
    chat.type('whoami'); // a reply without buttons leaves the newest buttons as they were
    await chat.expect(/^Owner> whoami\nYou are Owner, owner\.$/m);
    chat.type('1');
    await chat.expect(/^Owner> 1\nC3 · Zoe$/m);
  });

  it(':as names the person and the role in effect, and says how to get a role it cannot switch to', async () => {
    chat.type(':as manager');
    await chat.expect(
      /^\(you are now Manager — customer, not manager: Manager has not joined the team\. To change that: ":as owner", "invite manager", then ":as manager Manager" and "join <code>"\)$/m,
    );
    chat.type(':as owner');
    await chat.expect(/^\(you are now Owner — owner\)$/m);
    chat.type('invite sales');
    const [, code] = await chat.expect(/Invite code for a new sales: (\w+)/);
    chat.type(':as sales Lan');
    await chat.expect(/^\(you are now Lan — customer, not sales: Lan has not joined the team\. To change that: ":as owner", "invite sales", then ":as sales Lan" and "join <code>"\)$/m);
    chat.type(`join ${code}`);
    await chat.expect(/^Welcome to the team/m);
    chat.type(':as owner');
    chat.type(':as sales Lan');
    await chat.expect(/^\(you are now Lan — sales\)$/m);
    chat.type(':as manager Lan');
    await chat.expect(/^\(you are now Lan — sales, not manager: a staff member's role is the one their invite gave\)$/m);
    chat.type('whoami');
    await chat.expect(/^You are Lan, sales\.$/m);
    chat.type(':as customer Zoe');
    await chat.expect(/^\(you are now Zoe — customer C3\)$/m);
    chat.type(':as boss');
    await chat.expect(/^\("boss" is not a role to switch to; use :as owner, :as customer <name> or :as <manager\|sales\|support> <name>\. You are still Zoe\)$/m);
  });

  it('logs to <DATA_DIR>/logs/chatcrm.log at LOG_LEVEL, never as JSON on the terminal', async () => {
    chat.type(':quit');
    exit = await chat.end();
    expect(exit.code).toBe(0);
    const logFile = join(dir, 'data', 'logs', 'chatcrm.log');
    expect(exit.stderr.split('\n').filter((l) => l.startsWith('Log file: '))).toEqual([`Log file: ${logFile} (only warnings and worse are shown here)`]);
    expect(jsonLines(exit.stdout)).toEqual([]);
    expect(jsonLines(exit.stderr)).toEqual([]);
    expect(exit.stderr).not.toMatch(/"level":/);
    const records = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['job worker started', 'job worker stopped']));
    expect(records.some((r) => r.level === 20)).toBe(true); // LOG_LEVEL=debug reaches the file
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
