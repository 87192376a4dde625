// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013), in log10(x) when the axis is logarithmic: chart.js's
// own decimation skips log axes, and buckets of equal width in x would crowd every point of a log plot's left half
// into one bucket. Returns indices, so every parallel array (predicted, band, source lines) follows the same points.

/**
 * Indices of the points to keep (at most `threshold`; all of them when there are fewer). x must be ascending.
 * Buckets are of equal width in the axis's own space (log10 x on a log axis), not of equal point counts: a loss log
 * logged every step has 90 % of its rows in its last decade, and equal-count buckets would leave the early, fast
 * part of the curve with one or two points.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number, logX: boolean): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(y[i]) && Number.isFinite(x[i]) && (!logX || x[i] > 0)) candidates.push(i);
  const n = candidates.length;
  if (n <= threshold || threshold < 3) return candidates;
  const t = Float64Array.from(candidates, (i) => (logX ? Math.log10(x[i]) : x[i]));
  const v = Float64Array.from(candidates, (i) => y[i]);
  const buckets = bucketBounds(t, threshold - 2);
  const kept = [candidates[0]];
  let a = 0;
  for (let b = 0; b < buckets.length; b++) {
    const [start, end] = buckets[b];
    // The third corner of the triangle: the next bucket's average, or the last point.
    const [nextStart, nextEnd] = b + 1 < buckets.length ? buckets[b + 1] : [n - 1, n];
    let avgT = 0;
    let avgV = 0;
    for (let k = nextStart; k < nextEnd; k++) {
      avgT += t[k];
      avgV += v[k];
    }
    avgT /= nextEnd - nextStart;
    avgV /= nextEnd - nextStart;
    let best = start;
    let bestArea = -1;
    for (let k = start; k < end; k++) {
      const area = Math.abs((t[a] - avgT) * (v[k] - v[a]) - (t[a] - t[k]) * (avgV - v[a]));
      if (area > bestArea) {
        bestArea = area;
        best = k;
      }
    }
    kept.push(candidates[best]);
    a = best;
  }
  kept.push(candidates[n - 1]);
  return kept;
}

/** Non-empty [start, end) index ranges of the interior points 1..n-2, cut at equal widths of t. */
function bucketBounds(t: Float64Array, count: number): [number, number][] {
  const n = t.length;
  const lo = t[1];
  const width = (t[n - 2] - lo) / count;
  const out: [number, number][] = [];
  let start = 1;
  for (let b = 1; b <= count && start < n - 1; b++) {
    const edge = b === count || !(width > 0) ? Infinity : lo + b * width;
    let end = start;
    while (end < n - 1 && t[end] < edge) end++;
    if (b === count) end = n - 1;
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The index range [from, to) of ascending x that covers [xMin, xMax] plus one point either side, so lines still
 * run to the window's edges after a zoom.
 */
export function windowRange(x: ArrayLike<number>, xMin: number, xMax: number): [number, number] {
  const n = x.length;
  let from = lowerBound(x, xMin);
  let to = lowerBound(x, xMax);
  while (to < n && x[to] <= xMax) to++;
  from = Math.max(0, from - 1);
  to = Math.min(n, to + 1);
  return [from, to];
}

function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
