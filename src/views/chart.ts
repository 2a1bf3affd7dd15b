/**
 * Bar charts as PNG, laid out and drawn by Chart.js on a Skia canvas
 * (@napi-rs/canvas, whose prebuilt binary comes inside its npm package), with
 * the Be Vietnam Pro font shipped in an npm package — so labels keep their
 * lower case and Vietnamese letters ("Khách mới", "Sắp mất"), nothing is
 * downloaded at run time and no system font is needed. Rendering is
 * synchronous: the digest builds its replies without awaiting.
 *
 * Each panel is one chart: its title, a legend when its bars belong to named
 * series, readable category labels (bars turn horizontal when the labels are
 * long or many), and each bar's value written at its end (`1.2M`, `350K`).
 * Panels are stacked vertically into one image, 800 px wide by default —
 * about what a phone shows full width.
 *
 * @example
 *   const png = renderBarCharts([
 *     { title: 'Doanh thu theo ngày (VND)', bars: [{ label: 'Th 2', value: 350_000 }, { label: 'Th 3', value: 1_200_000 }] },
 *     { title: 'Phân khúc', bars: [{ label: 'Khách mới', value: 12, series: 'Mới' }, { label: 'Sắp mất', value: 3, series: 'Sắp mất' }] },
 *   ]);
 *   // → Buffer starting with the PNG signature, 800 × 520
 */
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title, type ChartConfiguration, type Plugin } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title);

export interface Bar {
  label: string;
  value: number;
  /** The legend entry (and colour) of this bar; panels whose bars have none show no legend. */
  series?: string;
}

/** Bars side by side per category, one per series (last week | this week), with a legend. */
export interface Grouped {
  categories: string[];
  /** `null` leaves a gap (a day still to come). */
  series: { name: string; values: (number | null)[] }[];
}

export interface Panel {
  title: string;
  bars: Bar[];
  /** Grouped bars instead of `bars`. */
  grouped?: Grouped;
  /** Colours of named series (`#rrggbb`); the others take {@link SERIES_COLOURS} in order. */
  seriesColours?: Readonly<Record<string, string>>;
}

export interface ChartOptions {
  /** Image width in pixels (default 800). */
  width?: number;
  /**
   * Image height in pixels (default 500 for one panel, 260 per panel for more), shared by the
   * panels: equally, except that a panel of lying bars gets a share growing with its rows.
   */
  height?: number;
}

/** The font family every text of the chart is set in. */
export const CHART_FONT = 'Be Vietnam Pro';
/** Series colours, in order of first appearance (Tableau 10: distinct, and readable for most colour-blind readers). */
export const SERIES_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;
/** The colour of a panel without series. */
export const SINGLE_COLOUR = SERIES_COLOURS[0];
export const BACKGROUND = '#ffffff';
const INK = '#2b2f36';
const GRID = '#e3e6ea';
/** Labels longer than this share of the width are cut with "…". */
const LABEL_SHARE = 0.3;

let fontsRegistered = false;

