/**
 * The Vietnamese catalogue: every text of the English one (src/core/messages.ts), the `errors`
 * section included, with the same parameters. Customers are addressed as "anh/chị" and the shop
 * speaks as "chúng em"; staff texts are short and use "bạn".
 *
 * What stays as typed: command words and their arguments (`help`, `lang vi`, `order status O7 paid`,
 * `followup C12 mai 9h …`), because the grammars read them; where a text shows one of those words it
 * adds the Vietnamese meaning beside it (`paid (đã thanh toán)`, `Khách VIP (Champions)`).
 *
 * Values the call sites format themselves — money (`₫350,000`), dates (`2026-12-01 10:05`,
 * `Tue 2026-12-01 10:05`), weekdays (`Monday`), rates (`12.5%`) — are re-written the Vietnamese way
 * here (`350.000 ₫`, `01/12/2026 10:05`, `Thứ 3, 01/12/2026 10:05`, `Thứ Hai`, `12,5%`) with
 * `formatsFor('vi').localise` (src/values/format.ts), which leaves every other value as it is.
 * Numbers these texts receive as numbers are written with Vietnamese grouping (`1.234`).
 *
 * tests/unit/messages.test.ts fails when a key of the English catalogue has no text here, or when a
 * text here shows other parameters than its English one: a key added in English needs its
 * Vietnamese here in the same change.
 */
import type { Messages, Translation } from './messages.js';
import { formatsFor } from '../values/format.js';

const format = formatsFor('vi');
/** A value the call site formatted the English way (money, a date, a rate), written the Vietnamese way. */
const v = (value: string) => format.localise(value);
/** A count, with Vietnamese grouping (`1.234`). */
const n = (value: number) => format.number(value);
const quoted = (items: readonly string[]) => items.map((item) => `"${item}"`).join(', ');

const ROLES: Record<string, string> = { owner: 'chủ cửa hàng', manager: 'quản lý', sales: 'bán hàng', support: 'hỗ trợ khách hàng' };
/** A staff role in words (`sales` → `bán hàng`). */
const role = (r: string) => ROLES[r] ?? r;

/** Statuses of orders, promotions, follow-ups and customer records. */
const STATUSES: Record<string, string> = {
  new: 'mới',
  paid: 'đã thanh toán',
  shipped: 'đang giao',
  delivered: 'đã giao',
  cancelled: 'đã hủy',
  draft: 'nháp',
  scheduled: 'đã lên lịch',
  freezing: 'đang chốt danh sách',
  sending: 'đang gửi',
  done: 'đã xong',
  open: 'đang mở',
  snoozed: 'đã hoãn',
  active: 'đang hoạt động',
  merged: 'đã gộp',
  forgotten: 'đã xóa dữ liệu',
};
const status = (s: string) => STATUSES[s] ?? s;
/** A status someone types (`paid`), with its meaning: `paid (đã thanh toán)`. */
const typedStatus = (s: string) => (STATUSES[s] ? `${s} (${STATUSES[s]})` : s);

const SEGMENTS = {
  Champions: 'Khách VIP (Champions)',
  Loyal: 'Trung thành (Loyal)',
  'Potential loyalist': 'Tiềm năng trung thành (Potential loyalist)',
  New: 'Khách mới (New)',
  Promising: 'Có triển vọng (Promising)',
  'Need attention': 'Cần quan tâm (Need attention)',
  'About to sleep': 'Sắp ngủ quên (About to sleep)',
  'At risk': 'Có nguy cơ rời bỏ (At risk)',
  "Can't lose": "Không thể để mất (Can't lose)",
  Hibernating: 'Ngủ đông (Hibernating)',
  Lost: 'Đã rời bỏ (Lost)',
  Lead: 'Chưa mua (Lead)',
};

/** An audience as the campaigns describe it (`all customers`, `segment At risk`, `#vip`). */
function audience(text: string): string {
  if (text === 'all customers') return 'tất cả khách hàng';
  const segment = /^segment (.+)$/.exec(text)?.[1];
  if (segment !== undefined) return `nhóm ${(SEGMENTS as Record<string, string>)[segment] ?? segment}`;
  return text;
}

/** What a not-found error names, when it is raised with words. */
const THINGS: Record<string, string> = {
  customer: 'khách hàng',
  order: 'đơn hàng',
  'follow-up': 'lịch chăm sóc',
  campaign: 'chương trình khuyến mãi',
  promotion: 'chương trình khuyến mãi',
  segment: 'nhóm khách',
  staff: 'nhân viên',
  'staff member': 'nhân viên',
};

