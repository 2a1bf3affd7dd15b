/**
 * Real traffic through both adapters: what customers and staff actually send — photos, voice
 * notes, stickers, locations, edits, group chatter, commands for other bots, blocked bots, old
 * buttons, Slack's thread replies, file shares, other apps' slash commands and forms — and
 * payloads captured from the wild (tests/fixtures/real-updates: Telegram's webhook docs,
 * teloxide's and kutana's test fixtures, bolt-python's fixtures, each with its source), over real
 * HTTP into the real grammY and Bolt stacks, against the emulators, on a real database.
 *
 * The Telegram story runs in order: customers write before anyone on the team has opened the bot,
 * then the owner opens it and hears what waited.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import '../../models/telegram-callback.js';
import { Customer } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { SLACK_EVENTS_PATH, startSlack, type SlackAdapter } from '../../bots/slack/index.js';
import { ALLOWED_UPDATES } from '../../bots/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import { createHttpServer } from '../../src/http/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { sentWith } from '../../src/services/interactions.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { startTelegramHarness, type TelegramHarness } from '../support/telegram-harness.js';

useTestDatabase('real_traffic');

const FIXTURES = fileURLToPath(new URL('../fixtures/real-updates/', import.meta.url));
const OWNER = 1001;
const GROUP = -1001555000111;
const RECEIVED = 'Thanks, we got your message and will answer soon.';

/** A capturing logger: every line as parsed JSON. */
function capturingLog(): { log: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { log, lines };
}

interface Fixture<T> {
  name: string;
  source: string;
  expect: string;
  body: T;
}

function fixtures<T>(platform: 'telegram' | 'slack', field: 'update' | 'payload'): Fixture<T>[] {
  const dir = join(FIXTURES, platform);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { source: string; expect: string } & Record<string, unknown>;
      return { name: f.replace(/\.json$/, ''), source: doc.source, expect: doc.expect, body: doc[field] as T };
    });
}