/** Registers the bundled font once (its files come with the npm package). */
function registerFonts(): void {
  if (fontsRegistered) return;
  const require = createRequire(import.meta.url);
  for (const file of ['400Regular/BeVietnamPro_400Regular.ttf', '600SemiBold/BeVietnamPro_600SemiBold.ttf']) {
    const path = require.resolve(`@expo-google-fonts/be-vietnam-pro/${file}`);
    if (!GlobalFonts.registerFromPath(path, CHART_FONT)) throw new Error(`chart font could not be loaded: ${path}`);
  }
  fontsRegistered = true;
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
 * Renders panels of bar charts stacked vertically into one PNG. Negative
 * values are drawn as empty bars; an empty panel shows its title and axes.
 *
 * @example
 *   renderBarCharts([{ title: 'Segments', bars: [{ label: 'Khách mới', value: 5 }] }], { width: 800, height: 500 })
 */
export function renderBarCharts(panels: Panel[], options: ChartOptions = {}): Buffer {
  registerFonts();
  const width = Math.round(options.width ?? 800);
  const count = Math.max(1, panels.length);
  const height = Math.round(options.height ?? (count === 1 ? 500 : 260 * count));
  const image = createCanvas(width, height);
  const ctx = image.getContext('2d');
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  const shapes = panels.map((panel) => shapePanel(panel, width, ctx));
  // Lying bars need a row each: a panel of many gets a larger share of the height.
  const weights = shapes.map((s) => (s.horizontal ? Math.max(1, s.labels.length / 8) : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let top = 0;
  let weightAbove = 0;
  panels.forEach((panel, i) => {
    weightAbove += weights[i]!;
    const panelHeight = Math.round((weightAbove * height) / total) - top;
    drawPanel(panel, shapes[i]!, width, panelHeight, (drawn) => ctx.drawImage(drawn, 0, top));
    top += panelHeight;
  });
  return image.toBuffer('image/png');
}

/** Font sizes scaled to the image width (800 px → 13 px labels). */
function fontSizes(width: number): { title: number; label: number; value: number } {
  const k = Math.min(1.4, Math.max(0.75, width / 800));
  return { title: Math.round(17 * k), label: Math.round(13 * k), value: Math.round(12 * k) };
}

interface PanelShape {
  /** Category labels, cut to fit. */
  labels: string[];
  /** Lying bars (labels on the left) rather than upright ones. */
  horizontal: boolean;
}

/**
 * Labels cut to at most {@link LABEL_SHARE} of the width, and the orientation:
 * upright bars while every label fits under its bar and there are at most 8,
 * lying bars otherwise.
 */
function shapePanel(panel: Panel, width: number, measuring: { font: string; measureText(text: string): { width: number } }): PanelShape {
  measuring.font = `${fontSizes(width).label}px "${CHART_FONT}"`;
  const measure = (text: string) => measuring.measureText(text).width;
  const labels = (panel.grouped?.categories ?? panel.bars.map((b) => b.label)).map((label) => fitLabel(label, width * LABEL_SHARE, measure));
  const widest = Math.max(0, ...labels.map(measure));
  const slot = (width - 80) / Math.max(1, labels.length);
  return { labels, horizontal: labels.length > 8 || widest > slot * 0.9 };
}

/** Draws one panel on a canvas of its own and hands it to `paint` (before the chart is let go, which clears it). */
function drawPanel(panel: Panel, { labels, horizontal }: PanelShape, width: number, height: number, paint: (drawn: Canvas) => void): void {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const size = fontSizes(width);
  const font = (px: number, weight: 400 | 600 = 400) => ({ family: CHART_FONT, size: px, weight });
  const bars = panel.bars.map((b) => ({ ...b, value: Math.max(0, Number.isFinite(b.value) ? b.value : 0) }));

  const series = panel.grouped ? panel.grouped.series.map((s) => s.name) : [...new Set(bars.flatMap((b) => (b.series === undefined ? [] : [b.series])))];
  const clean = (v: number | null) => (v === null ? null : Math.max(0, Number.isFinite(v) ? v : 0));
  const datasets = panel.grouped
    ? panel.grouped.series.map((s, i) => ({ label: s.name, data: s.values.map(clean), backgroundColor: panel.seriesColours?.[s.name] ?? SERIES_COLOURS[i % SERIES_COLOURS.length]! }))
    : series.length
    ? series.map((name, s) => ({
        label: name,
        data: bars.map((b) => ((b.series ?? b.label) === name ? b.value : null)),
        backgroundColor: panel.seriesColours?.[name] ?? SERIES_COLOURS[s % SERIES_COLOURS.length]!,
      }))
    : [{ label: panel.title, data: bars.map((b) => b.value), backgroundColor: SINGLE_COLOUR }];
  // Bars without a series of their own in a panel that has series form their own entry.
  for (const bar of series.length && !panel.grouped ? bars : []) {
    if (bar.series !== undefined || datasets.some((d) => d.label === bar.label)) continue;
    datasets.push({
      label: bar.label,
      data: bars.map((b) => (b.series === undefined && b.label === bar.label ? b.value : null)),
      backgroundColor: SERIES_COLOURS[datasets.length % SERIES_COLOURS.length]!,
    });
  }

  const valueAxis = {
    beginAtZero: true,
    grace: horizontal ? '12%' : '8%',
    suggestedMax: 1,
    grid: { color: GRID },
    border: { display: false },
    ticks: { color: INK, font: font(size.label), maxTicksLimit: 6, precision: 0, callback: (v: string | number) => compactNumber(Number(v)) },
  };
  const categoryAxis = {
    grid: { display: false },
    border: { color: INK },
    ticks: { color: INK, font: font(size.label), autoSkip: false, maxRotation: 45 },
  };
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      indexAxis: horizontal ? 'y' : 'x',
      layout: { padding: { left: 12, right: 16, top: 8, bottom: 8 } },
      skipNull: !panel.grouped,
      datasets: { bar: { maxBarThickness: 56, categoryPercentage: 0.8, barPercentage: 0.9 } },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        title: { display: true, text: panel.title, color: INK, font: font(size.title, 600), align: 'start', padding: { top: 4, bottom: 6 } },
        legend: {
          display: series.length > 0,
          position: 'top',
          align: 'start',
          labels: { color: INK, font: font(size.label), boxWidth: size.label, boxHeight: size.label, padding: 10 },
        },
        tooltip: { enabled: false },
      },
    },
    plugins: [barValues(font(size.value), horizontal)],
  };
  // Chart.js draws on any 2D context with the browser's API; Skia's is one.
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, config);
  try {
    paint(canvas);
  } finally {
    chart.destroy();
  }
}

/** A label cut with "…" to at most `max` pixels. */
function fitLabel(label: string, max: number, measure: (text: string) => number): string {
  const text = label.trim();
  if (measure(text) <= max) return text;
  let cut = text;
  while (cut.length > 1 && measure(`${cut}…`) > max) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** Writes each bar's value at its end: above an upright bar, right of a lying one. */
function barValues(font: { family: string; size: number; weight: number }, horizontal: boolean): Plugin<'bar'> {
  return {
    id: 'barValues',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = INK;
      ctx.font = `${font.weight} ${font.size}px "${font.family}"`;
      ctx.textAlign = horizontal ? 'left' : 'center';
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      chart.data.datasets.forEach((dataset, d) => {
        const meta = chart.getDatasetMeta(d);
        if (meta.hidden) return;
        meta.data.forEach((element, i) => {
          const value = dataset.data[i];
          if (typeof value !== 'number') return;
          const { x, y } = element.getProps(['x', 'y'], true) as { x: number; y: number };
          ctx.fillText(compactNumber(value), horizontal ? x + 4 : x, horizontal ? y : y - 3);
        });
      });
      ctx.restore();
    },
  };
}
