/**
 * The one place that reads the environment. `loadConfig()` parses
 * `process.env` (plus a `.env` file, whose values lose to real environment
 * variables) with zod into a frozen, typed object; a bad configuration throws
 * a {@link ConfigError} naming every bad key and why — never its value.
 *
 * @example
 *   const config = loadConfig();            // in src/main.ts
 *   const config = loadConfig({ HTTP_PORT: '0' }, { envFile: null }); // in tests
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { LANGUAGES } from './values/format.js';
import { parseOpeningHours } from './values/opening-hours.js';
import { isSupportedRegion } from './values/phone.js';

const idList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * `web` (adapters only) and `worker` (jobs only) are for several processes on one MongoDB: they
     * need MONGODB_URI, since the embedded database belongs to one process (src/db/server.ts refuses them).
     */
    ROLE: z.enum(['web', 'worker', 'all']).default('all'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    MONGODB_URI: optionalString.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\//.test(v), {
      message: 'must start with mongodb:// or mongodb+srv://',
    }),
    /**
     * Database name when MONGODB_URI names none (`mongodb://host/shopdb` uses `shopdb`, as every
     * MongoDB tool does), and for the local embedded server. See `databaseNameFor` in src/db/connect.ts.
     */
    MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only').default('chatcrm'),
    DATA_DIR: z.string().min(1).default('./data'),
    DEFAULT_PHONE_REGION: z
      .string()
      .default('VN')
      .refine(isSupportedRegion, { message: 'must be an ISO 3166 region code such as VN, US, DE' }),
    /**
     * The language of people who chose none (`lang vi|en`) and whose chat app's language the CRM does not
     * speak (src/core/messages.ts `chooseLanguage`). `vi` is the setting for a shop in Vietnam; the default
     * stays `en` so that an existing install keeps speaking as it did.
     */
    SHOP_LANGUAGE: z.enum(LANGUAGES).default('en'),
    BASE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as VND').default('VND'),
    DEFAULT_TIMEZONE: z
      .string()
      .default('Asia/Ho_Chi_Minh')
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone such as Europe/Berlin' }),
    /**
     * An order above this amount (whole units of BASE_CURRENCY) is not recorded until confirmed with a button
     * (`order … --confirm`): a guard against a slipped zero or a "tr" for a "k". Amounts above 1,000,000,000,000
     * minor units are refused whatever this says (src/values/money.ts).
     */
    ORDER_AMOUNT_CONFIRM_ABOVE: z.coerce.number().int().min(1).max(1_000_000_000_000).default(100_000_000),
    CONSOLE_OWNER_NAME: z.string().min(1).default('Owner'),
    OWNER_TELEGRAM_IDS: idList,
    OWNER_SLACK_IDS: idList,
    INVITE_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
    /** How long a customer's one-time chat link (`chat link C12`, Telegram `t.me/<bot>?start=<code>`) stays valid, in days. */
    START_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    /** Replies to customers end with the staff member's name (`— Lan`); off: customers hear the shop's voice. */
    REPLY_SHOWS_STAFF_NAME: boolish,
    /** Who owns a customer who writes in first: `none` (the staff on duty answer) or `round-robin` among salespeople. */
    NEW_CUSTOMER_OWNER: z.enum(['none', 'round-robin']).default('none'),
    LAPSED_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** A new lead with no interaction for this many days gets a follow-up for its owner (jobs/auto-follow-ups.ts). */
    AUTO_FOLLOWUP_DAYS: z.coerce.number().int().min(1).max(365).default(3),
    /**
     * The shop's opening hours in DEFAULT_TIMEZONE (src/values/opening-hours.ts): `mon-fri 08:00-20:00; sat 08:00-12:00`,
     * overnight `fri 20:00-02:00`, or `always`. Unset: always open (no away messages; waiting counts every minute).
     */
    BUSINESS_HOURS: z
      .string()
      .optional()
      .transform((line, ctx) => {
        const parsed = parseOpeningHours(line);
        if (parsed.ok) return parsed.hours;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }),
    /** An open conversation waiting this many opening-hours minutes alerts its assignee; twice as long, the owners and managers (jobs/waiting-alerts.ts). */
    WAITING_ALERT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
    /** A complaint without a staff reply or note after this many hours alerts support again. */
    COMPLAINT_ALERT_HOURS: z.coerce.number().int().min(1).max(24 * 14).default(4),
    /** At most one promotion per customer per this many days (services/campaigns/audience.ts). */
    PROMO_FREQUENCY_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    /** Orders within this many days after a promotion count as its conversions (and the hold-out's, from the send). */
    PROMO_ATTRIBUTION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    TELEGRAM_BOT_TOKEN: optionalString.refine((v) => v === undefined || /^\d+:[\w-]+$/.test(v), {
      message: 'must look like 123456:ABC-DEF… (from @BotFather)',
    }),
    TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
    /** The bot's username for `t.me` links, when this process does not run the bot (else it is read with `getMe` at start). */
    TELEGRAM_BOT_USERNAME: optionalString.refine((v) => v === undefined || /^@?[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v), {
      message: 'must be a Telegram bot username such as shop_bot',
    }),
    TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('polling'),
    TELEGRAM_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
      message: '1–256 characters of A–Z, a–z, 0–9, _ and - (Telegram’s rule)',
    }),
    TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url().optional()),
    SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
      message: 'must be a bot token starting with xoxb-',
    }),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_API_URL: z.url().default('https://slack.com/api/'),
    SLACK_APP_TOKEN: optionalString,
    TRUST_PROXY: boolish,
  })
  .superRefine(
    (c, ctx) => {
      if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === 'webhook' && !c.TELEGRAM_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['TELEGRAM_WEBHOOK_SECRET'],
          message: 'is required when TELEGRAM_MODE=webhook',
        });
      }
      if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['SLACK_SIGNING_SECRET'],
          message: 'is required when SLACK_BOT_TOKEN is set',
        });
      }
    },
    // Cross-field rules run even when other keys are bad, so every problem is listed at once.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** The parsed, typed configuration. */
export type Config = Readonly<z.output<typeof schema>>;

/** Keys the schema knows, for documentation checks (`.env.example` must list them all). */
export const configKeys: readonly string[] = Object.keys(schema.shape);

/**
 * Parses the configuration. Values come from `env` first, then from the
 * `.env` file (`envFile`, default `./.env`; `null` to skip).
 *
 * @throws ConfigError listing every bad key with the reason
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { envFile?: string | null } = {},
): Config {
  const file = options.envFile === undefined ? '.env' : options.envFile;
  const fromFile = file && existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  // An empty value means "not set" (the default applies): `HTTP_PORT=` must not become port 0.
  const blankToUnset = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const merged: Record<string, string | undefined> = {};
  for (const key of configKeys) {
    merged[key] = env[key] !== undefined ? blankToUnset(env[key]) : blankToUnset(fromFile[key]);
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(config)';
      return `${key}: ${describeIssue(issue)}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  return Object.freeze(result.data);
}

/** Words for an issue that never echo the rejected value. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).filter(Boolean).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      if (issue.format === 'url') return 'must be a URL';
      // A pattern check carries our own words ("letters, digits, _ and - only"), not "a valid regex".
      return issue.format === 'regex' ? issue.message : `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}
