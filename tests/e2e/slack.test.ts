/**
 * The Slack adapter end to end: real Bolt (HTTPReceiver's listener mounted on our HTTP server),
 * requests signed with a real HMAC by the Slack emulator, the real core on the test database,
 * replies and notifications through the real WebClient to the emulator's Web API.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { Customer } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { Order } from '../../models/order.js';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { Staff } from '../../models/staff.js';
import { SLACK_EVENTS_PATH, startSlack } from '../../bots/slack/index.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { text } from '../../src/core/types.js';
import { createHttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { upsertLead } from '../../src/services/contacts.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { buttonsOf, shownText as shown, startSlackHarness, type SlackButton, type SlackExchange, type SlackHarness } from '../support/slack-harness.js';
import { unixSeconds } from '../support/slack-payloads.js';

useTestDatabase('slack_e2e');

const OWNER = 'UOWNER';
const SUPPORT = 'USUPPORT';
const CUSTOMER_A = 'UCUSTA';
const CUSTOMER_B = 'UCUSTB';
const log = silentLogger();

let h: SlackHarness;
let url = '';

interface Block {
  type: string;
  text?: { text: string };
}

/** A request that must be answered: status 200 and at least one message back. */
async function answered(exchange: Promise<SlackExchange>): Promise<SlackExchange & { text: string }> {
  const ex = await exchange;
  expect(ex.status).toBe(200);
  expect(ex.messages.length).toBeGreaterThan(0);
  return { ...ex, text: ex.texts.join('\n') };
}
const slash = (userId: string, line: string) => answered(h.slash(userId, line));
const dm = (userId: string, line: string) => answered(h.dm(userId, line));
const click = (userId: string, button: Pick<SlackButton, 'actionId' | 'value'>) => answered(h.click(userId, button));

async function customerIdOf(slackUser: string): Promise<string> {
  const identity = await Identity.findById(`slack:T0001:${slackUser}`).lean();
  expect(identity?.kind).toBe('customer');
  return String(identity?.refId);
}

