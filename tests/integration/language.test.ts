/**
 * Languages through the core: the language a person reads is their own choice (`lang vi|en`, stored
 * on their staff or customer document), else their chat app's (`incoming.locale`: Telegram's
 * `language_code`, Slack's locale), else the shop's `SHOP_LANGUAGE`; and a Vietnamese reader gets
 * Vietnamese texts, help and coded errors, with money and dates written the Vietnamese way.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Customer, Identity, Interaction, Staff } from '../../models/index.js';
import type { Reply } from '../../src/core/types.js';
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

describe('what customers write in Vietnamese', () => {
  const stopped =
    'Dạ xong: anh/chị sẽ không nhận khuyến mãi và thông báo đơn hàng nữa. Anh/chị vẫn có thể nhắn cho cửa hàng bất cứ lúc nào; gõ start để nhận lại.';
  const received = 'Cảm ơn anh/chị, chúng em đã nhận được tin nhắn và sẽ trả lời sớm ạ.';
  const complaintReceived = 'Chúng em thành thật xin lỗi anh/chị. Khiếu nại đã được ghi nhận ưu tiên và bộ phận hỗ trợ đã được báo ngay.';
  let next = 2400;
  /** A customer who said yes to offers, and their record's id. */
  async function subscriber(name: string): Promise<{ person: Person; id: string }> {
    const person = tg(String(++next), name);
    await say(person, '/start', VI);
    await say(person, 'consent yes', { ...VI, fromButton: true });
    const id = String((await Identity.findById(`telegram:${person.userId}`).lean())?.refId);
    expect((await Customer.findById(id).lean())?.consent?.promotions).toBe(true);
    return { person, id };
  }

  it('opts out with the words people use — accents, case, punctuation and a polite "ạ" or "nhé" aside', async () => {
    const words = ['hủy đăng ký', 'Huỷ đăng ký ạ!', 'huy dang ky', 'dừng', 'Dừng lại nhé.', 'không nhận tin', 'Ngừng nhận tin nữa ạ', 'stop', 'Stop!', 'unsubscribe', 'shop ơi cho em hủy đăng kí'];
    for (const word of words) {
      const { person, id } = await subscriber('Quyên');
      expect(await say(person, word, VI), word).toBe(stopped);
      expect((await Customer.findById(id).lean())?.consent?.promotions, word).toBe(false);
      expect((await Conversation.findById(id).lean())?.silenced, word).toBe(true);
      expect(await Interaction.countDocuments({ customerId: id }), `${word}: an opt-out is not a message`).toBe(0);
    }
  });

  it('keeps a sentence that only starts like an opt-out, or an unaccented "dung" (dừng? đúng?), as a message to the shop', async () => {
    for (const message of ['dừng giao hàng giúp em', 'Đúng ạ', 'dung', 'hủy đăng ký giúp em cái đơn hôm qua']) {
      const { person, id } = await subscriber('Sơn');
      expect(await say(person, message, VI), message).toBe(received);
      expect((await Customer.findById(id).lean())?.consent?.promotions, message).toBe(true);
      expect(await Interaction.find({ customerId: id }).lean()).toEqual([expect.objectContaining({ kind: 'message', text: message })]);
    }
  });

  it('shows their own orders for "đơn hàng", "xem đơn", "kiểm tra đơn", "đơn của tôi"', async () => {
    const { person, id } = await subscriber('Thảo');
    expect(await say(OWNER, `order ${id} 350k áo dài`)).toMatch(/^Order O\d+/);
    for (const words of ['đơn hàng', 'Đơn hàng của tôi?', 'đơn của tôi', 'xem đơn', 'kiểm tra đơn', 'Kiểm tra đơn hàng giúp em với ạ', 'don hang']) {
      const orders = (await say(person, words, VI)).split('\n');
      expect(orders[0], words).toBe('Đơn hàng của anh/chị:');
      expect(orders[1], words).toMatch(new RegExp(`^O\\d+ · \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2} · 350\\.000${nbsp}₫ · mới · áo dài$`));
    }
    expect(await Interaction.countDocuments({ customerId: id })).toBe(0);
    // More than asking for the list is a question for the shop.
    expect(await say(person, 'đơn hàng của em khi nào giao ạ', VI)).toBe(received);
    expect(await say(tg('2499', 'Ánh'), 'đơn hàng', VI)).toBe('Anh/chị chưa có đơn hàng nào với chúng em.');
  });

  it('reads "khiếu nại …" as a complaint, logged with priority', async () => {
    const { person, id } = await subscriber('Tuấn');
    expect(await say(person, 'khiếu nại hàng bị lỗi', VI)).toBe(complaintReceived);
    expect(await say(person, 'Khieu nai giao thiếu một cái', VI)).toBe(complaintReceived);
    expect(await Interaction.find({ customerId: id }).sort({ at: 1, _id: 1 }).lean()).toEqual([
      expect.objectContaining({ kind: 'complaint', priority: 'high', text: 'hàng bị lỗi' }),
      expect.objectContaining({ kind: 'complaint', priority: 'high', text: 'giao thiếu một cái' }),
    ]);
    expect(await say(person, 'khiếu nại', VI)).toBe('Anh/chị cho chúng em biết có vấn đề gì nhé, ví dụ: "khiếu nại hàng bị vỡ khi nhận".');
  });

  it('reads a plainly angry or let-down message as a complaint, and leaves kind words alone', async () => {
    const angry = ['Giao sai màu rồi, bực mình quá', 'em đặt 1 tuần rồi mà không nhận được hàng', 'Shop lừa đảo à???', 'Thật sự thất vọng', 'HÀNG LỖI', 'chất lượng quá tệ'];
    for (const message of angry) {
      const { person, id } = await subscriber('Vinh');
      expect(await say(person, message, VI), message).toBe(complaintReceived);
      expect(await Interaction.find({ customerId: id }).lean()).toEqual([expect.objectContaining({ kind: 'complaint', priority: 'high', text: message })]);
    }
    for (const message of ['Em muốn mua quà tết cho mẹ', 'Áo đẹp lắm, không thất vọng chút nào']) {
      const { person, id } = await subscriber('Xuân');
      expect(await say(person, message, VI), message).toBe(received);
      expect((await Interaction.findOne({ customerId: id }).lean())?.priority, message).toBe('normal');
    }
  });

  it('sends a staff command word typed by a customer to the shop as a message ("tìm giúp em …")', async () => {
    const { person, id } = await subscriber('Yến');
    expect(await say(person, 'tìm giúp em cái áo màu xanh', VI)).toBe(received);
    expect(await say(person, 'Trả lời em với shop ơi', VI)).toBe(received);
    expect((await Interaction.find({ customerId: id }).lean()).map((i) => i.text)).toEqual(['tìm giúp em cái áo màu xanh', 'Trả lời em với shop ơi']);
  });
});

