/**
 * Fuzzing the core: thousands of generated messages — real command words with plausible and hostile
 * arguments (refs, phones, amounts, dates, tags, Vietnamese, emoji, control characters, NUL, very
 * long strings, `/cmd@bot`, random bytes) — from staff and customers, through
 * `createApp(deps).handle(incoming)` on the real test database. Whatever comes in: no crash, no
 * internal-error reply, every reply within one chat message, none slower than a second.
 *
 * The generator is seeded, so a failure is reproducible: the assertion lists the offending inputs
 * (JSON-escaped) with the error the core logged.
 */
import '../../models/index.js';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { Order } from '../../models/index.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import { countAll, createTestChat, customerIdIn, OWNER, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { seededRandom } from '../support/rng.js';

useTestDatabase('fuzz');

const chat = createTestChat();

/** How many generated messages, and the seed they come from. */
const MESSAGES = 5_000;
const SEED = 0x5eed_2026;
const MAX_REPLY = 4_096;
const MAX_MS = 1_000;
/** The internal-error reply (src/core/messages.ts `internalError`) and the one after something was saved (`savedThenFailed`). */
const INTERNAL = /^Sorry, something went wrong on our side|Something went wrong after that \(ref/;

/** Every error the core logs (a failed command, a step that failed after a write), for the report. */
const logged: { msg: string; err?: string; ref?: string }[] = [];
chat.deps.log = pino({ level: 'error' }, { write: (line: string) => void logged.push(summarise(line)) });

function summarise(line: string): { msg: string; err?: string; ref?: string } {
  const record = JSON.parse(line) as { msg: string; err?: { message?: string; stack?: string }; ref?: string };
  return { msg: record.msg, err: record.err?.stack?.split('\n').slice(0, 4).join(' | ') ?? record.err?.message, ref: record.ref };
}

const random = seededRandom(SEED);
const chance = (p: number) => random() < p;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });
const slack = (userId: string, displayName: string): Person => ({ platform: 'slack', userId, displayName });

const manager = tg('3001', 'Minh');
const sales = tg('3002', 'Lan');
const support = slack('T1:U3003', 'Hoa');
const STAFF = [OWNER, manager, sales, support];
/** Customers: some linked to a record, some never seen before (a small pool keeps the database small). */
const CUSTOMERS = [
  tg('4001', 'Anna Nguyễn'),
  tg('4002', 'Bảo 🐉'),
  slack('T1:U4003', 'Chi'),
  ...Array.from({ length: 6 }, (_, i) => tg(String(4100 + i), pick(['Đức', 'Ê\u0000', '', 'x'.repeat(300), '👩‍👩‍👧‍👦', 'Nguyễn Thị Minh Khai']))),
];

const VIETNAMESE = ['Nguyễn Thị Bích Ngọc', 'Trần Văn Ơn', 'ĐƯỜNG PHỐ', 'áo dài', 'khăn lụa', 'giao hàng chậm', 'cảm ơn shop', 'Hà Nội', 'ghi chú: gọi lại', 'Phở bò'];
const EMOJI = ['😀', '👩‍👩‍👧‍👦', '🇻🇳', '👍🏽', '🧧', '💬', '❤️', '🐉'];
const CONTROL = ['\u0000', '\u0007', '\u001b[31m', '\r\n', '\t', '\u202e', '\ufeff', '\u200b', '\u0085', '\u007f', '\b', '\u0000\u0000\u0000'];
const JUNK_WORDS = ['frobnicate', 'ORDER', 'Find', 'fi nd', 'orderstatus', '?', '...', '/', '//', '@', 'hepl', 'đơn', 'tìm'];

