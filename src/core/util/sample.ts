// Evenly thinned copies of long series, for work that needs a curve's shape rather than every row.

/** Evenly spaced indices 0..n-1, at most `max` of them, always including the last. */
export function thinIndices(n: number, max: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}
