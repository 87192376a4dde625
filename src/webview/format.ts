// Numbers on axes: which ticks get a label, and labels as short as they can be while telling neighbours apart.
// Tooltips use the core's formatNumber, as every other surface does.
import { distinctDigits } from '../core/util/format';

/** One tick label at `digits` significant digits: compact (k, M, B, T) in the middle range, exponents outside it. */
export function tick(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Compact notation stops at T (trillions): FLOP counts (1e17 and up) would read "100,000T".
  if (a < 1e-2 || a >= 1e15)
    return v
      .toExponential(digits - 1)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  // Intl writes thousands "1K"; every other surface "1k" (formatCompact): the lens's L(40k) sat over a "30K" tick.
  return compact(digits).format(v).replace('K', 'k');
}

const formatters = new Map<number, Intl.NumberFormat>();

/** Intl formatters are costly to make: one per digit count. */
function compact(digits: number): Intl.NumberFormat {
  let f = formatters.get(digits);
  if (!f)
    formatters.set(
      digits,
      (f = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: digits })),
    );
  return f;
}

export interface TickSpace {
  log: boolean;
  /** The axis' value range and its length on screen (px). */
  min: number;
  max: number;
  lengthPx: number;
  /** Least distance between two labelled ticks (px): a label's height on a y-axis, its width on an x-axis. */
  minGapPx: number;
}

/**
 * Labels for an axis' ticks ('' = a grid line without a label): labelled ticks lie at least minGapPx apart, powers
 * of ten first on a log axis and then 2 and 5 times them, and each label has the fewest significant digits (up to 6)
 * that keep distinct values distinct ("2.5e-4, 3e-4", never "3e-4, 3e-4").
 */
export function tickLabels(values: number[], space: TickSpace): string[] {
  const at = pixelOf(space);
  const order = values.map((_, i) => i).sort((a, b) => priority(values[a], space.log) - priority(values[b], space.log));
  const placed: number[] = [];
  const keep = new Set<number>();
  for (const i of order) {
    const px = at(values[i]);
    if (!Number.isFinite(px) || placed.some((p) => Math.abs(p - px) < space.minGapPx)) continue;
    placed.push(px);
    keep.add(i);
  }
  const shown = values.filter((_, i) => keep.has(i));
  // The fewest significant digits (1 to 6) at which distinct values get distinct labels.
  const digits = distinctDigits(shown, tick, 1, 6);
  return values.map((v, i) => (keep.has(i) ? tick(v, digits) : ''));
}

/** Position on the axis in px from its start, linear in the value or its log. */
function pixelOf(space: TickSpace): (v: number) => number {
  const f = space.log ? Math.log10 : (v: number) => v;
  const [a, b] = [f(space.min), f(space.max)];
  return (v) => (b > a ? ((f(v) - a) / (b - a)) * space.lengthPx : 0);
}

/**
 * Lower is labelled first: rounder values (fewer significant digits), and among one-digit values on a log axis 10^k,
 * then 2 and 5 times it. A narrow log axis (2.4 to 3.3) then labels 2.5, 3 before 2.66.
 */
function priority(v: number, log: boolean): number {
  if (v === 0) return 0;
  const digits = significantDigits(v);
  if (!log || digits > 1) return 10 * digits;
  const mantissa = Number(v.toExponential(0).split('e')[0]);
  return 10 + (mantissa === 1 ? 0 : mantissa === 2 || mantissa === 5 ? 1 : 2);
}

function significantDigits(v: number): number {
  for (let d = 1; d < 15; d++) if (Math.abs(Number(v.toPrecision(d)) - v) <= 1e-12 * Math.abs(v)) return d;
  return 15;
}

/** At most this many grid lines on a log axis: more read as clutter rather than as a scale. */
export const MAX_LOG_GRID = 12;
/** Least mean distance between a log axis' grid lines (px): a short panel gets fewer. */
const LOG_GRID_GAP_PX = 24;
/** Below this many lines a decade set leaves a narrow axis bare, and even steps of a round size serve instead. */
const MIN_LOG_GRID = 4;
/** Least distance (px) between the closest lines of a full 1..9 decade grid (9 and 10) for it to read as a log scale. */
const MINOR_GAP_PX = 6;