describe('staff commands in Vietnamese', () => {
  it('runs the most used commands by their Vietnamese names, with or without accents', async () => {
    expect(await say(sales, 'tìm Anna', VI)).toBe(await say(sales, 'find Anna', VI));
    expect(await say(sales, 'TIM anna', VI)).toContain(`${anna} Anna Nguyen`);
    expect(await say(sales, `khách ${anna}`, VI)).toBe(await say(sales, `customer ${anna}`, VI));
    expect(await say(sales, `ghi chú ${anna} gọi lại sau 5 giờ chiều`, VI)).toBe(`Đã lưu ghi chú cho ${anna}.`);
    expect(await Interaction.findOne({ customerId: anna, kind: 'note' }).sort({ _id: -1 }).lean()).toMatchObject({ text: 'gọi lại sau 5 giờ chiều' });
    expect(await say(sales, `đơn ${anna} 120k khăn lụa`, VI)).toMatch(new RegExp(`^Đơn O\\d+ của ${anna} Anna Nguyen: 120\\.000${nbsp}₫ \\(mới\\)\\.$`));
    expect(await say(sales, `Don ${anna} 80k khăn tay`, VI)).toMatch(/^Đơn O\d+ của/);
    expect(await say(sales, `hẹn ${anna} tomorrow 10:00 gửi mẫu mới`, VI)).toMatch(new RegExp(`^Đã hẹn chăm sóc \\w+ cho ${anna} Anna Nguyen: Thứ 3, 03/03/2026 10:00`));
    // Anna is a lead who never wrote to the bot: the reply is refused, in Vietnamese.
    const noChat = `${anna} chưa từng nhắn cho bot của cửa hàng nên không có khung chat để trả lời; chưa gửi gì. Hãy gọi điện hoặc gửi e-mail.`;
    expect(await say(sales, `trả lời ${anna} Dạ em chào chị`, VI)).toBe(noChat);
    expect(await say(sales, `tl ${anna} Dạ em chào chị`, VI)).toBe(noChat);
    expect(await say(sales, 'help tìm', VI)).toMatch(/^Cách dùng: find /);
  });
});