beforeAll(async () => {
  h = await startSlackHarness({ ownerIds: [OWNER] });
  url = h.url;
  h.slack.options.perChannelRatePerSec = 0; // the 429 test turns the limit on
  h.slack.addUser({ id: OWNER, name: 'olivia', realName: 'Olivia Owner', tz: 'Asia/Ho_Chi_Minh' });
  h.slack.addUser({ id: SUPPORT, name: 'sam', realName: 'Sam Support' });
  h.slack.addUser({ id: CUSTOMER_A, name: 'anna', realName: 'Anna Customer' });
  h.slack.addUser({ id: CUSTOMER_B, name: 'binh', realName: 'Binh Customer' });
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => {
  h.coreDelayMs = 0;
  h.slack.options.perChannelRatePerSec = 0;
});

describe('Slack adapter: requests and signatures', () => {
  it('checks the token with auth.test on start', () => {
    expect(h.slack.calls.some((c) => c.method === 'auth.test' && c.ok)).toBe(true);
  });

  it('acknowledges /crm lead at once and answers through response_url after the slow work', async () => {
    h.coreDelayMs = 3500;
    const started = Date.now();
    const res = await h.slack.postSlashCommand(url, { userId: OWNER, text: 'lead Anna Nguyen +84912345678 anna@shop.vn #vip met at the expo' });
    const ackMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(ackMs).toBeLessThan(1000);
    const id = res.responseUrl?.split('/').pop() ?? '';
    expect(h.slack.responses.filter((r) => r.id === id)).toHaveLength(0);

    const answer = await h.slack.waitForResponse((r) => r.id === id, 10_000);
    expect(answer.at - started).toBeGreaterThanOrEqual(3000);
    const body = answer.body as { text: string; blocks: unknown; response_type: string };
    expect(shown(body.text)).toMatch(/^New lead C\d+ Anna Nguyen saved\.$/);
    expect(body.response_type).toBe('ephemeral');
    expect(buttonsOf(body.blocks).map((b) => b.label)).toEqual(['Open customer']);
    await h.adapter.idle();

    const call = h.coreCalls.find((c) => c.deliveryId === `slack:cmd:${res.triggerId}`);
    expect(call).toMatchObject({ platform: 'slack', userId: 'T0001:UOWNER', chatId: 'UOWNER', displayName: 'Olivia Owner', text: expect.stringMatching(/^\/lead Anna/) });
    const owner = await Staff.findOne({ role: 'owner' }).lean();
    expect(owner?.name).toBe('Olivia Owner');
  });

  it('rejects a forged signature with 401 and records nothing', async () => {
    const calls = h.coreCalls.length;
    const deliveries = await ProcessedDelivery.countDocuments();
    const customers = await Customer.countDocuments();
    const cmd = await h.slack.postSlashCommand(url, { userId: OWNER, text: 'lead Forged Person', secret: 'not-the-secret' });
    expect(cmd.status).toBe(401);
    expect(cmd.body).toBe('');
    const ev = await h.slack.postEvent(url, h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Forged Event' }), { secret: 'not-the-secret' });
    expect(ev.status).toBe(401);
    const act = await h.slack.postAction(url, { userId: OWNER, channelId: 'DUOWNER', actionId: 'crm_0', value: 'lead Forged Click', secret: 'x' });
    expect(act.status).toBe(401);
    await h.adapter.idle();
    expect(h.coreCalls.length).toBe(calls);
    expect(await ProcessedDelivery.countDocuments()).toBe(deliveries);
    expect(await Customer.countDocuments()).toBe(customers);
    expect(h.slack.responses.some((r) => r.id === cmd.responseUrl?.split('/').pop())).toBe(false);
  });

  it('rejects a correctly signed request whose timestamp is more than five minutes old', async () => {
    const calls = h.coreCalls.length;
    const stale = unixSeconds() - 5 * 60 - 5;
    const ev = await h.slack.postEvent(url, h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Replayed Person' }), { timestamp: stale });
    expect(ev.status).toBe(401);
    const cmd = await h.slack.postSlashCommand(url, { userId: OWNER, text: 'lead Replayed Person', timestamp: stale });
    expect(cmd.status).toBe(401);
    await h.adapter.idle();
    expect(h.coreCalls.length).toBe(calls);
    expect(await Customer.countDocuments({ name: 'Replayed Person' })).toBe(0);
  });

  it('answers url_verification and refuses what Bolt does not route without crashing', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'ch4ll3nge', token: 'x' });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...h.slack.signBody(body) }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'ch4ll3nge' });
    expect((await fetch(url)).status).toBe(405);
  });

  it('processes an event once when Slack retries it with the same event_id', async () => {
    const event = h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Retry Person +84987654321' });
    const since = h.slack.calls.length;
    const first = await h.slack.postEvent(url, event);
    const [again, third] = await Promise.all([
      h.slack.postEvent(url, event, { eventId: first.eventId, retryNum: 1 }),
      h.slack.postEvent(url, event, { eventId: first.eventId, retryNum: 2, retryReason: 'http_error' }),
    ]);
    expect([first.status, again.status, third.status]).toEqual([200, 200, 200]);
    await h.slack.waitFor((c) => c.method === 'chat.postMessage' && (c.text ?? '').includes('Retry Person'), 10_000, { since });
    await h.adapter.idle();
    expect(h.coreCalls.filter((c) => c.deliveryId === `slack:${first.eventId}`)).toHaveLength(3);
    expect(await Customer.countDocuments({ name: 'Retry Person' })).toBe(1);
    const replies = h.slack.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && (c.text ?? '').includes('Retry Person'));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.channel).toBe('DUOWNER');
  });

  it('processes an event once when two app processes both receive it', async () => {
    // A second "process": its own core, adapter and HTTP server, on the same database.
    const config = loadConfig(
      { SLACK_BOT_TOKEN: h.slack.botToken, SLACK_SIGNING_SECRET: h.slack.signingSecret, SLACK_API_URL: h.slack.apiUrl, OWNER_SLACK_IDS: OWNER },
      { envFile: null },
    );
    const notifier = new RoutingNotifier();
    const otherHttp = createHttpServer({ log, health: async () => ({}) });
    const other = await startSlack({ config, core: createApp({ config, notifier, log, now: () => new Date() }), log, notifier, http: otherHttp });
    const otherUrl = `http://127.0.0.1:${await otherHttp.listen(0, '127.0.0.1')}${SLACK_EVENTS_PATH}`;
    try {
      const event = h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Twice Delivered +84933444555' });
      const since = h.slack.calls.length;
      const eventId = 'EvTWOPROC01';
      const answers = await Promise.all([h.slack.postEvent(url, event, { eventId }), h.slack.postEvent(otherUrl, event, { eventId, retryNum: 1 })]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && (c.text ?? '').includes('Twice Delivered'), 10_000, { since });
      await Promise.all([h.adapter.idle(), other.idle()]);
      expect(await Customer.countDocuments({ name: 'Twice Delivered' })).toBe(1);
      expect(h.slack.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && (c.text ?? '').includes('Twice Delivered'))).toHaveLength(1);
    } finally {
      await other.stop();
      await otherHttp.close();
    }
  });

  it('ignores bot messages and message subtypes in DMs', async () => {
    const calls = h.coreCalls.length;
    const edited = { ...h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Edited Person' }), subtype: 'message_changed' };
    const fromBot = { ...h.slack.dmMessageEvent({ userId: OWNER, text: 'lead Bot Person' }), bot_id: 'B0002' };
    expect((await h.slack.postEvent(url, edited)).status).toBe(200);
    expect((await h.slack.postEvent(url, fromBot)).status).toBe(200);
    await h.adapter.idle();
    expect(h.coreCalls.length).toBe(calls);
  });
});

