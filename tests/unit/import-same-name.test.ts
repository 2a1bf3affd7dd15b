/**
 * When an imported row's name clearly names someone else than the customer holding its phone
 * (src/services/import/same-name.ts): folded names, forms of address, shorter spellings, aliases.
 */
import { describe, expect, it } from 'vitest';
import { differentPerson, sameName } from '../../src/services/import/same-name.js';

describe('sameName', () => {
  it('ignores case, diacritics and punctuation', () => {
    expect(sameName('NGUYEN THI LAN', 'Nguyễn Thị Lan')).toBe(true);
    expect(sameName('Nguyễn-Thị Lan', 'nguyen thi lan')).toBe(true);
  });

  it('takes a shorter spelling, an initial or a form of address as the same name', () => {
    expect(sameName('Anna N.', 'Anna Nguyen')).toBe(true);
    expect(sameName('Lan', 'Nguyễn Thị Lan')).toBe(true);
    expect(sameName('chị Lan', 'Nguyễn Thị Lan')).toBe(true);
    expect(sameName('Nguyễn T. Lan', 'Nguyễn Thị Lan')).toBe(true);
  });

  it('tells different given names and different surnames apart', () => {
    expect(sameName('Mai', 'Nguyễn Thị Lan')).toBe(false);
    expect(sameName('Nguyễn Thị Mai', 'Nguyễn Thị Lan')).toBe(false);
    expect(sameName('Trần Văn Nam', 'Nguyễn Văn Nam')).toBe(false);
    expect(sameName('Lan Nguyễn', 'Nguyễn Lan Anh')).toBe(false);
  });
});

describe('differentPerson', () => {
  it('is true only for a name that matches neither the name nor an alias', () => {
    expect(differentPerson('Mai', ['Nguyễn Thị Lan'])).toBe(true);
    expect(differentPerson('mai', ['Nguyễn Thị Lan', 'Mai'])).toBe(false);
  });

  it('is false without a name on either side: no evidence of another person', () => {
    expect(differentPerson(undefined, ['Nguyễn Thị Lan'])).toBe(false);
    expect(differentPerson('  ', ['Nguyễn Thị Lan'])).toBe(false);
    expect(differentPerson('Mai', [])).toBe(false);
    expect(differentPerson('Mai', [''])).toBe(false);
  });
});
