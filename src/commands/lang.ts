/**
 * `lang`: the language the bot writes to someone in. `lang vi` / `lang en` store the choice on their
 * staff or customer document, where it wins over their chat app's language; `lang auto` removes it
 * (their app's language again, else the shop's `SHOP_LANGUAGE`); a bare `lang` says which one is in
 * use. Staff and customers alike (src/core/messages.ts `chooseLanguage`).
 *
 * The reply is already in the language chosen. A customer's "lang thang …" (a Vietnamese word, not
 * a language) is what it looks like — a message to the shop — and is stored and forwarded as one.
 *
 * @example
 *   lang vi          → 'Đã xong: từ giờ em sẽ nhắn bằng tiếng Việt.'
 *   lang tiếng anh   → 'Done: from now on I write to you in English.'
 */
import { EVERYONE, type Command } from '../core/command.js';
import { truncateEcho } from '../core/limits.js';
import { messagesFor } from '../core/messages.js';
import { text } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { readerLanguage, setChosenLanguage } from '../services/people.js';
import type { Language } from '../values/format.js';
import { foldName } from '../values/names.js';
import { customerMessage } from './self-service.js';

/** What people type after `lang`, folded (no accents, lower case). */
const CHOICES: Record<string, Language | 'auto'> = {
  vi: 'vi',
  vn: 'vi',
  'vi-vn': 'vi',
  viet: 'vi',
  vietnamese: 'vi',
  'tieng viet': 'vi',
  en: 'en',
  eng: 'en',
  english: 'en',
  'tieng anh': 'en',
  auto: 'auto',
  'tu dong': 'auto',
};

export const lang: Command = {
  name: 'lang',
  aliases: ['language', 'ngôn ngữ'],
  usage: 'lang [vi|en|auto]',
  summary: 'lang',
  examples: ['lang en', 'lang vi', 'lang auto'],
  allow: EVERYONE,
  async run(ctx) {
    const typed = ctx.args.trim();
    if (!typed) {
      const current = readerLanguage(ctx.actor, ctx.incoming, ctx.deps.config);
      const msg = messagesFor(current);
      return [text(msg.langCurrent(msg.langNames[current]))];
    }
    const choice = CHOICES[foldName(typed)];
    if (!choice) {
      const body = ctx.incoming.text.trim();
      if (!ctx.staff && !body.startsWith('/') && !ctx.incoming.fromButton) return customerMessage(ctx, body);
      throw new ValidationError('language', ctx.msg.langUnknown(truncateEcho(typed)));
    }
    await setChosenLanguage(ctx.actor, ctx.incoming, choice === 'auto' ? undefined : choice);
    const now = readerLanguage(ctx.actor, ctx.incoming, ctx.deps.config);
    const msg = messagesFor(now);
    return [text(choice === 'auto' ? msg.langAuto(msg.langNames[now]) : msg.langSet(msg.langNames[now]))];
  },
};