describe('Telegram: real traffic', () => {
  let h: TelegramHarness;
  const seen: Incoming[] = [];
  const { log, lines } = capturingLog();

  /** Calls the bot made for one posted update (after it is idle). */
  async function post(update: Update) {
    const since = h.tg.calls.length;
    const res = await h.tg.postWebhook(update);
    await h.adapter.idle();
    return { status: res.status, calls: h.tg.calls.slice(since) };
  }
  const sentTo = (calls: { method: string; ok: boolean; chat_id?: number | string; text?: string; caption?: string }[], chat: number) =>
    calls.filter((c) => c.ok && c.chat_id !== undefined && String(c.chat_id) === String(chat) && /^(send|copy|forward)/.test(c.method)).map((c) => c.text ?? c.caption ?? `(${c.method})`);

  beforeAll(async () => {
    h = await startTelegramHarness({ ownerIds: [OWNER], log });
    const handle = h.core.handle.bind(h.core);
    h.core.handle = async (incoming) => {
      seen.push(incoming);
      return handle(incoming);
    };
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('messages waiting for staff', () => {
    it('warns at start-up while no staff member can be reached', async () => {
      const warned = () => lines.some((l) => l.level === 40 && /no staff member has opened the bot yet/.test(l.msg));
      for (let i = 0; i < 40 && !warned(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warned()).toBe(true);
    });

    it('a customer who writes before anyone on the team opened the bot is acknowledged, and the first staff member hears about it', async () => {
      const first = await post(h.tg.textUpdate({ fromId: 2101, text: 'Do you ship to Da Nang?', firstName: 'Early' }));
      expect(sentTo(first.calls, 2101)).toEqual([RECEIVED]);
      h.tg.addFile('EARLY-PHOTO', Buffer.from('early photo'), 'photos/early.jpg');
      await post(h.tg.mediaUpdate({ fromId: 2101, kind: 'photo', fileId: 'EARLY-PHOTO' }));
      const opened = await post(h.tg.textUpdate({ fromId: OWNER, text: '/start', firstName: 'Olga', lastName: 'Owner' }));
      const toOwner = sentTo(opened.calls, OWNER);
      expect(toOwner).toHaveLength(2);
      expect(toOwner[1]).toMatch(/^While nobody on the team had opened the bot yet, customers wrote 2 message\(s\):\n💬 C\d+ Early \(telegram\): Do you ship to Da Nang\?\n💬 C\d+ Early \(telegram\): \[photo\]$/);
      // Only the first contact: the next message has no summary.
      expect(sentTo((await post(h.tg.textUpdate({ fromId: OWNER, text: '/whoami' }))).calls, OWNER)).toHaveLength(1);
    });
  });

  describe('every kind of customer message', () => {
    const CUSTOMER = 2201;

    it.each([
      ['a photo without a caption', { kind: 'photo' as const }, '[photo]', 'image'],
      ['a photo with a caption', { kind: 'photo' as const, caption: 'Is this in size M?' }, '[photo] Is this in size M?', 'image'],
      ['a voice note', { kind: 'voice' as const, duration: 5, mimeType: 'audio/ogg' }, '[voice message 0:05]', 'voice'],
      ['an audio track', { kind: 'audio' as const, duration: 243, mimeType: 'audio/mpeg', fileName: 'song.mp3' }, '[audio 4:03]', 'audio'],
      ['a video', { kind: 'video' as const, duration: 13, mimeType: 'video/mp4' }, '[video 0:13]', 'video'],
      ['a PDF', { kind: 'document' as const, mimeType: 'application/pdf', fileName: 'order.pdf' }, '[file order.pdf]', 'file'],
      ['a sticker', { kind: 'sticker' as const, emoji: '😡' }, '[sticker 😡]', 'sticker'],
    ])('%s is acknowledged and reaches staff as a line they can read', async (_what, media, summary, kind) => {
      const fileId = `FILE-${kind}-${seen.length}`;
      h.tg.addFile(fileId, Buffer.from(`bytes of ${kind}`), `files/${fileId}`);
      const d = await post(h.tg.mediaUpdate({ fromId: CUSTOMER, fileId, ...media }));
      expect(d.status).toBe(200);
      expect(sentTo(d.calls, CUSTOMER)).toEqual([RECEIVED]);
      // The line staff can read, then the customer's message itself, copied natively.
      expect(sentTo(d.calls, OWNER)).toEqual([expect.stringMatching(new RegExp(`^💬 C\\d+ .* \\(telegram\\): ${summary.replace(/[[\]()?]/g, '\\$&')}$`)), expect.any(String)]);
      expect(d.calls.some((c) => c.ok && c.method === 'copyMessage' && String(c.chat_id) === String(OWNER))).toBe(true);
      const incoming = seen.at(-1)!;
      expect(incoming.text).toBe(summary);
      expect(incoming.attachments?.[0]).toMatchObject({ kind, fileRef: fileId });
      expect(incoming.source).toEqual({ platform: 'telegram', chatId: String(CUSTOMER), messageId: expect.stringMatching(/^\d+$/) });
      expect((await incoming.attachments![0]!.download()).toString()).toBe(`bytes of ${kind}`);
      const stored = await Interaction.findOne({ text: summary }).sort({ at: -1 }).lean();
      expect(stored?.kind).toBe('message');
    });

    it('a location becomes a map link, a venue its name, address and map link', async () => {
      const d = await post(h.tg.locationUpdate({ fromId: CUSTOMER, latitude: 10.7769, longitude: 106.7009 }));
      expect(sentTo(d.calls, OWNER)).toEqual([expect.stringMatching(/: \[location\] https:\/\/maps\.google\.com\/\?q=10\.7769,106\.7009$/)]);
      const venue = await post(h.tg.locationUpdate({ fromId: CUSTOMER, latitude: 21.0285, longitude: 105.8542, title: 'Shop 2', address: '1 Hang Gai' }));
      expect(sentTo(venue.calls, OWNER)).toEqual([expect.stringMatching(/: \[location\] Shop 2, 1 Hang Gai https:\/\/maps\.google\.com\/\?q=21\.0285,105\.8542$/)]);
      expect(seen.at(-1)?.location).toEqual({ latitude: 21.0285, longitude: 105.8542, title: 'Shop 2', address: '1 Hang Gai' });
    });

    it('what was sent (kind, caption, file reference, source) is what the interaction stores', () => {
      const photo = seen.find((i) => i.text === '[photo] Is this in size M?')!;
      expect(sentWith(photo)).toEqual({
        media: { kind: 'image', caption: 'Is this in size M?', fileRef: expect.stringMatching(/^FILE-image/), mimeType: 'image/jpeg' },
        sourceRef: `telegram:${CUSTOMER}:${photo.source!.messageId}`,
      });
      expect(sentWith(seen.find((i) => i.location?.title === 'Shop 2')!).media).toEqual({ kind: 'location', latitude: 21.0285, longitude: 105.8542, caption: 'Shop 2' });
    });

    it('a forward on Telegram is the platform’s own copy (copyMessage from the customer’s chat)', async () => {
      const photo = seen.find((i) => i.text === '[photo] Is this in size M?')!;
      const staffId = (await Identity.findById(`telegram:${OWNER}`).lean())!.refId;
      const result = await h.notifier.notify({ kind: 'staff', staffId }, [{ kind: 'forward', from: photo.source!, attachments: photo.attachments!, caption: 'Is this in size M?' }]);
      expect(result).toMatchObject({ ok: true, platform: 'telegram', chatId: String(OWNER), messageId: expect.stringMatching(/^\d+$/) });
      expect(h.tg.copied(OWNER).at(-1)).toMatchObject({ method: 'copyMessage', from_chat_id: CUSTOMER, message_id: Number(photo.source!.messageId) });
      expect(h.tg.getMessage(OWNER, Number(result.messageId))?.caption).toBe('Is this in size M?');
    });

    it('a message Telegram will not copy is carried instead: downloaded and sent as a photo', async () => {
      const photo = seen.find((i) => i.text === '[photo] Is this in size M?')!;
      const since = h.tg.calls.length;
      const result = await h.adapter.sender.send(String(OWNER), [
        { kind: 'forward', from: { ...photo.source!, messageId: '999999' }, attachments: photo.attachments!, caption: 'Is this in size M?' },
      ]);
      expect(result.ok).toBe(true);
      const calls = h.tg.calls.slice(since);
      expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(['copyMessage 400', 'getFile 200', 'sendPhoto 200']);
      expect(calls[2]).toMatchObject({ caption: 'Is this in size M?', files: [expect.objectContaining({ size: 'bytes of image'.length })] });
    });

    it('a file that cannot be fetched is named in a text — never silently lost', async () => {
      const lost: Reply = {
        kind: 'forward',
        from: { platform: 'slack', chatId: 'DUX', messageId: '1.1' },
        attachments: [{ kind: 'voice', download: () => Promise.reject(new Error('file too large to download')) }],
      };
      const since = h.tg.calls.length;
      expect((await h.adapter.sender.send(String(OWNER), [lost])).ok).toBe(true);
      expect(sentTo(h.tg.calls.slice(since), OWNER)).toEqual(["📎 The customer's voice message could not be passed on (file too large to download)."]);
    });
  });

  describe('answering a notification the platform’s way', () => {
    it('a staff member’s Telegram reply to a customer’s notification reaches the customer', async () => {
      const d = await post(h.tg.textUpdate({ fromId: 2251, text: 'Is the shop open on Sunday?', firstName: 'Sunny' }));
      const notice = d.calls.find((c) => c.ok && c.method === 'sendMessage' && c.chat_id === OWNER)!;
      const answer = h.tg.textUpdate({ fromId: OWNER, text: 'Yes, 9 to 5.' });
      answer.message!.reply_to_message = h.tg.getMessage(OWNER, notice.message_id!) as NonNullable<typeof answer.message>['reply_to_message'];
      expect(seenReplyTo(await post(answer))).toBe(`tg:${OWNER}:${notice.message_id!}`);
      expect(h.tg.sent(2251).map((m) => m.text)).toContain('Yes, 9 to 5.');
    });
    const seenReplyTo = (_d: unknown) => seen.at(-1)?.replyTo;
  });

  describe('edits', () => {
    const EDITOR = 2301;

    it('a customer’s edit reaches staff as an edit; the old message stays in the history', async () => {
      const original = h.tg.textUpdate({ fromId: EDITOR, text: 'I want size S', firstName: 'Edith' });
      await post(original);
      const d = await post(h.tg.editedUpdate({ fromId: EDITOR, messageId: original.message!.message_id, text: 'I want size M' }));
      expect(sentTo(d.calls, OWNER)).toEqual([expect.stringMatching(/^💬 C\d+ Edith \(telegram\): ✏️ edited: I want size M$/)]);
      expect(seen.at(-1)?.edit).toEqual({ messageId: String(original.message!.message_id) });
      const customerId = (await Identity.findById(`telegram:${EDITOR}`).lean())!.refId;
      const history = await Interaction.find({ customerId }).sort({ at: 1 }).lean();
      expect(history.map((i) => i.text)).toEqual(['I want size S', '✏️ edited: I want size M']);
    });

    it('a staff member editing a command does not run it again', async () => {
      const lead = h.tg.textUpdate({ fromId: OWNER, text: '/lead Edited Twice +84 903 555 111' });
      await post(lead);
      const d = await post(h.tg.editedUpdate({ fromId: OWNER, messageId: lead.message!.message_id, text: '/lead Edited Twice +84 903 555 112' }));
      expect(d.status).toBe(200);
      expect(sentTo(d.calls, OWNER)).toEqual([]);
      expect(await Customer.countDocuments({ name: 'Edited Twice' })).toBe(1);
    });
  });

  describe('groups', () => {
    it('a staff command in a group is answered in the staff member’s private chat, never in the group', async () => {
      await post(h.tg.textUpdate({ fromId: OWNER, text: '/lead Group Lead +84 903 555 222' }));
      const d = await post(h.tg.textUpdate({ fromId: OWNER, chatId: GROUP, text: '/find Group Lead' }));
      expect(sentTo(d.calls, GROUP)).toEqual([]);
      expect(sentTo(d.calls, OWNER)).toEqual([expect.stringContaining('Group Lead')]);
      expect((await Identity.findById(`telegram:${OWNER}`).lean())?.chatId).toBe(String(OWNER));
    });

    it('after staff typed in a group, customers’ messages still go to their private chat', async () => {
      await post(h.tg.textUpdate({ fromId: OWNER, chatId: GROUP, text: '/whoami@crm_test_bot' }));
      const d = await post(h.tg.textUpdate({ fromId: 2401, text: 'Hello shop' }));
      expect(sentTo(d.calls, GROUP)).toEqual([]);
      expect(sentTo(d.calls, OWNER)).toEqual([expect.stringMatching(/Hello shop$/)]);
    });

    it('group members who are not staff never become customers: a command gets a hint, chatter and media nothing', async () => {
      const before = await Customer.countDocuments();
      const cmd = await post(h.tg.textUpdate({ fromId: 2402, chatId: GROUP, text: '/start@crm_test_bot' }));
      expect(sentTo(cmd.calls, GROUP)).toEqual(['To talk to us, please write to me in a private chat: https://t.me/crm_test_bot']);
      const chatter = await post(h.tg.textUpdate({ fromId: 2402, chatId: GROUP, text: 'anyone here sells silk?' }));
      h.tg.addFile('GROUP-PHOTO', Buffer.from('x'), 'photos/g.jpg');
      const media = await post(h.tg.mediaUpdate({ fromId: 2402, chatId: GROUP, kind: 'photo', fileId: 'GROUP-PHOTO' }));
      expect([...chatter.calls, ...media.calls].filter((c) => c.method !== 'getFile')).toEqual([]);
      expect(await Customer.countDocuments()).toBe(before);
      expect(await Identity.findById('telegram:2402').lean()).toBeNull();
    });

    it('a staff member who never opened a private chat is told, in the group, to open one', async () => {
      const code = /: ([A-Z0-9]+)\n/.exec(sentTo((await post(h.tg.textUpdate({ fromId: OWNER, text: '/invite sales' }))).calls, OWNER)[0] ?? '')?.[1];
      await post(h.tg.textUpdate({ fromId: 1002, text: `/join ${code!}`, firstName: 'Sam' }));
      h.tg.blockChat(1002); // as if they had never pressed Start in a private chat
      const d = await post(h.tg.textUpdate({ fromId: 1002, chatId: GROUP, text: '/whoami' }));
      expect(sentTo(d.calls, GROUP)).toEqual([
        'I answer staff commands in a private chat, so customer data stays out of groups. Open https://t.me/crm_test_bot, press Start, then send the command again.',
      ]);
      h.tg.reset();
    });
  });

  describe('commands, blocks and buttons', () => {
    it('asks Telegram for every update kind it handles', () => {
      expect(h.tg.webhook.allowedUpdates).toEqual([...ALLOWED_UPDATES]);
      expect(h.tg.webhook.allowedUpdates).toEqual(expect.arrayContaining(['message', 'edited_message', 'callback_query', 'my_chat_member']));
    });

    it('a command addressed to another bot is ignored; one addressed to this bot runs', async () => {
      const other = await post(h.tg.textUpdate({ fromId: OWNER, text: '/lead@other_bot Not Mine +84 903 555 333' }));
      expect(other.calls).toEqual([]);
      expect(await Customer.countDocuments({ name: 'Not Mine' })).toBe(0);
      const mine = await post(h.tg.textUpdate({ fromId: OWNER, text: '/lead@CRM_Test_Bot Is Mine +84 903 555 444' }));
      expect(sentTo(mine.calls, OWNER)).toEqual([expect.stringMatching(/^New lead C\d+ Is Mine saved\.$/)]);
    });

    it('blocking the bot marks the customer unreachable on Telegram; unblocking clears it', async () => {
      const BLOCKER = 2501;
      await post(h.tg.textUpdate({ fromId: BLOCKER, text: '/start' }));
      const customerId = (await Identity.findById(`telegram:${BLOCKER}`).lean())!.refId;
      expect((await post(h.tg.myChatMemberUpdate({ fromId: BLOCKER, status: 'kicked' }))).status).toBe(200);
      expect((await Customer.findById(customerId).lean())?.unreachable).toEqual(['telegram']);
      const since = h.tg.calls.length;
      const result = await h.notifier.notify({ kind: 'customer', customerId }, [{ kind: 'text', text: 'Summer sale!' }]);
      expect(result.ok).toBe(false);
      expect(h.tg.calls.slice(since)).toEqual([]); // skipped, not even tried
      await post(h.tg.myChatMemberUpdate({ fromId: BLOCKER, status: 'member' }));
      expect((await Customer.findById(customerId).lean())?.unreachable).toEqual([]);
    });

    it('an unknown button answers "this button has expired" and runs nothing', async () => {
      const before = seen.length;
      const d = await post(h.tg.callbackUpdate({ fromId: OWNER, data: 'b' }));
      expect(d.calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
      expect(d.calls[0]!.params['text']).toBe('This button has expired. Please send the command again.');
      expect(seen.length).toBe(before);
    });
  });

  describe('captured payloads', () => {
    const all = fixtures<Update>('telegram', 'update');

    it('has payloads from each source', () => {
      expect(all.length).toBeGreaterThanOrEqual(25);
      for (const site of ['core.telegram.org/bots/webhooks', 'github.com/teloxide/teloxide', 'github.com/ekonda/kutana']) {
        expect(all.some((f) => f.source.includes(site))).toBe(true);
      }
    });

    it.each(all.map((f) => [f.name, f] as const))('%s: answered 200 and handled as expected', async (_name, fixture) => {
      const update = h.tg.adopt(fixture.body);
      const before = seen.length;
      const d = await post(update);
      expect(d.status).toBe(200);
      expect(d.calls.filter((c) => c.status >= 500)).toEqual([]);
      const reached = seen.slice(before);
      const from = update.message?.from?.id ?? update.edited_message?.from?.id ?? update.callback_query?.from.id;
      switch (fixture.expect) {
        case 'ignored':
          expect(reached).toEqual([]);
          expect(d.calls.filter((c) => c.method !== 'getFile')).toEqual([]);
          break;
        case 'customer-message':
        case 'customer-media':
        case 'edit': {
          expect(reached).toHaveLength(1);
          expect(reached[0]!.text).not.toBe('');
          expect(sentTo(d.calls, from!).length).toBeGreaterThan(0);
          if (fixture.expect === 'customer-media') {
            expect(reached[0]!.attachments?.[0]?.fileRef).toMatch(/.+/);
            expect(reached[0]!.text).toMatch(/^\[|^www\./);
            // The readable line, then the media itself (copied, or re-uploaded when it cannot be copied).
            expect(sentTo(d.calls, OWNER)).toEqual([expect.stringContaining(reached[0]!.text), expect.any(String)]);
          }
          if (fixture.expect === 'edit') expect(reached[0]!.text).toBe('✏️ edited: Edited text');
          break;
        }
        case 'expired-button':
          expect(reached).toEqual([]);
          expect(d.calls.find((c) => c.method === 'answerCallbackQuery')?.params['text']).toBe('This button has expired. Please send the command again.');
          break;
        case 'group-hint':
          expect(reached).toEqual([]);
          expect(sentTo(d.calls, update.message!.chat.id)).toEqual([expect.stringMatching(/^To talk to us, please write to me in a private chat/)]);
          break;
        case 'blocked': {
          expect(reached).toEqual([]);
          break;
        }
        default:
          throw new Error(`fixture ${fixture.name}: unknown expectation ${fixture.expect}`);
      }
    });
  });
});

describe('Slack: real traffic', () => {
  let h: SlackHarness;
  const OWNER_S = 'UOWNER';
  const CUST = 'UCUSTOMER';

  beforeAll(async () => {
    h = await startSlackHarness({ ownerIds: [OWNER_S] });
    h.slack.options.perChannelRatePerSec = 0;
    h.slack.addUser({ id: OWNER_S, name: 'olivia', realName: 'Olivia Owner' });
    h.slack.addUser({ id: CUST, name: 'cam', realName: 'Cam Customer' });
    await h.slash(OWNER_S, 'whoami');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const postsTo = (since: number, channel: string) => h.slack.calls.slice(since).filter((c) => c.ok && c.method === 'chat.postMessage' && c.channel === channel);

  it('a file shared with no words is acknowledged and reaches staff as a line they can read', async () => {
    const file = h.slack.addSharedFile({ name: 'dress.jpg', mimetype: 'image/jpeg', bytes: Buffer.from('jpeg bytes') });
    const since = h.slack.calls.length;
    const ex = await h.dm(CUST, '', { event: h.slack.fileShareEvent({ userId: CUST, text: '', files: [file] }) });
    expect(ex.texts).toEqual([RECEIVED]);
    expect(postsTo(since, `D${OWNER_S}`).map((c) => c.text)).toEqual([expect.stringMatching(/^💬 C\d+ Cam Customer \(slack\): \[photo\]$/)]);
    // The photo itself follows, re-uploaded to the owner's DM (staff cannot see a customer's DM files).
    expect(h.slack.files.some((f) => f.channel_id === `D${OWNER_S}` && f.filename === 'dress.jpg')).toBe(true);
    const incoming = h.coreCalls.at(-1)!;
    expect(incoming.attachments?.[0]).toMatchObject({ kind: 'image', fileRef: file['id'], fileName: 'dress.jpg' });
    expect((await incoming.attachments![0]!.download()).toString()).toBe('jpeg bytes');
  });

  it('a Slack file forwarded to Slack staff is re-uploaded (staff cannot see a customer’s DM files)', async () => {
    const incoming = h.coreCalls.find((i) => i.text === '[photo]')!;
    const result = await h.adapter.sender.send(OWNER_S, [{ kind: 'forward', from: incoming.source!, attachments: incoming.attachments!, caption: '[photo]' }]);
    expect(result.ok).toBe(true);
    const uploaded = h.slack.files.at(-1)!;
    expect(uploaded).toMatchObject({ filename: 'dress.jpg', completed: true, channel_id: `D${OWNER_S}`, initial_comment: '[photo]' });
    expect(uploaded.bytes?.toString()).toBe('jpeg bytes');
  });

  it('an edit of a DM reaches staff as an edit, with the old text', async () => {
    const first = await h.dm(CUST, 'Do you have it in red?');
    expect(first.texts).toEqual([RECEIVED]);
    const ts = String(h.coreCalls.at(-1)!.source!.messageId);
    const since = h.slack.calls.length;
    await h.dm(CUST, '', { event: h.slack.messageChangedEvent({ userId: CUST, ts, text: 'Do you have it in blue?', previousText: 'Do you have it in red?' }) });
    expect(postsTo(since, `D${OWNER_S}`).map((c) => c.text)).toEqual([expect.stringMatching(/✏️ edited: Do you have it in blue\? \(was: Do you have it in red\?\)$/)]);
    expect(h.coreCalls.at(-1)?.edit).toEqual({ messageId: ts, previousText: 'Do you have it in red?' });
  });

  it('an answer to a message written in a thread goes to that thread', async () => {
    const since = h.slack.calls.length;
    await h.dm(CUST, '', { event: h.slack.dmMessageEvent({ userId: CUST, text: 'and the price?', threadTs: '1700000000.000100' }) });
    const answer = postsTo(since, `D${CUST}`);
    expect(answer.map((c) => [c.text, c.params['thread_ts']])).toEqual([[RECEIVED, '1700000000.000100']]);
  });

  it('another app’s slash command is acknowledged at once with a hint', async () => {
    const started = Date.now();
    const res = await h.slack.postSlashCommand(h.url, { userId: CUST, text: 'Hi', command: '/hello-world' });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(JSON.parse(res.body) as unknown).toMatchObject({ response_type: 'ephemeral', text: '/hello-world is not something I can run. Try "/crm help".' });
  });

  it('a form we do not handle is acknowledged with a view that says so', async () => {
    const res = await h.slack.postInteraction(h.url, {
      type: 'view_submission',
      user: { id: CUST, team_id: 'T0001' },
      team: { id: 'T0001' },
      view: { id: 'V1', type: 'modal', callback_id: 'old-form', state: { values: {} } },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body) as unknown).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
  });

  it('an unknown button answers "this button has expired" and runs nothing (with the core’s registry)', async () => {
    const log = silentLogger();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.slack.botToken, SLACK_SIGNING_SECRET: h.slack.signingSecret, SLACK_API_URL: h.slack.apiUrl }, { envFile: null });
    const notifier = new RoutingNotifier();
    const http = createHttpServer({ log, health: async () => ({}) });
    const core = createApp({ config, notifier, log, now: () => new Date() });
    let handled = 0;
    const counting = { registry: core.registry, handle: (i: Incoming) => ((handled += 1), core.handle(i)) };
    const other: SlackAdapter = await startSlack({ config, core: counting, log, notifier, http });
    const url = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}${SLACK_EVENTS_PATH}`;
    try {
      const res = await h.slack.postAction(url, { userId: OWNER_S, channelId: `D${OWNER_S}`, actionId: 'crm_0', value: 'b' });
      await other.idle();
      expect(res.status).toBe(200);
      expect(handled).toBe(0);
      const id = res.responseUrl?.split('/').pop();
      expect(h.slack.responses.filter((r) => r.id === id).map((r) => (r.body as { text?: string }).text)).toEqual(['This button has expired. Please send the command again.']);
    } finally {
      await other.stop();
      await http.close();
    }
  });

  describe('captured payloads', () => {
    const all = fixtures<unknown>('slack', 'payload');

    it('has bolt-python’s payloads', () => {
      expect(all.length).toBeGreaterThanOrEqual(6);
      expect(all.every((f) => f.source.includes('github.com/slackapi/bolt-python'))).toBe(true);
    });

    it.each(all.map((f) => [f.name, f] as const))('%s: answered 200 and handled as expected', async (name, fixture) => {
      const doc = JSON.parse(readFileSync(join(FIXTURES, 'slack', `${name}.json`), 'utf8')) as { kind: string };
      const before = h.coreCalls.length;
      const since = h.slack.calls.length;
      let res;
      if (doc.kind === 'envelope') res = await h.slack.postEnvelope(h.url, fixture.body as Record<string, unknown>);
      else if (doc.kind === 'interaction') res = await h.slack.postInteraction(h.url, fixture.body as Record<string, unknown>);
      else res = await h.slack.postCommandForm(h.url, new URLSearchParams(fixture.body as string));
      await h.adapter.idle();
      expect(res.status).toBe(200);
      const reached = h.coreCalls.slice(before);
      switch (fixture.expect) {
        case 'ignored':
          expect(reached).toEqual([]);
          break;
        case 'acknowledged':
          expect(reached).toEqual([]);
          expect(res.body).not.toBe('');
          break;
        case 'thread-reply': {
          expect(reached).toHaveLength(1);
          expect(reached[0]).toMatchObject({ threadId: '1726133698.626339', text: 'When Slack was released?' });
          const answer = h.slack.calls.slice(since).filter((c) => c.ok && c.method === 'chat.postMessage' && c.channel === 'D111');
          expect(answer.map((c) => c.params['thread_ts'])).toEqual(['1726133698.626339']);
          break;
        }
        default:
          throw new Error(`fixture ${name}: unknown expectation ${fixture.expect}`);
      }
    });
  });
});

describe('across platforms', () => {
  it('a Telegram photo forwarded to a Slack staff member is downloaded with getFile and uploaded with files.uploadV2', async () => {
    const tg = await startTelegramHarness({ ownerIds: [] });
    const slack = await startSlackHarness({ ownerIds: [] });
    try {
      tg.tg.addFile('XPHOTO', Buffer.from('telegram photo bytes'), 'photos/x.jpg');
      const seen: Incoming[] = [];
      const handle = tg.core.handle.bind(tg.core);
      tg.core.handle = async (incoming) => (seen.push(incoming), handle(incoming));
      await tg.deliver(tg.tg.mediaUpdate({ fromId: 2901, kind: 'photo', fileId: 'XPHOTO', caption: 'this one' }));
      const photo = seen.at(-1)!;
      const result = await slack.adapter.sender.send('USTAFF', [{ kind: 'forward', from: photo.source!, attachments: photo.attachments!, caption: '[photo] this one' }]);
      expect(result.ok).toBe(true);
      expect(slack.slack.files.at(-1)).toMatchObject({ channel_id: 'DUSTAFF', initial_comment: '[photo] this one', filename: 'image.jpg' });
      expect(slack.slack.files.at(-1)?.bytes?.toString()).toBe('telegram photo bytes');

      // And back: a Slack file to a Telegram staff chat is sent as a document with its caption.
      const file = slack.slack.addSharedFile({ name: 'price-list.pdf', mimetype: 'application/pdf', bytes: Buffer.from('%PDF-1.4') });
      await slack.dm('UCUST9', '', { event: slack.slack.fileShareEvent({ userId: 'UCUST9', text: 'prices?', files: [file] }) });
      const pdf = slack.coreCalls.at(-1)!;
      expect(pdf.text).toBe('prices?');
      const since = tg.tg.calls.length;
      expect((await tg.adapter.sender.send('1001', [{ kind: 'forward', from: pdf.source!, attachments: pdf.attachments!, caption: 'prices?' }])).ok).toBe(true);
      expect(tg.tg.calls.slice(since).map((c) => c.method)).toEqual(['sendDocument']);
      expect(tg.tg.calls.at(-1)).toMatchObject({ caption: 'prices?', files: [expect.objectContaining({ filename: 'price-list.pdf', size: 8 })] });
    } finally {
      await tg.stop();
      await slack.stop();
    }
  });
});
