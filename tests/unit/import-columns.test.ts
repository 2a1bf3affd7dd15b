/** Pure parts of importing and data quality: headers, mappings, row rules, CSV reading, scores. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { completeness } from '../../src/services/completeness.js';
import { readCsvRecords, sniffDelimiter, type CsvItem } from '../../src/services/import/csv-records.js';
import { phoneSuffix } from '../../src/services/dupes.js';
import { headerKey, parseMapping, readRow, resolveColumns } from '../../src/services/import/columns.js';
import { ValidationError } from '../../src/errors.js';

async function items(csv: string): Promise<CsvItem[]> {
  const out: CsvItem[] = [];
  for await (const item of readCsvRecords(Readable.from([Buffer.from(csv)]))) out.push(item);
  return out;
}

describe('import columns', () => {
  it('folds headers: case, diacritics, đ and punctuation do not matter', () => {
    expect(headerKey('Số Điện Thoại')).toBe('so dien thoai');
    expect(headerKey(' E-Mail ')).toBe('e mail');
    expect(headerKey('SĐT')).toBe('sdt');
  });

  it('recognises English and Vietnamese headers, several columns per field', () => {
    const columns = resolveColumns(['Khách hàng', 'Điện thoại', 'Mobile', 'Thư điện tử', 'Nhãn', 'Ghi chú', 'Đơn hàng', 'Other']);
    expect(columns).toEqual({ name: [0], phone: [1, 2], email: [3], tags: [4], notes: [5], orders: [6] });
  });

  it('lets an explicit mapping win, matched the same folded way', () => {
    const columns = resolveColumns(['Column A', 'Tel', 'Phone'], { name: 'column a', phone: 'TEL' });
    expect(columns.name).toEqual([0]);
    expect(columns.phone).toEqual([1]);
  });

  it('refuses a mapping to a column the file does not have, and a file without phone or e-mail', () => {
    expect(() => resolveColumns(['Name', 'Tel'], { phone: 'Phone' })).toThrow(/no column "Phone"/);
    expect(() => resolveColumns(['Name', 'City'])).toThrow(ValidationError);
  });

  it('parses mappings as typed on the CLI and in chat', () => {
    expect(parseMapping('phone=Tel,name="Họ tên"')).toEqual({ phone: 'Tel', name: 'Họ tên' });
    expect(parseMapping('phones = Tel , name=Họ tên')).toEqual({ phone: 'Tel', name: 'Họ tên' });
    expect(parseMapping('name="Last, First",email=Mail')).toEqual({ name: 'Last, First', email: 'Mail' });
    expect(() => parseMapping('city=Town')).toThrow(/unknown field "city"/);
    expect(() => parseMapping('phone')).toThrow(/cannot read the column mapping/);
  });

  it('normalises a row: several phones in one cell, e-mail case, tags, orders kept as a note', () => {
    const columns = resolveColumns(['name', 'phone', 'email', 'tags', 'notes', 'orders']);
    const result = readRow(['  Anna   Nguyen ', '0912 345 678; +84 987-654-321 / 0912345678', 'Anna@Shop.VN', '#VIP, khách quen', 'likes blue', '3'], columns, 7, 'VN');
    expect(result).toEqual({
      ok: true,
      row: {
        line: 7,
        name: 'Anna Nguyen',
        phones: ['+84912345678', '+84987654321'],
        emails: ['anna@shop.vn'],
        tags: ['vip', 'khach-quen'],
        note: 'likes blue\nOrders before import: 3',
        keys: ['phone:+84912345678', 'phone:+84987654321', 'email:anna@shop.vn'],
      },
    });
  });

  it('rejects a row with a bad phone, a bad e-mail or nothing to recognise it by; skips blank rows', () => {
    const columns = resolveColumns(['name', 'phone', 'email']);
    expect(readRow(['A', '0912 345 678, 123', ''], columns, 2, 'VN')).toEqual({ ok: false, reason: 'invalid phone "123"' });
    expect(readRow(['A', '', 'a@@b'], columns, 2, 'VN')).toEqual({ ok: false, reason: 'invalid e-mail "a@@b"' });
    expect(readRow(['A', '', ''], columns, 2, 'VN')).toMatchObject({ ok: false, reason: expect.stringMatching(/^no phone or e-mail/) });
    expect(readRow([' ', '', ''], columns, 2, 'VN')).toEqual({ ok: 'blank' });
  });
});

describe('CSV records', () => {
  it('sniffs the delimiter from the header line', () => {
    expect(sniffDelimiter('name;phone;email')).toBe(';');
    expect(sniffDelimiter('name\tphone')).toBe('\t');
    expect(sniffDelimiter('name,phone;x')).toBe(',');
  });

  it('numbers records by the line they start on, multi-line cells and blank lines included', async () => {
    const got = await items('\uFEFFa;b\r\n1;2\r\n\r\n"x\r\ny";3\r\n4;5');
    expect(got).toEqual([
      { kind: 'record', line: 1, endLine: 1, cells: ['a', 'b'] },
      { kind: 'record', line: 2, endLine: 2, cells: ['1', '2'] },
      { kind: 'record', line: 3, endLine: 3, cells: [''] },
      { kind: 'record', line: 4, endLine: 5, cells: ['x\r\ny', '3'] },
      { kind: 'record', line: 6, endLine: 6, cells: ['4', '5'] },
    ]);
  });

  it('reads a quote inside an unquoted cell as text, and reports lines an unclosed quote swallowed', async () => {
    const got = await items('a,b\nPhan "Tí",1\nx,"open\ny,2\nz,"3"\nw,4\nlast,"never closed\n');
    expect(got).toEqual([
      { kind: 'record', line: 1, endLine: 1, cells: ['a', 'b'] },
      { kind: 'record', line: 2, endLine: 2, cells: ['Phan "Tí"', '1'] },
      { kind: 'broken', line: 3, endLine: 5, reason: expect.stringMatching(/not closed where the cell ends/) },
      { kind: 'record', line: 6, endLine: 6, cells: ['w', '4'] },
      { kind: 'broken', line: 7, endLine: 7, reason: 'a quote is opened and never closed' },
    ]);
  });

  it('reports every line lost after a record too long to be one', async () => {
    const got = await items(`a,b\nx,"open\n${'y,1\n'.repeat(70_000)}z,2\n`);
    expect(got[0]).toEqual({ kind: 'record', line: 1, endLine: 1, cells: ['a', 'b'] });
    const lost = got.slice(1);
    expect(lost.every((i) => i.kind === 'broken')).toBe(true);
    expect(lost[0]!.line).toBe(2);
    expect(lost[lost.length - 1]!.endLine).toBe(70_003);
  });
});

describe('data quality', () => {
  it('compares phones by their last 9 digits', () => {
    expect(phoneSuffix('0912 345 678')).toBe(phoneSuffix('+84912345678'));
    expect(phoneSuffix('12-34')).toBe('1234');
  });

  it('scores completeness and names what is missing', () => {
    expect(completeness({ name: 'Anna', phones: ['+84912345678'], emails: [], tags: [], consent: { promotions: false } })).toEqual({
      score: 45,
      missing: ['email', 'tags', 'owner', 'consent'],
    });
    const full = { name: 'A', phones: ['x'], emails: ['y'], tags: ['t'], ownerId: 's_1', consent: { promotions: false, changedAt: new Date() } };
    expect(completeness(full)).toEqual({ score: 100, missing: [] });
  });
});
