/**
 * Coded errors. Every error the CRM raises on purpose is an `AppError` with a
 * stable string `code`; anything else thrown is wrapped by {@link asAppError}
 * so callers (the core, the adapters, the jobs) only ever handle one shape.
 *
 * Errors. One class per family — {@link ValidationError} (bad input, shown with the
 * command's usage line), {@link NotFoundError}, {@link ForbiddenError}, {@link ConflictError}
 * (all shown to the person), and {@link PlatformError}, {@link ConfigError}, {@link InternalError}
 * and the database errors of `src/db` (for operators, never shown) — so `instanceof` picks the
 * handling. Within a family, each case has its own code (`ORDER_STATUS_NOT_ALLOWED`,
 * `CUSTOMER_DETAILS_CONFLICT`, …) listed in {@link errorCases} with its catalogue key and its
 * English text. Why codes: a code survives logs, tests and translations; a sentence does not.
 * Services raise a case — a code and the values its text shows — never a sentence; the edge (the
 * core's `describe`) renders it from the reader's catalogue (`msg.errors[key](params)`), so a
 * Vietnamese text is added in src/core/messages.ts without touching any service.
 * The English texts are written here, beside their codes, because this module sits below the
 * catalogue (tests/unit/layers.test.ts) and an error's own `message` is English — what logs,
 * scripts and tests read — whether or not the catalogue is loaded; the catalogue's `errors`
 * section is built from them ({@link englishErrorTexts}).
 *
 * Adding a case: one line in {@link errorCases} — the code, the family's helper (`invalid`,
 * `notFound`, `forbidden`, `conflict`), a catalogue key and the English text as a function of its
 * params — then `throw new ValidationError('field', { code: 'NEW_CODE', params: { … } })`. The
 * types check the params against the text; tests/unit/errors.test.ts checks that codes and keys
 * are unique and that every key has a text. Commands, which already speak the reader's language,
 * may still pass words they rendered: `new ValidationError('amount', ctx.msg.badAmount(text))`
 * carries the family code (`VALIDATION`) and is shown as given.
 *
 * @example
 *   throw new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: '#a b' } });
 *   // message: 'tag: "#a b" is not a valid tag (letters, digits, - and _)'
 *   throw new NotFoundError({ code: 'ORDER_NOT_FOUND', params: { ref: 'O7' } });
 */