describe('Slack adapter: staff commands', () => {
  let anna = '';
  let dup = '';
  let orderRef = '';

  beforeAll(async () => {
    anna = shown((await slash(OWNER, 'find Anna Nguyen')).text).match(/C\d+/)?.[0] ?? '';
    expect(anna).toMatch(/^C\d+$/);
  });

  it('find lists matches with a Next button that pages through postAction', async () => {
    for (let i = 1; i <= 12; i++) await upsertLead({ name: `Bulk Buyer ${i}`, phones: [], emails: [], tags: ['bulk'] }, 'test');
    const first = await dm(OWNER, 'find #bulk');
    expect(first.text).toContain('Customers matching "#bulk":');
    expect(first.text).toContain('Page 1 of 2');
    const next = first.messages.at(-1)?.buttons.find((b) => b.label === 'Next ›');
    expect(next?.value).toBe('find #bulk page 2');
    const page2 = await click(OWNER, next!);
    expect(page2.text).toContain('Page 2 of 2');
    expect(page2.messages[0]?.raw).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(page2.messages[0]?.buttons.map((b) => b.label)).toContain('‹ Previous');
    expect(h.coreCalls.at(-1)).toMatchObject({ text: 'find #bulk page 2', fromButton: true, deliveryId: expect.stringMatching(/^slack:act:/) });
  });

  it('customer shows the card', async () => {
    const { text: card } = await slash(OWNER, `customer ${anna}`);
    expect(card).toContain('Anna Nguyen');
    expect(card).toContain('anna@shop.vn');
  });

  it('note saves a note (DM)', async () => {
    const { text: reply } = await dm(OWNER, `note ${anna} called back, wants delivery on Friday`);
    expect(reply).toBe(`Note saved on ${anna}.`);
    expect(await Interaction.countDocuments({ kind: 'note', text: 'called back, wants delivery on Friday' })).toBe(1);
  });

  it('tag adds tags and untag removes them', async () => {
    expect((await slash(OWNER, `tag ${anna} #wholesale #expo`)).text).toBe(`${anna} tagged #wholesale #expo.`);
    expect((await dm(OWNER, `untag ${anna} #expo`)).text).toBe(`Removed #expo from ${anna}.`);
    expect((await Customer.findById(anna).lean())?.tags).toEqual(expect.arrayContaining(['vip', 'wholesale']));
  });

  it('order records an order with status buttons, and a status button moves it', async () => {
    const res = await slash(OWNER, `order ${anna} 350k 2x áo dài, khăn lụa`);
    expect(res.text).toMatch(new RegExp(`^Order O\\d+ for ${anna} Anna Nguyen: .*350,000.* \\(new\\)\\.$`));
    orderRef = res.text.match(/O\d+/)?.[0] ?? '';
    const paid = res.messages[0]?.buttons.find((b) => b.value === `order status ${orderRef} paid`);
    expect(paid?.label).toBe('Mark paid');
    const moved = await click(OWNER, paid!);
    expect(moved.text).toBe(`Order ${orderRef}: new → paid.`);
    expect((await Order.findById(orderRef).lean())?.status).toBe('paid');
  });

  it('orders lists the customer’s orders', async () => {
    const { text: list } = await slash(OWNER, `orders ${anna}`);
    expect(list).toContain(`Orders of ${anna} Anna Nguyen:`);
    expect(list).toContain(orderRef);
  });

  it('merge folds a duplicate in, unmerge splits it out again', async () => {
    dup = (await slash(OWNER, 'lead "Anna N." anna.n@shop.vn')).text.match(/C\d+/)?.[0] ?? '';
    expect((await slash(OWNER, `merge ${anna} ${dup}`)).text).toMatch(new RegExp(`^${dup} merged into ${anna}`));
    expect((await slash(OWNER, `unmerge ${dup}`)).text).toBe(`${dup} is separate from ${anna} again.`);
  });

  it('a CSV file shared in a DM is imported, downloaded with the bot token from Slack’s host only', async () => {
    const csv = 'name,phone,email\nImported Ivy,+84912777888,ivy@shop.vn\nImported Jon,,jon@shop.vn\n';
    const seen: (string | undefined)[] = [];
    const files = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${h.slack.botToken}`) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/csv' }).end(csv);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const port = (files.address() as AddressInfo).port;
    const share = (host: string, caption: string) => ({
      ...h.slack.dmMessageEvent({ userId: OWNER, text: caption }),
      subtype: 'file_share',
      files: [{ id: 'F0CSV', name: 'leads.csv', title: 'leads.csv', mimetype: 'text/csv', size: csv.length, url_private_download: `http://${host}:${port}/files/leads.csv` }],
    });
    try {
      const imported = await answered(h.dm(OWNER, '', { event: share('127.0.0.1', '') }));
      expect(imported.texts.join('\n')).toContain('Imported leads.csv: 2 row(s) — 2 new');
      expect(await Customer.countDocuments({ name: { $in: ['Imported Ivy', 'Imported Jon'] } })).toBe(2);
      expect(seen).toEqual([`Bearer ${h.slack.botToken}`]);
      // Another host (here "localhost", not the API's 127.0.0.1) never sees the token.
      const refused = await answered(h.dm(OWNER, 'import', { event: share('localhost', 'import') }));
      expect(refused.texts.join('\n')).toContain('something went wrong');
      expect(seen).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => files.close(() => resolve()));
    }
  });

  it('totals rebuild and help <command> work through /crm', async () => {
    expect((await slash(OWNER, 'totals rebuild')).text).toMatch(/\d+/);
    expect((await slash(OWNER, 'help note')).text).toContain('note <customer> <text>');
  });

  it('an unknown word gets the core’s hint, and /crm alone shows help', async () => {
    expect((await slash(OWNER, 'frobnicate')).text).toContain('I don\'t know "frobnicate"');
    expect((await slash(OWNER, '')).text).toContain('Commands for you (owner):');
  });
});