/** A value an argument might be, plausible or hostile. */
const values: (() => string)[] = [
  () => `C${int(0, 40)}`,
  () => pick(['C1', 'c2', '3', 'C007', 'C-1', 'C999999999999999999999', 'C1.5', 'C', 'O', '#C1']),
  () => `O${int(0, 30)}`,
  () => `F${int(0, 10)}`,
  () => `P${int(0, 5)}`,
  () => pick(['0912 345 678', '+84912345678', '+84 (91) 234-5678', '091234', '+1 202 555 0143', '++84', '0'.repeat(30), '0912000001', '+84 912 000 00' + int(0, 9)]),
  () => pick(['350k', '19.99 EUR', '1,5tr', '2 triệu', '-5', '0', '1e9', '99999999999999999999', 'NaN', '350.000đ', 'k', '1.2.3', '10 VND', '5 XXX', '12,50 €']),
  () => pick(['tomorrow 10:00', 'fri 9am', '2026-12-01 14:30', 'in 3 days', 'mai 9h', 'thứ 6', '31/02', '25:99', 'yesterday', 'now', 'in 99999 years', 'at now:', 'monday', 'today 17:00']),
  () => pick(['#vip', '#khách-sỉ', '#a b', '##', `#${'t'.repeat(200)}`, '#wholesale', '#', '#🐉', '#VIP']),
  () => Array.from({ length: int(2, 40) }, (_, i) => `#t${i}`).join(' '),
  () => pick(['anna@shop.vn', 'a@b', '@@', `${'x'.repeat(300)}@x.com`, 'Bảo@mail.vn', 'x@y.z']),
  () => pick(['page 2', 'page 99999', 'page 0', '--map phone=Tel,name="Họ tên"', 'yes', 'no', 'on mon 09:00', 'off', 'all', 'holdout 10%', '|', 'paid', 'shipped', 'cancelled', 'delivered', 'sort value', 'week', 'month', 'manager', 'sales', 'owner', '1h', '2d', 'value', 'recency']),
  () => pick(VIETNAMESE),
  () => pick(EMOJI),
  () => pick(CONTROL),
  () => `"${pick(VIETNAMESE)}"`,
  () => pick(['Champions', 'At risk', 'Lead', "Can't lose", 'Lost']),
  () => String(int(-5, 100_000)),
];

function argument(): string {
  const v = pick(values)();
  return chance(0.05) ? `${v}${pick(CONTROL)}${pick(values)()}` : v;
}

/** Text that is not text: random bytes read as UTF-8 or Latin-1, or random UTF-16 code units (lone surrogates included). */
function garbage(): string {
  const n = int(1, 300);
  if (chance(0.4)) return randomFrom(n).toString(chance(0.5) ? 'utf8' : 'latin1');
  return String.fromCharCode(...Array.from({ length: n }, () => int(0, 0xffff)));
}

/** Random bytes from the seeded generator (so the run is reproducible). */
function randomFrom(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => int(0, 255)));
}

/** A command word followed by words up to 150 … 100,000 characters (just under, at and over the 4,000 limit). */
function long(words: readonly string[]): string {
  const size = pick([150, 1_000, 3_990, 4_000, 4_001, 10_000, 100_000]);
  let s = pick(words);
  while (s.length < size) s += ` ${pick([...VIETNAMESE, ...EMOJI, 'x'.repeat(50)])}`;
  return s.slice(0, size);
}

/** Well-formed commands that write (orders, notes, tags, follow-ups, leads…), with a hostile twist now and then. */
const wellFormed: (() => string)[] = [
  () => `order C${int(1, 6)} ${pick(['350k', '120k', '19.99 EUR', '1,5tr'])} ${pick(VIETNAMESE)}`,
  () => `order status O${int(1, 12)} ${pick(['paid', 'shipped', 'delivered', 'cancelled'])}`,
  () => `note C${int(1, 6)} ${pick(VIETNAMESE)} ${pick(EMOJI)}`,
  () => `tag C${int(1, 6)} #vip #${pick(['sale', 'sỉ', 'x'])}`,
  () => `untag C${int(1, 6)} #vip`,
  () => `followup C${int(1, 6)} ${pick(['tomorrow 10:00', 'fri 9am', 'in 3 days'])} ${pick(VIETNAMESE)}`,
  () => `lead ${pick(VIETNAMESE)} 0912 000 1${String(int(0, 30)).padStart(2, '0')} #fuzz`,
  () => `find ${pick(['Nguyễn', 'anna', '#vip', '0912000001', 'C2'])}`,
  () => `customer C${int(1, 6)}`,
  () => `promo new ${pick(['all', '#vip', 'Champions'])} at ${pick(['tomorrow 10:00', 'fri 9am'])}: ${pick(VIETNAMESE)} ${pick(EMOJI)}`,
];