/** The families: one code per class below. An error raised with words rather than a case carries its family's code. */
export const errorCodes = ['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'PLATFORM', 'CONFIG', 'INTERNAL'] as const;

export type ErrorFamily = (typeof errorCodes)[number];

/** The families shown to the person who caused them. */
type UserFacingFamily = 'VALIDATION' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT';

/** An English text: a function of the case's params (none for a fixed sentence). */
type Text = (params: never) => string;

/** One case of a family: its catalogue key and its English text. */
interface CaseSpec<F extends UserFacingFamily, K extends string, T extends Text> {
  family: F;
  key: K;
  en: T;
}

const invalid = <const K extends string, T extends Text>(key: K, en: T): CaseSpec<'VALIDATION', K, T> => ({ family: 'VALIDATION', key, en });
const notFound = <const K extends string, T extends Text>(key: K, en: T): CaseSpec<'NOT_FOUND', K, T> => ({ family: 'NOT_FOUND', key, en });
const forbidden = <const K extends string, T extends Text>(key: K, en: T): CaseSpec<'FORBIDDEN', K, T> => ({ family: 'FORBIDDEN', key, en });
const conflict = <const K extends string, T extends Text>(key: K, en: T): CaseSpec<'CONFLICT', K, T> => ({ family: 'CONFLICT', key, en });

type Ref = { ref: string };
type Quoted = { text: string };
type Times = { text: string; examples: readonly string[] };
const quoted = (items: readonly string[]) => items.map((item) => `"${item}"`).join(', ');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** `1st`, `2nd`, `3rd`, `11th`, `31st`. */
const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/**
 * Every case a service or value raises: its family, catalogue key and English text.
 * Validation reasons start in lower case: the core capitalises them before the usage line.
 */
export const errorCases = {
  // People and the team
  STAFF_NOT_CUSTOMER: invalid('staffNotCustomer', () => 'staff members are not customers'),
  LINK_CODE_SAME_ACCOUNT: invalid('linkCodeSameAccount', () => 'send the code from your other account, not this one'),
  INVITE_CODE_NOT_FOUND: notFound('inviteCodeNotFound', (p: Ref) => `No invite code matches "${p.ref}".`),
  LINK_CODE_NOT_FOUND: notFound('linkCodeNotFound', (p: Ref) => `No link code matches "${p.ref}".`),
  INVITE_OWNER_FORBIDDEN: forbidden('inviteOwnerForbidden', () => 'Sorry, your role cannot use "invite an owner".'),
  /** `command` is a command name: for someone who is not staff, the core says "staff only" instead. */
  COMMAND_NOT_ALLOWED: forbidden('commandNotAllowed', (p: { command: string }) => `Sorry, your role cannot use "${p.command}".`),
  ALREADY_STAFF: conflict('alreadyStaff', () => 'You are already staff.'),
  STAFF_ACCOUNT_NOT_LINKABLE: conflict('staffAccountNotLinkable', () => 'This account belongs to a staff member and cannot be linked to someone else.'),

  // Customers, contact details, tags and search
  CUSTOMER_NOT_FOUND: notFound('customerNotFound', (p: Ref) => `No customer matches "${p.ref}".`),
  LEAD_NEEDS_IDENTIFIER: invalid('leadNeedsIdentifier', () => 'give at least a name, a phone number or an e-mail'),
  CUSTOMER_DETAILS_BUSY: conflict('customerDetailsBusy', () => 'These details are being changed by someone else right now; please try again.'),
  CUSTOMER_DETAILS_CONFLICT: conflict(
    'customerDetailsConflict',
    (p: { refs: readonly string[] }) => `These details belong to different customers (${p.refs.join(', ')}). Merge them first: merge ${p.refs.join(' ')}`,
  ),
  CONTACT_DETAILS_TAKEN: conflict('contactDetailsTaken', (p: { details: readonly string[]; ref: string }) => `${p.details.join(', ')} belongs to ${p.ref}.`),
  /** Several customers match what was typed: up to five `candidates` of `total`. */
  CUSTOMER_AMBIGUOUS: conflict(
    'customerAmbiguous',
    (p: { ref: string; total: number; candidates: readonly { ref: string; name: string }[] }) =>
      `"${p.ref}" matches ${p.total} customers: ${p.candidates.map((c) => `${c.ref} ${c.name}`).join(', ')}` +
      `${p.total > p.candidates.length ? ', …' : ''}. Use the number, e.g. ${p.candidates[0]?.ref ?? ''}.`,
  ),
  // Leads waiting for an answer (services/lead-questions.ts)
  LEAD_QUESTION_NOT_FOUND: notFound('leadQuestionNotFound', (p: Ref) => `The question ${p.ref} is not there any more; send the lead again.`),
  LEAD_QUESTION_BEING_ANSWERED: conflict('leadQuestionBeingAnswered', (p: Ref) => `The question ${p.ref} is being answered by someone else right now.`),
  LEAD_ANSWER_NOT_A_CANDIDATE: invalid('leadAnswerNotACandidate', (p: Ref) => `${p.ref} is not one of the customers this question is about`),
  CUSTOMER_ERASED: invalid('customerErased', () => 'this customer’s data was erased; orders cannot be added'),
  SEARCH_EMPTY: invalid('searchEmpty', () => 'say what to look for: a name, phone, e-mail, #tag or C12'),
  SEARCH_TAG_INVALID: invalid('searchTagInvalid', (p: { tag: string }) => `"${p.tag}" is not a valid tag`),
  TAG_INVALID: invalid('tagInvalid', (p: { tag: string }) => `"${p.tag}" is not a valid tag (letters, digits, - and _)`),
  TAGS_MISSING: invalid('tagsMissing', () => 'give at least one tag, e.g. #vip'),
  SEARCH_TOO_LONG: invalid('searchTooLong', (p: { max: number }) => `what to look for is too long (${p.max} characters at most)`),
  TAGS_TOO_MANY: invalid('tagsTooMany', (p: { max: number }) => `at most ${p.max} tags at a time`),

  // Messages as a whole (the core's edge: src/core/limits.ts, src/core/handle.ts)
  MESSAGE_TOO_LONG: invalid(
    'messageTooLong',
    (p: { length: number; max: number }) =>
      `your message is too long (${p.length.toLocaleString('en')} characters; at most ${p.max.toLocaleString('en')}). Nothing was done — send it in shorter parts.`,
  ),
  /** An internal error after something was saved: the reply says what was saved instead of "something went wrong". */
  SAVED_THEN_FAILED: conflict(
    'savedThenFailed',
    (p: { saved: readonly string[]; ref: string }) =>
      `Saved: ${p.saved.join(', ')}. Something went wrong after that (ref ${p.ref}); check it before sending the command again — a new message would save it again.`,
  ),

  // Merging customers
  MERGE_SAME_CUSTOMER: invalid('mergeSameCustomer', () => 'give two different customers'),
  MERGE_CUSTOMER_INACTIVE: conflict('mergeCustomerInactive', (p: { ref: string; status: string }) => `${p.ref} is ${p.status}; it cannot be merged.`),
  MERGE_NOT_FOUND: notFound('mergeNotFound', (p: Ref) => `No merge of customer matches "${p.ref}".`),

  // Orders
  ORDER_NOT_FOUND: notFound('orderNotFound', (p: Ref) => `No order matches "${p.ref}".`),
  ORDER_STATUS_UNKNOWN: invalid('orderStatusUnknown', (p: { statuses: readonly string[] }) => `must be one of ${p.statuses.join(', ')}`),
  ORDER_STATUS_NOT_ALLOWED: invalid(
    'orderStatusNotAllowed',
    (p: { ref: string; from: string; next: readonly string[] }) => `${p.ref} is ${p.from}; it can go to ${p.next.join(', ') || 'no other status'}`,
  ),
  ORDER_CHANGED_MEANWHILE: invalid('orderChangedMeanwhile', (p: Ref) => `${p.ref} was changed by someone else just now; look again`),
  /**
   * Not an error but a question: an order amount above the shop's ceiling (`ORDER_AMOUNT_CONFIRM_ABOVE`) is not
   * recorded until confirmed with the button (the same command with `--confirm`). Its text lives here because the
   * catalogue's `errors` section is where coded texts are translated.
   */
  ORDER_AMOUNT_CONFIRM_LARGE: invalid(
    'orderAmountConfirmLarge',
    (p: { amount: string; limit: string; ref: string; name: string }) =>
      `${p.amount} for ${p.ref} ${p.name} is more than ${p.limit}. Nothing is recorded yet: press the button to record it, or send the order again with --confirm.`,
  ),
  /** Also a question: a base-currency amount so small it is probably missing its "k" (`order C3 500 đầm`). */
  ORDER_AMOUNT_CONFIRM_SMALL: invalid(
    'orderAmountConfirmSmall',
    (p: { amount: string; limit: string; suggestion: string; ref: string; name: string }) =>
      `${p.amount} for ${p.ref} ${p.name} is less than ${p.limit}: did you mean ${p.suggestion}? Nothing is recorded yet: press the amount you mean.`,
  ),

  // Amounts (src/values/money.ts); `text` is the amount as typed
  AMOUNT_UNREADABLE: invalid('amountUnreadable', (p: Quoted) => `"${p.text}" is not an amount. Try 350k, 350000, 19.99 EUR.`),
  AMOUNT_NOT_POSITIVE: invalid('amountNotPositive', (p: Quoted) => `"${p.text}" is not an amount above zero`),
  AMOUNT_CURRENCY_UNKNOWN: invalid(
    'amountCurrencyUnknown',
    (p: { text: string; code: string }) => `"${p.code}" is not a currency I know; use an ISO 4217 code such as VND, USD or EUR`,
  ),
  AMOUNT_TWO_CURRENCIES: invalid('amountTwoCurrencies', (p: Quoted) => `"${p.text}" names two currencies; give one`),
  /** One separator followed by three digits, in a currency with decimals: a thousands separator or a decimal point? */
  AMOUNT_AMBIGUOUS_DECIMALS: invalid(
    'amountAmbiguousDecimals',
    (p: { text: string; currency: string; digits: number; whole: string }) =>
      `"${p.text}" can be read two ways, and ${p.currency} has ${p.digits} decimal${p.digits === 1 ? '' : 's'}: write ${p.whole} ${p.currency} without a separator, or at most ${p.digits} decimal${p.digits === 1 ? '' : 's'}`,
  ),
  /** More decimals than the currency has (`350.5` VND, `0.5 JPY`, `0.005 USD`). */
  AMOUNT_TOO_PRECISE: invalid('amountTooPrecise', (p: { text: string; currency: string; digits: number }) =>
    p.digits === 0
      ? `"${p.text}" has decimals, but ${p.currency} has none: give a whole number (or use k, tr: 350.5k is 350,500)`
      : `"${p.text}" is finer than ${p.currency} allows (${p.digits} decimal${p.digits === 1 ? '' : 's'})`,
  ),
  /** A multiplier with a three-digit fraction (`1.500k`) or after a space-grouped number (`2 500k`). */
  AMOUNT_AMBIGUOUS_GROUPS: invalid(
    'amountAmbiguousGroups',
    (p: Quoted) => `"${p.text}" can be read two ways; write it as one amount, e.g. 1500k, 1,5tr, 1tr5 or 1.500.000`,
  ),
  /** A bare number right after an amount (`1 triệu 2 áo`, `350k 2 áo`): part of the amount, or a quantity? */
  AMOUNT_THEN_NUMBER: invalid(
    'amountThenNumber',
    (p: { text: string; number: string }) =>
      `"${p.text}": is ${p.number} part of the amount? Write the amount as one word (1tr2 is 1,200,000) and a quantity with x (${p.number}x áo)`,
  ),
  AMOUNT_TOO_LARGE: invalid('amountTooLarge', (p: { text: string; max: string }) => `"${p.text}" is more than the largest amount accepted (${p.max})`),

  // Follow-ups
  FOLLOW_UP_NOT_FOUND: notFound('followUpNotFound', (p: Ref) => `No follow-up matches "${p.ref}".`),
  FOLLOW_UP_NOT_YOURS: forbidden('followUpNotYours', () => 'Sorry, your role cannot use "change someone else’s follow-up".'),
  FOLLOW_UP_CANCELLED: invalid('followUpCancelled', (p: Ref) => `${p.ref} was cancelled`),
  FOLLOW_UP_CLOSED: invalid('followUpClosed', (p: { ref: string; status: string }) => `${p.ref} is ${p.status}`),

  // The inbox: replies to customers, assignments, saved replies (src/services/conversations.ts, ./services/snippets.ts)
  CUSTOMER_NO_CHAT: conflict(
    'customerNoChat',
    (p: Ref) => `${p.ref} has never written to the shop's bot, so there is no chat to answer in; nothing was sent. Call or e-mail them instead.`,
  ),
  CUSTOMER_SILENCED: conflict('customerSilenced', (p: Ref) => `${p.ref} asked us to stop messaging them and has not written since; nothing was sent.`),
  REPLY_PLACEHOLDER_EMPTY: conflict(
    'replyPlaceholderEmpty',
    (p: { ref: string; placeholder: string }) => `${p.ref} has nothing to fill {${p.placeholder}} with; nothing was sent. Write the reply yourself.`,
  ),
  STAFF_NOT_FOUND: notFound('staffNotFound', (p: Ref) => `No active staff member matches "${p.ref}".`),
  STAFF_AMBIGUOUS: conflict('staffAmbiguous', (p: { ref: string; names: readonly string[] }) => `"${p.ref}" matches ${p.names.join(', ')}. Give the full name.`),
  // Removing a staff member, chat links (src/services/staff-removal.ts, src/services/start-links.ts)
  STAFF_REMOVE_LAST_OWNER: conflict('staffRemoveLastOwner', (p: { name: string }) => `${p.name} is the only owner; a shop needs one. Make someone else an owner first (invite owner).`),
  STAFF_REMOVE_TO_SELF: invalid('staffRemoveToSelf', () => 'hand their customers to someone else, not to the person being removed'),
  STAFF_REMOVE_CONFIGURED: conflict(
    'staffRemoveConfigured',
    (p: { name: string }) => `${p.name} is an owner by configuration (OWNER_TELEGRAM_IDS / OWNER_SLACK_IDS) and would be back at their next message. Take them out of the configuration first.`,
  ),
  START_LINK_CUSTOMER_ERASED: invalid('startLinkCustomerErased', (p: Ref) => `${p.ref}'s data was erased; there is nobody to link`),
  SNIPPET_NOT_FOUND: notFound('snippetNotFound', (p: Ref) => `No saved reply is called "${p.ref}". See them with: snippet list`),
  SNIPPET_NAME_INVALID: invalid('snippetNameInvalid', (p: Quoted) => `"${p.text}" is not a name for a saved reply (letters, digits, - and _, at most 32)`),
  SNIPPET_TEXT_TOO_LONG: invalid('snippetTextTooLong', (p: { max: number }) => `keep a saved reply under ${p.max.toLocaleString('en')} characters`),
  SNIPPET_PLACEHOLDER_UNKNOWN: invalid(
    'snippetPlaceholderUnknown',
    (p: { placeholder: string; known: readonly string[] }) => `{${p.placeholder}} is not a placeholder; use ${p.known.map((k) => `{${k}}`).join(' or ')}`,
  ),
  SNIPPETS_FULL: conflict('snippetsFull', (p: { max: number }) => `The shop keeps at most ${p.max} saved replies; remove one first (snippet remove <name>).`),

  // Times and durations (the examples are what the time grammar reads)
  WHEN_UNREADABLE: invalid('whenUnreadable', (p: Times) => `I can't read "${p.text}" as a time. Try ${quoted(p.examples)}`),
  WHEN_PASSED: invalid('whenPassed', (p: Times) => `"${p.text}" has already passed. Give a time ahead, e.g. ${quoted(p.examples)}`),
  WHEN_NOT_A_DATE: invalid('whenNotADate', (p: Times) => `"${p.text}" is not a real date or time. Try ${quoted(p.examples)}`),
  WHEN_NO_SUCH_HOUR: invalid('whenNoSuchHour', (p: { text: string; hour: number }) => `"${p.text}" is not a real time: there is no hour ${p.hour} (hours go from 0 to 23)`),
  WHEN_NO_SUCH_MINUTE: invalid('whenNoSuchMinute', (p: { text: string; minute: number }) => `"${p.text}" is not a real time: there is no minute ${p.minute} (minutes go from 0 to 59)`),
  /** `13pm`, `0am`: am/pm hours go from 1 to 12. */
  WHEN_NOT_TWELVE_HOUR: invalid(
    'whenNotTwelveHour',
    (p: { text: string; hour: number; suffix: string }) => `"${p.text}" is not a real time: there is no ${p.hour}${p.suffix} (with am/pm, hours go from 1 to 12)`,
  ),
  /** An hour outside the part of the day named with it (`15h sáng`, `tối nay 3h`). */
  WHEN_HOUR_OUTSIDE_PERIOD: invalid(
    'whenHourOutsidePeriod',
    (p: { text: string; hour: number; period: string }) => `"${p.text}" is not a real time: ${p.hour} o'clock is not "${p.period}"`,
  ),
  /** `month` is 1–12; `year` is given when the day exists in other years (29 February). */
  WHEN_NO_SUCH_DAY: invalid(
    'whenNoSuchDay',
    (p: { text: string; day: number; month: number; year?: number }) =>
      `"${p.text}" is not a real date: ${MONTHS[p.month - 1] ?? `month ${p.month}`}${p.year === undefined ? '' : ` ${p.year}`} has no ${ordinal(p.day)}`,
  ),
  WHEN_NO_SUCH_MONTH: invalid('whenNoSuchMonth', (p: { text: string; month: number }) => `"${p.text}" is not a real date: there is no month ${p.month}`),
  /** A word without its accents that reads two ways (`thu 2 toi`: tới, the coming Monday, or tối, Monday evening). */
  WHEN_AMBIGUOUS: invalid(
    'whenAmbiguous',
    (p: { text: string; word: string; readings: readonly string[] }) =>
      `"${p.text}" can be read two ways ("${p.word}" as ${p.readings.map((r) => `"${r}"`).join(' or ')}); write it with its accents or add a time`,
  ),
  WHEN_TOO_FAR: invalid('whenTooFar', (p: { text: string; years: number }) => `"${p.text}" is more than ${p.years} years ahead; give a nearer time`),
  DURATION_UNREADABLE: invalid('durationUnreadable', (p: Quoted) => `"${p.text}" is not a duration. Try 30m, 1h, 3h, 1d, 2d, 1w`),
  DIGEST_SCHEDULE_UNREADABLE: invalid(
    'digestScheduleUnreadable',
    (p: Quoted) => `"${p.text}" is not a weekday or a time; try "digest on mon 09:00" or "digest on friday 5pm"`,
  ),

  // Promotions
  CAMPAIGN_NOT_FOUND: notFound('campaignNotFound', (p: Ref) => `No campaign matches "${p.ref}".`),
  AUDIENCE_UNKNOWN: invalid(
    'audienceUnknown',
    (p: { text: string; segments: readonly string[] }) => `"${p.text}" is not an audience: say all, a #tag, or a segment (${p.segments.join(', ')})`,
  ),
  PROMO_NEEDS_COLON: invalid('promoNeedsColon', () => 'put a colon before the message, e.g. "promo new all at now: Spring sale — 20% off"'),
  PROMO_TOO_MANY_VARIANTS: invalid('promoTooManyVariants', () => 'at most two variants, separated by one |'),
  PROMO_TEXT_EMPTY: invalid('promoTextEmpty', () => 'the message text is empty'),
  PROMO_TEXT_TOO_LONG: invalid('promoTextTooLong', (p: { max: number }) => `keep each text under ${p.max.toLocaleString('en')} characters`),
  PROMO_HOLDOUT_TOO_LARGE: invalid('promoHoldoutTooLarge', (p: { max: number }) => `a hold-out of at most ${p.max}%`),
  PROMO_NEEDS_WHEN: invalid('promoNeedsWhen', () => 'say when: "at now", "at tomorrow 10:00", "at fri 9am"'),
  PROMO_WHEN_UNREADABLE: invalid('promoWhenUnreadable', (p: Quoted) => `I can't read "${p.text}" as a time`),
  PROMO_ALREADY_FINISHED: conflict('promoAlreadyFinished', (p: { ref: string; status: string }) => `${p.ref} is ${p.status} already; nothing to cancel.`),
  PROMO_RESEND_CANCELLED: conflict('promoResendCancelled', (p: Ref) => `${p.ref} was cancelled, so nothing of it is resent.`),

  // Segments
  SEGMENTS_RECOMPUTING: conflict('segmentsRecomputing', () => 'Segments are being recomputed right now.'),

  // Importing customers
  IMPORT_FILE_EMPTY: invalid('importFileEmpty', () => 'the file is empty (no header line)'),
  IMPORT_HEADER_UNREADABLE: invalid('importHeaderUnreadable', (p: { reason: string }) => `the header line cannot be read: ${p.reason}`),
  IMPORT_MAP_UNKNOWN_FIELD: invalid(
    'importMapUnknownField',
    (p: { field: string; fields: readonly string[] }) => `unknown field "${p.field}"; use ${p.fields.join(', ')}`,
  ),
  IMPORT_MAP_NO_COLUMN: invalid('importMapNoColumn', (p: { field: string }) => `say which column holds ${p.field}, e.g. ${p.field}=Column`),
  IMPORT_MAP_UNREADABLE: invalid('importMapUnreadable', (p: Quoted) => `cannot read the column mapping "${p.text}"; write it like phone=Tel,name="Họ tên"`),
  IMPORT_COLUMN_MISSING: invalid(
    'importColumnMissing',
    (p: { column: string; columns: readonly string[] }) => `the file has no column "${p.column}" (its columns: ${quoted(p.columns)})`,
  ),
  IMPORT_NO_CONTACT_COLUMN: invalid(
    'importNoContactColumn',
    (p: { columns: readonly string[] }) => `no phone or e-mail column found (columns: ${quoted(p.columns)}); name them with --map phone=…,email=…`,
  ),
  /** `encoding`: 'TCVN3 (ABC)' or 'VNI Windows' (as Unikey's converter names them); `sample`: the file's first line as it reads decoded (up to 40 characters). */
  IMPORT_ENCODING_LEGACY_FONT: invalid(
    'importEncodingLegacyFont',
    (p: { encoding: string; sample: string }) =>
      `the file is written in the old ${p.encoding} font encoding, not Unicode (its first line reads "${p.sample}"). ` +
      `Convert it to Unicode with Unikey's converter ("Chuyển mã": source ${p.encoding}, destination Unicode), ` +
      'then in Excel: Save As → "CSV UTF-8 (Comma delimited)", and import that file',
  ),
  IMPORT_ENCODING_UNKNOWN: invalid(
    'importEncodingUnknown',
    () =>
      'the file is not text in UTF-8, UTF-16 or Windows-1258 (Vietnamese): is it an Excel workbook (.xlsx) or another encoding? ' +
      'In Excel: Save As → "CSV UTF-8 (Comma delimited)", and import that file',
  ),
  IMPORT_CONTACTS_CHANGED: conflict(
    'importContactsChanged',
    () => 'Contact details changed while the file was being imported; import it again (nothing is duplicated).',
  ),
  IMPORT_CUSTOMER_NUMBER_TAKEN: conflict(
    'importCustomerNumberTaken',
    (p: Ref) =>
      `Customer number ${p.ref} was taken by another writer during the import; stopped before counting this batch. Import the file again (rows already imported are recognised).`,
  ),
} as const;

type Cases = typeof errorCases;

/** A specific case, e.g. `ORDER_STATUS_NOT_ALLOWED`. */
export type ErrorCode = keyof Cases;

/** The params a case's text shows (`undefined` for a fixed sentence). */
export type ErrorParams<C extends ErrorCode> = ParamsOf<Cases[C]['en']>;
type ParamsOf<T> = T extends () => string ? undefined : T extends (params: infer P) => string ? P : never;

type CodesOf<F extends UserFacingFamily> = { [C in ErrorCode]: Cases[C]['family'] extends F ? C : never }[ErrorCode];

/**
 * What a service raises: a case of a family, with the values its text shows.
 *
 * @example
 *   const reason: ErrorCase<'VALIDATION'> = { code: 'ORDER_STATUS_UNKNOWN', params: { statuses: ['new', 'paid'] } };
 */
export type ErrorCase<F extends UserFacingFamily = UserFacingFamily> = {
  [C in CodesOf<F>]: ErrorParams<C> extends undefined ? { code: C; params?: undefined } : { code: C; params: ErrorParams<C> };
}[CodesOf<F>];

/** The catalogue's `errors` section: one text per key, taking that case's params. */
export type ErrorTexts = { [C in ErrorCode as Cases[C]['key']]: Cases[C]['en'] };

/** A key of the catalogue's `errors` section. */
export type ErrorKey = keyof ErrorTexts;

/** The English `errors` section of the catalogue (src/core/messages.ts), built from {@link errorCases}. */
export const englishErrorTexts = Object.fromEntries(Object.values(errorCases).map((c) => [c.key, c.en])) as ErrorTexts;

function render(texts: ErrorTexts, reason: ErrorCase): string {
  return renderKey(texts, errorCases[reason.code].key, reason.params);
}

function renderKey(texts: ErrorTexts, key: ErrorKey, params: unknown): string {
  const text = texts[key] as (params: unknown) => string;
  return text(params);
}

/** Whether a constructor argument is a case (and not words, or anything else passed in). */
function isCase<F extends UserFacingFamily>(value: unknown, family: F): value is ErrorCase<F> {
  if (typeof value !== 'object' || value === null) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(errorCases, code) && errorCases[code as ErrorCode].family === family;
}

export abstract class AppError extends Error {
  /** The specific case (`ORDER_STATUS_NOT_ALLOWED`), or the family's code for an error raised with words. */
  abstract readonly code: string;
  /** Whether the message is safe and useful to show to the chat user. */
  readonly userFacing: boolean = false;
  /** For a case: its key in the catalogue's `errors` section. */
  readonly key?: ErrorKey;
  /** For a case: the values its text shows. */
  readonly params?: object;

  constructor(message: string, reason?: ErrorCase, options?: ErrorOptions) {
    super(message, options);
    if (reason) {
      this.key = errorCases[reason.code].key;
      this.params = reason.params;
    }
  }

  /**
   * What to tell the person, in the words of a catalogue's `errors` section (the reader's
   * `msg.errors`): a case's text, or the message of an error raised with words.
   *
   * @example
   *   err.textIn(messagesFor('vi').errors)
   */
  textIn(texts: ErrorTexts): string {
    return this.key ? renderKey(texts, this.key, this.params) : this.message;
  }
}

/**
 * Bad input from a person: shown to them with the command's usage line. The reason is a case
 * (from services and values) or words already rendered in the reader's language (from commands).
 */
export class ValidationError extends AppError {
  readonly code: CodesOf<'VALIDATION'> | 'VALIDATION';
  override readonly userFacing = true;
  constructor(
    readonly field: string,
    readonly reason: string | ErrorCase<'VALIDATION'>,
  ) {
    const coded = isCase(reason, 'VALIDATION') ? reason : undefined;
    super(`${field}: ${coded ? render(englishErrorTexts, coded) : (reason as string)}`, coded);
    this.code = coded ? coded.code : 'VALIDATION';
  }

  /** The reason alone (no field), in a catalogue's words: what the core puts before the usage line. */
  reasonIn(texts: ErrorTexts): string {
    return isCase(this.reason, 'VALIDATION') ? render(texts, this.reason) : this.reason;
  }

  override textIn(texts: ErrorTexts): string {
    return `${this.field}: ${this.reasonIn(texts)}`;
  }
}

/** The thing asked for does not exist (or is not visible to the actor). */
export class NotFoundError extends AppError {
  readonly code: CodesOf<'NOT_FOUND'> | 'NOT_FOUND';
  override readonly userFacing = true;
  /** For words: the kind of thing (`customer`), shown with the catalogue's `notFound`. Undefined for a case. */
  readonly what: string | undefined;
  /** What was asked for, as typed. */
  readonly ref: string;
  constructor(missing: ErrorCase<'NOT_FOUND'>);
  constructor(what: string, ref: string);
  constructor(missing: string | ErrorCase<'NOT_FOUND'>, ref?: string) {
    const coded = isCase(missing, 'NOT_FOUND') ? missing : undefined;
    super(coded ? render(englishErrorTexts, coded) : `${missing as string} not found: ${ref}`, coded);
    this.code = coded ? coded.code : 'NOT_FOUND';
    this.what = coded ? undefined : (missing as string);
    this.ref = coded ? coded.params.ref : (ref as string);
  }
}

/** The actor may not do this. Never says more than that. */
export class ForbiddenError extends AppError {
  readonly code: CodesOf<'FORBIDDEN'> | 'FORBIDDEN';
  override readonly userFacing = true;
  /** The command refused (for the core's "staff only" wording), or the case's code. */
  readonly action: string;
  /** A case, or (as the core does) the name of the command the actor's role may not run. */
  constructor(refusal: string | ErrorCase<'FORBIDDEN'>) {
    const coded = isCase(refusal, 'FORBIDDEN') ? refusal : undefined;
    super(coded ? render(englishErrorTexts, coded) : `not allowed: ${refusal as string}`, coded);
    this.code = coded ? coded.code : 'FORBIDDEN';
    this.action = coded ? (coded.code === 'COMMAND_NOT_ALLOWED' ? coded.params.command : coded.code) : (refusal as string);
  }
}

/** A state conflict a person can resolve (e.g. a phone that belongs to two customers). */
export class ConflictError extends AppError {
  readonly code: CodesOf<'CONFLICT'> | 'CONFLICT';
  override readonly userFacing = true;
  /** A case, or words already rendered in the reader's language. */
  constructor(conflict: string | ErrorCase<'CONFLICT'>) {
    const coded = isCase(conflict, 'CONFLICT') ? conflict : undefined;
    super(coded ? render(englishErrorTexts, coded) : (conflict as string), coded);
    this.code = coded ? coded.code : 'CONFLICT';
  }
}

/** A messaging platform refused a call: which method, and what it said. */
export class PlatformError extends AppError {
  readonly code = 'PLATFORM';
  constructor(
    readonly platform: string,
    readonly method: string,
    readonly description: string,
    /** Permanent failures (blocked, chat not found) are not retried. */
    readonly permanent: boolean,
  ) {
    super(`${platform}.${method} refused: ${description}`);
  }
}

/** The configuration is unusable; lists every bad key (never the values). */
export class ConfigError extends AppError {
  readonly code = 'CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Our own code failed unexpectedly; wraps the original error. */
export class InternalError extends AppError {
  readonly code = 'INTERNAL';
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/**
 * Turns any thrown value into an {@link AppError}: coded errors (the families above, the
 * database errors of `src/db`) pass through; anything else becomes an {@link InternalError}
 * (code `INTERNAL`) holding the original.
 *
 * @example
 *   try { … } catch (e) { const err = asAppError(e); log.error({ code: err.code }) }
 */
export function asAppError(value: unknown): AppError {
  return value instanceof AppError ? value : new InternalError(value);
}
