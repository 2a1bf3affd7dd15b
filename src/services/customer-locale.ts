/**
 * A customer's chat app language, kept on their record (`locale`) so that what the shop sends them
 * later, with no message of theirs at hand — the rating request after `resolve`, order updates —
 * is in the language they read (src/services/recipient-language.ts `customerLanguageOf`: their
 * `lang` choice, else this, else the shop's).
 *
 * @example
 *   await rememberCustomerLocale(customer, ctx.incoming.locale); // 'vi-VN' → saved when it changed
 */
import { Customer, type CustomerDoc } from '../../models/customer.js';

/** Saves the chat app's language a customer wrote with, when known and changed (one `_id` write, or none). */
export async function rememberCustomerLocale(customer: Pick<CustomerDoc, '_id' | 'locale'>, locale: string | undefined): Promise<void> {
  const tag = locale?.trim();
  if (!tag || tag.length > 35 || tag === customer.locale) return;
  await Customer.updateOne({ _id: customer._id }, { $set: { locale: tag } });
}
