/**
 * The digest's chart: drawn by Chart.js on a Skia canvas with the bundled Be Vietnam Pro font.
 * Checked from the PNG itself — its IHDR size, and its pixels decoded (not blank, the series'
 * colours present) — and the font file for the Vietnamese letters the labels use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createCanvas, Image } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { BACKGROUND, compactNumber, renderBarCharts, SERIES_COLOURS, SINGLE_COLOUR, type Panel } from '../../src/views/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which must come first. */
function ihdr(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every pixel's colour as `#rrggbb`, counted (in the top `rows` rows only, when given). */
function colours(png: Buffer, rows?: number): Map<string, number> {
  const image = new Image();
  image.src = png;
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, rows ?? image.height);
  const counts = new Map<string, number>();
  for (let i = 0; i < data.length; i += 4) {
    const hex = `#${[data[i]!, data[i + 1]!, data[i + 2]!].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return counts;
}

/** The code points a TrueType font maps, from its cmap (format 4, Unicode BMP). */
function cmapCodePoints(ttf: Buffer): Set<number> {
  const tables = ttf.readUInt16BE(4);
  let cmap = -1;
  for (let t = 0; t < tables; t++) if (ttf.toString('ascii', 12 + 16 * t, 16 + 16 * t) === 'cmap') cmap = ttf.readUInt32BE(12 + 16 * t + 8);
  const points = new Set<number>();
  for (let s = 0; s < ttf.readUInt16BE(cmap + 2); s++) {
    const at = cmap + 4 + 8 * s;
    const sub = cmap + ttf.readUInt32BE(at + 4);
    if (ttf.readUInt16BE(at) !== 3 || ttf.readUInt16BE(at + 2) !== 1 || ttf.readUInt16BE(sub) !== 4) continue;
    const segments = ttf.readUInt16BE(sub + 6) / 2;
    for (let i = 0; i < segments; i++) {
      const end = ttf.readUInt16BE(sub + 14 + 2 * i);
      const start = ttf.readUInt16BE(sub + 16 + 2 * segments + 2 * i);
      const delta = ttf.readInt16BE(sub + 16 + 4 * segments + 2 * i);
      const rangeAt = sub + 16 + 6 * segments + 2 * i;
      const range = ttf.readUInt16BE(rangeAt);
      for (let c = start; c <= end && c !== 0xffff; c++) {
        const glyph = range === 0 ? (c + delta) & 0xffff : ttf.readUInt16BE(rangeAt + range + 2 * (c - start));
        if (glyph !== 0) points.add(c);
      }
    }
  }
  return points;
}

const segments: Panel = {
  title: 'Phân khúc khách hàng',
  bars: [
    { label: 'Khách mới', value: 12, series: 'Mới mua' },
    { label: 'Tiềm năng', value: 8, series: 'Mới mua' },
    { label: 'Sắp mất', value: 5, series: 'Cần chăm sóc' },
    { label: 'Đã mất', value: 3, series: 'Cần chăm sóc' },
  ],
};

describe('bar chart PNG', () => {
  it('renders Vietnamese labels into an 800 × 500 PNG with both series’ colours and its legend', () => {
    const png = renderBarCharts([segments]);
    expect(ihdr(png)).toEqual({ width: 800, height: 500 });
    const counts = colours(png);
    const total = 800 * 500;
    const background = counts.get(BACKGROUND) ?? 0;
    expect(background).toBeGreaterThan(total * 0.3);
    expect(total - background).toBeGreaterThan(total * 0.05); // bars, text and axes
    expect(counts.size).toBeGreaterThan(20); // anti-aliased text: many shades
    // The two series are drawn in their own colours, in bars and legend boxes alike.
    expect(counts.get(SERIES_COLOURS[0])).toBeGreaterThan(2000);
    expect(counts.get(SERIES_COLOURS[1])).toBeGreaterThan(2000);
    expect(counts.get(SERIES_COLOURS[2]) ?? 0).toBe(0);
    // The legend sits under the title, above the plot: a box of each series' colour there.
    const top = colours(png, 64);
    expect(top.get(SERIES_COLOURS[0])).toBeGreaterThan(50);
    expect(top.get(SERIES_COLOURS[1])).toBeGreaterThan(50);
  });

  it('stacks panels to the size asked, a panel without series in one colour', () => {
    const revenue: Panel = { title: 'Doanh thu theo ngày (VND)', bars: ['Th 2', 'Th 3', 'Th 4'].map((label, i) => ({ label, value: (i + 1) * 350_000 })) };
    const png = renderBarCharts([revenue, segments], { width: 640, height: 480 });
    expect(ihdr(png)).toEqual({ width: 640, height: 480 });
    const counts = colours(png);
    expect(counts.get(SINGLE_COLOUR)).toBeGreaterThan(1000);
    expect(counts.get(SERIES_COLOURS[1])).toBeGreaterThan(500);
  });

  it('draws many long labels without failing: an empty panel, zero and negative values', () => {
    const long: Panel = {
      title: 'Segments',
      bars: ['Champions', 'Loyal', 'Potential loyalist', 'New', 'Promising', 'Need attention', 'About to sleep', 'At risk', "Can't lose", 'Hibernating', 'Lost', 'Lead'].map(
        (label, i) => ({ label, value: i % 3 === 0 ? 0 : i * 3 }),
      ),
    };
    const png = renderBarCharts([long, { title: 'Nothing yet', bars: [] }, { title: 'Refunds', bars: [{ label: 'Th 2', value: -5 }] }]);
    expect(ihdr(png)).toEqual({ width: 800, height: 780 });
    expect(colours(png).get(SINGLE_COLOUR)).toBeGreaterThan(500);
  });

  it('ships a font with every Vietnamese letter the labels may use', () => {
    const require = createRequire(import.meta.url);
    const ttf = readFileSync(require.resolve('@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf'));
    const covered = cmapCodePoints(ttf);
    expect(covered.has('中'.codePointAt(0)!)).toBe(false); // the reader tells a glyph from none
    const letters = 'aăâbcdđeêghiklmnoôơpqrstuưvxy' + 'àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ' + '₫';
    const missing = [...(letters + letters.toUpperCase())].filter((c) => !covered.has(c.codePointAt(0)!));
    expect(missing).toEqual([]);
  });

  it('writes values compactly', () => {
    expect([0, 950, 350_000, 1_234_567, 15_000_000, 2_500_000_000].map(compactNumber)).toEqual(['0', '950', '350K', '1.2M', '15M', '2.5B']);
  });
});
