import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configKeys, loadConfig } from '../../src/config.js';
import * as errors from '../../src/errors.js';
import { AppError, ConfigError, ConflictError, errorCodes, ForbiddenError, InternalError, NotFoundError, PlatformError, ValidationError } from '../../src/errors.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The ConfigError thrown by loadConfig for `env`, or a failure if it did not throw one. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, { envFile: null });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({}, { envFile: null });
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      ROLE: 'all',
      HTTP_PORT: 3000,
      MONGODB_DB: 'chatcrm',
      DATA_DIR: './data',
      DEFAULT_PHONE_REGION: 'VN',
      BASE_CURRENCY: 'VND',
      DEFAULT_TIMEZONE: 'Asia/Ho_Chi_Minh',
      CONSOLE_OWNER_NAME: 'Owner',
      OWNER_TELEGRAM_IDS: [],
      OWNER_SLACK_IDS: [],
      INVITE_TTL_HOURS: 72,
      LAPSED_DAYS: 90,
      TELEGRAM_MODE: 'polling',
      TRUST_PROXY: false,
    });
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses numbers, id lists and booleans from their string form', () => {
    const config = loadConfig({ HTTP_PORT: '8080', OWNER_TELEGRAM_IDS: ' 1001, 1002 ,,', TRUST_PROXY: 'yes' }, { envFile: null });
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.OWNER_TELEGRAM_IDS).toEqual(['1001', '1002']);
    expect(config.TRUST_PROXY).toBe(true);
  });

  it('treats an empty value as unset, so HTTP_PORT= keeps the default port instead of 0', () => {
    const config = loadConfig({ HTTP_PORT: '', LOG_LEVEL: '', INVITE_TTL_HOURS: ' ' }, { envFile: null });
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.INVITE_TTL_HOURS).toBe(72);
  });

  it('lists every bad key at once and never repeats the bad values', () => {
    const error = configError({ HTTP_PORT: 'abc', TELEGRAM_MODE: 'x', DEFAULT_TIMEZONE: 'Mars/Base' });
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/HTTP_PORT: /);
    expect(error.message).toMatch(/TELEGRAM_MODE: must be one of webhook, polling/);
    expect(error.message).toMatch(/DEFAULT_TIMEZONE: /);
    expect(error.problems).toHaveLength(3);
    for (const value of ['abc', 'Mars', 'Base']) expect(error.message).not.toContain(value);
  });

  it('never echoes secrets or URLs that fail validation', () => {
    const error = configError({
      MONGODB_URI: 'http://admin:hunter2@db.internal',
      TELEGRAM_BOT_TOKEN: 'not-a-token-hunter2',
      SLACK_BOT_TOKEN: 'xoxp-hunter2',
      TELEGRAM_API_ROOT: 'hunter2 not a url',
      MONGODB_DB: 'hunter2!',
    });
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['MONGODB_DB', 'MONGODB_URI', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'TELEGRAM_API_ROOT', 'TELEGRAM_BOT_TOKEN'].sort(),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('db.internal');
  });

  it('explains a pattern rule in words rather than "must be a valid regex"', () => {
    const error = configError({ MONGODB_DB: 'bad name', BASE_CURRENCY: 'euro' });
    expect(error.message).toContain('MONGODB_DB: letters, digits, _ and - only');
    expect(error.message).toContain('BASE_CURRENCY: must be an ISO 4217 code');
    expect(error.message).not.toContain('regex');
  });

  it('requires TELEGRAM_WEBHOOK_SECRET in webhook mode', () => {
    const error = configError({ TELEGRAM_BOT_TOKEN: '123456:ABC-def_1', TELEGRAM_MODE: 'webhook' });
    expect(error.problems).toEqual(['TELEGRAM_WEBHOOK_SECRET: is required when TELEGRAM_MODE=webhook']);
    expect(() =>
      loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABC-def_1', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 's3cret_token' }, { envFile: null }),
    ).not.toThrow();
  });

  it('requires SLACK_SIGNING_SECRET when SLACK_BOT_TOKEN is set', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' });
    expect(error.problems).toEqual(['SLACK_SIGNING_SECRET: is required when SLACK_BOT_TOKEN is set']);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'abc' }, { envFile: null })).not.toThrow();
  });

  it('reports cross-field rules together with other bad keys', () => {
    const error = configError({ HTTP_PORT: 'abc', TELEGRAM_BOT_TOKEN: '123456:ABC', TELEGRAM_MODE: 'webhook', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['HTTP_PORT', 'TELEGRAM_WEBHOOK_SECRET', 'SLACK_SIGNING_SECRET']),
    );
  });

  describe('with a .env file', () => {
    let dir: string | undefined;
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reads the file, and real environment variables win over it', async () => {
      dir = await mkdtemp(join(tmpdir(), 'chatcrm-config-'));
      const file = join(dir, '.env');
      await writeFile(file, 'HTTP_PORT=4000\nCONSOLE_OWNER_NAME=Lan\nUNRELATED=1\n');
      const config = loadConfig({ HTTP_PORT: '5000' }, { envFile: file });
      expect(config.HTTP_PORT).toBe(5000);
      expect(config.CONSOLE_OWNER_NAME).toBe('Lan');
    });
  });
});

describe('.env.example', () => {
  const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
  const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

  it('documents every key of the configuration schema', () => {
    const missing = configKeys.filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it('documents no key the schema does not know', () => {
    const unknown = [...documented].filter((key) => key && !configKeys.includes(key));
    expect(unknown).toEqual([]);
  });

  it('gives the defaults when copied to .env unchanged', () => {
    expect(loadConfig({}, { envFile: join(repoRoot, '.env.example') })).toEqual(loadConfig({}, { envFile: null }));
  });
});

describe('errors', () => {
  it('has unique error codes', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
  });

  it('gives every exported AppError subclass its own code listed in errorCodes, and every code a class', () => {
    // Found from the module's exports, so a new error class is checked without editing this test.
    type AnyErrorClass = new (...args: unknown[]) => AppError;
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is AnyErrorClass => typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof AppError,
    );
    expect(classes.length).toBeGreaterThanOrEqual(7);
    const codes = classes.map((C) => new C(['a'], 'b', 'c', false).code);
    for (const code of codes) expect(errorCodes).toContain(code);
    expect(new Set(codes).size).toBe(classes.length);
    expect([...codes].sort()).toEqual([...errorCodes].sort());
  });

  it('shows validation, not-found, forbidden and conflict errors to users, but not internal ones', () => {
    expect(new ValidationError('a', 'b').userFacing).toBe(true);
    expect(new NotFoundError('a', 'b').userFacing).toBe(true);
    expect(new ForbiddenError('a').userFacing).toBe(true);
    expect(new ConflictError('a').userFacing).toBe(true);
    expect(new InternalError('x').userFacing).toBe(false);
    expect(new PlatformError('slack', 'chat.postMessage', 'x', false).userFacing).toBe(false);
  });
});
