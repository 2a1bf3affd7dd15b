/**
 * Bar charts as PNG, drawn pixel by pixel and encoded by pngjs (pure
 * JavaScript: no native binary, no fonts, nothing fetched at run time), with
 * a built-in 5×7 pixel font for labels (digits, A–Z and a few signs).
 *
 * @example
 *   const png = renderBarCharts([{ title: 'REVENUE PER DAY', bars: [{ label: 'MO', value: 350000 }, …] }]);
 *   // → Buffer starting with the PNG signature
 */
import { PNG } from 'pngjs';

export interface Bar {
  label: string;
  value: number;
}

export interface Panel {
  title: string;
  bars: Bar[];
}

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [40, 44, 52];
const GRID: Rgb = [225, 228, 232];
const PALETTE: readonly Rgb[] = [
  [66, 133, 244],
  [52, 168, 83],
  [251, 188, 5],
  [234, 67, 53],
  [154, 102, 228],
  [0, 172, 193],
];

// 5×7 glyphs: seven rows of five columns, '#' = ink.
const GLYPHS: Record<string, string> = {
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.', '1': '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####', '3': '#####|...#.|..#..|...#.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.', '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.', '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.', '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#', B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.', D: '###..|#..#.|#...#|#...#|#...#|#..#.|###..',
  E: '#####|#....|#....|####.|#....|#....|#####', F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.####', H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.', J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#', L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#', N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.', P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#', R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.', T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.', V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.', X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..', Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  '.': '.....|.....|.....|.....|.....|.##..|.##..', ',': '.....|.....|.....|.....|.##..|..#..|.#...',
  '-': '.....|.....|.....|.###.|.....|.....|.....', '+': '.....|..#..|..#..|#####|..#..|..#..|.....',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....', '/': '.....|....#|...#.|..#..|.#...|#....|.....',
  '%': '##...|##..#|...#.|..#..|.#...|#..##|...##', '(': '...#.|..#..|.#...|.#...|.#...|..#..|...#.',
  ')': '.#...|..#..|...#.|...#.|...#.|..#..|.#...', ' ': '.....|.....|.....|.....|.....|.....|.....',
};

/** Width in pixels of a label at a scale. */
export function textWidth(label: string, scale = 1): number {
  return label.length === 0 ? 0 : (label.length * 6 - 1) * scale;
}

class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.fill(0, 0, width, height, WHITE);
  }

  fill(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.ceil(x + w));
    const y1 = Math.min(this.height, Math.ceil(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 4;
        this.png.data[i] = r;
        this.png.data[i + 1] = g;
        this.png.data[i + 2] = b;
        this.png.data[i + 3] = 255;
      }
    }
  }

  text(label: string, x: number, y: number, color: Rgb, scale = 1): void {
    let cx = x;
    for (const ch of label.toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS[' ']!;
      for (let row = 0; row < 7; row++) {
        for (let col = 0; col < 5; col++) {
          if (glyph[row * 6 + col] === '#') this.fill(cx + col * scale, y + row * scale, scale, scale, color);
        }
      }
      cx += 6 * scale;
    }
  }
}

/** `1234567` → `1.2M`, `350000` → `350K`. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  const [div, suffix] = abs >= 1e9 ? [1e9, 'B'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'K'] : [1, ''];
  const n = value / div;
  const digits = div === 1 || Math.abs(n) >= 100 ? 0 : 1;
  return `${n.toFixed(digits).replace(/\.0$/, '')}${suffix}`;
}

/**
 * Renders panels of bar charts stacked vertically into one PNG: a title,
 * bars scaled to the panel's largest value, the value above each bar and its
 * label below. Negative values are drawn as zero-height bars.
 */
export function renderBarCharts(panels: Panel[], options: { width?: number; panelHeight?: number } = {}): Buffer {
  const width = options.width ?? 640;
  const panelHeight = options.panelHeight ?? 240;
  const canvas = new Canvas(width, Math.max(1, panels.length) * panelHeight);
  panels.forEach((panel, p) => drawPanel(canvas, panel, p * panelHeight, width, panelHeight));
  return PNG.sync.write(canvas.png);
}

function drawPanel(canvas: Canvas, panel: Panel, top: number, width: number, height: number): void {
  const margin = 16;
  canvas.text(panel.title, margin, top + margin, INK, 2);
  const plotTop = top + margin + 14 + 24;
  const plotBottom = top + height - margin - 12;
  const plotHeight = plotBottom - plotTop;
  canvas.fill(margin, plotBottom, width - 2 * margin, 1, INK);
  for (let g = 1; g <= 3; g++) canvas.fill(margin, plotBottom - (plotHeight * g) / 4, width - 2 * margin, 1, GRID);
  const bars = panel.bars;
  if (bars.length === 0) return;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = (width - 2 * margin) / bars.length;
  const barWidth = Math.max(2, Math.min(64, slot * 0.6));
  bars.forEach((bar, i) => {
    const cx = margin + slot * i + slot / 2;
    const h = Math.max(0, (bar.value / max) * (plotHeight - 12));
    canvas.fill(cx - barWidth / 2, plotBottom - h, barWidth, h, PALETTE[i % PALETTE.length]!);
    const value = compactNumber(bar.value);
    canvas.text(value, Math.round(cx - textWidth(value) / 2), Math.round(plotBottom - h - 10), INK);
    const label = bar.label.slice(0, Math.max(1, Math.floor(slot / 6)));
    canvas.text(label, Math.round(cx - textWidth(label) / 2), plotBottom + 4, INK);
  });
}
