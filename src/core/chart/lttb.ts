// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013), in log(x) when the axis is logarithmic: chart.js's
// own decimation skips log axes, and buckets of equal width in x would crowd every point of a log plot's left half
// into one bucket. Returns indices, so every parallel array (predicted, band, source lines) follows the same points.
// O(n) over plain loops (one pass to check or gather the drawable points, one to cut buckets, one for the
// triangles), with no per-point closures, iterators or copies in the common case, so a million-row series samples in
// milliseconds.
import { lowerBound, upperBound } from '../util/arrays';

/** Points per series at most, whatever the width: more would not show and would slow the draw. */
export const MAX_POINTS_PER_SERIES = 4000;
/** Points per series at least, however narrow the plot. */
const MIN_POINTS_PER_SERIES = 200;

/** The point budget of one series for a plot `width` CSS pixels wide: about two points per pixel. */
export function pointBudget(width: number): number {
  // A width that is no number (NaN, null from a raw request) is the narrowest plot's, not a budget of NaN points.
  if (!(width > 0)) return MIN_POINTS_PER_SERIES;
  return Math.min(MAX_POINTS_PER_SERIES, Math.max(MIN_POINTS_PER_SERIES, Math.round(2 * width)));
}

/**
 * x in the axis's own space: log x on a log axis (x <= 0 turns non-finite, so LTTB leaves it out), else x itself.
 * The natural log, not log10: any base gives the same buckets and the same largest triangles (all t scale alike),
 * and Math.log is about twice as fast. Worth keeping per series: it is the one per-point transcendental of sampling,
 * and zooms re-sample the same x.
 */
export function axisValues(x: ArrayLike<number>, logX: boolean): ArrayLike<number> {
  if (!logX) return x;
  const t = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) t[i] = Math.log(x[i]);
  return t;
}

/**
 * Indices of the points to keep (at most `threshold`; all of them when there are fewer), among x[from..to). x must be
 * ascending. Buckets are of equal width in the axis's own space (log x on a log axis), not of equal point counts:
 * a loss log logged every step has 90 % of its rows in its last decade, and equal-count buckets would leave the
 * early, fast part of the curve with one or two points. `axis`, when given, is axisValues(x, logX), computed before.
 */
export function lttbIndices(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  threshold: number,
  logX: boolean,
  from = 0,
  to = x.length,
  axis?: ArrayLike<number>,
): number[] {
  const t = axis ?? (logX ? undefined : x);
  // The common case, every point drawable: sample the arrays in place, nothing copied.
  if (t && allFinite(t, y, from, to)) return lttbRange(t, y, from, to, threshold);
  const packed = drawable(t ?? x, y, !t && logX, from, to);
  return lttbRange(packed.t, packed.v, 0, packed.n, threshold).map((k) => packed.index[k]);
}

/** LTTB over the finite points t[first..last), v[first..last); returns their positions in the arrays. */
function lttbRange(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  first: number,
  last: number,
  threshold: number,
): number[] {
  if (last - first <= threshold || threshold < 3)
    return Array.from({ length: Math.max(0, last - first) }, (_, k) => first + k);
  const starts = bucketStarts(t, first, last, threshold - 2);
  const kept = [first];
  let a = first;
  const buckets = starts.length - 1;
  for (let b = 0; b < buckets; b++) {
    const start = starts[b];
    const end = starts[b + 1];
    // The third corner of the triangle: the next bucket's average, or the last point.
    const nextStart = end;
    const nextEnd = b + 1 < buckets ? starts[b + 2] : last;
    let avgT = 0;
    let avgV = 0;
    for (let k = nextStart; k < nextEnd; k++) {
      avgT += t[k];
      avgV += v[k];
    }
    avgT /= nextEnd - nextStart;
    avgV /= nextEnd - nextStart;
    const ta = t[a];
    const va = v[a];
    let best = start;
    let bestArea = -1;
    for (let k = start; k < end; k++) {
      const area = Math.abs((ta - avgT) * (v[k] - va) - (ta - t[k]) * (avgV - va));
      if (area > bestArea) {
        bestArea = area;
        best = k;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(last - 1);
  return kept;
}

function allFinite(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!Number.isFinite(t[i]) || !Number.isFinite(y[i])) return false;
  return true;
}

/** The points a chart can draw (finite, and x > 0 on a log axis): their indices, axis-space x, and y, packed. */
function drawable(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  logX: boolean,
  from: number,
  to: number,
): { index: Int32Array; t: Float64Array; v: Float64Array; n: number } {
  const size = Math.max(0, to - from);
  const index = new Int32Array(size);
  const t = new Float64Array(size);
  const v = new Float64Array(size);
  let n = 0;
  for (let i = from; i < to; i++) {
    const xi = logX ? Math.log(x[i]) : x[i];
    const yi = y[i];
    if (!Number.isFinite(yi) || !Number.isFinite(xi)) continue;
    index[n] = i;
    t[n] = xi;
    v[n] = yi;
    n++;
  }
  return { index, t, v, n };
}

/**
 * Starts of the non-empty buckets of the interior points first+1..last-2, cut at equal widths of t, followed by
 * last-1 (the end of the last bucket). Empty buckets are dropped, so a sparse region gives fewer than `count`.
 */
function bucketStarts(t: ArrayLike<number>, first: number, last: number, count: number): Int32Array {
  const lo = t[first + 1];
  const width = (t[last - 2] - lo) / count;
  const out = new Int32Array(count + 1);
  let m = 0;
  let start = first + 1;
  for (let b = 1; b <= count && start < last - 1; b++) {
    const edge = b === count || !(width > 0) ? Infinity : lo + b * width;
    let end = start;
    while (end < last - 1 && t[end] < edge) end++;
    if (end > start) out[m++] = start;
    start = end;
  }
  out[m++] = last - 1;
  return out.subarray(0, m);
}

/**
 * The index range [from, to) of ascending x that covers [xMin, xMax] plus one point either side, so lines still
 * run to the window's edges after a zoom.
 */
export function windowRange(x: ArrayLike<number>, xMin: number, xMax: number): [number, number] {
  const n = x.length;
  let from = lowerBound(x, xMin);
  let to = upperBound(x, xMax);
  from = Math.max(0, from - 1);
  to = Math.min(n, to + 1);
  return [from, to];
}
