/**
 * Name folding for search and duplicate detection: lower case, diacritics
 * removed (Vietnamese đ/Đ included, which Unicode does not decompose), spaces
 * collapsed. "Nguyễn  Văn Đức" and "nguyen van duc" fold to the same key.
 *
 * @example
 *   foldName('Nguyễn  Văn Đức') // → 'nguyen van duc'
 */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes a string for use inside a RegExp (anchored prefix searches). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Tags are lower-case words without the leading '#'. */
export function normaliseTag(raw: string): string | undefined {
  const tag = foldName(raw.replace(/^#+/, '')).replace(/\s+/g, '-');
  return /^[\p{L}\p{N}_-]{1,40}$/u.test(tag) ? tag : undefined;
}