/** Report commands read every customer or order: fewer of them keeps the run short (each still comes up dozens of times). */
const HEAVY = new Set(['segments', 'segments refresh', 'totals rebuild', 'export', 'dupes', 'duplicates', 'incomplete', 'stats', 'lapsed', 'digest', 'segment', 'mydata', 'my data']);

/** One generated line: mostly a command with arguments, sometimes free text, garbage or something very long. */
function line(words: readonly string[]): string {
  const r = random();
  if (r < 0.05) return garbage();
  if (r < 0.1) return long(words);
  if (r < 0.16) return pick([...VIETNAMESE, ...EMOJI, 'find my order please', 'xin chào', '', ' ', '\u0000', 'help']) + (chance(0.3) ? ` ${argument()}` : '');
  if (r < 0.23) {
    const command = pick(wellFormed)();
    return chance(0.2) ? command.replace(' ', pick([` ${pick(CONTROL)}`, '@shop_bot ', ' \u0000'])) : command;
  }
  let word = chance(0.92) ? pick(words) : pick(JUNK_WORDS);
  if (HEAVY.has(word) && chance(0.7)) word = pick(words);
  const style = random();
  if (style < 0.15) word = `/${word}`;
  else if (style < 0.22) word = word.replace(/^(\S+)/, '/$1@shop_bot');
  else if (style < 0.26) word = word.toUpperCase();
  const args = Array.from({ length: int(0, 6) }, argument);
  const sep = () => pick([' ', ' ', ' ', '  ', ', ', '\n', '\t', ' \u0000 ']);
  return [word, ...args].map((part, i) => (i === 0 ? part : `${sep()}${part}`)).join('');
}

interface Failure {
  who: string;
  text: string;
  problem: string;
  log?: (typeof logged)[number];
}