/** `phone "123", email "a@"` (what a lead line could not read) with the kinds in words. */
const invalidItems = (items: string) => items.replace(/(^|, )(phone|email|e-mail) "/g, (_, sep: string, kind: string) => `${sep}${kind === 'phone' ? 'số điện thoại' : 'e-mail'} "`);

/** The shop's name as the welcome gets it (`our shop` when the shop has not named itself). */
const shopName = (shop: string) => (shop === 'our shop' ? 'cửa hàng' : shop);

export const vi: Translation = {
  // General
  unknownCommand: (word) => `Không có lệnh "${word}". Gửi "help" để xem các lệnh dùng được.`,
  forbidden: () => 'Xin lỗi, lệnh này chỉ dành cho nhân viên cửa hàng. Anh/chị gửi "help" để xem những việc em có thể giúp nhé.',
  forbiddenRole: (command) => `Xin lỗi, vai trò của bạn không được dùng "${command}".`,
  usage: (usage) => `Cách dùng: ${usage}`,
  invalid: (reason, usage) => `${reason}\nCách dùng: ${usage}`,
  notFound: (what, ref) => `Không tìm thấy ${THINGS[what] ?? what} nào khớp "${ref}".`,
  internalError: (ref) => `Xin lỗi, hệ thống vừa gặp lỗi (mã ${ref}). Vui lòng thử lại; nếu vẫn lỗi, hãy báo quản trị viên.`,
  page: (page, pages, total) => `Trang ${page}/${pages} · tổng ${n(total)}`,
  next: () => 'Tiếp ›',
  prev: () => '‹ Trước',
  none: () => '—',

  // Help
  helpTitleStaff: (r) => `Các lệnh của bạn (${role(r)}):`,
  helpTitleCustomer: () => 'Xin chào anh/chị! Em có thể giúp anh/chị những việc sau:',
  helpFooter: () => 'Gửi "help <lệnh>" để xem chi tiết và ví dụ.',
  helpExamples: () => 'Ví dụ:',

  // Leads and customers
  leadCreated: (ref, name) => `Đã lưu khách tiềm năng mới ${ref} ${name}.`,
  leadExists: (ref, name) => `${ref} ${name} đã có đủ các thông tin này — không tạo trùng.`,
  leadUpdated: (ref, name, added) => `${ref} ${name} đã có sẵn; đã thêm ${added}.`,
  leadInvalid: (items) => `Các thông tin sau có vẻ không đúng: ${invalidItems(items)}. Chưa lưu gì.`,
  leadNeedsName: () => 'Hãy ghi tên, số điện thoại hoặc e-mail.',
  findNone: (query) => `Không có khách hàng nào khớp "${query}".`,
  findTitle: (query) => `Khách hàng khớp "${query}":`,
  noName: () => '(chưa có tên)',
  card: {
    title: (ref, name) => `${ref} · ${name}`,
    phones: () => 'Điện thoại',
    emails: () => 'E-mail',
    tags: () => 'Nhãn',
    owner: () => 'Phụ trách',
    consent: () => 'Nhận khuyến mãi',
    consentYes: () => 'có',
    consentNo: () => 'không',
    totals: (orders, revenue) => `${n(orders)} đơn, ${v(revenue)}`,
    lastOrder: () => 'Đơn gần nhất',
    ordersTitle: () => 'Đơn hàng gần đây:',
    interactionsTitle: () => 'Trao đổi gần đây:',
    merged: (into) => `Khách hàng này đã được gộp vào ${into}.`,
    unreachable: (platforms) => `Không liên lạc được qua: ${platforms}`,
    aliases: (names) => `Tên khác: ${names}`,
    sharedPhone: (phone, holder, sharers) => `${phone} là số dùng chung: chủ số là ${holder}, cũng dùng số này: ${sharers}`,
  },
  noteSaved: (ref) => `Đã lưu ghi chú cho ${ref}.`,
  tagsAdded: (ref, tags) => `Đã gắn nhãn ${tags} cho ${ref}.`,
  tagsUnchanged: (ref) => `${ref} đã có sẵn các nhãn đó.`,
  tagsRemoved: (ref, tags) => `Đã bỏ nhãn ${tags} khỏi ${ref}.`,
  tagsNotThere: (ref) => `${ref} không có nhãn nào trong số đó.`,

  // Khách tiềm năng cần hỏi lại trước khi lưu (src/services/lead-questions.ts)
  leadAsk: {
    sharedPhone: (ref, name, newName) => `Số điện thoại này đã thuộc về ${ref} ${name}. ${newName} có phải cùng một người không? Chưa lưu gì cho đến khi bạn chọn.`,
    samePersonAlias: (newName) => `Cùng một người (giữ ${newName} làm tên khác)`,
    differentPerson: () => 'Người khác dùng chung số',
    sameName: (newName, customers) => `Đã có khách hàng tên ${newName}: ${customers}. Đây có phải cùng một người không? Chưa lưu gì cho đến khi bạn chọn.`,
    samePersonAs: (ref, name) => `Cùng một người: ${ref} ${name}`,
    newCustomer: () => 'Khách hàng mới',
    aliasKept: (ref, name, alias) => `${ref} ${name}: đã giữ ${alias} làm tên khác.`,
    sharedCreated: (ref, name, holders) => `Đã lưu khách hàng mới ${ref} ${name}; dùng chung số điện thoại với ${holders}.`,
    distinctCreated: (ref, name, others) => `Đã lưu khách hàng mới ${ref} ${name}, là người khác với ${others}.`,
    alreadyAnswered: (ref, name) => `Câu hỏi này đã được trả lời rồi: ${ref} ${name}.`,
    sharedPhoneFound: (phone, holder) => `${phone} là số dùng chung: chủ số là ${holder}; những người cùng dùng cũng được liệt kê.`,
  },

  // Orders
  orderRecorded: (orderRef, customerRef, name, amount) => `Đơn ${orderRef} của ${customerRef} ${name}: ${v(amount)} (mới).`,
  orderStatusChanged: (orderRef, from, to) => `Đơn ${orderRef}: ${status(from)} → ${status(to)}.`,
  orderStatusSame: (orderRef, s) => `Đơn ${orderRef} đã ở trạng thái "${status(s)}" rồi.`,
  ordersNone: (who) => `${who} chưa có đơn hàng nào.`,
  ordersTitle: (who) => `Đơn hàng của ${who}:`,
  orderLine: (orderRef, date, amount, s, items) => `${orderRef} · ${v(date)} · ${v(amount)} · ${status(s)}${items ? ` · ${items}` : ''}`,
  badAmount: (text) => `"${text}" không phải là số tiền. Thử 350k, 350000, 19.99 EUR.`,
  statusButton: (s) => `Đánh dấu ${status(s)}`,

  // Merge
  merged: (kept, merged, orders, interactions) =>
    `Đã gộp ${merged} vào ${kept}: chuyển ${n(orders)} đơn và ${n(interactions)} lượt trao đổi. Hoàn tác bằng: unmerge ${merged}`,
  unmerged: (merged, kept) => `${merged} đã được tách khỏi ${kept}.`,

  // Team
  inviteCreated: (code, r, expires) =>
    `Mã mời cho nhân viên ${role(r)} mới: ${code}\nNgười đó gửi "join ${code}" cho bot trước ${v(expires)}. Mã chỉ dùng được một lần.`,
  joined: (name, r) => `Chào mừng ${name} gia nhập đội! Vai trò của bạn: ${role(r)}. Gửi "help" để bắt đầu.`,
  linkCode: (code) => `Mã liên kết: ${code}\nGửi "link ${code}" từ tài khoản còn lại (Telegram hoặc Slack) trong vòng 24 giờ.`,
  linked: () => 'Đã liên kết. Từ giờ hai tài khoản được xem là cùng một người.',

  // Language (`lang`)
  langCurrent: (language) => `Ngôn ngữ hiện tại: ${language}. Đổi bằng "lang vi" (tiếng Việt) hoặc "lang en" (English); "lang auto" để theo ngôn ngữ của ứng dụng.`,
  langSet: (language) => `Đã xong: từ giờ em sẽ nhắn bằng ${language}.`,
  langAuto: (language) => `Đã xong: ngôn ngữ sẽ theo ứng dụng chat (hiện là ${language}).`,
  langUnknown: (typed) => `"${typed}" không phải ngôn ngữ được hỗ trợ: vi (tiếng Việt) hoặc en (English).`,
  langNames: { vi: 'tiếng Việt', en: 'tiếng Anh' },

  // Customers
  welcome: (shop) =>
    `Chào mừng anh/chị đến với ${shopName(shop)}! Anh/chị cứ nhắn cho chúng em ở đây bất cứ lúc nào — về đơn hàng, thắc mắc hay sự cố.\nChúng em có thể thỉnh thoảng gửi ưu đãi cho anh/chị không ạ?`,
  consentYesButton: () => 'Có, gửi ưu đãi cho tôi',
  consentNoButton: () => 'Không, cảm ơn',
  sharePhoneButton: () => 'Chia sẻ số điện thoại',
  sharePhonePrompt: () => 'Anh/chị chia sẻ số điện thoại để chúng em tìm đơn hàng của mình nhé.',
  consentGiven: () => 'Cảm ơn anh/chị! Anh/chị sẽ nhận được ưu đãi của chúng em. Gửi /stop bất cứ lúc nào để ngừng nhận.',
  consentDeclined: () => 'Dạ vâng, chúng em sẽ không gửi ưu đãi. Anh/chị vẫn có thể nhắn cho chúng em bất cứ lúc nào.',
  stopped: () => 'Dạ xong: anh/chị sẽ không nhận khuyến mãi và thông báo đơn hàng nữa. Anh/chị vẫn có thể nhắn cho cửa hàng bất cứ lúc nào; gõ start để nhận lại.',
  messageReceived: () => 'Cảm ơn anh/chị, chúng em đã nhận được tin nhắn và sẽ trả lời sớm ạ.',
  complaintReceived: () => 'Chúng em thành thật xin lỗi anh/chị. Khiếu nại đã được ghi nhận ưu tiên và bộ phận hỗ trợ đã được báo ngay.',
  complaintNeedsText: () => 'Anh/chị cho chúng em biết có vấn đề gì nhé, ví dụ: "khiếu nại hàng bị vỡ khi nhận".',
  phoneLinked: (name) => `Cảm ơn ${name || 'anh/chị'}! Chúng em đã tìm thấy hồ sơ khách hàng của anh/chị.`,
  phoneAdded: () => 'Cảm ơn anh/chị! Số điện thoại đã được lưu.',
  phoneInvalid: () => 'Số điện thoại này có vẻ không hợp lệ.',
  myOrdersNone: () => 'Anh/chị chưa có đơn hàng nào với chúng em.',
  myOrdersTitle: () => 'Đơn hàng của anh/chị:',

  // Notifications to staff
  notifyMessage: (ref, name, platform, body) => `💬 ${ref} ${name} (${platform}): ${body}`,
  notifyComplaint: (ref, name, platform, body) => `⚠️ Khiếu nại từ ${ref} ${name} (${platform}): ${body}`,
  openCustomerButton: () => 'Mở hồ sơ khách',
  cardOrdersButton: () => 'Đơn hàng',
  cardNoteButton: () => 'Thêm ghi chú',

  // Totals
  totalsRebuilt: (customers, changed) => `Đã tính lại tổng cho ${n(customers)} khách hàng; sửa ${n(changed)}.`,

  // Forwarded leads
  forwardedLead: (ref, name, created) =>
    created ? `Đã tạo khách tiềm năng ${ref} ${name} từ tin nhắn chuyển tiếp.` : `Đã lưu tin nhắn chuyển tiếp vào ${ref} ${name}.`,

  // Import, duplicates, completeness, export, personal data
  importSendFile: () =>
    'Gửi danh sách khách hàng dạng tệp CSV (chú thích "import", hoặc để trống). Các cột được nhận ra theo tiêu đề: name / họ tên, phone / sđt / điện thoại, email, tags / nhãn, notes / ghi chú, orders / đơn hàng. Tự chỉ định cột bằng: import --map phone=Tel,name="Họ tên"',
  importNotCsv: (fileName) => `"${fileName}" không phải tệp CSV. Hãy lưu bảng tính thành CSV (UTF-8) rồi gửi lại.`,
  importTooLarge: (mb) => `Tệp lớn hơn ${n(mb)} MB. Hãy chia nhỏ tệp, hoặc nhập trên máy chủ: npm run import -- file.csv`,
  importSummary: (file, rows, created, updated, unchanged, rejected, blank) =>
    `Đã nhập ${file}: ${n(rows)} dòng — ${n(created)} mới, ${n(updated)} cập nhật, ${n(unchanged)} không đổi, ${n(rejected)} bị từ chối${blank ? ` (bỏ qua ${n(blank)} dòng trống)` : ''}.`,
  importColumns: (columns) => `Các cột: ${columns}`,
  importRejectedTitle: () => 'Các dòng bị từ chối (đánh số theo dòng của tệp; dòng tiêu đề là dòng 1) — sửa rồi nhập lại tệp, không có gì bị trùng:',
  importRejectedLine: (row, reason) => `  dòng ${row}: ${reason}`,
  importRejectedMore: (more) => `…và ${n(more)} dòng nữa: tất cả các dòng bị từ chối có trong tệp đính kèm.`,
  importRejectedFileCaption: () => 'Tất cả các dòng bị từ chối, kèm lý do.',
  // Import report: warnings and columns not imported (helper "import").
  importIgnoredColumns: (columns) =>
    `Cảnh báo — các cột không được nhập (không nhận ra): ${columns}. Đổi tên cột, hoặc chỉ định bằng import --map, để nhập chúng.`,
  importWarningsTitle: () => 'Cảnh báo — các dòng này đã được nhập, nhưng có giá trị bị bỏ ra hoặc bị cắt ngắn:',
  importWarningsMore: (more) => `…và ${n(more)} cảnh báo nữa: tất cả cảnh báo có trong tệp đính kèm.`,
  importWarningsFileCaption: () => 'Tất cả cảnh báo: dòng, trường, giá trị và cách đã xử lý.',
  importSharedLine: (row, phone, holder, holderName, name, ref) =>
    `  dòng ${row}: ${phone} đã thuộc về ${holder} ${holderName}; ${name} được nhập thành ${ref} dùng chung số này — kiểm tra bằng \`dupes\``,
  dupesNone: () => 'Không có khách nào có khả năng bị trùng: không có hai khách nào trùng tên kèm thông tin liên hệ, trùng số điện thoại, hay trùng tên mà một người không có thông tin liên hệ.',
  dupesTitle: (total) =>
    `Khách có thể bị trùng (${n(total)}). Kiểm tra từng cặp: "Gộp" sẽ hỏi lại trước khi chuyển hồ sơ thứ hai vào hồ sơ thứ nhất (hoàn tác bằng unmerge); "Không phải một người" sẽ không gợi ý cặp này nữa.`,
  dupesLine: (keep, keepName, merge, mergeName, shared, command) => `${keep} ${keepName} ⇄ ${merge} ${mergeName} · ${shared}\n   → ${command}`,
  dupesSameEmail: (email) => `cùng e-mail ${email}`,
  dupesSamePhone: (digits) => `cùng số điện thoại ${digits}`,
  dupesWhySameName: (detail) => `trùng tên và ${detail}`,
  dupesWhyOneLetter: (detail) => `tên chỉ khác một chữ cái và ${detail}`,
  dupesWhySamePhone: (detail) => `${detail} nhưng khác tên`,
  dupesWhyChatOnly: (ref) => `trùng tên; ${ref} không có số điện thoại hay e-mail (chỉ nhắn tin qua chat)`,
  dupesMergeButton: (merge, keep) => `Gộp ${merge} vào ${keep}…`,
  dupesDistinctButton: (merge, keep) => `${merge} ≠ ${keep}: không phải một người`,
  dupesConfirm: (keep, keepName, merge, mergeName) =>
    `Gộp ${merge} ${mergeName} vào ${keep} ${keepName}? Đơn hàng, tin nhắn, thông tin liên hệ và tổng doanh thu của ${merge} sẽ chuyển sang ${keep}, và hồ sơ ${merge} được đóng. Hoàn tác bằng: unmerge ${merge}`,
  dupesConfirmButton: (merge, keep) => `Đồng ý, gộp ${merge} vào ${keep}`,
  dupesCancelButton: () => 'Hủy',
  dupesDistinctDone: (a, b) => `Đã ghi nhận: ${a} và ${b} là hai người khác nhau. Hai hồ sơ này sẽ không được gợi ý là trùng nữa.`,
  incompleteNone: () => 'Hồ sơ của mọi khách hàng đang hoạt động đều đầy đủ.',
  incompleteTitle: (total) => `Khách hàng cần bổ sung hồ sơ (${n(total)}), thiếu nhiều nhất trước:`,
  incompleteLine: (ref, name, score, missing) => `${ref} ${name} · ${score}% · thiếu: ${missing}`,
  completenessField: {
    name: () => 'tên',
    phone: () => 'số điện thoại',
    email: () => 'e-mail',
    tags: () => 'nhãn',
    owner: () => 'người phụ trách',
    consent: () => 'câu trả lời về nhận ưu đãi',
  },
  exportDone: (customers, orders) => `Đã xuất xong: ${n(customers)} khách hàng và ${n(orders)} đơn hàng, thành hai tệp CSV.`,
  exportCustomersCaption: (count) => `Khách hàng (${n(count)})`,
  exportOrdersCaption: (count) => `Đơn hàng (${n(count)})`,
  myDataCaption: () => 'Toàn bộ dữ liệu chúng em lưu về anh/chị: thông tin, đơn hàng và tin nhắn.',
  myDataNone: () => 'Chúng em không lưu dữ liệu nào về anh/chị.',
  forgetConfirmPrompt: () =>
    'Thao tác này sẽ xóa tên, số điện thoại, e-mail và cuộc trò chuyện của anh/chị, đồng thời gỡ khung chat này khỏi hồ sơ. Các đơn hàng cũ vẫn nằm trong sổ sách nhưng không còn tên. Không thể hoàn tác.',
  forgetConfirmButton: () => 'Đồng ý, xóa dữ liệu của tôi',
  forgetDone: () => 'Dạ xong: dữ liệu cá nhân của anh/chị đã được xóa. Nếu anh/chị nhắn lại, chúng em sẽ không biết anh/chị là ai.',
  forgetNothing: () => 'Chúng em không lưu dữ liệu cá nhân nào về anh/chị.',

  // Segments and staff stats
  segmentNames: SEGMENTS,
  segmentsNotComputed: () => 'Chưa tính nhóm khách. Các nhóm được tính lại mỗi đêm; quản lý có thể chạy "segments refresh" ngay bây giờ.',
  segmentsNewSince: (from, to, count) =>
    `Khách thêm sau lần tính này (${count === 1 ? from : `${from}–${to}`}) được tính từ đơn đầu tiên, hoặc sau \`segments refresh\`; trước đó họ là khách tiềm năng.`,
  segmentsTitle: (when, customers) => `Nhóm khách · tính lúc ${v(when)} · ${n(customers)} khách hàng:`,
  segmentSizeLine: (name, customers, percent) => `${name}: ${n(customers)} (${percent}%)`,
  segmentsMovesTitle: (days) => `Chuyển nhóm trong ${days} ngày qua:`,
  segmentsMovesNone: (days) => `Không có khách nào chuyển nhóm trong ${days} ngày qua.`,
  segmentMoveLine: (from, to, customers) => `${from} → ${to}: ${n(customers)}`,
  segmentsMovesMore: (kinds) => `…và ${kinds} kiểu chuyển nhóm khác.`,
  segmentsButton: () => 'Xem nhóm khách',
  segmentUnknown: (typed, names) => `"${typed}" không phải tên nhóm. Các nhóm: ${names}`,
  segmentEmpty: (name) => `Hiện chưa có khách nào trong nhóm ${name}.`,
  segmentTitle: (name, total, sort) => `${name} · ${n(total)} khách hàng, xếp theo ${sort}:`,
  segmentMemberLine: (ref, name, scores, orders, value, lastOrder) =>
    `${ref} ${name} · ${scores} · ${n(orders)} đơn, tổng ${v(value)} · đơn gần nhất ${v(lastOrder)}`,
  segmentLeadLine: (ref, name, contact) => `${ref} ${name} · ${contact} · chưa có đơn`,
  segmentSortValue: () => 'giá trị',
  segmentSortRecency: () => 'đơn gần nhất',
  segmentSortButton: (sort) => `Xếp theo ${sort}`,
  segmentsRefreshed: (customers, moved, updated, added, seconds) =>
    `Đã tính lại nhóm cho ${n(customers)} khách hàng trong ${n(seconds)} giây: ${n(moved)} đổi nhóm, ${n(updated)} chỉ đổi điểm, ${n(added)} mới.`,
  segmentsBusy: () => 'Các nhóm khách đang được tính lại; vui lòng thử lại sau vài phút.',
  lapsedNone: (days) => `Không có khách nào quá ${days} ngày chưa mua.`,
  lapsedTitle: (days, total) => `${n(total)} khách hàng không có đơn từ ${days} ngày trở lên, gần nhất trước:`,
  lapsedLine: (ref, name, days, lastOrder, orders) => `${ref} ${name} · ${n(days)} ngày từ đơn cuối (${v(lastOrder)}) · tổng ${n(orders)} đơn`,
  statsWeek: () => 'tuần này',
  statsMonth: () => 'tháng này',
  statsWeekButton: () => 'Tuần này',
  statsMonthButton: () => 'Tháng này',
  statsTitle: (period, from, to, zone) => `Thống kê nhân viên ${period} (${v(from)} – ${v(to)}, ${zone}):`,
  statsNone: () => 'Không có hoạt động nào của nhân viên trong giai đoạn này.',
  statsPerson: (name, r) => `${name} (${role(r)})`,
  statsSales: (leads, orders, revenue) => `  ${n(leads)} khách tiềm năng mới · ${n(orders)} đơn từ khách của họ · ${v(revenue)}`,
  statsFollowUps: (done, overdue) => `  Chăm sóc khách: ${n(done)} đã xong, ${n(overdue)} quá hạn`,
  statsResponse: (median, messages) => `  Phản hồi đầu tiên: trung vị ${median} trên ${n(messages)} tin nhắn`,
  statsNoResponses: () => '  Phản hồi đầu tiên: chưa trả lời tin nhắn nào của khách',
  minutes: (total) => {
    const m = Math.round(total);
    if (m < 60) return `${m} phút`;
    if (m < 1440) return `${Math.floor(m / 60)} giờ ${m % 60} phút`;
    return `${Math.floor(m / 1440)} ngày ${Math.floor((m % 1440) / 60)} giờ`;
  },

  // Jobs: follow-ups, promotions, digests.
  followUp: {
    created: (id, ref, name, when, zone) => `Đã hẹn chăm sóc ${id} cho ${ref} ${name}: ${v(when)} (${zone}).`,
    listTitle: (count) => `Lịch chăm sóc của bạn (${n(count)}), sớm nhất trước:`,
    listNone: () => 'Bạn không có lịch chăm sóc nào đang mở. Thêm bằng: followup C12 mai 9h gọi lại',
    line: (id, when, ref, name, text, overdue) => `${overdue ? '⏰ quá hạn · ' : ''}${id} · ${v(when)} · ${ref} ${name}${text ? ` · ${text}` : ''}`,
    reminder: (ref, name, text, due) => `⏰ Chăm sóc ${ref} ${name}${text ? `: ${text}` : ''} (hạn ${v(due)})`,
    done: (id) => `Đã xong: ${id}. Tốt lắm!`,
    alreadyDone: (id) => `${id} đã xong từ trước.`,
    snoozed: (id, when) => `Đã hoãn ${id} đến ${v(when)}; bot sẽ nhắc bạn lúc đó.`,
    doneButton: () => 'Xong',
    snoozeHourButton: () => 'Hoãn 1 giờ',
    snoozeDayButton: () => 'Hoãn 1 ngày',
    needText: () => 'ghi việc cần làm sau thời gian, ví dụ "followup C12 mai 9h gọi hỏi về chiếc đầm xanh"',
    autoLead: (days) => `Khách tiềm năng mới chưa được liên hệ sau ${days} ngày — hãy liên hệ.`,
    lapsed: () => 'Khách lâu chưa mua (báo cáo tuần) — hãy hỏi thăm.',
    lapsedCreated: (created, existing) =>
      `Đã tạo ${n(created)} lịch chăm sóc${existing ? `; ${n(existing)} lịch đã có sẵn` : ''}. Người phụ trách sẽ được nhắc.`,
    complaintAlert: (ref, name, hours, body) =>
      `⚠️ Sau ${hours} giờ vẫn chưa được trả lời — khiếu nại từ ${ref} ${name}: ${body}\nHãy trả lời khách (reply ${ref} …) khi đã xử lý.`,
  },
  digest: {
    subscribed: (day, time, zone, next) => `Đã bật báo cáo tuần: ${v(day)} ${time} (${zone}). Lần tới: ${v(next)}.`,
    unsubscribed: () => 'Đã tắt báo cáo tuần.',
    notSubscribed: () => 'Bạn chưa đăng ký báo cáo tuần.',
    title: (from, to) => `📊 Báo cáo tuần · ${v(from)} – ${v(to)}`,
    weeksHeader: (from, to, soFarFrom, now) => `Tuần trước ${v(from)} – ${v(to)} | Tuần này đến nay ${v(soFarFrom)} – ${v(now)}`,
    leadsRow: (pair) => `Khách tiềm năng mới: ${pair}`,
    ordersRow: (pair) => `Đơn hàng: ${pair}`,
    revenueRow: (lastWeek, change, soFar) => `Doanh thu: ${v(lastWeek)}${change ? ` (${change})` : ''} | ${v(soFar)}`,
    revenueChange: (change) => `${change} so với tuần trước đó`,
    ordersUnknown: (since) => `(Đơn hàng tuần trước: dữ liệu bắt đầu từ ${v(since)}.)`,
    peopleTitle: () => 'Theo nhân viên bán hàng (tuần trước | tuần này đến nay):',
    personLine: (who, leads, orders, revenue) => `  ${who}: khách mới ${leads} · đơn hàng ${orders} · doanh thu ${revenue}`,
    personAnswers: (answered, minutes) => `      đã trả lời ${answered} cuộc trò chuyện · phản hồi đầu tiên sau ${minutes}`,
    minutes: (minutes) => `${minutes} phút`,
    countedSince: (since) => `  (đơn hàng theo nhân viên được tính từ ${v(since)})`,
    atRiskTitle: (count) => `Chuyển sang nhóm có nguy cơ rời bỏ trong tuần: ${n(count)} — hãy gọi trước khi mất khách:`,
    cameBackTitle: (count) => `Quay lại mua trong tuần: ${n(count)}`,
    moveLine: (ref, name, from, to) => `  ${ref} ${name} (${from} → ${to})`,
    moreMoves: (count) => `  … và ${count} khách khác`,
    unassigned: () => 'chưa có người phụ trách',
    topTitle: () => 'Khách có đơn tuần trước, mua nhiều nhất (doanh thu từ trước đến nay):',
    topLine: (ref, name, revenue, orders) => `  ${ref} ${name} · ${v(revenue)} · ${n(orders)} đơn`,
    lapsedTitle: (newly, total, days) => `Lâu chưa mua (không có đơn ${days} ngày): tổng ${n(total)}, ${n(newly)} mới trong tuần trước — nên gọi, khách giá trị nhất trước:`,
    lapsedLine: (ref, name, revenue, owner) => `  ${ref} ${name} · ${v(revenue)} · ${owner}`,
    lapsedButton: (count) => `Tạo lịch chăm sóc cho ${n(count)} khách này`,
    overdueTitle: (count) => `Lịch chăm sóc quá hạn: ${n(count)}`,
    overdueLine: (who, count) => `  ${who}: ${n(count)}`,
    segmentsTitle: () => 'Nhóm khách (số khách, thay đổi trong tuần):',
    segmentLine: (name, size, change) => `  ${name}: ${n(size)}${change ? ` (${change})` : ''}`,
    segmentMoves: (flows) => `  Chuyển nhóm: ${flows}`,
    campaignsTitle: () => 'Khuyến mãi (gửi trong hai tuần qua):',
    campaignLine: (ref, aud, sent, responded, optedOut, converted) =>
      `  ${ref} (${audience(aud)}): đã gửi ${n(sent)}, phản hồi ${n(responded)}, hủy nhận ${n(optedOut)}${converted ? `, ${converted}` : ''}`,
    campaignConverted: (converted, revenue, uplift) => `chuyển đổi ${n(converted)} (${v(revenue)})${uplift ? `, mức tăng ${v(uplift)}` : ''}`,
    nothing: () => '  —',
    chartCaption: (from, to) => `Doanh thu theo ngày và theo nhân viên, tuần trước so với tuần này đến nay, và quy mô nhóm khách · ${v(from)} – ${v(to)}`,
    chartRevenue: (currency) => `Doanh thu theo ngày (${currency})`,
    chartPeople: (currency) => `Doanh thu theo nhân viên (${currency})`,
    chartSegments: () => 'Nhóm khách (số khách)',
    chartLastWeek: () => 'Tuần trước',
    chartWeekdays: () => 'T2 T3 T4 T5 T6 T7 CN',
    chartThisWeek: () => 'Tuần này đến nay',
    stageNames: { Leads: 'Khách tiềm năng', New: 'Khách mới', Active: 'Đang mua', Lapsed: 'Lâu chưa mua' },
    segmentGroups: { Best: 'Tốt nhất', Growing: 'Đang tăng', Slipping: 'Đang giảm', Lapsed: 'Rời bỏ', 'No orders yet': 'Chưa có đơn' },
  },
  promo: {
    unsubscribeButton: () => 'Hủy nhận tin',
    scheduled: (id, aud, when, zone, details) =>
      `Đã lên lịch khuyến mãi ${id} lúc ${v(when)} (${zone}) cho ${audience(aud)}${details ? ` · ${details}` : ''}.\nXem người nhận và nội dung bằng "promo preview ${id}"; dừng bằng "promo cancel ${id}".`,
    startingNow: (id, aud, details) =>
      `Khuyến mãi ${id} cho ${audience(aud)}${details ? ` · ${details}` : ''} sẽ bắt đầu gửi trong vòng một phút (không gửi trong giờ nghỉ 21:00–08:00 theo múi giờ của từng khách).\nKết quả: "promo stats ${id}"; dừng bằng "promo cancel ${id}".`,
    variantsAB: () => 'hai phiên bản A/B',
    holdout: (percent) => `nhóm đối chứng ${percent}%`,
    previewTitle: (id, s, aud, when) => `${id} · ${status(s)} · ${audience(aud)} · ${v(when)}`,
    previewAudience: (matched, aud) => `Hiện có: ${n(matched)} khách hàng thuộc ${audience(aud)}.`,
    previewRecipients: (recipients, a, b, holdout) =>
      `Sẽ nhận: ${n(recipients)}${b ? ` (A ${n(a)} · B ${n(b)})` : ''}${holdout ? ` · nhóm đối chứng (không nhận gì): ${n(holdout)}` : ''}.`,
    previewFrozen: (recipients, holdout) => `Đã chốt danh sách: ${n(recipients)} người nhận${holdout ? `, ${n(holdout)} trong nhóm đối chứng` : ''}.`,
    previewSample: (variant) => `Phiên bản ${variant}, khách sẽ thấy như sau:`,
    listTitle: () => 'Các chương trình khuyến mãi, mới nhất trước:',
    listNone: () => 'Chưa có khuyến mãi nào. Tạo mới bằng: promo new all at tomorrow 10:00: Khuyến mãi mùa xuân — giảm 20%',
    listLine: (id, s, when, aud, sent, recipients) => `${id} · ${status(s)} · ${v(when)} · ${audience(aud)} · đã gửi ${n(sent)}/${n(recipients)}`,
    cancelled: (id, sent) => `Đã hủy ${id}. ${sent ? `${n(sent)} tin đã được gửi trước đó; sẽ không gửi thêm.` : 'Sẽ không gửi tin nào.'}`,
    notStarted: (id, when) => `${id} chưa bắt đầu gửi (lên lịch lúc ${v(when)}).`,
    statsTitle: (id, s, aud, started) => `${id} · ${status(s)} · ${audience(aud)} · bắt đầu gửi ${v(started)}`,
    statsDelivery: (recipients, sent, failed, pending, skipped) =>
      `Người nhận ${n(recipients)}: đã gửi ${n(sent)} · lỗi ${n(failed)}${pending ? ` · còn chờ gửi ${n(pending)}` : ''}${skipped ? ` · hủy nhận trước khi gửi ${n(skipped)}` : ''}`,
    statsFailures: (reasons) => `Lỗi: ${reasons}`,
    statsEngagement: (responded, respondedRate, optedOut) => `Phản hồi ${n(responded)} (${v(respondedRate)}) · hủy nhận ${n(optedOut)}`,
    statsConversions: (days) => `Chuyển đổi (đơn trong vòng ${days} ngày):`,
    statsGroup: (label, converted, size, rate, revenue) => `  ${label}: ${n(converted)}/${n(size)} (${v(rate)}) · doanh thu ${v(revenue)}`,
    statsRecipients: () => 'người nhận',
    statsVariant: (variant) => `phiên bản ${variant}`,
    statsHoldout: () => 'nhóm đối chứng',
    statsUplift: (points) => `Mức tăng so với nhóm đối chứng: ${v(points)} điểm phần trăm`,
    statsNoHoldout: () => 'Không có nhóm đối chứng nên không tính được mức tăng (lần sau thêm "holdout 10%").',
  },

  // Adapters: Telegram, Slack.
  buttonExpired: () => 'Nút này đã hết hạn. Vui lòng gửi lại lệnh.',
  contactNotOwn: () => 'Để liên kết đơn hàng, anh/chị vui lòng chia sẻ số điện thoại của chính mình bằng nút "Chia sẻ số điện thoại".',

  // Adapters: real traffic (media, edits, groups, waiting messages, Slack's other requests).
  traffic: {
    photo: () => 'ảnh',
    voice: () => 'tin nhắn thoại',
    audio: () => 'âm thanh',
    video: () => 'video',
    sticker: () => 'sticker',
    file: () => 'tệp',
    location: () => 'vị trí',
    // A link, not a sentence: the coordinates stay as the map service reads them.
    mapLink: (lat, lng) => `https://maps.google.com/?q=${lat},${lng}`,
    edited: (text) => `✏️ đã sửa: ${text}`,
    editedWas: (text, previous) => `✏️ đã sửa: ${text} (trước đó: ${previous})`,
    notCarried: (what, reason) => `📎 Không chuyển được ${what} của khách (${reason}).`,
    groupOpenPrivate: (link) =>
      `Bot chỉ trả lời lệnh của nhân viên trong khung chat riêng, để dữ liệu khách hàng không lộ ra nhóm. Hãy mở ${link}, bấm Start (Bắt đầu), rồi gửi lại lệnh.`,
    groupWriteMe: (link) => `Để trao đổi với chúng em, anh/chị vui lòng nhắn riêng tại đây nhé: ${link}`,
    waitingTitle: (count) => `Trong lúc chưa có ai trong đội mở bot, khách đã gửi ${n(count)} tin nhắn:`,
    waitingLine: (ref, name, platform, text) => `💬 ${ref} ${name} (${platform}): ${text}`,
    waitingMore: (count) => `…và ${n(count)} tin nữa (xem hồ sơ từng khách).`,
    slackOtherCommand: (command, ours) => `Bot không chạy được ${command}. Thử "${ours} help".`,
    slackFormGone: () => 'Biểu mẫu này không còn dùng nữa. Gửi "/crm help" để xem các việc bạn có thể làm.',
  },

  // The two-way inbox: conversations, replies, assignments, saved replies, order updates to customers.
  inbox: {
    assignToMeButton: () => 'Giao cho tôi',
    resolveButton: () => 'Đã xử lý',
    replyButton: () => 'Trả lời…',
    replyHint: (ref) => `Viết câu trả lời theo mẫu: reply ${ref} <nội dung>\nHoặc gửi câu trả lời mẫu: reply ${ref} !tên (xem "snippet list").`,
    assignedToYou: (ref, name, by, body) => `📥 ${by} đã giao ${ref} ${name} cho bạn${body ? `: ${body}` : '.'}`,
    // Replies
    sent: (ref, name, platform) => `Đã gửi cho ${ref} ${name} (${platform}).`,
    sentFirstResponse: (ref, name, platform, after) => `Đã gửi cho ${ref} ${name} (${platform}) — phản hồi đầu tiên, sau ${after}.`,
    failed: (ref, name, reason) => `Chưa gửi được cho ${ref} ${name}: ${reason}. Câu trả lời vẫn được lưu trong hồ sơ khách; hãy thử lại sau.`,
    unreachable: (ref, name, reason) =>
      `Chưa gửi được cho ${ref} ${name}: ${reason}. Không còn liên lạc được với khách qua khung chat này (có thể khách đã chặn bot); hãy gọi điện hoặc gửi e-mail.`,
    alreadySent: (ref) => `Câu trả lời đó cho ${ref} đã được xử lý rồi; không gửi lại.`,
    signed: (body, staffName) => `${body}\n— ${staffName}`,
    // inbox
    title: (total, mine) => `${mine ? 'Cuộc trò chuyện đang mở của bạn' : 'Cuộc trò chuyện đang mở'} (${n(total)}), chờ lâu nhất trước:`,
    // English's `none` returns its two literal texts as its type; ours are other words for them.
    none: ((mine: boolean): string => (mine ? 'Không có khách nào đang chờ bạn. 🎉' : 'Không có khách nào đang chờ trả lời. 🎉')) as Messages['inbox']['none'],
    line: (ref, name, waiting, who, preview, complaint) =>
      `${complaint ? '⚠️ ' : ''}${ref} ${name} · chờ ${waiting} · ${who}${preview ? ` · “${preview}”` : ''}`,
    onDuty: () => 'nhân viên trực',
    mineButton: () => 'Chỉ của tôi',
    allButton: () => 'Của mọi người',
    // assign and resolve
    assigned: (ref, name, staff) => `Đã giao ${ref} ${name} cho ${staff}.`,
    assignedAndOwner: (ref, name, staff) => `Đã giao ${ref} ${name} cho ${staff}, đồng thời là người phụ trách khách.`,
    resolved: (ref, name) => `Đã đóng cuộc trò chuyện với ${ref} ${name}.`,
    notOpen: (ref, name) => `${ref} ${name} không có cuộc trò chuyện nào cần đóng.`,
    // Saved replies
    snippetSaved: (name) => `Đã lưu câu trả lời mẫu !${name}. Gửi bằng: reply C12 !${name}`,
    snippetReplaced: (name) => `Đã thay câu trả lời mẫu !${name}.`,
    snippetRemoved: (name) => `Đã xóa câu trả lời mẫu !${name}.`,
    snippetMissing: (name) => `Không có câu trả lời mẫu !${name}.`,
    snippetsTitle: (count) => `Câu trả lời mẫu (${n(count)}); {name} và {lastOrder} được điền theo từng khách:`,
    snippetLine: (name, body) => `!${name} · ${body}`,
    snippetsNone: () => 'Chưa có câu trả lời mẫu nào. Thêm bằng: snippet add camon Cảm ơn {name}!',
    // To the customer: their order's progress
    orderCreated: (ref, items, amount) =>
      `Cảm ơn anh/chị đã đặt đơn ${ref}${items ? `: ${items}` : ''} — ${v(amount)}. Khi đơn được gửi đi, chúng em sẽ báo anh/chị tại đây ạ.`,
    orderPaid: (ref, amount) => `Chúng em đã nhận được ${v(amount)} anh/chị thanh toán cho đơn ${ref}. Cảm ơn anh/chị!`,
    orderShipped: (ref, tracking) => `Đơn ${ref} của anh/chị đang được giao.${tracking ? ` Mã vận đơn: ${tracking}` : ''}`,
    orderDelivered: (ref) => `Đơn ${ref} của anh/chị đã được giao. Chúc anh/chị hài lòng; nếu có gì chưa ổn, anh/chị cứ nhắn chúng em tại đây nhé.`,
    orderCancelled: (ref) => `Đơn ${ref} của anh/chị đã được hủy. Anh/chị có thắc mắc gì cứ nhắn chúng em tại đây nhé.`,
  },

  // Giờ mở cửa: tin nhắn báo vắng cho khách, cảnh báo hội thoại chờ lâu.
  hours: {
    away: (when) => `Cảm ơn anh/chị đã nhắn tin. Hiện cửa hàng đã đóng cửa; chúng em sẽ mở cửa ${when} và trả lời anh/chị khi đó ạ.`,
    opensToday: (time) => `lúc ${time} hôm nay`,
    opensTomorrow: (time) => `lúc ${time} ngày mai`,
    opensOn: (weekday, time) => `lúc ${time} ${v(weekday)}`,
    waitingAlert: (ref, name, waited, preview) =>
      `⏳ ${ref} ${name} đã chờ trả lời ${waited} trong giờ mở cửa${preview ? `: “${preview}”` : '.'}\nTrả lời bằng: reply ${ref} <nội dung>`,
    waitingEscalation: (ref, name, waited, who, preview) =>
      `⏳ Vẫn chưa ai trả lời: ${ref} ${name} đã chờ ${waited} trong giờ mở cửa (${who})${preview ? `: “${preview}”` : '.'}\nTrả lời bằng: reply ${ref} <nội dung>, hoặc giao cho người khác: assign ${ref} <tên>`,
  },

  // Mức hài lòng: khách chấm điểm hội thoại đã xử lý, và phần thống kê.
  rating: {
    ask: () => 'Cuộc trò chuyện của anh/chị với chúng em đã hoàn tất. Anh/chị thấy chúng em hỗ trợ thế nào ạ? Mời anh/chị chấm điểm từ 1 (kém) đến 5 (rất tốt).',
    button: (value) => `${n(value)} ⭐`,
    thanks: (value) => `Cảm ơn anh/chị đã chấm ${n(value)}/5! Ý kiến của anh/chị giúp chúng em phục vụ tốt hơn.`,
    already: () => 'Anh/chị đã chấm điểm cuộc trò chuyện này rồi — cảm ơn anh/chị nhiều ạ!',
    unknown: () => 'Nút chấm điểm này không còn dùng được nữa. Dù sao cũng cảm ơn anh/chị ạ!',
    invalid: () => 'Anh/chị vui lòng chọn điểm từ 1 đến 5 bằng các nút bên dưới ạ.',
    statsLine: (resolved, average, count) => `  Hội thoại: ${n(resolved)} đã xử lý · điểm ${v(average)}/5 từ ${n(count)} khách`,
    statsNoRatings: (resolved) => `  Hội thoại: ${n(resolved)} đã xử lý · chưa có đánh giá`,
  },

  // Command summaries (help)
  summary: {
    help: 'xem các lệnh, hoặc hướng dẫn cho một lệnh',
    lead: 'ghi khách tiềm năng: tên, số điện thoại, e-mail, #nhãn và ghi chú, thứ tự tùy ý',
    find: 'tìm khách theo tên, số điện thoại, e-mail, #nhãn hoặc mã số; gõ tiếng Việt: tìm',
    customer: 'xem hồ sơ một khách hàng; gõ tiếng Việt: khách',
    note: 'thêm ghi chú cho khách hàng; gõ tiếng Việt: ghi chú',
    tag: 'gắn nhãn cho khách hàng',
    untag: 'bỏ nhãn khỏi khách hàng',
    order: 'ghi đơn hàng cho khách; gõ tiếng Việt: đơn',
    orderStatus: 'chuyển trạng thái đơn hàng',
    orders: 'xem đơn hàng (của một khách, hoặc của chính mình)',
    merge: 'gộp khách thứ hai vào khách thứ nhất (hoàn tác được)',
    unmerge: 'hoàn tác lần gộp gần nhất của một khách',
    invite: 'tạo mã dùng một lần cho nhân viên mới',
    join: 'vào đội bằng mã mời',
    link: 'liên kết tài khoản Telegram và Slack bằng mã dùng một lần',
    lang: 'chọn ngôn ngữ: vi (tiếng Việt) hoặc en (English)',
    start: 'bắt đầu: lời chào và lựa chọn nhận ưu đãi',
    stop: 'ngừng nhận khuyến mãi',
    consent: 'trả lời câu hỏi về nhận ưu đãi',
    complaint: 'báo cho cửa hàng khi có sự cố (xử lý ưu tiên); gõ tiếng Việt: khiếu nại',
    totals: 'tính lại tổng đơn và doanh thu của khách từ các đơn hàng',
    whoami: 'xem bot đang nhận ra bạn là ai',
    segments: 'nhóm khách (RFM) và thay đổi trong tuần',
    segment: 'xem khách trong một nhóm, theo giá trị hoặc đơn gần nhất',
    segmentsRefresh: 'tính lại nhóm khách ngay',
    lapsed: 'khách lâu chưa mua (mặc định theo cài đặt)',
    stats: 'hiệu quả làm việc của nhân viên trong tuần hoặc tháng',
    rate: 'chấm điểm một cuộc trò chuyện đã xử lý, từ 1 đến 5',
    import: 'nhập khách hàng từ tệp CSV (gửi kèm tệp)',
    dupes: 'khách có thể bị trùng, kèm lý do, nút Gộp (hỏi lại trước) và nút Không phải một người',
    incomplete: 'liệt kê khách có hồ sơ cần bổ sung',
    export: 'xuất toàn bộ khách hàng và đơn hàng ra tệp CSV',
    mydata: 'nhận bản sao toàn bộ dữ liệu cửa hàng lưu về anh/chị',
    forget: 'xóa dữ liệu cá nhân của anh/chị (có hỏi xác nhận)',
    promoNew: 'lên lịch khuyến mãi cho tất cả, một #nhãn hoặc một nhóm khách (phiên bản A/B, nhóm đối chứng)',
    promoPreview: 'xem số người nhận và nội dung của một khuyến mãi',
    promoList: 'liệt kê các khuyến mãi',
    promoCancel: 'hủy khuyến mãi chưa gửi xong',
    promoStats: 'kết quả khuyến mãi: đã gửi, phản hồi, hủy nhận, chuyển đổi, mức tăng',
    promoResendUncertain: 'gửi lại các tin mà sự cố làm chưa chắc đã gửi (ai đã nhận rồi sẽ nhận hai lần)',
    followup: 'hẹn giờ nhắc chăm sóc một khách; gõ tiếng Việt: hẹn',
    followups: 'xem lịch chăm sóc đang mở, quá hạn trước',
    followupDone: 'đánh dấu đã chăm sóc xong',
    followupSnooze: 'hoãn lịch chăm sóc (1h, 1d, …)',
    followupsFor: 'tạo lịch chăm sóc cho người phụ trách các khách (nút trong báo cáo tuần)',
    digest: 'báo cáo tuần: on [thứ] [HH:MM], off, hoặc now',
    reply: 'trả lời khách ngay trong khung chat của họ (nội dung, hoặc câu trả lời mẫu: !tên); gõ tắt: tl',
    inbox: 'các cuộc trò chuyện đang mở, chờ lâu nhất trước',
    assign: 'giao cuộc trò chuyện của khách cho đồng nghiệp (hoặc me: cho bạn)',
    resolve: 'đóng cuộc trò chuyện với khách',
    snippetAdd: 'lưu câu trả lời mẫu để dùng lại, với {name} và {lastOrder}',
    snippetList: 'xem các câu trả lời mẫu',
    snippetRemove: 'xóa một câu trả lời mẫu',
    chatLink: 'tạo link Telegram dùng một lần để kết nối với khách chưa từng nhắn cho bot',
    staffList: 'xem danh sách nhân viên',
    staffRemove: 'xóa một nhân viên và bàn giao khách hàng của họ cho đồng nghiệp',
  },
  whoamiStaff: (name, r) => `Bạn là ${name}, ${role(r)}.`,
  whoamiCustomer: (ref, name) => `Anh/chị là khách hàng ${ref} ${name}.`,
  whoamiUnknown: () => 'Anh/chị chưa được đăng ký. Nhân viên tham gia bằng "join MÃ"; khách hàng chỉ cần nhắn tin cho chúng em.',

  // Promotions' reach, uncertain sends and buttons; argument errors and usage lines of the promo,
  // order, follow-up and segment commands (block of the jobs-and-promotions helper).
  promoReach: {
    noMatch: (aud) => `Không có khách hàng nào thuộc ${audience(aud)} — sẽ không có tin nào được gửi, nên chưa lên lịch.`,
    noneReachable: (matched, aud, reasons) =>
      `Không ai trong ${n(matched)} khách hàng thuộc ${audience(aud)} nhận được tin này — ${reasons}. Chưa lên lịch.`,
    few: (reach, matched, aud, reasons) =>
      `Lưu ý: chỉ ${n(reach)} trên ${n(matched)} khách hàng thuộc ${audience(aud)} nhận được tin này — không gửi: ${reasons}.`,
    leftOut: (reasons) => `Không gửi: ${reasons}.`,
    noConsent: (count) => `${n(count)} chưa đồng ý nhận ưu đãi`,
    optedOut: (count) => `${n(count)} đã hủy nhận tin`,
    noChat: (count) => `${n(count)} chưa từng nhắn cho bot (chưa có kênh chat)`,
    unreachable: (count) => `${n(count)} đã chặn bot hoặc mất kênh chat`,
    capped: (count, days) => `${n(count)} đã nhận khuyến mãi trong ${days} ngày qua`,
    hint: () => 'Khách đồng ý nhận ưu đãi bằng cách nhắn "start" cho bot; chỉ những người đã từng nhắn cho bot mới nhận được tin.',
    previewNobody: () => 'Với danh sách hiện tại, không ai nhận được tin này.',
    previewFew: (reach, matched) => `Chỉ ${n(reach)} trên ${n(matched)} khách nhận được tin này.`,
  },
  promoUncertain: {
    statsUncertain: (count, customers, id) =>
      `Chưa chắc chắn ${n(count)}: việc gửi dừng giữa chừng nên có thể khách đã nhận hoặc chưa (${customers}). ` +
      `Gửi lại bằng "promo resend-uncertain ${id}" — ai đã nhận rồi sẽ nhận hai lần.`,
    resendButton: () => 'Gửi lại tin chưa chắc chắn',
    resendNone: (id, inFlight) =>
      `${id} không có tin nào chưa chắc chắn.${inFlight ? ` ${n(inFlight)} tin chưa có kết quả và có thể vẫn đang gửi; nếu vẫn vậy, hãy hỏi lại sau 15 phút.` : ''}`,
    resendDone: (id, resent, failed) => `Đã gửi lại ${n(resent)} tin chưa chắc chắn của ${id}${failed ? `; ${n(failed)} tin bị nền tảng từ chối` : ''}.`,
    resendNothing: (id) => `Không gửi lại tin nào của ${id}.`,
    resendLeftOut: (items) => `Không gửi lại: ${items}.`,
    resendOptedOut: (count) => `${n(count)} đã hủy nhận tin từ đó`,
    resendUnreachable: (count) => `${n(count)} không còn liên lạc được từ đó`,
    resendQuiet: (count, when) => `${n(count)} đang trong giờ nghỉ (hỏi lại sau ${v(when)})`,
    resendNotConnected: (count) => `${n(count)} ở nền tảng chưa được kết nối tại đây`,
    resendAlready: (count) => `${n(count)} đã được người khác gửi lại trong lúc đó`,
    resendInFlight: (count) => `${n(count)} có thể vẫn đang gửi`,
  },
  promoButtons: {
    preview: () => 'Xem trước',
    stats: () => 'Kết quả',
    cancel: () => 'Hủy',
  },
  commandArgs: {
    whichCustomer: () => 'cho biết khách hàng nào',
    whichOrder: () => 'cho biết đơn hàng nào, ví dụ O7',
    whichPromotion: () => 'cho biết chương trình khuyến mãi nào, ví dụ P7',
    whichFollowUp: () => 'cho biết lịch chăm sóc nào, ví dụ F7K2QM',
    whichSegment: () => 'cho biết nhóm khách nào, ví dụ "segment At risk"',
    amountMissing: () => 'ghi số tiền, ví dụ 350k hoặc 1tr2',
    orderStatusOneOf: (statuses) => `trạng thái phải là một trong ${statuses} (hoặc: mới, đã thanh toán, đang giao, đã giao, hủy)`,
    textTooLong: (max) => `viết ngắn hơn ${n(max)} ký tự`,
    snoozeHowLong: () => 'cho biết hoãn bao lâu, ví dụ 1h, 1d hoặc 2 tiếng',
    customerList: () => 'liệt kê khách hàng, ví dụ C12 C15',
    customersAtMost: (max) => `tối đa ${n(max)} khách hàng mỗi lần`,
    daysNumber: () => 'số ngày phải là một số, ví dụ lapsed 60',
    daysWhole: () => 'số ngày phải là số nguyên',
    daysAtLeast: (min) => `ít nhất ${n(min)} ngày`,
    daysAtMost: (max) => `nhiều nhất ${n(max)} ngày`,
  },
  // Cách dùng của từng lệnh, theo tên lệnh: từ khóa lệnh giữ nguyên (bot đọc chúng), phần trong <…> viết bằng tiếng Việt.
  usages: {
    'promo new': 'promo new <all | #nhãn | nhóm khách> [holdout N%] at <now | thời điểm>: <nội dung> [| <nội dung phiên bản B>]',
    'promo preview': 'promo preview <P7>',
    'promo list': 'promo list',
    'promo cancel': 'promo cancel <P7>',
    'promo stats': 'promo stats <P7>',
    'promo resend-uncertain': 'promo resend-uncertain <P7>',
    order: 'order <khách hàng> <số tiền> [sản phẩm]',
    'order status': 'order status <O7> <new|paid|shipped|delivered|cancelled> (hoặc: mới, đã thanh toán, đang giao, đã giao, hủy)',
    orders: 'orders <khách hàng>   (khách hàng: chỉ cần "orders")',
    followup: 'followup <khách hàng> <thời điểm> <việc cần làm>',
    followups: 'followups',
    'followup done': 'followup done <mã>',
    'followup snooze': 'followup snooze <mã> <30m|1h|3h|1d|2d|1w|2 tiếng>',
    'followups for': 'followups for <C1> [C2 …]',
    segments: 'segments',
    segment: 'segment <tên nhóm> [sort value|recency] [page N]',
    'segments refresh': 'segments refresh',
    lapsed: 'lapsed [số ngày]',
  },

  // Trả lời kèm ảnh hoặc tệp, link trò chuyện dùng một lần cho khách, cho nhân viên rời nhóm (issue 11).
  replyFile: {
    unreadable: (ref, name, what, reason) => `Chưa gửi gì cho ${ref} ${name}: không tải được ${what} của bạn (${reason}). Hãy gửi lại.`,
    tooLarge: (ref, name, what, maxMb) =>
      `Chưa gửi gì cho ${ref} ${name}: ${what} của bạn lớn hơn ${n(maxMb)} MB, mức tối đa bot chuyển được. Hãy gửi tệp nhỏ hơn hoặc một đường link.`,
  },
  startLink: {
    button: () => 'Link trò chuyện',
    created: (ref, name, url, expires) =>
      `Link trò chuyện dùng một lần cho ${ref} ${name}, có hiệu lực đến ${v(expires)}:\n${url}\nGửi link này qua SMS hoặc ứng dụng nhắn tin bất kỳ. Khi khách mở link, Telegram của khách được kết nối với ${ref} và bạn có thể nhắn cho khách bằng "reply ${ref} …". Link chỉ dùng được một lần.`,
    noTelegram: (ref, name, code, expires) =>
      `Mã dùng một lần cho ${ref} ${name}, có hiệu lực đến ${v(expires)}: ${code}\nBot Telegram của cửa hàng chưa được kết nối ở đây nên không có link t.me. Thành viên trong workspace Slack của bạn có thể gửi cho ứng dụng: start ${code}`,
    slackToo: (code) => `Trên Slack (chỉ thành viên trong workspace của bạn) mã này cũng dùng được: gửi cho ứng dụng "start ${code}".`,
    welcome: (name) => `Xin chào ${name}! Anh/chị đã được kết nối với cửa hàng. Anh/chị cứ nhắn cho chúng em tại đây bất cứ lúc nào, chúng em sẽ trả lời ngay trong cuộc trò chuyện này.`,
    welcomeBack: (name) => `Chào mừng anh/chị quay lại, ${name}! Anh/chị đã được kết nối với cửa hàng rồi. Cứ nhắn cho chúng em tại đây bất cứ lúc nào nhé.`,
    expired: () => 'Link này đã hết hạn. Anh/chị vui lòng nhờ cửa hàng gửi link mới nhé.',
    used: () => 'Link này đã được sử dụng. Nếu không phải anh/chị đã mở, hoặc anh/chị cần link mới, vui lòng báo cửa hàng nhé.',
    unknown: () => 'Link này không hợp lệ (có thể bị sao chép thiếu). Anh/chị vui lòng kiểm tra lại hoặc nhờ cửa hàng gửi link mới.',
    linkedElsewhere: () => 'Tài khoản này đã được kết nối với một hồ sơ khách hàng khác của cửa hàng nên chúng em chưa thay đổi gì. Chúng em đã báo cửa hàng để xử lý.',
    staffAccount: () => 'Đây là tài khoản nhân viên: không thể dùng link trò chuyện của khách từ tài khoản này. Không có gì thay đổi.',
    toStaffLinked: (ref, name, platform) => `🔗 ${ref} ${name} đã mở link trò chuyện và đã được kết nối qua ${platform}. Nhắn cho khách bằng: reply ${ref} <nội dung>`,
    toStaffConflict: (ref, name, platform, other) =>
      `⚠️ Tài khoản ${platform} đã mở link trò chuyện của ${ref} ${name} đã thuộc về khách hàng ${other}; không có gì bị chuyển. Nếu là cùng một người: merge ${ref} ${other}`,
  },
  staffAdmin: {
    listTitle: (count) => `Nhân viên (${n(count)}):`,
    listLine: (name, r, platforms) => `${name} · ${role(r)} · ${platforms}`,
    removedLine: (name, r) => `${name} · ${role(r)} · đã rời nhóm`,
    listHint: () => 'Để cho một người rời nhóm và bàn giao khách hàng của họ: staff remove <tên> to <tên>',
    confirm: (name, r, to, customers, conversations, followUps) =>
      `Xóa ${name} (${role(r)}) khỏi nhóm? Người này sẽ không dùng bot với tư cách nhân viên được nữa. ${n(customers)} khách hàng, ${n(conversations)} cuộc trò chuyện đang mở và ${n(followUps)} việc cần theo dõi của họ sẽ chuyển cho ${to}.`,
    removeButton: (name) => `Xóa ${name}`,
    cancelButton: () => 'Giữ lại',
    cancelled: (name) => `${name} vẫn ở trong nhóm; không có gì thay đổi.`,
    removed: (name, to, customers, conversations, followUps) =>
      `Đã xóa ${name} khỏi nhóm. ${to} đã nhận ${n(customers)} khách hàng, ${n(conversations)} cuộc trò chuyện đang mở và ${n(followUps)} việc cần theo dõi của họ.`,
    handedToYou: (by, from, customers, conversations, followUps) =>
      `📥 ${by} đã xóa ${from} khỏi nhóm. ${n(customers)} khách hàng, ${n(conversations)} cuộc trò chuyện đang mở và ${n(followUps)} việc cần theo dõi của họ giờ là của bạn: xem "inbox mine" và "followups".`,
  },

  // Errors: one text per case of src/errors.ts, given its params.
  errors: {
    // People and the team
    staffNotCustomer: () => 'nhân viên không phải là khách hàng',
    linkCodeSameAccount: () => 'hãy gửi mã từ tài khoản còn lại, không phải tài khoản này',
    inviteCodeNotFound: (p) => `Không có mã mời nào khớp "${p.ref}".`,
    linkCodeNotFound: (p) => `Không có mã liên kết nào khớp "${p.ref}".`,
    inviteOwnerForbidden: () => 'Xin lỗi, vai trò của bạn không được "mời chủ cửa hàng".',
    commandNotAllowed: (p) => `Xin lỗi, vai trò của bạn không được dùng "${p.command}".`,
    alreadyStaff: () => 'Bạn đã là nhân viên rồi.',
    staffAccountNotLinkable: () => 'Tài khoản này thuộc về một nhân viên nên không thể liên kết với người khác.',

    // Customers, contact details, tags and search
    customerNotFound: (p) => `Không có khách hàng nào khớp "${p.ref}".`,
    leadNeedsIdentifier: () => 'cần ít nhất tên, số điện thoại hoặc e-mail',
    customerDetailsBusy: () => 'Thông tin này đang được người khác sửa; vui lòng thử lại.',
    customerDetailsConflict: (p) =>
      `Các thông tin này thuộc về nhiều khách hàng khác nhau (${p.refs.join(', ')}). Hãy gộp họ trước: merge ${p.refs.join(' ')}`,
    contactDetailsTaken: (p) => `${p.details.join(', ')} đã thuộc về ${p.ref}.`,
    customerAmbiguous: (p) =>
      `"${p.ref}" khớp với ${n(p.total)} khách hàng: ${p.candidates.map((c) => `${c.ref} ${c.name}`).join(', ')}` +
      `${p.total > p.candidates.length ? ', …' : ''}. Hãy dùng mã khách, ví dụ ${p.candidates[0]?.ref ?? ''}.`,
    leadQuestionNotFound: (p) => `Câu hỏi ${p.ref} không còn nữa; hãy gửi lại lệnh lead.`,
    leadQuestionBeingAnswered: (p) => `Câu hỏi ${p.ref} đang được người khác trả lời.`,
    leadAnswerNotACandidate: (p) => `${p.ref} không phải một trong các khách hàng của câu hỏi này`,
    customerErased: () => 'dữ liệu của khách hàng này đã bị xóa; không thể thêm đơn',
    searchEmpty: () => 'hãy ghi điều cần tìm: tên, số điện thoại, e-mail, #nhãn hoặc C12',
    searchTagInvalid: (p) => `"${p.tag}" không phải nhãn hợp lệ`,
    tagInvalid: (p) => `"${p.tag}" không phải nhãn hợp lệ (chữ, số, - và _)`,
    tagsMissing: () => 'cần ít nhất một nhãn, ví dụ #vip',
    searchTooLong: (p) => `nội dung tìm kiếm quá dài (tối đa ${n(p.max)} ký tự)`,
    tagsTooMany: (p) => `tối đa ${n(p.max)} nhãn mỗi lần`,

    // Messages as a whole
    messageTooLong: (p) =>
      `tin nhắn quá dài (${n(p.length)} ký tự; tối đa ${n(p.max)}). Chưa thực hiện gì — hãy gửi thành nhiều phần ngắn hơn.`,
    savedThenFailed: (p) =>
      `Đã lưu: ${p.saved.join(', ')}. Sau đó hệ thống gặp lỗi (mã ${p.ref}); hãy kiểm tra trước khi gửi lại lệnh — gửi lại sẽ lưu thêm một lần nữa.`,

    // Merging customers
    mergeSameCustomer: () => 'hãy ghi hai khách hàng khác nhau',
    mergeCustomerInactive: (p) => `${p.ref} đang ở trạng thái "${status(p.status)}"; không thể gộp.`,
    mergeNotFound: (p) => `Không có lần gộp nào của khách hàng khớp "${p.ref}".`,

    // Orders
    orderNotFound: (p) => `Không có đơn hàng nào khớp "${p.ref}".`,
    orderStatusUnknown: (p) => `phải là một trong: ${p.statuses.map(typedStatus).join(', ')}`,
    orderStatusNotAllowed: (p) =>
      `${p.ref} đang ở trạng thái "${status(p.from)}"; ${p.next.length ? `chỉ chuyển được sang ${p.next.map(typedStatus).join(', ')}` : 'không chuyển sang trạng thái nào khác được'}`,
    orderChangedMeanwhile: (p) => `${p.ref} vừa được người khác thay đổi; hãy xem lại`,
    orderAmountConfirmLarge: (p) =>
      `${v(p.amount)} cho ${p.ref} ${p.name} lớn hơn ${v(p.limit)}. Chưa ghi nhận gì: bấm nút để ghi nhận, hoặc gửi lại đơn kèm --confirm.`,
    orderAmountConfirmSmall: (p) =>
      `${v(p.amount)} cho ${p.ref} ${p.name} nhỏ hơn ${v(p.limit)}: có phải ý bạn là ${v(p.suggestion)}? Chưa ghi nhận gì: bấm vào số tiền bạn muốn.`,

    // Amounts
    amountUnreadable: (p) => `"${p.text}" không phải là số tiền. Thử 350k, 350000, 19.99 EUR.`,
    amountNotPositive: (p) => `"${p.text}" không phải số tiền lớn hơn 0`,
    amountCurrencyUnknown: (p) => `"${p.code}" không phải đơn vị tiền tệ được hỗ trợ; hãy dùng mã ISO 4217 như VND, USD hoặc EUR`,
    amountTwoCurrencies: (p) => `"${p.text}" có hai đơn vị tiền tệ; chỉ ghi một`,
    amountAmbiguousDecimals: (p) =>
      `"${p.text}" có thể hiểu theo hai cách, mà ${p.currency} có ${p.digits} chữ số thập phân: hãy viết ${p.whole} ${p.currency} không có dấu phân cách, hoặc tối đa ${p.digits} chữ số thập phân`,
    amountTooPrecise: (p) =>
      p.digits === 0
        ? `"${p.text}" có phần lẻ thập phân, nhưng ${p.currency} không có: hãy ghi số nguyên (hoặc dùng k, tr: 350.5k là 350.500)`
        : `"${p.text}" lẻ hơn mức ${p.currency} cho phép (${p.digits} chữ số thập phân)`,
    amountAmbiguousGroups: (p) => `"${p.text}" có thể hiểu theo hai cách; hãy viết thành một số tiền, ví dụ 1500k, 1,5tr, 1tr5 hoặc 1.500.000`,
    amountThenNumber: (p) =>
      `"${p.text}": ${p.number} có phải là một phần của số tiền không? Hãy viết số tiền liền một chữ (1tr2 là 1.200.000) và số lượng kèm x (${p.number}x áo)`,
    amountTooLarge: (p) => `"${p.text}" lớn hơn số tiền tối đa được chấp nhận (${v(p.max)})`,

    // Follow-ups
    followUpNotFound: (p) => `Không có lịch chăm sóc nào khớp "${p.ref}".`,
    followUpNotYours: () => 'Xin lỗi, vai trò của bạn không được "sửa lịch chăm sóc của người khác".',
    followUpCancelled: (p) => `${p.ref} đã bị hủy`,
    followUpClosed: (p) => `${p.ref} đã ở trạng thái "${status(p.status)}"`,

    // Times and durations
    whenUnreadable: (p) => `Không đọc được "${p.text}" là thời gian. Thử ${quoted(p.examples)}`,
    whenPassed: (p) => `"${p.text}" đã qua rồi. Hãy chọn thời điểm sắp tới, ví dụ ${quoted(p.examples)}`,
    whenNotADate: (p) => `"${p.text}" không phải ngày giờ có thật. Thử ${quoted(p.examples)}`,
    whenNoSuchHour: (p) => `"${p.text}" không phải giờ có thật: không có ${p.hour} giờ (giờ từ 0 đến 23)`,
    whenNoSuchMinute: (p) => `"${p.text}" không phải giờ có thật: không có phút ${p.minute} (phút từ 0 đến 59)`,
    whenNotTwelveHour: (p) => `"${p.text}" không phải giờ có thật: không có ${p.hour}${p.suffix} (với am/pm, giờ từ 1 đến 12)`,
    whenHourOutsidePeriod: (p) => `"${p.text}" không phải giờ có thật: ${p.hour} giờ không thuộc "${p.period}"`,
    whenNoSuchDay: (p) => `"${p.text}" không phải ngày có thật: tháng ${p.month}${p.year === undefined ? '' : ` năm ${p.year}`} không có ngày ${p.day}`,
    whenNoSuchMonth: (p) => `"${p.text}" không phải ngày có thật: không có tháng ${p.month}`,
    whenAmbiguous: (p) =>
      `"${p.text}" có thể hiểu theo hai cách ("${p.word}" là ${p.readings.map((r) => `"${r}"`).join(' hoặc ')}); hãy viết có dấu hoặc thêm giờ`,
    whenTooFar: (p) => `"${p.text}" xa hơn ${p.years} năm; hãy chọn thời điểm gần hơn`,
    durationUnreadable: (p) => `"${p.text}" không phải khoảng thời gian. Thử 30m, 1h, 3h, 1d, 2d, 1w`,
    digestScheduleUnreadable: (p) => `"${p.text}" không phải thứ trong tuần hay giờ; thử "digest on mon 09:00" hoặc "digest on friday 5pm"`,

    // Promotions
    campaignNotFound: (p) => `Không có chương trình khuyến mãi nào khớp "${p.ref}".`,
    audienceUnknown: (p) => `"${p.text}" không phải đối tượng nhận: ghi all, một #nhãn, hoặc một nhóm khách (${p.segments.join(', ')})`,
    promoNeedsColon: () => 'thêm dấu hai chấm trước nội dung, ví dụ "promo new all at now: Khuyến mãi mùa xuân — giảm 20%"',
    promoTooManyVariants: () => 'tối đa hai phiên bản, ngăn cách bằng một dấu |',
    promoTextEmpty: () => 'nội dung tin nhắn đang trống',
    promoTextTooLong: (p) => `mỗi nội dung phải dưới ${n(p.max)} ký tự`,
    promoHoldoutTooLarge: (p) => `nhóm đối chứng tối đa ${p.max}%`,
    promoNeedsWhen: () => 'ghi thời gian gửi: "at now", "at tomorrow 10:00", "at fri 9am"',
    promoWhenUnreadable: (p) => `Không đọc được "${p.text}" là thời gian`,
    promoAlreadyFinished: (p) => `${p.ref} đã ở trạng thái "${status(p.status)}"; không còn gì để hủy.`,
    promoResendCancelled: (p) => `${p.ref} đã bị hủy nên không gửi lại tin nào.`,

    // Segments
    segmentsRecomputing: () => 'Các nhóm khách đang được tính lại.',

    // Importing customers
    importFileEmpty: () => 'tệp trống (không có dòng tiêu đề)',
    importHeaderUnreadable: (p) => `không đọc được dòng tiêu đề: ${p.reason}`,
    importMapUnknownField: (p) => `không có trường "${p.field}"; dùng ${p.fields.join(', ')}`,
    importMapNoColumn: (p) => `hãy ghi cột nào chứa ${p.field}, ví dụ ${p.field}=Cột`,
    importMapUnreadable: (p) => `không đọc được cách chỉ định cột "${p.text}"; hãy viết như phone=Tel,name="Họ tên"`,
    importColumnMissing: (p) => `tệp không có cột "${p.column}" (các cột của tệp: ${quoted(p.columns)})`,
    importNoContactColumn: (p) => `không tìm thấy cột số điện thoại hay e-mail (các cột: ${quoted(p.columns)}); chỉ định bằng --map phone=…,email=…`,
    importEncodingLegacyFont: (p) =>
      `tệp dùng bảng mã cũ ${p.encoding}, không phải Unicode (dòng đầu đọc ra "${p.sample}"). ` +
      `Hãy chuyển sang Unicode bằng công cụ chuyển mã của Unikey ("Chuyển mã": nguồn ${p.encoding}, đích Unicode), ` +
      'rồi trong Excel: Save As → "CSV UTF-8 (Comma delimited)", và nhập tệp đó',
    importEncodingUnknown: () =>
      'tệp không phải văn bản UTF-8, UTF-16 hay Windows-1258 (tiếng Việt): có phải đó là tệp Excel (.xlsx) hoặc bảng mã khác không? ' +
      'Trong Excel: Save As → "CSV UTF-8 (Comma delimited)", rồi nhập tệp đó',
    importContactsChanged: () => 'Thông tin liên hệ đã thay đổi trong lúc nhập tệp; hãy nhập lại (không có gì bị trùng).',
    importCustomerNumberTaken: (p) =>
      `Mã khách ${p.ref} vừa bị một tiến trình khác dùng trong lúc nhập; đã dừng trước khi tính lô này. Hãy nhập lại tệp (các dòng đã nhập sẽ được nhận ra).`,

    // The inbox: replies, assignments, saved replies
    customerNoChat: (p) => `${p.ref} chưa từng nhắn cho bot của cửa hàng nên không có khung chat để trả lời; chưa gửi gì. Hãy gọi điện hoặc gửi e-mail.`,
    customerSilenced: (p) => `${p.ref} đã yêu cầu ngừng nhắn tin và chưa nhắn lại từ đó; chưa gửi gì.`,
    replyPlaceholderEmpty: (p) => `${p.ref} không có dữ liệu để điền vào {${p.placeholder}}; chưa gửi gì. Hãy tự viết câu trả lời.`,
    staffNotFound: (p) => `Không có nhân viên nào đang làm việc khớp "${p.ref}".`,
    staffAmbiguous: (p) => `"${p.ref}" khớp với ${p.names.join(', ')}. Hãy ghi đầy đủ tên.`,
    // Cho nhân viên rời nhóm, link trò chuyện (issue 11).
    staffRemoveLastOwner: (p) => `${p.name} là chủ cửa hàng duy nhất; cửa hàng cần có ít nhất một chủ. Hãy mời thêm một chủ cửa hàng trước (invite owner).`,
    staffRemoveToSelf: () => 'hãy bàn giao khách hàng cho một người khác, không phải người đang bị xóa',
    staffRemoveConfigured: (p) => `${p.name} là chủ cửa hàng theo cấu hình (OWNER_TELEGRAM_IDS / OWNER_SLACK_IDS) và sẽ quay lại ngay ở tin nhắn tiếp theo. Hãy gỡ họ khỏi cấu hình trước.`,
    startLinkCustomerErased: (p) => `dữ liệu của ${p.ref} đã bị xóa; không có ai để kết nối`,
    snippetNotFound: (p) => `Không có câu trả lời mẫu nào tên "${p.ref}". Xem danh sách bằng: snippet list`,
    snippetNameInvalid: (p) => `"${p.text}" không dùng làm tên câu trả lời mẫu được (chữ, số, - và _, tối đa 32 ký tự)`,
    snippetTextTooLong: (p) => `câu trả lời mẫu phải dưới ${n(p.max)} ký tự`,
    snippetPlaceholderUnknown: (p) => `{${p.placeholder}} không phải chỗ điền hợp lệ; hãy dùng ${p.known.map((k) => `{${k}}`).join(' hoặc ')}`,
    snippetsFull: (p) => `Cửa hàng chỉ lưu tối đa ${n(p.max)} câu trả lời mẫu; hãy xóa bớt một câu trước (snippet remove <tên>).`,
  },
};
