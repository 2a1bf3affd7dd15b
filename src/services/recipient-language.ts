/**
 * The language of someone a job writes to — a reminder to a salesperson, a promotion to a
 * customer — when there is no message of theirs to read their chat app's language from.
 *
 * The rule is {@link chooseLanguage} (src/core/messages.ts), the one `readerLanguage`
 * (./people.ts) applies to whoever is typing: the person's own choice (`lang vi|en`), else their
 * chat app's language, else the shop's `SHOP_LANGUAGE`. For staff, the chat app's language is not
 * kept (it is read from each message), so a job writes in their `lang`, else the shop's. For a
 * customer, the chat app's language recorded on their record (`locale`) stands in for it.
 *
 * @example
 *   staffLanguageOf({ lang: 'vi' }, config)                    // → 'vi'
 *   staffLanguageOf({}, { SHOP_LANGUAGE: 'en' })              // → 'en'
 *   customerLanguageOf({ locale: 'vi-VN' }, { SHOP_LANGUAGE: 'en' }) // → 'vi'
 *   customerLanguageOf({ lang: 'en', locale: 'vi' }, config)  // → 'en'
 */
import type { Config } from '../config.js';
import { chooseLanguage } from '../core/messages.js';
import type { Language } from '../values/format.js';

type Shop = Pick<Config, 'SHOP_LANGUAGE'>;

/** A staff member's language for a job's message: their `lang`, else the shop's. */
export function staffLanguageOf(staff: { lang?: string | null } | undefined, config: Shop): Language {
  return chooseLanguage(staff?.lang, undefined, config.SHOP_LANGUAGE);
}

/** A customer's language for a job's message: their `lang`, else their chat app's (`locale`), else the shop's. */
export function customerLanguageOf(customer: { lang?: string | null; locale?: string | null } | undefined, config: Shop): Language {
  return chooseLanguage(customer?.lang, customer?.locale, config.SHOP_LANGUAGE);
}