/**
 * The values a log axis draws a grid line at (each a tick; tickLabels then labels those far enough apart).
 * chart.js's own log ticks step by the first digits of the axis' minimum and crowd a narrow axis near its bottom
 * (2.42, 2.43, … 2.49 under a bare 2.5 to 3.2), and a wide one (FLOPs over 7 decades) with 9 lines a decade. Here:
 * an axis of a decade or more keeps 1..9 a decade while those lines are MINOR_GAP_PX apart; otherwise the densest of
 * whole decades (every nth of them on a very wide axis), 1-2-5 or 1..9 a decade with at most MAX_LOG_GRID lines (fewer
 * in a short panel), so the axis keeps its log look; an axis within one decade, or narrower than a decade where
 * that leaves fewer than MIN_LOG_GRID lines, gets even round steps when they give more (2.5, 2.6, … 3.2).
 * [] when the range is not a log range (min ≤ 0, min ≥ max): the caller keeps chart.js's ticks.
 */
export function logGridValues(min: number, max: number, lengthPx: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const maxLines = Math.max(2, Math.min(MAX_LOG_GRID, Math.floor(lengthPx / LOG_GRID_GAP_PX)));
  const inRange = (vs: number[]) => vs.filter((v) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9));
  const sets = decadeSets(min, max);
  // Over a decade or more, the classic 1..9 grid is what makes a log axis read as one: kept while it has room.
  const nines = inRange(sets[sets.length - 1]);
  if (max / min >= 10 && (Math.log10(10 / 9) / Math.log10(max / min)) * lengthPx >= MINOR_GAP_PX) return nines;
  let best: number[] = [];
  for (const set of sets) {
    const vs = inRange(set);
    if (vs.length > maxLines) break; // the sets go from sparse to dense
    if (vs.length >= best.length) best = vs;
  }
  // Within one decade (2 to 5) even steps are that decade's finer digits: taken when they give more lines. Across a
  // power of ten (0.8 to 5) they would leave the part under it bare, so only an axis left too bare takes them.
  const oneDecade = Math.floor(Math.log10(min)) === Math.floor(Math.log10(max * (1 - 1e-9)));
  if (max / min >= 10 || (!oneDecade && best.length >= MIN_LOG_GRID)) return best;
  const even = evenSteps(min, max, maxLines);
  return even.length > best.length ? even : best;
}

/** Per-decade value sets from sparse to dense: every nth decade (n = 100, 50, … 2), each decade, 1-2-5, 1..9. */
function decadeSets(min: number, max: number): number[][] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.floor(Math.log10(max));
  const decades = (mantissas: number[], every = 1) => {
    const out: number[] = [];
    for (let k = lo; k <= hi; k++)
      if (k % every === 0) for (const m of mantissas) out.push(Number((m * 10 ** k).toPrecision(12)));
    return out;
  };
  return [
    ...[100, 50, 20, 10, 5, 2].map((n) => decades([1], n)),
    decades([1]),
    decades([1, 2, 5]),
    decades([1, 2, 3, 4, 5, 6, 7, 8, 9]),
  ];
}

/** Multiples of the smallest round step (1, 2 or 5 times a power of ten) that keeps at most maxLines of them. */
function evenSteps(min: number, max: number, maxLines: number): number[] {
  const top = 10 ** Math.ceil(Math.log10(max - min));
  for (const step of [top, top / 2, top / 5, top / 10, top / 20, top / 50, top / 100, top / 200, top / 500].reverse()) {
    const first = Math.ceil(min / step - 1e-9);
    const last = Math.floor(max / step + 1e-9);
    if (last - first + 1 > maxLines) continue;
    const out: number[] = [];
    for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12)));
    return out;
  }
  return [];
}
