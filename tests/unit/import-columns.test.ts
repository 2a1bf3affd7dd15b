/** Pure parts of importing and data quality: headers, mappings, row rules, file encodings, CSV reading, scores. */
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { completeness } from '../../src/services/completeness.js';
import { readCsvRecords, sniffDelimiter, type CsvItem } from '../../src/services/import/csv-records.js';
import { phoneSuffix } from '../../src/services/dupes.js';
import { headerKey, ignoredColumns, parseMapping, readRow, resolveColumns, warningLine } from '../../src/services/import/columns.js';
import { decodeCsvText, legacyFontEncoding, sniffEncoding } from '../../src/services/import/encoding.js';
import { ValidationError } from '../../src/errors.js';
import { chunked, EXCEL_ENCODINGS, excelBytes, TCVN3_CSV, VNI_CSV, windows1258 } from '../fixtures/vietnamese-excel.js';

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
    expect(columns).toEqual({ name: [0], phone: [1, 2], email: [3], tags: [4], notes: [5], orders: [6], address: [], birthday: [] });
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

  it('rejects a row only when no valid phone or e-mail is left; skips blank rows', () => {
    const columns = resolveColumns(['name', 'phone', 'email']);
    // A bad phone beside a good one is left out with a warning (see "imports what is usable" below).
    expect(readRow(['A', '0912 345 678, 123', ''], columns, 2, 'VN')).toMatchObject({ ok: true, warnings: [{ field: 'phone', value: '123' }] });
    expect(readRow(['A', '', 'a@@b'], columns, 2, 'VN')).toEqual({ ok: false, reason: 'invalid e-mail "a@@b"', field: 'email', value: 'a@@b' });
    expect(readRow(['A', '', ''], columns, 2, 'VN')).toMatchObject({ ok: false, reason: expect.stringMatching(/^no phone or e-mail/) });
    expect(readRow([' ', '', ''], columns, 2, 'VN')).toEqual({ ok: 'blank' });
  });
});

describe('Vietnamese headers', () => {
  it('recognises the headers Vietnamese shops use, whatever the case, accents and spacing', () => {
    const columns = resolveColumns(['Họ và tên', 'Số điện thoại', 'Di động', 'Email', 'Nhóm', 'Ghi chú', 'Địa chỉ', 'Ngày sinh']);
    expect(columns).toEqual({ name: [0], phone: [1, 2], email: [3], tags: [4], notes: [5], orders: [], address: [6], birthday: [7] });
    for (const header of ['Họ tên', 'Họ và tên', 'Tên khách', 'Tên khách hàng', 'Khách hàng', 'TÊN  KHÁCH', 'ten khach hang', ' Tên Khách ']) {
      expect(resolveColumns([header, 'SĐT']).name, header).toEqual([0]);
    }
    for (const header of ['SĐT', 'Số điện thoại', 'Di động', 'Điện thoại', 'sdt', 'SỐ ĐIỆN THOẠI', 'So Dien Thoai']) {
      expect(resolveColumns(['Tên', header]).phone, header).toEqual([1]);
    }
    expect(resolveColumns(['Tên khách', 'SĐT', 'NHÓM']).tags).toEqual([2]);
    expect(resolveColumns(['Tên khách', 'SĐT', 'Ghi  chú']).notes).toEqual([2]);
  });

  it('lists the columns nothing reads (a second name column too), for the report', () => {
    const headers = ['Tên khách', 'SĐT', 'Giới tính', '', 'Khách hàng'];
    expect(ignoredColumns(headers, resolveColumns(headers))).toEqual(['Giới tính', 'Khách hàng']);
    expect(ignoredColumns(['Họ tên', 'SĐT'], resolveColumns(['Họ tên', 'SĐT']))).toEqual([]);
  });

  it('maps the address and birthday columns by name too', () => {
    expect(parseMapping('address="Nơi ở",birthday=DOB')).toEqual({ address: 'Nơi ở', birthday: 'DOB' });
    expect(resolveColumns(['Tên', 'SĐT', 'Nơi ở'], { address: 'noi o' }).address).toEqual([2]);
  });
});