describe('Slack adapter: customers and team', () => {
  it('a customer’s DM is stored and forwarded to the owner by chat.postMessage, escaped', async () => {
    const since = h.slack.calls.length;
    // What Slack sends when someone types `Hello <!channel> & team …` and pastes a hyperlink.
    const { text: reply } = await dm(CUSTOMER_A, 'Hello &lt;!channel&gt; &amp; team, is the blue dress in M? <https://evil.example|your bank>');
    expect(reply).toBe('Thanks, we got your message and will answer soon.');
    const a = await customerIdOf(CUSTOMER_A);
    const stored = await Interaction.findOne({ customerId: a, kind: 'message' }).lean();
    expect(stored?.text).toBe('Hello <!channel> & team, is the blue dress in M? your bank (https://evil.example)');

    const forwarded = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.channel === 'DUOWNER' && (c.text ?? '').includes('💬'), 10_000, { since });
    // Shown literally: no @channel, no disguised link.
    expect(forwarded.text).toContain('Hello &lt;!channel&gt; &amp; team');
    expect(forwarded.text).not.toMatch(/<!channel>|<https:/);
    const section = (forwarded.blocks as Block[])[0];
    expect(section?.text?.text).toContain('&lt;!channel&gt;');
    expect(buttonsOf(forwarded.blocks).map((b) => b.value)).toEqual([`customer ${a}`, `assign ${a} me`, `resolve ${a}`, `reply ${a}`]);
  });

  it('invite creates a code that another Slack user redeems with join', async () => {
    const invite = await slash(OWNER, 'invite support');
    const code = invite.text.match(/support: ([A-Z0-9]+)/)?.[1] ?? '';
    expect(code).toMatch(/^[A-Z0-9]{6,12}$/);
    const joined = await dm(SUPPORT, `join ${code}`);
    expect(joined.text).toBe('Welcome to the team, Sam Support! You are now support. Send "help" to start.');
    expect((await slash(SUPPORT, 'whoami')).text).toContain('support');
  });

  it('a complaint is flagged and support is told at once', async () => {
    const since = h.slack.calls.length;
    const { text: reply } = await dm(CUSTOMER_A, 'complaint the parcel arrived broken');
    expect(reply).toContain('complaint is logged with priority');
    const a = await customerIdOf(CUSTOMER_A);
    expect(await Interaction.countDocuments({ customerId: a, kind: 'complaint', priority: 'high' })).toBe(1);
    const told = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.channel === 'DUSUPPORT', 10_000, { since });
    expect(shown(told.text)).toContain('⚠️ Complaint from');
    expect(shown(told.text)).toContain('the parcel arrived broken');
  });

  it('a customer starts, answers the consent question with a button, and stops promotions', async () => {
    h.slack.addUser({ id: 'UCUSTC', name: 'chi', realName: 'Chi Customer' });
    const started = await dm('UCUSTC', 'start');
    expect(started.text).toContain('May we send you occasional offers?');
    const yes = started.messages[0]?.buttons.find((b) => b.value === 'consent yes');
    expect(yes?.label).toBe('Yes, send me offers');
    expect((await click('UCUSTC', yes!)).text).toContain('You will get our offers');
    const c = await customerIdOf('UCUSTC');
    expect((await Customer.findById(c).lean())?.consent?.promotions).toBe(true);
    expect((await dm('UCUSTC', 'stop')).text).toContain('no more promotions');
    expect((await Customer.findById(c).lean())?.consent?.promotions).toBe(false);
  });

  it('a customer never sees another customer’s data', async () => {
    await dm(CUSTOMER_B, 'hi, I am Binh, phone 0911222333');
    const a = await customerIdOf(CUSTOMER_A);
    const b = await customerIdOf(CUSTOMER_B);
    await slash(OWNER, `order ${a} 120k scarf`);
    const bOrder = (await slash(OWNER, `order ${b} 990k secret sofa`)).text.match(/O\d+/)?.[0] ?? '';

    const mine = await dm(CUSTOMER_A, 'orders');
    expect(mine.text).toContain('Your orders:');
    expect(mine.text).toContain('scarf');
    expect(mine.text).not.toContain('sofa');
    expect(mine.text).not.toContain(bOrder);

    const asked = await dm(CUSTOMER_A, `orders ${b}`);
    expect(asked.text).toContain('scarf');
    expect(asked.text).not.toContain('sofa');
    // Typed as a command (/crm …), a staff command is refused.
    for (const line of [`customer ${b}`, 'find Binh', `orders ${b}`]) {
      const answer = await slash(CUSTOMER_A, line);
      expect(answer.text).not.toMatch(/Binh|sofa|0911/);
      if (!line.startsWith('orders')) expect(answer.text).toContain('staff only');
    }
    // In a DM, "customer C2" is just words to the shop: filed as a message, nothing shown.
    const card = await dm(CUSTOMER_A, `customer ${b}`);
    expect(card.text).toBe('Thanks, we got your message and will answer soon.');
    // A forged button press (any value can be posted) shows nothing either.
    const forged = await click(CUSTOMER_A, { actionId: 'crm_0', value: `customer ${b}` });
    expect(forged.text).not.toMatch(/Binh|sofa|0911/);
    const everything = [mine, asked, card, forged].flatMap((x) => x.texts).join('\n');
    expect(everything).not.toMatch(/Binh|sofa|0911/);
  });
});

