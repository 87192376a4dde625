// The PNG export of the chart panel: one image with a title (the file and what it shows, then each law drawn) above
// every panel laid out as on screen. The title is text drawn on the canvas, never markup.
import type { ChartData } from '../shared/chart';
import { shownOnOneLine } from '../core/util/controls';
import type { Theme } from './theme';
import { maxOf, minOf } from '../core/util/arrays';
import { KIND_NAMES } from '../core/analysis/lawNames';

/** Height of a title line, in CSS pixels. */
const HEADER_LINE = 18;

/**
 * What the chart shows; for loss curves the law drawn, and how it was chosen when it was chosen automatically; for a
 * power law the panel's own title (the loss against the column it was fitted over).
 */
export function kindLabel({ kind, fits, lawChoice, panels }: ChartData): string {
  const law = fits[0]?.name ?? 'no law';
  return kind === 'loss-curve'
    ? `${KIND_NAMES[kind]} (${lawChoice ? `${lawChoice.chosen}, chosen automatically over ${lawChoice.runnerUp}` : law})`
    : kind === 'downstream'
      ? `${KIND_NAMES[kind]} (BLEU and CE vs D_p)`
      : kind === 'compute'
        ? KIND_NAMES[kind]
        : kind === 'power'
          ? (panels[0]?.title ?? KIND_NAMES[kind])
          : 'run file';
}

/**
 * The chart's heading (the page's and the exported image's first line): the file and what it shows, as one line of
 * plain text. The page sets it as textContent, the image draws it on a canvas: neither is markup, but a right-to-left
 * override in the file's or a column's name would still draw it backwards, and a newline or an escape show raw.
 */
export function chartHeading(file: string, data: ChartData | undefined): string {
  return shownOnOneLine(data ? `${file} · ${kindLabel(data)}` : file);
}

/** The exported image's title: the chart's heading, then each law drawn (its formula), once. */
export function exportHeader(data: ChartData | undefined, file: string): string[] {
  if (!data) return [chartHeading(file, data)];
  const laws = [...new Set(data.fits.map((f) => f.formula))];
  // A power law's formula names its columns: file text, shown on one line as the heading is.
  return [chartHeading(file, data), ...(laws.length ? [shownOnOneLine(`law: ${laws.join('; ')}`)] : [])];
}

/** The panels' canvases under the title lines, as a base64 PNG (without the data: prefix). */
export function exportImage(canvases: HTMLCanvasElement[], header: string[], theme: Theme): string {
  const rects = canvases.map((c) => c.getBoundingClientRect());
  const left = minOf(rects.map((r) => r.left));
  const top = minOf(rects.map((r) => r.top));
  const scale = window.devicePixelRatio || 1;
  const headerHeight = HEADER_LINE * header.length + 12;
  const out = document.createElement('canvas');
  out.width = Math.ceil((maxOf(rects.map((r) => r.right)) - left) * scale);
  out.height = Math.ceil((maxOf(rects.map((r) => r.bottom)) - top + headerHeight) * scale);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.scale(scale, scale);
  ctx.fillStyle = theme.foreground;
  ctx.textBaseline = 'top';
  header.forEach((line, i) => {
    ctx.font = `${i === 0 ? 'bold 14px' : '12px'} ${theme.font}`;
    ctx.fillText(line, 8, 6 + i * HEADER_LINE, out.width / scale - 16);
  });
  canvases.forEach((canvas, i) =>
    ctx.drawImage(canvas, rects[i].left - left, rects[i].top - top + headerHeight, rects[i].width, rects[i].height),
  );
  return out.toDataURL('image/png').split(',')[1];
}