describe('fuzzing the core', () => {
  let words: string[] = [];

  beforeAll(async () => {
    for (const [role, who] of [['manager', manager], ['sales', sales], ['support', support]] as const) await chat.hire(role, who);
    // A small shop: a few customers with orders, one linked to a customer's chat account.
    const ids: string[] = [];
    for (const [i, name] of ['Anna Nguyễn', 'Bảo Trần', 'Chi Lê', 'Dũng Phạm', 'Em Võ'].entries()) {
      ids.push(customerIdIn(await chat.say(OWNER, `lead ${name} 0912 000 00${i} #vip`)));
    }
    for (const id of ids.slice(0, 3)) await chat.say(sales, `order ${id} 350k áo dài`);
    await chat.send(CUSTOMERS[0]!, '/start');
    await chat.send(CUSTOMERS[0]!, '', { contact: { phone: '+84912000000', firstName: 'Anna', userId: '4001' } });
    words = chat.core.registry.list().flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(words).toContain('order status');
  });

  it('removes NUL and control characters before routing: find, customer and orders answer as without them', async () => {
    for (const [dirty, clean] of [
      ['find \u0000Anna', 'find Anna'],
      ['customer \u0000C1\u0007', 'customer C1'],
      ['orders C1\u0000', 'orders C1'],
      ['\u0000\u001bfind\r\nAnna', 'find\nAnna'],
    ]) {
      expect(await chat.say(OWNER, dirty!)).toBe(await chat.say(OWNER, clean!));
    }
  });

  it('refuses a message over 4,000 characters with its length, and stores nothing', async () => {
    const before = await countAll(['processeddeliveries']);
    for (const who of [OWNER, CUSTOMERS[0]!]) {
      expect(await chat.say(who, `find ${'x'.repeat(100_000)}`)).toBe(
        'Your message is too long (100,005 characters; at most 4,000). Nothing was done — send it in shorter parts.',
      );
    }
    expect(await chat.say(OWNER, `tag C1 ${Array.from({ length: 17_000 }, (_, i) => `w${i}`).join(' ')}`)).toMatch(/^Your message is too long/);
    expect(await countAll(['processeddeliveries'])).toEqual(before);
  });

  it('refuses a search over 100 characters and more than 20 tags at once, quoting nothing back', async () => {
    const query = `Nguyễn ${'a'.repeat(200)}`;
    const search = await chat.say(OWNER, `find ${query}`);
    expect(search).toMatch(/^What to look for is too long \(100 characters at most\)\nUsage: find/);
    expect(await chat.say(OWNER, `customer ${query}`)).toMatch(/^What to look for is too long/);
    const tags = Array.from({ length: 21 }, (_, i) => `#t${i}`).join(' ');
    expect(await chat.say(OWNER, `tag C1 ${tags}`)).toMatch(/^At most 20 tags at a time\nUsage: tag/);
  });

  it('cuts what a reply quotes back of the message, and keeps every reply within 4,096 characters', async () => {
    const word = `frob${'z'.repeat(3_000)}`;
    const unknown = await chat.say(OWNER, word);
    expect(unknown).toBe(`I don't know "frob${'z'.repeat(115)}…". Send "help" to see what you can do.`);
    const notFound = await chat.say(OWNER, `followup done F${'9'.repeat(3_000)}`);
    expect(notFound.length).toBeLessThan(300);
    for (const reply of await chat.send(OWNER, 'help')) expect(reply.kind === 'text' && reply.text.length).toBeLessThanOrEqual(MAX_REPLY);
  });

  it(`answers ${MESSAGES.toLocaleString('en')} generated messages without a crash, an internal error, an over-long reply or a slow one`, { timeout: 120_000 }, async () => {
    const failures: Failure[] = [];
    let slowest = { ms: 0, text: '' };
    // Generated up front, so the inputs depend on the seed alone; sent one after another (each timed alone).
    const messages = Array.from({ length: MESSAGES }, (_, n) => {
      const who = chance(0.9) ? pick(STAFF) : pick(CUSTOMERS);
      const extra: Partial<Incoming> = { deliveryId: `fuzz:${SEED}:${n}` };
      if (chance(0.05)) extra.fromButton = true;
      if (chance(0.2)) extra.locale = pick(['vi', 'vi-VN', 'en', 'xx', '']);
      return { who, body: line(words), extra };
    });
    const send = async ({ who, body, extra }: (typeof messages)[number]) => {
      const before = logged.length;
      const started = performance.now();
      let replies: Reply[];
      try {
        replies = await chat.send(who, body, extra);
      } catch (error) {
        failures.push({ who: who.userId, text: body, problem: `crash: ${error instanceof Error ? error.stack : String(error)}` });
        return;
      }
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { ms, text: body };
      const log = logged.slice(before).find((l) => l.msg === 'command failed') ?? logged[before];
      if (ms > MAX_MS) failures.push({ who: who.userId, text: body, problem: `slow: ${Math.round(ms)} ms` });
      for (const reply of replies) {
        const shown = reply.kind === 'text' ? reply.text : (reply.caption ?? '');
        if (INTERNAL.test(shown)) failures.push({ who: who.userId, text: body, problem: `internal error: ${shown}`, log });
        if (shown.length > MAX_REPLY) failures.push({ who: who.userId, text: body, problem: `reply of ${shown.length} characters` });
      }
      if (logged.length > before && !failures.some((f) => f.log === log)) failures.push({ who: who.userId, text: body, problem: 'an error was logged', log });
    };
    // The hostile inputs are really there.
    expect(messages.filter((m) => m.body.includes('\u0000')).length).toBeGreaterThan(MESSAGES / 10);
    expect(messages.filter((m) => m.body.length > 4_000).length).toBeGreaterThan(MESSAGES / 100);
    expect(messages.filter((m) => /^\/\S+@shop_bot/.test(m.body)).length).toBeGreaterThan(MESSAGES / 25);
    const ordersBefore = await Order.countDocuments();
    for (const message of messages) await send(message);
    expect(await Order.countDocuments()).toBeGreaterThan(ordersBefore + 10); // commands that write did write
    const report = failures.slice(0, 20).map((f) => ({ ...f, text: JSON.stringify(f.text.length > 300 ? `${f.text.slice(0, 300)}…(${f.text.length})` : f.text) }));
    expect(report, `slowest: ${Math.round(slowest.ms)} ms for ${JSON.stringify(slowest.text.slice(0, 100))}`).toEqual([]);
  });
});
