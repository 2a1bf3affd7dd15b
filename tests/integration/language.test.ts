/**
 * Languages through the core: the language a person reads is their own choice (`lang vi|en`, stored
 * on their staff or customer document), else their chat app's (`incoming.locale`: Telegram's
 * `language_code`, Slack's locale), else the shop's `SHOP_LANGUAGE`; and a Vietnamese reader gets
 * Vietnamese texts, help and coded errors, with money and dates written the Vietnamese way.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Customer, Staff } from '../../models/index.js';
import { createTestChat, customerIdIn, OWNER, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('language');

const chat = createTestChat();
const { say, send } = chat;
const VI = { locale: 'vi' } as const;
const nbsp = '\u00a0';

const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });

const sales = tg('2101', 'Lan');
let anna = '';

beforeAll(async () => {
  await chat.hire('sales', sales);
  anna = customerIdIn(await say(OWNER, 'lead Anna Nguyen 0912 000 301'));
});

describe('a customer whose chat app is in Vietnamese', () => {
  it('is greeted in Vietnamese, with Vietnamese buttons', async () => {
    const replies = await send(tg('2201', 'Bình'), '/start', VI);
    expect(replies).toEqual([
      {
        kind: 'text',
        text: 'Chào mừng anh/chị đến với cửa hàng! Anh/chị cứ nhắn cho chúng em ở đây bất cứ lúc nào — về đơn hàng, thắc mắc hay sự cố.\nChúng em có thể thỉnh thoảng gửi ưu đãi cho anh/chị không ạ?',
        buttons: [
          [
            { label: 'Có, gửi ưu đãi cho tôi', action: 'consent yes' },
            { label: 'Không, cảm ơn', action: 'consent no' },
          ],
        ],
      },
      { kind: 'text', text: 'Anh/chị chia sẻ số điện thoại để chúng em tìm đơn hàng của mình nhé.', requestContact: 'Chia sẻ số điện thoại' },
    ]);
    expect(await say(tg('2201', 'Bình'), 'consent yes', { ...VI, fromButton: true })).toBe(
      'Cảm ơn anh/chị! Anh/chị sẽ nhận được ưu đãi của chúng em. Gửi /stop bất cứ lúc nào để ngừng nhận.',
    );
  });

  it('reads vi-VN as Vietnamese too, and an English app gets English as before', async () => {
    expect(await say(tg('2202', 'Chi'), '/start', { locale: 'vi-VN' })).toMatch(/^Chào mừng anh\/chị đến với cửa hàng!/);
    expect(await say(tg('2203', 'Dan'), '/start', { locale: 'en' })).toMatch(/^Welcome to our shop!/);
    expect(await say(tg('2204', 'Eve'), '/start', { locale: 'de' })).toMatch(/^Welcome to our shop!/);
  });

  it('switches to English with "lang en", stored on their customer record', async () => {
    const giang = tg('2205', 'Giang');
    await say(giang, '/start', VI);
    expect(await say(giang, 'lang en', VI)).toBe('Done: from now on I write to you in English.');
    const id = customerIdIn(await say(OWNER, 'find Giang'));
    expect((await Customer.findById(id).lean())?.lang).toBe('en');
  });

  it('keeps a Vietnamese word after "lang" as a message to the shop, not a command', async () => {
    expect(await say(tg('2206', 'Hà'), 'lang thang mãi chưa thấy hàng', VI)).toBe('Cảm ơn anh/chị, chúng em đã nhận được tin nhắn và sẽ trả lời sớm ạ.');
  });
});

describe('a staff member whose chat app is in Vietnamese', () => {
  it('gets Vietnamese help', async () => {
    const help = await say(sales, 'help', VI);
    expect(help.split('\n')[0]).toBe('Các lệnh của bạn (bán hàng):');
    expect(help).toContain('  lead <name> ');
    expect(help).toContain('ghi khách tiềm năng');
    expect(help).toContain('  lang [vi|en|auto] — chọn ngôn ngữ: vi (tiếng Việt) hoặc en (English)');
    expect(help.split('\n').at(-1)).toBe('Gửi "help <lệnh>" để xem chi tiết và ví dụ.');
  });

  it('gets coded errors in Vietnamese, with the usage line', async () => {
    expect(await say(sales, 'customer C99999', VI)).toBe('Không có khách hàng nào khớp "C99999".');
    expect(await say(sales, `tag ${anna} #a!b`, VI)).toBe('"#a!b" không phải nhãn hợp lệ (chữ, số, - và _)\nCách dùng: tag <customer> #tag [#tag …]');
    expect(await say(sales, 'frobnicate', VI)).toBe('Không có lệnh "frobnicate". Gửi "help" để xem các lệnh dùng được.');
  });

  it('sees money and dates written the Vietnamese way', async () => {
    expect(await say(sales, `order ${anna} 350k áo dài`, VI)).toMatch(new RegExp(`^Đơn O\\d+ của ${anna} Anna Nguyen: 350\\.000${nbsp}₫ \\(mới\\)\\.$`));
    const orders = await say(sales, `orders ${anna}`, VI);
    expect(orders.split('\n')[0]).toBe(`Đơn hàng của ${anna} Anna Nguyen:`);
    expect(orders.split('\n')[1]).toMatch(new RegExp(`^O\\d+ · \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2} · 350\\.000${nbsp}₫ · mới · áo dài$`));
    const card = await say(sales, `customer ${anna}`, VI);
    expect(card).toContain(`1 đơn, 350.000${nbsp}₫`);
    // The test clock is Monday 2026-03-02 10:00 in Ho Chi Minh City: tomorrow is Tuesday 3 March.
    expect(await say(sales, `followup ${anna} tomorrow 10:00 gọi lại`, VI)).toMatch(
      new RegExp(`^Đã hẹn chăm sóc \\w+ cho ${anna} Anna Nguyen: Thứ 3, 03/03/2026 10:00 \\(Asia/Ho_Chi_Minh\\)\\.$`),
    );
  });

  it('reads English when the app is English, byte for byte as before', async () => {
    expect(await say(sales, 'customer C99999')).toBe('No customer matches "C99999".');
    expect((await say(sales, `orders ${anna}`)).split('\n')[1]).toMatch(/^O\d+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · ₫350,000 · new · áo dài$/);
  });
});

describe('a choice made with "lang"', () => {
  it('is answered in the language chosen and stored on the staff document', async () => {
    const minh = tg('2102', 'Minh');
    await chat.hire('manager', minh);
    expect(await say(minh, 'lang vi')).toBe('Đã xong: từ giờ em sẽ nhắn bằng tiếng Việt.');
    const staff = await Staff.findOne({ name: 'Minh' }).lean();
    expect(staff?.lang).toBe('vi');
    expect(await say(minh, 'lang tiếng anh')).toBe('Done: from now on I write to you in English.');
    expect((await Staff.findById(staff?._id).lean())?.lang).toBe('en');
  });

  it('refuses a language it does not speak, with the usage line', async () => {
    expect(await say(sales, 'lang klingon')).toBe('"klingon" is not a language I speak: vi (Tiếng Việt) or en (English).\nUsage: lang [vi|en|auto]');
  });

  // These need the core to read the stored choice (src/core/handle.ts: `readerLanguage` of src/services/people.ts).
  it('wins over the chat app’s language: a staff member with "lang vi" reads Vietnamese help and errors on an English app', async () => {
    const hoa = tg('2103', 'Hoa');
    await chat.hire('support', hoa);
    await say(hoa, 'lang vi', { locale: 'en' });
    expect((await say(hoa, 'help', { locale: 'en' })).split('\n')[0]).toBe('Các lệnh của bạn (hỗ trợ khách hàng):');
    expect(await say(hoa, 'customer C99999', { locale: 'en' })).toBe('Không có khách hàng nào khớp "C99999".');
    expect(await say(hoa, 'lang', { locale: 'en' })).toMatch(/^Ngôn ngữ hiện tại: tiếng Việt\./);
  });

  it('wins over the chat app’s language: a Vietnamese app with "lang en" reads English', async () => {
    const khoa = tg('2207', 'Khoa');
    await say(khoa, '/start', VI);
    await say(khoa, 'lang en', VI);
    expect(await say(khoa, 'hello, is my parcel on its way?', VI)).toBe('Thanks, we got your message and will answer soon.');
    expect(await say(khoa, 'help', VI)).toMatch(/^Hello! Here is what I can do for you:/);
  });

  it('"lang auto" goes back to the chat app’s language', async () => {
    const linh = tg('2208', 'Linh');
    await say(linh, 'lang en', VI);
    expect(await say(linh, 'lang auto', VI)).toBe('Đã xong: ngôn ngữ sẽ theo ứng dụng chat (hiện là tiếng Việt).');
    expect(await say(linh, 'help', VI)).toMatch(/^Xin chào anh\/chị!/);
    const id = customerIdIn(await say(OWNER, 'find Linh'));
    expect((await Customer.findById(id).lean())?.lang).toBeUndefined();
  });
});

describe('the shop’s language', () => {
  const shop = createTestChat({ SHOP_LANGUAGE: 'vi' });

  it('is what someone reads whose app language the CRM does not speak, or who has none', async () => {
    expect(await shop.say(tg('2301', 'Mai'), '/start')).toMatch(/^Chào mừng anh\/chị đến với cửa hàng!/);
    expect(await shop.say(tg('2302', 'Nam'), '/start', { locale: 'fr' })).toMatch(/^Chào mừng anh\/chị đến với cửa hàng!/);
    expect(await shop.say(tg('2303', 'Oscar'), '/start', { locale: 'en-GB' })).toMatch(/^Welcome to our shop!/);
  });

  it('is English unless configured, so an existing install speaks as it did', () => {
    expect(chat.deps.config.SHOP_LANGUAGE).toBe('en');
    expect(shop.deps.config.SHOP_LANGUAGE).toBe('vi');
  });
});
