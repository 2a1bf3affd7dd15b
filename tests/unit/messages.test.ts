/**
 * The catalogues: Vietnamese has a text for every English key (errors included) showing the same
 * parameters; the language a person reads is chosen as documented; numbers, money and dates are
 * written the reader's way, and English exactly as before.
 *
 * How the parameters are compared: the English catalogue's type (`Messages`, read with the TypeScript
 * compiler) gives every text's parameters; each text is called with sample values of those types —
 * every string and number unique (`⟦s3⟧`, `107`) — once with optional fields and booleans set and once
 * without, and the samples each language's text shows must be the same. So a key added in English, in
 * any section, fails here until its Vietnamese is written, and a translation that drops (or invents) a
 * parameter fails too.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { chooseLanguage, messagesFor } from '../../src/core/messages.js';
import { vi } from '../../src/core/messages.vi.js';
import { formatsFor, languageOf } from '../../src/values/format.js';
import { formatMoney } from '../../src/values/money.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUE = `${root}src/core/messages.ts`;

/** One text of the catalogue: where it is, and (for a function) the sample argument lists to call it with. */
interface Leaf {
  path: string[];
  calls?: { variant: string; args: unknown[]; tokens: (string | number)[] }[];
}

/** Every leaf of the `Messages` type (but `format`), with samples for its parameters. */
function catalogueLeaves(): Leaf[] {
  const program = ts.createProgram([CATALOGUE], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(CATALOGUE);
  if (!source) throw new Error(`cannot read ${CATALOGUE}`);
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'Messages');
  if (!alias) throw new Error('no `Messages` type in src/core/messages.ts');
  const anchor: ts.Node = alias;
  const leaves: Leaf[] = [];

  const walk = (type: ts.Type, path: string[]) => {
    const signatures = type.getCallSignatures();
    if (signatures.length > 0) {
      const params = signatures[0]!.getParameters().map((p) => checker.getTypeOfSymbolAtLocation(p, anchor));
      leaves.push({ path, calls: [sampleCall(params, true), sampleCall(params, false)] });
      return;
    }
    if (type.flags & ts.TypeFlags.StringLike) {
      leaves.push({ path });
      return;
    }
    for (const property of checker.getPropertiesOfType(type)) {
      if (path.length === 0 && property.name === 'format') continue;
      walk(checker.getTypeOfSymbolAtLocation(property, anchor), [...path, property.name]);
    }
  };

  /** Arguments of the parameters' types: unique strings and numbers; `full` sets optional fields and makes booleans true. */
  function sampleCall(params: ts.Type[], full: boolean) {
    const tokens: (string | number)[] = [];
    let next = 101;
    const sample = (type: ts.Type): unknown => {
      if (type.isUnion()) {
        const present = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
        if (present.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return full;
        if (present.every((t) => t.isStringLiteral())) return (present[0] as ts.StringLiteralType).value;
        return sample(present[0]!);
      }
      if (type.flags & ts.TypeFlags.BooleanLike) return full;
      if (type.flags & ts.TypeFlags.StringLiteral) return (type as ts.StringLiteralType).value;
      if (type.flags & ts.TypeFlags.String) {
        const token = `⟦s${next++}⟧`;
        tokens.push(token);
        return token;
      }
      if (type.flags & ts.TypeFlags.Number) {
        const token = next++;
        tokens.push(token);
        return token;
      }
      if (checker.isArrayType(type) || checker.isTupleType(type)) {
        const element = checker.getTypeArguments(type as ts.TypeReference)[0];
        return element ? [sample(element), sample(element)] : [];
      }
      if (type.flags & ts.TypeFlags.Object) {
        const value: Record<string, unknown> = {};
        for (const property of checker.getPropertiesOfType(type)) {
          if (property.flags & ts.SymbolFlags.Optional && !full) continue;
          value[property.name] = sample(checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, anchor)));
        }
        return value;
      }
      if (type.flags & ts.TypeFlags.Never) return undefined;
      throw new Error(`no sample for a parameter of type ${checker.typeToString(type)}`);
    };
    return { variant: full ? 'with optional fields and true booleans' : 'without optional fields, false booleans', args: params.map(sample), tokens };
  }

  walk(checker.getTypeAtLocation(alias.name), []);
  return leaves;
}

const leaves = catalogueLeaves();
const en = messagesFor('en');

function at(catalogue: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), catalogue);
}