describe('Slack sender (the notifier’s outbound side)', () => {
  it('retries 429s after Retry-After: three messages to one channel all arrive, in order, once', async () => {
    h.slack.options.perChannelRatePerSec = 1;
    const before = h.slack.stats.tooManyRequests;
    const results = await Promise.all([
      h.adapter.sender.send('C429', [text('one')]),
      h.adapter.sender.send('C429', [text('two')]),
      h.adapter.sender.send('C429', [text('three')]),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.slack.posted('C429').map((p) => p.text)).toEqual(['one', 'two', 'three']);
    expect(h.slack.stats.tooManyRequests - before).toBeGreaterThanOrEqual(1);
  });

  it('splits long text into sections of at most 3,000 characters', async () => {
    const long = Array.from({ length: 300 }, (_, i) => `Line ${i}: ${'z'.repeat(50)} & more`).join('\n');
    const result = await h.adapter.sender.send('CLONG', [text(long)]);
    expect(result.ok).toBe(true);
    const posts = h.slack.posted('CLONG');
    const sections = posts.flatMap((p) => (p.blocks as Block[]).map((b) => b.text?.text ?? ''));
    expect(sections.length).toBeGreaterThan(5);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(shown(sections.join('\n'))).toBe(long);
    expect(posts.length).toBeGreaterThan(1);
  });

  it('uploads a file and an image with files upload v2 into the user’s DM', async () => {
    const csv = Buffer.from('ref,name\nC1,Anna\n');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const result = await h.adapter.sender.send(OWNER, [
      { kind: 'file', fileName: 'export.csv', mimeType: 'text/csv', data: csv, caption: 'Your export' },
      { kind: 'image', fileName: 'chart.png', data: png },
    ]);
    expect(result).toEqual({ ok: true, platform: 'slack' });
    const uploads = h.slack.posted('DUOWNER').filter((p) => p.method === 'files.completeUploadExternal');
    expect(uploads.map((u) => u.files?.[0]?.filename)).toEqual(['export.csv', 'chart.png']);
    expect(uploads[0]?.files?.[0]?.bytes?.toString()).toBe(csv.toString());
    expect(uploads[0]?.text).toBe('Your export');
    expect(uploads[1]?.files?.[0]?.bytes).toEqual(png);
  });

  it('reports an unreachable recipient as a permanent failure, and the notifier marks the customer unreachable', async () => {
    h.slack.blockChannel('CGONE', 'is_archived');
    expect(await h.adapter.sender.send('CGONE', [text('hello')])).toEqual({ ok: false, platform: 'slack', reason: 'is_archived', permanent: true });

    const b = await customerIdOf(CUSTOMER_B);
    h.slack.blockChannel(CUSTOMER_B);
    const notifier = new RoutingNotifier([h.adapter.sender]);
    const result = await notifier.notify({ kind: 'customer', customerId: b }, [text('Your order shipped')]);
    expect(result).toMatchObject({ ok: false, permanent: true, reason: 'channel_not_found', platform: 'slack' });
    expect((await Customer.findById(b).lean())?.unreachable).toContain('slack');
  });
});