describe('rows: only a row with nothing usable is rejected', () => {
  const headers = ['Tên khách', 'SĐT', 'Email', 'Nhóm', 'Ghi chú', 'Địa chỉ', 'Ngày sinh', 'Đơn hàng'];
  const columns = resolveColumns(headers);
  const row = (cells: Partial<Record<'name' | 'phone' | 'email' | 'tags' | 'notes' | 'address' | 'birthday' | 'orders', string>>) =>
    readRow([cells.name ?? 'Lê Văn Cường', cells.phone ?? '', cells.email ?? '', cells.tags ?? '', cells.notes ?? '', cells.address ?? '', cells.birthday ?? '', cells.orders ?? ''], columns, 9, 'VN', headers);

  it('imports a row with a good phone and a bad e-mail, leaving the e-mail out with a warning', () => {
    expect(row({ phone: '0912 345 678', email: 'cuong@@mail' })).toEqual({
      ok: true,
      row: { line: 9, name: 'Lê Văn Cường', phones: ['+84912345678'], emails: [], tags: [], keys: ['phone:+84912345678'] },
      warnings: [{ row: 9, field: 'email', value: 'cuong@@mail', reason: 'not a valid e-mail address; left out' }],
    });
  });

  it('imports a row with a good e-mail and a bad phone, and keeps the good one of two phones', () => {
    expect(row({ phone: '12345', email: 'cuong@shop.vn' })).toMatchObject({ ok: true, row: { phones: [], emails: ['cuong@shop.vn'] }, warnings: [{ field: 'phone', value: '12345' }] });
    expect(row({ phone: '0912 345 678; 999' })).toMatchObject({ ok: true, row: { phones: ['+84912345678'] }, warnings: [{ field: 'phone', value: '999' }] });
  });

  it('rejects a row whose only phone and e-mail are bad, naming them', () => {
    expect(row({ phone: '12345', email: 'x@@y' })).toEqual({ ok: false, reason: 'invalid phone "12345"; invalid e-mail "x@@y"', field: 'phone', value: '12345' });
  });

  it('leaves out a bad tag, extra phones and e-mails, and shortens a long name or note, with warnings', () => {
    const phones = Array.from({ length: 7 }, (_, i) => `0912 000 00${i}`).join(', ');
    const result = row({ name: `Nguyễn ${'Văn '.repeat(40)}An`, phone: phones, tags: 'khách quen, ???', notes: 'x'.repeat(2100) });
    expect(result.ok).toBe(true);
    if (result.ok !== true) return;
    expect(result.row.phones).toHaveLength(5);
    expect(result.row.name).toHaveLength(120);
    expect(result.row.tags).toEqual(['khach-quen']);
    expect(result.row.note).toHaveLength(2000);
    expect(result.warnings!.map((w) => [w.field, w.reason])).toEqual([
      ['name', 'longer than 120 characters; shortened'],
      ['phone', 'more than 5 phone numbers; these left out'],
      ['tags', 'not a valid tag (letters, digits, - and _); left out'],
      ['notes', 'longer than 2000 characters; shortened'],
    ]);
    // Values are shown shortened in the report.
    expect(result.warnings![0]!.value).toBe(`Nguyễn ${'Văn '.repeat(8)}…`);
    expect(result.warnings![0]!.value).toHaveLength(40);
    expect(warningLine(result.warnings![2]!)).toBe('row 9, tags "???": not a valid tag (letters, digits, - and _); left out');
  });

  it('keeps address and birthday in the note, under their headers', () => {
    const result = row({ phone: '0912 345 678', notes: 'Khách quen', address: '12 Lê Lợi, Q1', birthday: '15/03/1990', orders: '2' });
    expect(result).toMatchObject({ ok: true, row: { note: 'Khách quen\nĐịa chỉ: 12 Lê Lợi, Q1\nNgày sinh: 15/03/1990\nOrders before import: 2' } });
    expect(result).not.toHaveProperty('warnings');
  });

  it('warns about characters that could not be decoded', () => {
    expect(row({ name: 'Nguy\uFFFDn', phone: '0912 345 678' })).toMatchObject({ ok: true, warnings: [{ field: 'name', value: 'Nguy\uFFFDn' }] });
  });
});

