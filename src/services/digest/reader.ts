/**
 * The language a staff member reads the digest in when it arrives unasked (a job has no chat
 * message to take a platform language from): the one they chose with `lang`, else the shop's.
 *
 * @example
 *   await readerLanguage('s_lan', 'vi') // → 'en' when Lan chose English, else 'vi'
 */
import { Staff } from '../../../models/staff.js';
import { chooseLanguage } from '../../core/messages.js';
import type { Language } from '../../values/format.js';

/** One `_id` read. */
export async function readerLanguage(staffId: string, shop: Language): Promise<Language> {
  const staff = await Staff.findById(staffId, { lang: 1 }).lean<{ lang?: string | null }>();
  return chooseLanguage(staff?.lang, undefined, shop);
}
