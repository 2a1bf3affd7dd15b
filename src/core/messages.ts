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
  },
  noteSaved: (ref: string) => `Note saved on ${ref}.`,
  tagsAdded: (ref: string, tags: string) => `${ref} tagged ${tags}.`,
  tagsUnchanged: (ref: string) => `${ref} already had those tags.`,
  tagsRemoved: (ref: string, tags: string) => `Removed ${tags} from ${ref}.`,
  tagsNotThere: (ref: string) => `${ref} had none of those tags.`,

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
  dupesNone: () => 'No likely duplicates: no two customers share a name and a contact detail.',
  dupesTitle: (total: number) => `Likely duplicates (${total}): same name and a shared contact detail. Check each pair, then run the merge shown (it can be undone with unmerge).`,
  dupesLine: (keep: string, keepName: string, merge: string, mergeName: string, shared: string, command: string) =>
    `${keep} ${keepName} ⇄ ${merge} ${mergeName} · ${shared}\n   → ${command}`,
  dupesSameEmail: (email: string) => `same e-mail ${email}`,
  dupesSamePhone: (digits: string) => `same phone number ${digits}`,
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
    orders: (orders: number, prevOrders: number, revenue: string, prevRevenue: string, change: string) =>
      `Orders: ${orders} (previous week ${prevOrders}) · Revenue: ${revenue} (previous ${prevRevenue}) ${change}`.trim(),
    ordersUnknown: (since: string) => `Orders and revenue: history starts ${since}; the comparison appears once two weeks are recorded.`,
    leadsTitle: (count: number) => `New leads: ${count}`,
    leadsLine: (who: string, count: number) => `  ${who}: ${count}`,
    unassigned: () => 'unassigned',
    topTitle: () => 'Top customers who ordered this week (lifetime revenue):',
    topLine: (ref: string, name: string, revenue: string, orders: number) => `  ${ref} ${name} · ${revenue} · ${orders} order(s)`,
    lapsedTitle: (newly: number, total: number, days: number) => `Lapsed (no order for ${days} days): ${total} in all, ${newly} newly this week`,
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
    chartCaption: (from: string, to: string) => `Revenue per day and segment sizes, ${from} – ${to}`,
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
    previewExcluded: (noConsent: number, unreachable: number, capped: number, days: number) =>
      `Left out: ${noConsent} without offer consent · ${unreachable} with no reachable chat · ${capped} had a promotion in the last ${days} day(s).`,
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
    import: 'import customers from a CSV file (send the file)',
    dupes: 'list likely duplicate customers, with the merge to run',
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
  },
  whoamiStaff: (name: string, role: string) => `You are ${name}, ${role}.`,
  whoamiCustomer: (ref: string, name: string) => `You are customer ${ref} ${name}.`,
  whoamiUnknown: () => 'You are not registered yet. Staff join with "join CODE"; customers just write to us.',

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
