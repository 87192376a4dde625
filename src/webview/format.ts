// Numbers on axes: which ticks get a label, and labels as short as they can be while telling neighbours apart.
// Tooltips use the core's formatNumber, as every other surface does.

/** One tick label at `digits` significant digits: compact (k, M, B) in the middle range, exponents outside it. */
export function tick(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Compact notation stops at T (trillions): FLOP counts (1e17 and up) would read "100,000T".
  if (a < 1e-2 || a >= 1e15)
    return v
      .toExponential(digits - 1)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return compact(digits).format(v);
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
  const digits = distinctDigits(shown);
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

/** The fewest significant digits (1..6) at which distinct values get distinct labels. */
export function distinctDigits(values: number[]): number {
  const distinct = new Set(values).size;
  for (let d = 1; d < 6; d++) if (new Set(values.map((v) => tick(v, d))).size === distinct) return d;
  return 6;
}
