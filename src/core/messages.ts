/**
 * Every user-facing sentence, in one catalogue per locale. English is
 * complete; another locale overrides what it has translated and falls back
 * to English for the rest. Texts are plain (no Markdown): adapters escape.
 *
 * The `errors` section holds one text per error case (src/errors.ts `errorCases`), a function of
 * the case's params; the core renders a coded error with the reader's `msg.errors`. Its English
 * texts are written beside their codes in src/errors.ts (that module sits below this one, and an
 * error's own message is English); a translation overrides them here, key by key.
 *
 * Languages: English (here) and Vietnamese (./messages.vi.ts, complete: tests/unit/messages.test.ts
 * fails on a key it lacks). Which one a person reads is {@link chooseLanguage}'s answer. Each
 * catalogue also carries `format`, how its language writes numbers, money and dates
 * (src/values/format.ts), for views and commands that format for the reader.
 *
 * @example
 *   const msg = messagesFor('en');
 *   msg.leadCreated('C12', 'Anna Nguyen') // → 'New lead C12 Anna Nguyen saved.'
 *   msg.errors.orderStatusNotAllowed({ ref: 'O7', from: 'done', next: [] }) // → 'O7 is done; it can go to no other status'
 *   messagesFor('vi-VN').format.money(350_000, 'VND') // → '350.000 ₫'
 */
import { englishErrorTexts, type ErrorTexts } from '../errors.js';
import { formatsFor, languageOf, type Formats, type Language } from '../values/format.js';
import { vi } from './messages.vi.js';