describe('notifications to staff', () => {
  const quang = tg('2111', 'Quang');
  const thu = tg('2112', 'Thu');
  let quangId = '';
  let thuId = '';

  beforeAll(async () => {
    await chat.hire('sales', quang);
    await chat.hire('support', thu);
    await say(quang, 'lang en', VI);
    await say(thu, 'lang vi');
    quangId = String((await Staff.findOne({ name: 'Quang' }).lean())?._id);
    thuId = String((await Staff.findOne({ name: 'Thu' }).lean())?._id);
  });

  const notices = (to: string) => chat.notifier.sent.filter((n) => n.to.kind === 'staff' && n.to.staffId === to).flatMap((n) => n.replies);
  const labels = (replies: Reply[]) => replies.flatMap((r) => (r.kind === 'text' ? (r.buttons ?? []).flat().map((b) => b.label) : []));

  it('reach each staff member in their own language, not the customer’s', async () => {
    const vy = tg('2412', 'Vy');
    const id = customerIdIn(await say(quang, 'lead Vy 0912 000 412'));
    expect(await say(vy, '', { ...VI, contact: { phone: '0912 000 412' } })).toMatch(/^Cảm ơn Vy!/);
    chat.notifier.clear();
    expect(await say(vy, 'Chị ơi áo này còn size M không ạ?', VI)).toBe('Cảm ơn anh/chị, chúng em đã nhận được tin nhắn và sẽ trả lời sớm ạ.');
    // Quang chose English: the customer's owner reads English, buttons included.
    expect(notices(quangId).map((r) => (r.kind === 'text' ? r.text : r.kind))).toEqual([`💬 ${id} Vy (telegram): Chị ơi áo này còn size M không ạ?`]);
    expect(labels(notices(quangId))).toEqual(['Open customer', 'Assign to me', 'Resolve', 'Reply…']);

    chat.notifier.clear();
    await say(vy, 'Giao sai màu rồi, thất vọng quá', VI);
    expect(notices(quangId).map((r) => (r.kind === 'text' ? r.text : r.kind))).toEqual([`⚠️ Complaint from ${id} Vy (telegram): Giao sai màu rồi, thất vọng quá`]);
    // Thu, on duty for complaints, chose Vietnamese.
    expect(notices(thuId).map((r) => (r.kind === 'text' ? r.text : r.kind))).toEqual([`⚠️ Khiếu nại từ ${id} Vy (telegram): Giao sai màu rồi, thất vọng quá`]);
    expect(labels(notices(thuId))).toEqual(['Mở hồ sơ khách', 'Giao cho tôi', 'Đã xử lý', 'Trả lời…']);
  });

  it('are in the shop’s language for a staff member who chose none, whatever the customer’s', async () => {
    const shop = createTestChat({ SHOP_LANGUAGE: 'vi' });
    const ken = tg('2413', 'Ken');
    const lan = String((await Staff.findOne({ name: 'Lan' }).lean())?._id); // Lan (sales) never chose a language
    const id = customerIdIn(await say(sales, 'lead Ken 0912 000 413'));
    await shop.say(ken, '', { locale: 'en', contact: { phone: '0912 000 413' } });
    expect(await shop.say(ken, 'Is the blue dress back in stock?', { locale: 'en' })).toBe('Thanks, we got your message and will answer soon.');
    const sent = shop.notifier.sent.filter((n) => n.to.kind === 'staff' && n.to.staffId === lan).flatMap((n) => n.replies);
    expect(sent.map((r) => (r.kind === 'text' ? r.text : r.kind))).toEqual([`💬 ${id} Ken (telegram): Is the blue dress back in stock?`]);
    expect(labels(sent)).toEqual(['Mở hồ sơ khách', 'Giao cho tôi', 'Đã xử lý', 'Trả lời…']);
  });
});