/** Which of the samples a text shows (numbers as whole numbers, not inside longer ones). */
function shown(text: string, tokens: (string | number)[]): (string | number)[] {
  return tokens.filter((t) => (typeof t === 'string' ? text.includes(t) : new RegExp(`(?<![\\d.,])${t}(?![\\d])`).test(text)));
}

/** Every leaf path of a catalogue object, as `a.b.c`. */
function leafPaths(node: unknown, path: string[] = []): string[] {
  if (node === null || typeof node !== 'object') return [path.join('.')];
  return Object.entries(node).flatMap(([key, value]) => leafPaths(value, [...path, key]));
}

describe('the Vietnamese catalogue', () => {
  it('is read from the English catalogue’s type, every text of it', () => {
    expect(leaves.length).toBeGreaterThan(300);
    const fromType = new Set(leaves.map((l) => l.path.join('.')));
    const { format: _format, ...texts } = en;
    expect(leafPaths(texts).filter((p) => !fromType.has(p))).toEqual([]);
  });

  it('has every key of the English catalogue, errors included', () => {
    const missing = leaves.filter((l) => at(vi, l.path) === undefined).map((l) => l.path.join('.'));
    expect(missing, 'add these to src/core/messages.vi.ts').toEqual([]);
  });

  it('has no key the English catalogue lacks (a renamed or removed one)', () => {
    const english = new Set(leaves.map((l) => l.path.join('.')));
    expect(leafPaths(vi).filter((p) => !english.has(p))).toEqual([]);
  });

  it('shows the same parameters as English in every text, and plain texts are non-empty', () => {
    const problems: string[] = [];
    for (const leaf of leaves) {
      const name = leaf.path.join('.');
      const english = at(en, leaf.path);
      const translated = at(vi, leaf.path);
      if (translated === undefined) continue; // reported above
      if (!leaf.calls) {
        if (typeof translated !== 'string' || translated.trim() === '') problems.push(`${name}: not a text`);
        continue;
      }
      if (typeof translated !== 'function' || typeof english !== 'function') {
        problems.push(`${name}: not a function`);
        continue;
      }
      if (translated.length !== english.length) problems.push(`${name}: takes ${translated.length} parameter(s), English ${english.length}`);
      for (const call of leaf.calls) {
        const a = String(english(...call.args));
        let b: string;
        try {
          b = String(translated(...call.args));
        } catch (error) {
          problems.push(`${name} (${call.variant}): throws ${String(error)}`);
          continue;
        }
        const want = shown(a, call.tokens);
        const got = shown(b, call.tokens);
        if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${name} (${call.variant}): English shows ${JSON.stringify(want)}, Vietnamese ${JSON.stringify(got)}\n  ${b}`);
        if (b.trim() === '' && a.trim() !== '') problems.push(`${name} (${call.variant}): empty`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('is what messagesFor gives for vi and vi-VN, with English for a language the CRM does not speak', () => {
    expect(messagesFor('vi-VN')).toBe(messagesFor('vi'));
    expect(messagesFor('vi').welcome('our shop')).toMatch(/^Chào mừng anh\/chị đến với cửa hàng!/);
    expect(messagesFor('vi').errors.tagInvalid({ tag: '#a b' })).toBe('"#a b" không phải nhãn hợp lệ (chữ, số, - và _)');
    expect(messagesFor('de')).toBe(en);
    expect(messagesFor(undefined)).toBe(en);
    expect(en.welcome('our shop')).toMatch(/^Welcome to our shop!/);
  });
});

describe('choosing the language', () => {
  it('is the person’s choice, else their app’s when it is vi or en, else the shop’s', () => {
    expect(chooseLanguage(undefined, 'vi', 'en')).toBe('vi');
    expect(chooseLanguage(undefined, 'vi-VN', 'en')).toBe('vi');
    expect(chooseLanguage(undefined, 'en-US', 'vi')).toBe('en');
    expect(chooseLanguage('en', 'vi', 'vi')).toBe('en');
    expect(chooseLanguage('vi', 'en', 'en')).toBe('vi');
    expect(chooseLanguage(undefined, 'de', 'vi')).toBe('vi');
    expect(chooseLanguage(undefined, undefined, 'en')).toBe('en');
    expect(chooseLanguage(null, '', 'vi')).toBe('vi');
  });

  it('reads locale tags in any case and separator', () => {
    expect(['vi', 'VI', 'vi-VN', 'vi_vn'].map(languageOf)).toEqual(['vi', 'vi', 'vi', 'vi']);
    expect(['en', 'en-GB', 'EN_us'].map(languageOf)).toEqual(['en', 'en', 'en']);
    expect(['de', 'xx', '', undefined, null].map(languageOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('numbers, money and dates', () => {
  const at = new Date('2026-12-01T03:05:00Z');
  const zone = 'Asia/Ho_Chi_Minh';
  const nbsp = '\u00a0';

  it('in Vietnamese: 350.000 ₫, 1.234, 01/12/2026, Thứ Hai', () => {
    const f = messagesFor('vi').format;
    expect(f.lang).toBe('vi');
    expect(f.money(350_000, 'VND')).toBe(`350.000${nbsp}₫`);
    expect(f.money(1999, 'EUR')).toBe(`19,99${nbsp}€`);
    expect(f.number(1234.5)).toBe('1.234,5');
    expect(f.date(at, zone)).toBe('01/12/2026');
    expect(f.dateTime(at, zone)).toBe('01/12/2026 10:05');
    expect(f.due(at, zone)).toBe('Thứ 3, 01/12/2026 10:05');
    expect(f.dayMonth(at, zone)).toBe('01/12');
    expect(f.weekday(1)).toBe('Thứ Hai');
    expect(f.weekday(7)).toBe('Chủ Nhật');
  });

  it('in English, exactly as the CRM has always written them', () => {
    const f = en.format;
    expect(f.money(350_000, 'VND')).toBe('₫350,000');
    expect(f.money(350_000, 'VND')).toBe(formatMoney(350_000, 'VND'));
    expect(f.money(1999, 'EUR')).toBe('€19.99');
    expect(f.number(4001)).toBe('4,001');
    expect(f.date(at, zone)).toBe('2026-12-01');
    expect(f.dateTime(at, zone)).toBe('2026-12-01 10:05');
    expect(f.due(at, zone)).toBe('Tue 2026-12-01 10:05');
    expect(f.weekday(1)).toBe('Monday');
    expect(f.localise('₫350,000')).toBe('₫350,000');
  });

  it('re-writes values formatted the English way for a Vietnamese reader, and nothing else', () => {
    const { localise } = formatsFor('vi');
    expect(localise('₫350,000')).toBe(`350.000${nbsp}₫`);
    expect(localise('₫350,000 + €19.99')).toBe(`350.000${nbsp}₫ + 19,99${nbsp}€`);
    expect(localise('-$1,234.50')).toBe(`-1.234,50${nbsp}US$`);
    expect(localise('2026-12-01')).toBe('01/12/2026');
    expect(localise('2026-12-01 10:05')).toBe('01/12/2026 10:05');
    expect(localise('Tue 2026-12-01 10:05')).toBe('Thứ 3, 01/12/2026 10:05');
    expect(localise('2026-12-04 10:00 GMT+7')).toBe('04/12/2026 10:00 GMT+7');
    expect(localise('Monday')).toBe('Thứ Hai');
    expect(localise('12.5%')).toBe('12,5%');
    expect(localise('+2.5')).toBe('+2,5');
    expect(localise('1,234')).toBe('1.234');
    for (const kept of ['Anna Nguyen', 'C12', '42', '—', '2026-02-30', '$5', 'see 2026-12-01', '#vip']) expect(localise(kept)).toBe(kept);
  });

  it('reach the Vietnamese texts whatever the call site passes', () => {
    const msg = messagesFor('vi');
    expect(msg.orderRecorded('O7', 'C3', 'Lan', formatMoney(350_000, 'VND'))).toBe(`Đơn O7 của C3 Lan: 350.000${nbsp}₫ (mới).`);
    expect(msg.orderLine('O7', '2026-12-01 10:05', '₫350,000', 'paid', '')).toBe(`O7 · 01/12/2026 10:05 · 350.000${nbsp}₫ · đã thanh toán`);
    expect(en.orderLine('O7', '2026-12-01 10:05', '₫350,000', 'paid', '')).toBe('O7 · 2026-12-01 10:05 · ₫350,000 · paid');
    expect(msg.errors.messageTooLong({ length: 4001, max: 4000 })).toMatch(/^tin nhắn quá dài \(4\.001 ký tự; tối đa 4\.000\)/);
  });
});