const en = {
  // General
  unknownCommand: (word: string) => `I don't know "${word}". Send "help" to see what you can do.`,
  forbidden: () => `Sorry, that command is for staff only. Send "help" to see what you can do.`,
  forbiddenRole: (command: string) => `Sorry, your role cannot use "${command}".`,
  usage: (usage: string) => `Usage: ${usage}`,
  invalid: (reason: string, usage: string) => `${reason}\nUsage: ${usage}`,
  notFound: (what: string, ref: string) => `No ${what} matches "${ref}".`,
  internalError: (ref: string) => `Sorry, something went wrong on our side (ref ${ref}). Please try again; if it repeats, tell an admin.`,
  page: (page: number, pages: number, total: number) => `Page ${page} of ${pages} · ${total} in all`,
  next: () => 'Next ›',
  prev: () => '‹ Previous',
  none: () => '—',

  // Help
  helpTitleStaff: (role: string) => `Commands for you (${role}):`,
  helpTitleCustomer: () => `Hello! Here is what I can do for you:`,
  helpFooter: () => `Send "help <command>" for details and examples.`,
  helpExamples: () => 'Examples:',

  // Leads and customers
  leadCreated: (ref: string, name: string) => `New lead ${ref} ${name} saved.`,
  leadExists: (ref: string, name: string) => `${ref} ${name} already has these details — nothing duplicated.`,
  leadUpdated: (ref: string, name: string, added: string) => `${ref} ${name} already exists; added ${added}.`,
  leadInvalid: (items: string) => `These don't look right: ${items}. Nothing was saved.`,
  leadNeedsName: () => 'Give a name, a phone number or an e-mail.',
  findNone: (query: string) => `No customer matches "${query}".`,
  findTitle: (query: string) => `Customers matching "${query}":`,
  noName: () => '(no name)',
  card: {
    title: (ref: string, name: string) => `${ref} · ${name}`,
    phones: () => 'Phone',
    emails: () => 'E-mail',
    tags: () => 'Tags',
    owner: () => 'Owner',
    consent: () => 'Promotions',
    consentYes: () => 'yes',
    consentNo: () => 'no',
    totals: (orders: number, revenue: string) => `${orders} order(s), ${revenue}`,
    lastOrder: () => 'Last order',
    ordersTitle: () => 'Latest orders:',
    interactionsTitle: () => 'Latest interactions:',
    merged: (into: string) => `This customer was merged into ${into}.`,
    unreachable: (platforms: string) => `Unreachable on: ${platforms}`,
    aliases: (names: string) => `Also called: ${names}`,
    sharedPhone: (phone: string, holder: string, sharers: string) => `${phone} is shared: ${holder} holds it, also used by ${sharers}`,
  },
  noteSaved: (ref: string) => `Note saved on ${ref}.`,
  tagsAdded: (ref: string, tags: string) => `${ref} tagged ${tags}.`,
  tagsUnchanged: (ref: string) => `${ref} already had those tags.`,
  tagsRemoved: (ref: string, tags: string) => `Removed ${tags} from ${ref}.`,
  tagsNotThere: (ref: string) => `${ref} had none of those tags.`,

  // Leads that ask before writing (src/services/lead-questions.ts)
  leadAsk: {
    sharedPhone: (ref: string, name: string, newName: string) =>
      `${ref} ${name} already has this phone number. Is ${newName} the same person? Nothing is saved until you choose.`,
    samePersonAlias: (newName: string) => `Same person (keep ${newName} as another name)`,
    differentPerson: () => 'Different person sharing the phone',
    sameName: (newName: string, customers: string) =>
      `You already have a customer called ${newName}: ${customers}. Is this the same person? Nothing is saved until you choose.`,
    samePersonAs: (ref: string, name: string) => `Same person: ${ref} ${name}`,
    newCustomer: () => 'New customer',
    aliasKept: (ref: string, name: string, alias: string) => `${ref} ${name}: ${alias} kept as another name.`,
    sharedCreated: (ref: string, name: string, holders: string) => `New customer ${ref} ${name} saved; shares the phone with ${holders}.`,
    distinctCreated: (ref: string, name: string, others: string) => `New customer ${ref} ${name} saved, as a different person from ${others}.`,
    alreadyAnswered: (ref: string, name: string) => `This question was answered already: ${ref} ${name}.`,
    sharedPhoneFound: (phone: string, holder: string) => `${phone} is shared: ${holder} holds it; the others using it are listed too.`,
  },

  // Orders
  orderRecorded: (orderRef: string, customerRef: string, name: string, amount: string) =>
    `Order ${orderRef} for ${customerRef} ${name}: ${amount} (new).`,
  orderStatusChanged: (orderRef: string, from: string, to: string) => `Order ${orderRef}: ${from} → ${to}.`,
  orderStatusSame: (orderRef: string, status: string) => `Order ${orderRef} is already ${status}.`,
  ordersNone: (who: string) => `No orders for ${who} yet.`,
  ordersTitle: (who: string) => `Orders of ${who}:`,
  orderLine: (orderRef: string, date: string, amount: string, status: string, items: string) =>
    `${orderRef} · ${date} · ${amount} · ${status}${items ? ` · ${items}` : ''}`,
  badAmount: (text: string) => `"${text}" is not an amount. Try 350k, 350000, 19.99 EUR.`,
  statusButton: (status: string) => `Mark ${status}`,

  // Merge
  merged: (kept: string, merged: string, orders: number, interactions: number) =>
    `${merged} merged into ${kept}: ${orders} order(s) and ${interactions} interaction(s) moved. Undo with: unmerge ${merged}`,
  unmerged: (merged: string, kept: string) => `${merged} is separate from ${kept} again.`,

  // Team
  inviteCreated: (code: string, role: string, expires: string) =>
    `Invite code for a new ${role}: ${code}\nThey send "join ${code}" to the bot before ${expires}. It works once.`,
  joined: (name: string, role: string) => `Welcome to the team, ${name}! You are now ${role}. Send "help" to start.`,
  linkCode: (code: string) => `Your link code: ${code}\nSend "link ${code}" from your other account (Telegram or Slack) within 24 hours.`,
  linked: () => `Linked. Both accounts are now the same person for us.`,

  // Language (`lang`)
  langCurrent: (language: string) =>
    `I write to you in ${language}. Change it with "lang vi" (Tiếng Việt) or "lang en" (English); "lang auto" follows your app's language.`,
  langSet: (language: string) => `Done: from now on I write to you in ${language}.`,
  langAuto: (language: string) => `Done: I follow your chat app's language again (now ${language}).`,
  langUnknown: (typed: string) => `"${typed}" is not a language I speak: vi (Tiếng Việt) or en (English).`,
  langNames: { vi: 'Vietnamese', en: 'English' },

  // Customers
  welcome: (shop: string) =>
    `Welcome to ${shop}! Write to us here any time — about an order, a question or a problem.\nMay we send you occasional offers?`,
  consentYesButton: () => 'Yes, send me offers',
  consentNoButton: () => 'No, thanks',
  sharePhoneButton: () => 'Share my phone number',
  sharePhonePrompt: () => 'Share your phone number so we can find your orders.',
  consentGiven: () => 'Thank you! You will get our offers. Send /stop at any time to stop them.',
  consentDeclined: () => 'Understood — no offers. You can still write to us any time.',
  stopped: () => 'Done: you will receive no more promotions or order updates. You can still write to us any time; send start to hear from us again.',
  messageReceived: () => 'Thanks, we got your message and will answer soon.',
  complaintReceived: () => 'We are sorry. Your complaint is logged with priority and our support team has been told right away.',
  complaintNeedsText: () => 'Tell us what went wrong, e.g. "complaint the parcel arrived broken".',
  phoneLinked: (name: string) => `Thanks${name ? `, ${name}` : ''}! We found your customer record.`,
  phoneAdded: () => 'Thanks! Your phone number is saved.',
  phoneInvalid: () => 'That phone number does not look valid.',
  myOrdersNone: () => 'You have no orders with us yet.',
  myOrdersTitle: () => 'Your orders:',

  // Notifications to staff
  notifyMessage: (ref: string, name: string, platform: string, body: string) => `💬 ${ref} ${name} (${platform}): ${body}`,
  notifyComplaint: (ref: string, name: string, platform: string, body: string) => `⚠️ Complaint from ${ref} ${name} (${platform}): ${body}`,
  openCustomerButton: () => 'Open customer',
  cardOrdersButton: () => 'Orders',
  cardNoteButton: () => 'Add note',

  // Totals
  totalsRebuilt: (customers: number, changed: number) => `Totals rebuilt for ${customers} customer(s); ${changed} corrected.`,

  // Forwarded leads
  forwardedLead: (ref: string, name: string, created: boolean) =>
    created ? `Lead ${ref} ${name} created from the forwarded message.` : `Forwarded message saved on ${ref} ${name}.`,

  // Insight: segments, import, export, dupes, stats.
  // Import, duplicates, completeness, export, personal data (insight: clean data)
  importSendFile: () =>
    'Send the customer list as a CSV file (caption "import", or no caption). Columns are recognised by their header: name / họ tên, phone / sđt / điện thoại, email, tags / nhãn, notes / ghi chú, orders / đơn hàng. Name them yourself with: import --map phone=Tel,name="Họ tên"',
  importNotCsv: (fileName: string) => `"${fileName}" is not a CSV file. Save the sheet as CSV (UTF-8) and send it again.`,
  importTooLarge: (mb: number) => `The file is larger than ${mb} MB. Split it, or import it on the server: npm run import -- file.csv`,
  importSummary: (file: string, rows: number, created: number, updated: number, unchanged: number, rejected: number, blank: number) =>
    `Imported ${file}: ${rows} row(s) — ${created} new, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected${blank ? ` (${blank} blank line(s) skipped)` : ''}.`,
  importColumns: (columns: string) => `Columns: ${columns}`,
  importRejectedTitle: () => 'Rejected rows (numbered as lines of the file; the header is row 1) — fix them and import the file again, nothing is duplicated:',
  importRejectedLine: (row: number, reason: string) => `  row ${row}: ${reason}`,
  importRejectedMore: (more: number) => `…and ${more} more: all rejected rows are in the attached file.`,
  importRejectedFileCaption: () => 'All rejected rows, with the reason.',
  // Import report: warnings and columns not imported (helper "import").
  importIgnoredColumns: (columns: string) =>
    `Warning — columns not imported (not recognised): ${columns}. Rename them, or map them with import --map, to import them.`,
  importWarningsTitle: () => 'Warnings — these rows were imported, but a value was left out or shortened:',
  importWarningsMore: (more: number) => `…and ${more} more: all warnings are in the attached file.`,
  importWarningsFileCaption: () => 'All warnings: row, field, value and what was done.',
  importSharedLine: (row: number, phone: string, holder: string, holderName: string, name: string, ref: string) =>
    `  row ${row}: ${phone} already belongs to ${holder} ${holderName}; ${name} imported as ${ref} sharing the phone — check \`dupes\``,
  dupesNone: () => 'No likely duplicates: no two customers share a name with a contact detail, a phone, or a name where one has no contact detail.',
  dupesTitle: (total: number) =>
    `Likely duplicates (${total}). Check each pair: "Merge" asks before it moves the second record into the first (undo with unmerge); "Not the same" stops suggesting the pair.`,
  dupesLine: (keep: string, keepName: string, merge: string, mergeName: string, shared: string, command: string) =>
    `${keep} ${keepName} ⇄ ${merge} ${mergeName} · ${shared}\n   → ${command}`,
  dupesSameEmail: (email: string) => `same e-mail ${email}`,
  dupesSamePhone: (digits: string) => `same phone number ${digits}`,
  dupesWhySameName: (detail: string) => `same name and ${detail}`,
  dupesWhyOneLetter: (detail: string) => `names one letter apart and ${detail}`,
  dupesWhySamePhone: (detail: string) => `${detail} under different names`,
  dupesWhyChatOnly: (ref: string) => `same name; ${ref} has no phone or e-mail (wrote in chat only)`,
  dupesMergeButton: (merge: string, keep: string) => `Merge ${merge} into ${keep}…`,
  dupesDistinctButton: (merge: string, keep: string) => `${merge} ≠ ${keep}: not the same`,
  dupesConfirm: (keep: string, keepName: string, merge: string, mergeName: string) =>
    `Merge ${merge} ${mergeName} into ${keep} ${keepName}? ${merge}'s orders, messages, contact details and totals move to ${keep}, and ${merge} is closed. Undo with: unmerge ${merge}`,
  dupesConfirmButton: (merge: string, keep: string) => `Yes, merge ${merge} into ${keep}`,
  dupesCancelButton: () => 'Cancel',
  dupesDistinctDone: (a: string, b: string) => `Noted: ${a} and ${b} are different people. They will not be suggested as duplicates again.`,
  incompleteNone: () => 'Every active customer record is complete.',
  incompleteTitle: (total: number) => `Customers whose records need follow-up (${total}), least complete first:`,
  incompleteLine: (ref: string, name: string, score: number, missing: string) => `${ref} ${name} · ${score}% · missing: ${missing}`,
  completenessField: {
    name: () => 'name',
    phone: () => 'phone',
    email: () => 'e-mail',
    tags: () => 'tags',
    owner: () => 'owner',
    consent: () => 'answer about offers',
  },
  exportDone: (customers: number, orders: number) => `Export ready: ${customers} customer(s) and ${orders} order(s), as two CSV files.`,
  exportCustomersCaption: (count: number) => `Customers (${count})`,
  exportOrdersCaption: (count: number) => `Orders (${count})`,
  myDataCaption: () => 'Everything we store about you: your details, orders and messages.',
  myDataNone: () => 'We hold no data about you.',
  forgetConfirmPrompt: () =>
    'This erases your name, phone numbers, e-mails and our conversation, and unlinks this chat from you. Your past orders stay in our books without your name. It cannot be undone.',
  forgetConfirmButton: () => 'Yes, erase my data',
  forgetDone: () => 'Done: your personal data is erased. If you write to us again, we will not know who you are.',
  forgetNothing: () => 'We hold no personal data about you.',
  // Segments and staff stats (insight: segments)
  segmentNames: {
    Champions: 'Champions',
    Loyal: 'Loyal',
    'Potential loyalist': 'Potential loyalist',
    New: 'New',
    Promising: 'Promising',
    'Need attention': 'Need attention',
    'About to sleep': 'About to sleep',
    'At risk': 'At risk',
    "Can't lose": "Can't lose",
    Hibernating: 'Hibernating',
    Lost: 'Lost',
    Lead: 'Lead',
  },
  segmentsNotComputed: () => 'Segments have not been computed yet. They are recomputed every night; a manager can run "segments refresh" now.',
  segmentsNewSince: (from: string, to: string, count: number) =>
    `Customers added since (${count === 1 ? from : `${from}–${to}`}) count from their first order, or after \`segments refresh\`; until then they are leads.`,
  segmentsTitle: (when: string, customers: number) => `Customer segments · computed ${when} · ${customers} customer(s):`,
  segmentSizeLine: (name: string, customers: number, percent: number) => `${name}: ${customers} (${percent}%)`,
  segmentsMovesTitle: (days: number) => `Moves in the last ${days} days:`,
  segmentsMovesNone: (days: number) => `No customer changed segment in the last ${days} days.`,
  segmentMoveLine: (from: string, to: string, customers: number) => `${from} → ${to}: ${customers}`,
  segmentsMovesMore: (kinds: number) => `…and ${kinds} more kind(s) of move.`,
  segmentsButton: () => 'Show segments',
  segmentUnknown: (typed: string, names: string) => `"${typed}" is not a segment. Segments: ${names}`,
  segmentEmpty: (name: string) => `No customers in ${name} right now.`,
  segmentTitle: (name: string, total: number, sort: string) => `${name} · ${total} customer(s), by ${sort}:`,
  segmentMemberLine: (ref: string, name: string, scores: string, orders: number, value: string, lastOrder: string) =>
    `${ref} ${name} · ${scores} · ${orders} order(s), ${value} in all · last order ${lastOrder}`,
  segmentLeadLine: (ref: string, name: string, contact: string) => `${ref} ${name} · ${contact} · no orders yet`,
  segmentSortValue: () => 'value',
  segmentSortRecency: () => 'latest order',
  segmentSortButton: (sort: string) => `Sort by ${sort}`,
  segmentsRefreshed: (customers: number, moved: number, updated: number, added: number, seconds: number) =>
    `Segments recomputed for ${customers} customer(s) in ${seconds} s: ${moved} changed segment, ${updated} changed scores only, ${added} new.`,
  segmentsBusy: () => 'Segments are being recomputed right now; try again in a few minutes.',
  lapsedNone: (days: number) => `No customer has gone ${days} days without ordering.`,
  lapsedTitle: (days: number, total: number) => `${total} customer(s) with no order for ${days} days or more, most recent first:`,
  lapsedLine: (ref: string, name: string, days: number, lastOrder: string, orders: number) =>
    `${ref} ${name} · ${days} days since the last order (${lastOrder}) · ${orders} order(s) in all`,
  statsWeek: () => 'this week',
  statsMonth: () => 'this month',
  statsWeekButton: () => 'This week',
  statsMonthButton: () => 'This month',
  statsTitle: (period: string, from: string, to: string, zone: string) => `Staff stats for ${period} (${from} – ${to}, ${zone}):`,
  statsNone: () => 'No staff activity in this period.',
  statsPerson: (name: string, role: string) => `${name} (${role})`,
  statsSales: (leads: number, orders: number, revenue: string) => `  ${leads} lead(s) added · ${orders} order(s) from their customers · ${revenue}`,
  statsFollowUps: (done: number, overdue: number) => `  Follow-ups: ${done} done, ${overdue} overdue`,
  statsResponse: (median: string, messages: number) => `  First response: median ${median} over ${messages} message(s)`,
  statsNoResponses: () => '  First response: no customer messages answered',
  minutes: (total: number) => {
    const m = Math.round(total);
    if (m < 60) return `${m} min`;
    if (m < 1440) return `${Math.floor(m / 60)} h ${m % 60} min`;
    return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
  },

  // Jobs: follow-ups, promotions, digests.
  followUp: {
    created: (id: string, ref: string, name: string, when: string, zone: string) => `Follow-up ${id} for ${ref} ${name}: ${when} (${zone}).`,
    listTitle: (count: number) => `Your follow-ups (${count}), earliest first:`,
    listNone: () => 'You have no open follow-ups. Add one with: followup C12 tomorrow 10:00 call back',
    line: (id: string, when: string, ref: string, name: string, text: string, overdue: boolean) =>
      `${overdue ? '⏰ overdue · ' : ''}${id} · ${when} · ${ref} ${name}${text ? ` · ${text}` : ''}`,
    reminder: (ref: string, name: string, text: string, due: string) => `⏰ Follow up with ${ref} ${name}${text ? `: ${text}` : ''} (due ${due})`,
    done: (id: string) => `Done: ${id}. Nice work.`,
    alreadyDone: (id: string) => `${id} was already done.`,
    snoozed: (id: string, when: string) => `${id} snoozed until ${when}; you'll be reminded then.`,
    doneButton: () => 'Done',
    snoozeHourButton: () => 'Snooze 1 h',
    snoozeDayButton: () => 'Snooze 1 day',
    needText: () => 'say what to do after the time, e.g. "followup C12 tomorrow 10:00 call about the blue dress"',
    autoLead: (days: number) => `New lead with no contact for ${days} day(s) — reach out.`,
    lapsed: () => 'Lapsed customer (weekly digest) — check in with them.',
    lapsedCreated: (created: number, existing: number) =>
      `Created ${created} follow-up(s)${existing ? `; ${existing} already existed` : ''}. Their owners will be reminded.`,
    complaintAlert: (ref: string, name: string, hours: number, body: string) =>
      `⚠️ Still unanswered after ${hours} h — complaint from ${ref} ${name}: ${body}\nReply to the customer (reply ${ref} …) when handled.`,
  },
  digest: {
    subscribed: (day: string, time: string, zone: string, next: string) => `Weekly digest is on: ${day} ${time} (${zone}). Next one: ${next}.`,
    unsubscribed: () => 'Weekly digest is off.',
    notSubscribed: () => 'You were not subscribed to the weekly digest.',
    title: (from: string, to: string) => `📊 Weekly digest · ${from} – ${to}`,
    weeksHeader: (from: string, to: string, soFarFrom: string, now: string) => `Last week ${from} – ${to} | This week so far ${soFarFrom} – ${now}`,
    leadsRow: (pair: string) => `New leads: ${pair}`,
    ordersRow: (pair: string) => `Orders: ${pair}`,
    revenueRow: (lastWeek: string, change: string, soFar: string) => `Revenue: ${lastWeek}${change ? ` (${change})` : ''} | ${soFar}`,
    revenueChange: (change: string) => `${change} on the week before`,
    ordersUnknown: (since: string) => `(Last week's orders: history starts ${since}.)`,
    peopleTitle: () => 'Per salesperson (last week | this week so far):',
    personLine: (who: string, leads: string, orders: string, revenue: string) => `  ${who}: new leads ${leads} · orders ${orders} · revenue ${revenue}`,
    personAnswers: (answered: string, minutes: string) => `      conversations answered ${answered} · first response ${minutes}`,
    minutes: (minutes: string) => `${minutes} min`,
    countedSince: (since: string) => `  (orders per salesperson are counted since ${since})`,
    atRiskTitle: (count: number) => `Became At risk this week: ${count} — call them before they are lost:`,
    cameBackTitle: (count: number) => `Came back this week: ${count}`,
    moveLine: (ref: string, name: string, from: string, to: string) => `  ${ref} ${name} (${from} → ${to})`,
    moreMoves: (count: string) => `  … and ${count} more`,
    unassigned: () => 'unassigned',
    topTitle: () => 'Top customers who ordered last week (lifetime revenue):',
    topLine: (ref: string, name: string, revenue: string, orders: number) => `  ${ref} ${name} · ${revenue} · ${orders} order(s)`,
    lapsedTitle: (newly: number, total: number, days: number) => `Lapsed (no order for ${days} days): ${total} in all, ${newly} newly last week — worth a call, most valuable first:`,
    lapsedLine: (ref: string, name: string, revenue: string, owner: string) => `  ${ref} ${name} · ${revenue} · ${owner}`,
    lapsedButton: (count: number) => `Create follow-ups for these ${count}`,
    overdueTitle: (count: number) => `Overdue follow-ups: ${count}`,
    overdueLine: (who: string, count: number) => `  ${who}: ${count}`,
    segmentsTitle: () => 'Segments (customers, change this week):',
    segmentLine: (name: string, size: number, change: string) => `  ${name}: ${size}${change ? ` (${change})` : ''}`,
    segmentMoves: (flows: string) => `  Moves: ${flows}`,
    campaignsTitle: () => 'Campaigns (sent in the last two weeks):',
    campaignLine: (ref: string, audience: string, sent: number, responded: number, optedOut: number, converted: string) =>
      `  ${ref} (${audience}): sent ${sent}, responded ${responded}, opted out ${optedOut}${converted ? `, ${converted}` : ''}`,
    campaignConverted: (converted: number, revenue: string, uplift: string) => `converted ${converted} (${revenue})${uplift ? `, uplift ${uplift}` : ''}`,
    nothing: () => '  —',
    chartCaption: (from: string, to: string) => `Revenue per day and per salesperson, last week against this week so far, and segment sizes · ${from} – ${to}`,
    chartRevenue: (currency: string) => `Revenue per day (${currency})`,
    chartPeople: (currency: string) => `Revenue per salesperson (${currency})`,
    chartSegments: () => 'Segments (customers)',
    chartLastWeek: () => 'Last week',
    chartWeekdays: () => 'Mon Tue Wed Thu Fri Sat Sun',
    chartThisWeek: () => 'This week so far',
    stageNames: { Leads: 'Leads', New: 'New', Active: 'Active', Lapsed: 'Lapsed' },
    segmentGroups: { Best: 'Best', Growing: 'Growing', Slipping: 'Slipping', Lapsed: 'Lapsed', 'No orders yet': 'No orders yet' },
  },
  promo: {
    unsubscribeButton: () => 'Unsubscribe',
    scheduled: (id: string, audience: string, when: string, zone: string, details: string) =>
      `Promotion ${id} scheduled for ${when} (${zone}) to ${audience}${details ? ` · ${details}` : ''}.\nSee the audience and the message with "promo preview ${id}"; stop it with "promo cancel ${id}".`,
    startingNow: (id: string, audience: string, details: string) =>
      `Promotion ${id} to ${audience}${details ? ` · ${details}` : ''} starts within a minute (quiet hours 21:00–08:00 are kept in each customer's zone).\nResults: "promo stats ${id}"; stop it with "promo cancel ${id}".`,
    variantsAB: () => 'variants A/B',
    holdout: (percent: number) => `hold-out ${percent}%`,
    previewTitle: (id: string, status: string, audience: string, when: string) => `${id} · ${status} · ${audience} · ${when}`,
    previewAudience: (matched: number, audience: string) => `Audience now: ${matched} customer(s) in ${audience}.`,
    previewRecipients: (recipients: number, a: number, b: number, holdout: number) =>
      `Would receive it: ${recipients}${b ? ` (A ${a} · B ${b})` : ''}${holdout ? ` · hold-out (gets nothing): ${holdout}` : ''}.`,
    previewFrozen: (recipients: number, holdout: number) => `Audience frozen: ${recipients} recipient(s)${holdout ? `, ${holdout} in the hold-out` : ''}.`,
    previewSample: (variant: string) => `Variant ${variant}, as customers will see it:`,
    listTitle: () => 'Promotions, newest first:',
    listNone: () => 'No promotions yet. Start one with: promo new all at tomorrow 10:00: Spring sale — 20% off',
    listLine: (id: string, status: string, when: string, audience: string, sent: number, recipients: number) =>
      `${id} · ${status} · ${when} · ${audience} · sent ${sent}/${recipients}`,
    cancelled: (id: string, sent: number) => `Cancelled ${id}. ${sent ? `${sent} message(s) had already gone out; nothing more will be sent.` : 'Nothing will be sent.'}`,
    notStarted: (id: string, when: string) => `${id} has not started sending yet (scheduled for ${when}).`,
    statsTitle: (id: string, status: string, audience: string, started: string) => `${id} · ${status} · ${audience} · sending started ${started}`,
    statsDelivery: (recipients: number, sent: number, failed: number, pending: number, skipped: number) =>
      `Recipients ${recipients}: sent ${sent} · failed ${failed}${pending ? ` · still to send ${pending}` : ''}${skipped ? ` · opted out before sending ${skipped}` : ''}`,
    statsFailures: (reasons: string) => `Failures: ${reasons}`,
    statsEngagement: (responded: number, respondedRate: string, optedOut: number) => `Responded ${responded} (${respondedRate}) · opted out ${optedOut}`,
    statsConversions: (days: number) => `Conversions (orders within ${days} day(s)):`,
    statsGroup: (label: string, converted: number, size: number, rate: string, revenue: string) => `  ${label}: ${converted}/${size} (${rate}) · revenue ${revenue}`,
    statsRecipients: () => 'recipients',
    statsVariant: (v: string) => `variant ${v}`,
    statsHoldout: () => 'hold-out',
    statsUplift: (points: string) => `Uplift over hold-out: ${points} percentage points`,
    statsNoHoldout: () => 'No hold-out group, so no uplift (add "holdout 10%" next time).',
  },

  // Adapters: Telegram, Slack.
  buttonExpired: () => 'This button has expired. Please send the command again.',
  contactNotOwn: () => 'To link your orders, please share your own number with the "Share my phone number" button.',

  // Adapters: real traffic (media, edits, groups, waiting messages, Slack's other requests).
  traffic: {
    // What a message that is not plain text becomes, as one line: `[photo] caption`.
    photo: () => 'photo',
    voice: () => 'voice message',
    audio: () => 'audio',
    video: () => 'video',
    sticker: () => 'sticker',
    file: () => 'file',
    location: () => 'location',
    mapLink: (lat: number, lng: number) => `https://maps.google.com/?q=${lat},${lng}`,
    edited: (text: string) => `✏️ edited: ${text}`,
    editedWas: (text: string, previous: string) => `✏️ edited: ${text} (was: ${previous})`,
    // Passing a customer's file on to staff on another platform.
    notCarried: (what: string, reason: string) => `📎 The customer's ${what} could not be passed on (${reason}).`,
    // Groups: staff commands are answered in private; nobody becomes a customer in a group.
    groupOpenPrivate: (link: string) =>
      `I answer staff commands in a private chat, so customer data stays out of groups. Open ${link}, press Start, then send the command again.`,
    groupWriteMe: (link: string) => `To talk to us, please write to me in a private chat: ${link}`,
    // The first staff member to open the bot hears what customers wrote before anyone could.
    waitingTitle: (count: number) => `While nobody on the team had opened the bot yet, customers wrote ${count} message(s):`,
    waitingLine: (ref: string, name: string, platform: string, text: string) => `💬 ${ref} ${name} (${platform}): ${text}`,
    waitingMore: (count: number) => `…and ${count} more (see each customer's card).`,
    // Slack: requests that are not ours to run.
    slackOtherCommand: (command: string, ours: string) => `${command} is not something I can run. Try "${ours} help".`,
    slackFormGone: () => 'This form is no longer in use. Send "/crm help" to see what you can do.',
  },

  // The two-way inbox: conversations, replies, assignments, saved replies, order updates to customers.
  inbox: {
    // Buttons under a customer's message to staff (its text is notifyMessage / notifyComplaint above).
    assignToMeButton: () => 'Assign to me',
    resolveButton: () => 'Resolve',
    replyButton: () => 'Reply…',
    replyHint: (ref: string) => `Write your answer as: reply ${ref} <text>\nOr send a saved reply: reply ${ref} !name (see "snippet list").`,
    assignedToYou: (ref: string, name: string, by: string, body: string) => `📥 ${by} assigned ${ref} ${name} to you${body ? `: ${body}` : '.'}`,
    // Replies
    sent: (ref: string, name: string, platform: string) => `Sent to ${ref} ${name} (${platform}).`,
    sentFirstResponse: (ref: string, name: string, platform: string, after: string) => `Sent to ${ref} ${name} (${platform}) — first response, after ${after}.`,
    failed: (ref: string, name: string, reason: string) => `Not delivered to ${ref} ${name}: ${reason}. The reply is kept on their card; try again later.`,
    unreachable: (ref: string, name: string, reason: string) =>
      `Not delivered to ${ref} ${name}: ${reason}. They cannot be reached in that chat any more (they may have blocked the bot); try a call or an e-mail.`,
    alreadySent: (ref: string) => `That reply to ${ref} was handled already; it was not sent again.`,
    signed: (body: string, staffName: string) => `${body}\n— ${staffName}`,
    // inbox
    title: (total: number, mine: boolean) => `${mine ? 'Your open conversations' : 'Open conversations'} (${total}), longest waiting first:`,
    none: (mine: boolean) => (mine ? 'Nobody is waiting for you. 🎉' : 'Nobody is waiting for an answer. 🎉'),
    line: (ref: string, name: string, waiting: string, who: string, preview: string, complaint: boolean) =>
      `${complaint ? '⚠️ ' : ''}${ref} ${name} · waiting ${waiting} · ${who}${preview ? ` · “${preview}”` : ''}`,
    onDuty: () => 'staff on duty',
    mineButton: () => 'Only mine',
    allButton: () => 'Everyone’s',
    // assign and resolve
    assigned: (ref: string, name: string, staff: string) => `${ref} ${name} is assigned to ${staff}.`,
    assignedAndOwner: (ref: string, name: string, staff: string) => `${ref} ${name} is assigned to ${staff}, now also their owner.`,
    resolved: (ref: string, name: string) => `Conversation with ${ref} ${name} resolved.`,
    notOpen: (ref: string, name: string) => `${ref} ${name} has no conversation to resolve.`,
    // Saved replies
    snippetSaved: (name: string) => `Saved reply !${name} stored. Send it with: reply C12 !${name}`,
    snippetReplaced: (name: string) => `Saved reply !${name} replaced.`,
    snippetRemoved: (name: string) => `Saved reply !${name} removed.`,
    snippetMissing: (name: string) => `There is no saved reply !${name}.`,
    snippetsTitle: (count: number) => `Saved replies (${count}); {name} and {lastOrder} are filled in for each customer:`,
    snippetLine: (name: string, body: string) => `!${name} · ${body}`,
    snippetsNone: () => 'No saved replies yet. Add one with: snippet add thanks Thank you, {name}!',
    // To the customer: their order's progress
    orderCreated: (ref: string, items: string, amount: string) => `Thank you for your order ${ref}${items ? `: ${items}` : ''} — ${amount}. We will tell you here when it ships.`,
    orderPaid: (ref: string, amount: string) => `We received your payment of ${amount} for order ${ref}. Thank you!`,
    orderShipped: (ref: string, tracking: string) => `Your order ${ref} is on its way.${tracking ? ` Tracking: ${tracking}` : ''}`,
    orderDelivered: (ref: string) => `Your order ${ref} has been delivered. Enjoy it, and write to us here if anything is wrong.`,
    orderCancelled: (ref: string) => `Your order ${ref} has been cancelled. Write to us here if you have any questions.`,
  },

  // Opening hours: the away message to customers, alerts about conversations left waiting.
  hours: {
    away: (when: string) => `Thanks, we got your message. We're closed now; we open ${when} and will answer you then.`,
    opensToday: (time: string) => `today at ${time}`,
    opensTomorrow: (time: string) => `tomorrow at ${time}`,
    opensOn: (weekday: string, time: string) => `on ${weekday} at ${time}`,
    waitingAlert: (ref: string, name: string, waited: string, preview: string) =>
      `⏳ ${ref} ${name} has waited ${waited} of opening hours for an answer${preview ? `: “${preview}”` : '.'}\nAnswer with: reply ${ref} <text>`,
    waitingEscalation: (ref: string, name: string, waited: string, who: string, preview: string) =>
      `⏳ Still unanswered: ${ref} ${name} has waited ${waited} of opening hours (${who})${preview ? `: “${preview}”` : '.'}\nAnswer with: reply ${ref} <text>, or give it to someone: assign ${ref} <name>`,
  },

  // Satisfaction: the rating a customer gives a resolved conversation, and what stats shows of it.
  rating: {
    ask: () => 'Your conversation with us is closed. How did we do? Tap a rating from 1 (poor) to 5 (excellent).',
    button: (value: number) => `${value} ⭐`,
    thanks: (value: number) => `Thank you for your rating (${value}/5)! It helps us do better.`,
    already: () => 'You have already rated this conversation — thank you!',
    unknown: () => 'This rating button is no longer valid. Thank you all the same!',
    invalid: () => 'Please choose a rating from 1 to 5 with the buttons.',
    statsLine: (resolved: number, average: string, count: number) => `  Conversations: ${resolved} resolved · rating ${average} of 5 from ${count} customer(s)`,
    statsNoRatings: (resolved: number) => `  Conversations: ${resolved} resolved · no ratings yet`,
  },

  // Command summaries (help)
  summary: {
    help: 'show commands, or help for one command',
    lead: 'log a lead: name, phone, e-mail, #tags and a note in any order',
    find: 'find customers by name, phone, e-mail, #tag or number',
    customer: 'show a customer’s card',
    note: 'add a note to a customer',
    tag: 'add tags to a customer',
    untag: 'remove tags from a customer',
    order: 'record an order for a customer',
    orderStatus: 'move an order to a new status',
    orders: 'list orders (a customer’s, or your own)',
    merge: 'merge the second customer into the first (undoable)',
    unmerge: 'undo the last merge of a customer',
    invite: 'create a one-time code for a new staff member',
    join: 'join the team with an invite code',
    link: 'link your Telegram and Slack accounts with a one-time code',
    lang: 'choose your language: vi (Tiếng Việt) or en (English)',
    start: 'start: greeting and offer preferences',
    stop: 'stop receiving promotions',
    consent: 'answer the offers question',
    complaint: 'tell us something went wrong (handled with priority)',
    totals: 'rebuild customers’ running totals from their orders',
    whoami: 'show who the bot thinks you are',
    // Insight.
    segments: 'customer segments (RFM) and this week’s moves',
    segment: 'list a segment’s customers, by value or latest order',
    segmentsRefresh: 'recompute customer segments now',
    lapsed: 'customers with no order for a while (default from settings)',
    stats: 'staff performance this week or month',
    rate: 'rate a resolved conversation from 1 to 5',
    import: 'import customers from a CSV file (send the file)',
    dupes: 'likely duplicate customers, each with why, a Merge button (asks first) and a Not-the-same button',
    incomplete: 'list customers whose records need follow-up',
    export: 'export all customers and orders as CSV files',
    mydata: 'get a copy of everything we store about you',
    forget: 'erase your personal data (asks to confirm)',
    // Jobs.
    promoNew: 'schedule a promotion to all, a #tag or a segment (A/B variants, hold-out)',
    promoPreview: 'show a promotion’s audience size and message',
    promoList: 'list promotions',
    promoCancel: 'cancel a promotion that has not finished',
    promoStats: 'promotion results: sent, responses, opt-outs, conversions, uplift',
    promoResendUncertain: 'resend the sends a crash left uncertain (anyone who did get one gets it twice)',
    followup: 'remind yourself to follow up with a customer at a time',
    followups: 'list your open follow-ups, overdue first',
    followupDone: 'mark a follow-up done',
    followupSnooze: 'snooze a follow-up (1h, 1d, …)',
    followupsFor: 'create follow-ups for customers’ owners (digest button)',
    digest: 'weekly digest: on [day] [HH:MM], off, or now',
    // Inbox.
    reply: 'answer a customer in their chat (text, or a saved reply: !name)',
    inbox: 'open conversations, longest waiting first',
    assign: 'give a customer’s conversation to a colleague (or me)',
    resolve: 'close a customer’s conversation',
    snippetAdd: 'save a reply to reuse, with {name} and {lastOrder}',
    snippetList: 'list the saved replies',
    snippetRemove: 'remove a saved reply',
    // Chat links and the team (issue 11).
    chatLink: 'a one-time Telegram link that connects a customer who never wrote to the bot',
    staffList: 'list the team',
    staffRemove: 'remove a staff member and hand their customers to a colleague',
  },
  whoamiStaff: (name: string, role: string) => `You are ${name}, ${role}.`,
  whoamiCustomer: (ref: string, name: string) => `You are customer ${ref} ${name}.`,
  whoamiUnknown: () => 'You are not registered yet. Staff join with "join CODE"; customers just write to us.',

  // Promotions' reach, uncertain sends and buttons; argument errors and usage lines of the promo,
  // order, follow-up and segment commands (block of the jobs-and-promotions helper).
  promoReach: {
    noMatch: (audience: string) => `${audience} matches no customer — nothing would be sent, so nothing was scheduled.`,
    noneReachable: (matched: number, audience: string, reasons: string) =>
      `None of the ${matched.toLocaleString('en')} customer(s) in ${audience} can receive it — ${reasons}. Nothing was scheduled.`,
    few: (reach: number, matched: number, audience: string, reasons: string) =>
      `Heads-up: only ${reach.toLocaleString('en')} of the ${matched.toLocaleString('en')} customer(s) in ${audience} can receive it — left out: ${reasons}.`,
    leftOut: (reasons: string) => `Left out: ${reasons}.`,
    noConsent: (count: number) => `${count.toLocaleString('en')} never agreed to offers`,
    optedOut: (count: number) => `${count.toLocaleString('en')} opted out`,
    noChat: (count: number) => `${count.toLocaleString('en')} never wrote to the bot (no chat)`,
    unreachable: (count: number) => `${count.toLocaleString('en')} blocked the bot or lost their chat`,
    capped: (count: number, days: number) => `${count.toLocaleString('en')} had a promotion in the last ${days} day(s)`,
    hint: () => 'Customers agree to offers by sending "start" to the bot; only people who have written to the bot can be reached.',
    previewNobody: () => 'As things stand, nobody would receive it.',
    previewFew: (reach: number, matched: number) => `Only ${reach.toLocaleString('en')} of the ${matched.toLocaleString('en')} can receive it.`,
  },
  promoUncertain: {
    statsUncertain: (count: number, customers: string, id: string) =>
      `Uncertain ${count.toLocaleString('en')}: sending stopped during their call, so they may or may not have got it (${customers}). ` +
      `Resend with "promo resend-uncertain ${id}" — anyone who did get it gets it twice.`,
    resendButton: () => 'Resend uncertain',
    resendNone: (id: string, inFlight: number) =>
      `${id} has no uncertain sends.${inFlight ? ` ${inFlight.toLocaleString('en')} send(s) have no answer yet and may still be under way; ask again in 15 minutes if they stay so.` : ''}`,
    resendDone: (id: string, resent: number, failed: number) =>
      `Resent ${resent.toLocaleString('en')} uncertain send(s) of ${id}${failed ? `; ${failed.toLocaleString('en')} refused by the platform` : ''}.`,
    resendNothing: (id: string) => `Nothing of ${id} was resent.`,
    resendLeftOut: (items: string) => `Not resent: ${items}.`,
    resendOptedOut: (count: number) => `${count.toLocaleString('en')} opted out since`,
    resendUnreachable: (count: number) => `${count.toLocaleString('en')} unreachable since`,
    resendQuiet: (count: number, when: string) => `${count.toLocaleString('en')} in quiet hours now (ask again after ${when})`,
    resendNotConnected: (count: number) => `${count.toLocaleString('en')} on a platform not connected here`,
    resendAlready: (count: number) => `${count.toLocaleString('en')} resent by someone else meanwhile`,
    resendInFlight: (count: number) => `${count.toLocaleString('en')} maybe still under way`,
  },
  promoButtons: {
    preview: () => 'Preview',
    stats: () => 'Stats',
    cancel: () => 'Cancel',
  },
  commandArgs: {
    whichCustomer: () => 'say which customer',
    whichOrder: () => 'say which order, e.g. O7',
    whichPromotion: () => 'say which promotion, e.g. P7',
    whichFollowUp: () => 'say which follow-up, e.g. F7K2QM',
    whichSegment: () => 'say which segment, e.g. "segment At risk"',
    amountMissing: () => 'give the amount, e.g. 350k',
    orderStatusOneOf: (statuses: string) => `status must be one of ${statuses} (or: mới, đã thanh toán, đang giao, đã giao, hủy)`,
    textTooLong: (max: number) => `keep it under ${max.toLocaleString('en')} characters`,
    snoozeHowLong: () => 'say for how long, e.g. 1h or 1d',
    customerList: () => 'list customers like C12 C15',
    customersAtMost: (max: number) => `at most ${max} customers at once`,
    daysNumber: () => 'days must be a number, e.g. lapsed 60',
    daysWhole: () => 'days must be a whole number',
    daysAtLeast: (min: number) => `at least ${min} day(s)`,
    daysAtMost: (max: number) => `at most ${max} days`,
  },
  // A command's usage line, by command name (src/core/command.ts `usageOf`); one without an entry shows its own.
  usages: {
    'promo new': 'promo new <all | #tag | segment> [holdout N%] at <now | when>: <text> [| <text of variant B>]',
    'promo preview': 'promo preview <P7>',
    'promo list': 'promo list',
    'promo cancel': 'promo cancel <P7>',
    'promo stats': 'promo stats <P7>',
    'promo resend-uncertain': 'promo resend-uncertain <P7>',
    order: 'order <customer> <amount> [items]',
    'order status': 'order status <O7> <new|paid|shipped|delivered|cancelled>',
    orders: 'orders <customer>   (customers: just "orders")',
    followup: 'followup <customer> <when> <what to do>',
    followups: 'followups',
    'followup done': 'followup done <id>',
    'followup snooze': 'followup snooze <id> <30m|1h|3h|1d|2d|1w>',
    'followups for': 'followups for <C1> [C2 …]',
    segments: 'segments',
    segment: 'segment <name> [sort value|recency] [page N]',
    'segments refresh': 'segments refresh',
    lapsed: 'lapsed [days]',
  },

  // Replies with a photo or file, one-time chat links for leads, removing a staff member
  // (block of the inbox-files-links-staff helper, issue 11).
  replyFile: {
    unreadable: (ref: string, name: string, what: string, reason: string) => `Nothing was sent to ${ref} ${name}: your ${what} could not be fetched (${reason}). Send it again.`,
    tooLarge: (ref: string, name: string, what: string, maxMb: number) =>
      `Nothing was sent to ${ref} ${name}: your ${what} is larger than ${maxMb} MB, the most the bot can pass on. Send a smaller one, or a link.`,
  },
  startLink: {
    button: () => 'Chat link',
    created: (ref: string, name: string, url: string, expires: string) =>
      `One-time chat link for ${ref} ${name}, valid until ${expires}:\n${url}\nSend it by SMS or any messenger. Opening it connects their Telegram to ${ref}, and you can write to them with "reply ${ref} …". It works once.`,
    noTelegram: (ref: string, name: string, code: string, expires: string) =>
      `One-time code for ${ref} ${name}, valid until ${expires}: ${code}\nThe shop's Telegram bot is not connected here, so there is no t.me link. Members of your Slack workspace can send the app: start ${code}`,
    slackToo: (code: string) => `On Slack (members of your workspace only) the same code works: they send the app "start ${code}".`,
    welcome: (name: string) => `Hello ${name}! You are now connected with our shop. Write to us here any time, and we will answer in this chat.`,
    welcomeBack: (name: string) => `Hello again, ${name}! You are already connected with our shop. Write to us here any time.`,
    expired: () => 'This link has expired. Please ask the shop to send you a new one.',
    used: () => 'This link has already been used. If that was not you, or you need a new one, please ask the shop.',
    unknown: () => 'This link is not valid (perhaps it was copied incompletely). Please check it, or ask the shop for a new one.',
    linkedElsewhere: () =>
      'This account is already connected to another customer record at our shop, so nothing was changed. We have let the shop know; they will sort it out.',
    staffAccount: () => 'This is a staff account: a customer’s chat link cannot be used from it. Nothing was changed.',
    toStaffLinked: (ref: string, name: string, platform: string) => `🔗 ${ref} ${name} opened their chat link and is now connected on ${platform}. Write to them with: reply ${ref} <text>`,
    toStaffConflict: (ref: string, name: string, platform: string, other: string) =>
      `⚠️ The ${platform} account that opened the chat link for ${ref} ${name} already belongs to customer ${other}; nothing was moved. If they are the same person: merge ${ref} ${other}`,
  },
  staffAdmin: {
    listTitle: (count: number) => `The team (${count}):`,
    listLine: (name: string, role: string, platforms: string) => `${name} · ${role} · ${platforms}`,
    removedLine: (name: string, role: string) => `${name} · ${role} · removed`,
    listHint: () => 'To remove someone and hand over their customers: staff remove <name> to <name>',
    confirm: (name: string, role: string, to: string, customers: number, conversations: number, followUps: number) =>
      `Remove ${name} (${role}) from the team? They will no longer be able to use the bot as staff. Their ${customers} customer(s), ${conversations} open conversation(s) and ${followUps} pending follow-up(s) go to ${to}.`,
    removeButton: (name: string) => `Remove ${name}`,
    cancelButton: () => 'Keep them',
    cancelled: (name: string) => `${name} stays on the team; nothing was changed.`,
    removed: (name: string, to: string, customers: number, conversations: number, followUps: number) =>
      `${name} is removed from the team. ${to} now has their ${customers} customer(s), ${conversations} open conversation(s) and ${followUps} follow-up(s).`,
    handedToYou: (by: string, from: string, customers: number, conversations: number, followUps: number) =>
      `📥 ${by} removed ${from} from the team. Their ${customers} customer(s), ${conversations} open conversation(s) and ${followUps} follow-up(s) are now yours: see "inbox mine" and "followups".`,
  },

  // Errors: one text per case, given its params (see the module comment).
  errors: englishErrorTexts,
};