describe('file encodings', () => {
  const CONTACTS = 'Họ và tên,Số điện thoại,Nhóm,Địa chỉ\r\nNguyễn Thị Ngọc Ánh,0912345678,khách quen,"Quận 1, TP.HCM"\r\nTrương Văn Đức,0987654321,,\r\n';
  const RECORDS = [
    ['Họ và tên', 'Số điện thoại', 'Nhóm', 'Địa chỉ'],
    ['Nguyễn Thị Ngọc Ánh', '0912345678', 'khách quen', 'Quận 1, TP.HCM'],
    ['Trương Văn Đức', '0987654321', '', ''],
  ];
  const caught = (fn: () => unknown): ValidationError => {
    try {
      fn();
    } catch (error) {
      return error as ValidationError;
    }
    throw new Error('did not throw');
  };

  it('tells the encoding by BOM, by the NUL bytes of UTF-16, by valid UTF-8, else Windows-1258', () => {
    const sniff = (e: (typeof EXCEL_ENCODINGS)[number]) => sniffEncoding(excelBytes(CONTACTS, e), true);
    expect(sniff('utf-8')).toEqual({ encoding: 'utf-8', bom: false });
    expect(sniff('utf-8-bom')).toEqual({ encoding: 'utf-8', bom: true });
    expect(sniff('windows-1258')).toEqual({ encoding: 'windows-1258', bom: false });
    expect(sniff('utf-16le')).toEqual({ encoding: 'utf-16le', bom: false });
    expect(sniff('utf-16le-bom')).toEqual({ encoding: 'utf-16le', bom: true });
    expect(sniff('utf-16be')).toEqual({ encoding: 'utf-16be', bom: false });
    expect(sniff('utf-16be-bom')).toEqual({ encoding: 'utf-16be', bom: true });
    // A head cut inside a UTF-8 letter is still UTF-8.
    const utf8 = Buffer.from(CONTACTS);
    expect(sniffEncoding(utf8.subarray(0, utf8.indexOf('ọ') + 1), false)).toEqual({ encoding: 'utf-8', bom: false });
    // Windows-1252 names (the same bytes in Windows-1258) are read, not refused.
    const western = iconv.encode('Name,Phone\nZoë Müller,+4915112345678\nAnaïs Noël,+33612345678\nSøren Ærø,+4520123456\n', 'windows-1252');
    expect(sniffEncoding(western, true)).toEqual({ encoding: 'windows-1258', bom: false });
  });

  it('names TCVN3 and VNI text, in a legacy code page or saved as Unicode, and leaves real Vietnamese alone', () => {
    expect(legacyFontEncoding(TCVN3_CSV.toString('latin1'))).toBe('TCVN3 (ABC)');
    expect(legacyFontEncoding(VNI_CSV.toString('latin1'))).toBe('VNI Windows');
    expect(legacyFontEncoding(CONTACTS)).toBeUndefined();
    expect(legacyFontEncoding('Name\nZoë Müller\nAnaïs Noël\nSøren Ærø\nLoïc, 50m², 25°C\n')).toBeUndefined();

    const tcvn3 = caught(() => sniffEncoding(TCVN3_CSV, true));
    expect(tcvn3).toBeInstanceOf(ValidationError);
    // The sample is the first line as Vietnamese Windows shows it (its code page, 1258, reads E3 as "ă").
    expect(tcvn3).toMatchObject({ code: 'IMPORT_ENCODING_LEGACY_FONT', params: { encoding: 'TCVN3 (ABC)', sample: 'Hä vµ tªn,Sè ®iÖn tho¹i,Nhăm' } });
    expect(tcvn3.message).toContain('Unikey');
    expect(tcvn3.message).toContain('Save As → "CSV UTF-8');
    expect(caught(() => sniffEncoding(VNI_CSV, true))).toMatchObject({ code: 'IMPORT_ENCODING_LEGACY_FONT', params: { encoding: 'VNI Windows' } });
    // Typed with a VNI font in a Unicode sheet, then saved as "CSV UTF-8": the same letters, in UTF-8.
    const vniAsUtf8 = Buffer.from(VNI_CSV.toString('latin1'), 'utf8');
    expect(caught(() => sniffEncoding(vniAsUtf8, true))).toMatchObject({ code: 'IMPORT_ENCODING_LEGACY_FONT', params: { encoding: 'VNI Windows' } });
  });

  it('refuses a workbook and text in other encodings instead of importing garbage', () => {
    const xlsx = Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml', 'latin1');
    expect(caught(() => sniffEncoding(xlsx, true))).toMatchObject({ code: 'IMPORT_ENCODING_UNKNOWN' });
    const gbk = iconv.encode('姓名,电话,邮箱\n王小明,13800138000,wang@example.cn\n李华,13912345678,li@example.cn\n', 'gbk');
    expect(caught(() => sniffEncoding(gbk, true))).toMatchObject({ code: 'IMPORT_ENCODING_UNKNOWN' });
    const cyrillic = iconv.encode('Имя,Телефон\nИван Петров,+79161234567\nМария,+79031234567\n', 'windows-1251');
    expect(caught(() => sniffEncoding(cyrillic, true))).toMatchObject({ code: 'IMPORT_ENCODING_UNKNOWN' });
  });

  it('decodes every encoding Excel saves into the same records, in NFC, however the bytes are cut', async () => {
    for (const encoding of EXCEL_ENCODINGS) {
      for (const size of [1, 7, 64 * 1024]) {
        const text = await decodeCsvText(Readable.from(chunked(excelBytes(CONTACTS, encoding), size)));
        const got: CsvItem[] = [];
        for await (const item of readCsvRecords(text.utf8)) got.push(item);
        expect(got.map((i) => (i.kind === 'record' ? i.cells : i)), `${encoding} in chunks of ${size}`).toEqual(RECORDS);
        expect(text.encoding).toBe(encoding.replace('-bom', ''));
      }
    }
    // Windows-1258 writes "ọ" as "o" + a combining dot below: read back as one letter.
    expect(windows1258('Ngọc').length).toBe(5);
  });

  it('reads Excel\'s "Unicode Text" (UTF-16 LE with a BOM, tab-separated) with no phantom row', async () => {
    const unicodeText = excelBytes('Tên khách\tSĐT\r\nPhạm Thị Dung\t0911 222 333\r\n', 'utf-16le-bom');
    const got: CsvItem[] = [];
    for await (const item of readCsvRecords((await decodeCsvText(Readable.from([unicodeText]))).utf8)) got.push(item);
    expect(got).toEqual([
      { kind: 'record', line: 1, endLine: 1, cells: ['Tên khách', 'SĐT'] },
      { kind: 'record', line: 2, endLine: 2, cells: ['Phạm Thị Dung', '0911 222 333'] },
    ]);
  });

  it('decodes a large Windows-1258 file as a stream, sniffing only its beginning', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `Nguyễn Thị Hồng ${i},09${String(10_000_000 + i)},khách quen`).join('\r\n');
    const bytes = windows1258(`Họ tên;SĐT;Nhóm\r\n${rows.replaceAll(',', ';')}\r\n`);
    const text = await decodeCsvText(Readable.from(chunked(bytes, 64 * 1024)));
    let count = 0;
    let last: CsvItem | undefined;
    for await (const item of readCsvRecords(text.utf8)) {
      count++;
      last = item;
    }
    expect(text.encoding).toBe('windows-1258');
    expect(count).toBe(20_001);
    expect(last).toEqual({ kind: 'record', line: 20_001, endLine: 20_001, cells: ['Nguyễn Thị Hồng 19999', '0910019999', 'khách quen'] });
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