/** A catalogue: its texts, and how its language writes numbers, money and dates. */
export type Messages = typeof en & { format: Formats };

/** Partial at every level: a translation may leave out any text, in any section. */
type DeepPartial<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A translation: any texts it has, error texts key by key; English fills in the rest (its formats are its language's). */
export type Translation = DeepPartial<Omit<Messages, 'errors' | 'format'>> & { errors?: Partial<ErrorTexts> };

const translations: Partial<Record<Language, Translation>> = { vi };
const built = new Map<Language, Messages>();

/** The catalogue for a locale (e.g. `vi-VN` → `vi`; a language the CRM does not speak → English). */
export function messagesFor(locale: string | undefined): Messages {
  const lang = languageOf(locale) ?? 'en';
  let msg = built.get(lang);
  if (!msg) {
    msg = { ...overlay(en, translations[lang]), format: formatsFor(lang) };
    built.set(lang, msg);
  }
  return msg;
}

/**
 * The language a person reads: the one they chose (`lang vi`, stored on their staff or customer
 * record), else their platform's when the CRM speaks it (Telegram's `language_code`, Slack's
 * locale: `vi`, `vi-VN` → vi; `en-US` → en), else the shop's (`SHOP_LANGUAGE`).
 *
 * @example
 *   chooseLanguage(undefined, 'vi', 'en') // → 'vi'
 *   chooseLanguage('en', 'vi', 'vi')      // → 'en'
 *   chooseLanguage(undefined, 'de', 'vi') // → 'vi'
 */
export function chooseLanguage(chosen: string | null | undefined, platform: string | null | undefined, shop: Language): Language {
  return languageOf(chosen) ?? languageOf(platform) ?? shop;
}

/** English with a translation laid over it, section by section: what the translation lacks stays English. */
function overlay<T>(base: T, over: unknown): T {
  if (!isSection(base) || !isSection(over)) return (over ?? base) as T;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) result[key] = overlay(base[key], value);
  }
  return result as T;
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
