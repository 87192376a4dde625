// Helpers over long numeric arrays (a run file can have millions of rows).
//  - Extremes by a loop: Math.max(...values) passes every element as an argument and throws past ~100,000.
//  - Evenly thinned copies, for work that needs a curve's shape rather than every row.
//  - Appending by a loop: `push(...items)` has the same argument limit.

/**
 * The largest value; -Infinity for none. A NaN is passed over (no comparison holds for it): callers give values their
 * readers kept finite (a loss > 0, a step, an LR >= 0), or filter them first.
 */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/** The smallest value; Infinity for none. A NaN is passed over, as in maxOf. */
export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < m) m = values[i];
  return m;
}

/** Evenly spaced indices 0..n-1, at most `max` of them, always including the last. */
export function thinIndices(n: number, max: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

/**
 * A typed array's values as numbers (a plain loop: Array.from goes through the typed array's iterator, 5x slower, and
 * a departure check's tail is a quarter of a followed run's rows as targets, on each update).
 */
export function numbersOf(a: Float64Array | Int32Array): number[] {
  const out = new Array<number>(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k];
  return out;
}

/** a[idx[0]], a[idx[1]], ... (a plain loop: Float64Array.from with a mapping function is ~10x slower). */
export function pick(a: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = a[idx[k]];
  return out;
}

/**
 * The parts end to end (typed or number[]); a single Float64Array part is returned as it is (no copy), so never write
 * into the result.
 */
export function concat(parts: readonly ArrayLike<number>[]): Float64Array {
  if (parts.length === 1 && parts[0] instanceof Float64Array) return parts[0];
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Appends `items` to `into` in place, without spreading them as call arguments. */
export function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

/** A typed array of twice the length holding `a`'s elements first (arrays that grow by doubling as they fill). */
export function doubled<T extends Uint8Array | Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as { new (n: number): T })(a.length * 2);
  b.set(a);
  return b;
}

/** A new array of `capacity` holding the first `length` elements of `a`, the rest `fill` (0 when not given). */
export function resized<T extends Float64Array | Int32Array>(a: T, capacity: number, length: number, fill?: number): T {
  const b = new (a.constructor as { new (n: number): T })(capacity);
  if (fill !== undefined) b.fill(fill, length);
  b.set(a.subarray(0, length));
  return b;
}

/** Whether the first n values of two arrays are the same bits (a memory comparison, not n number comparisons). */
export function samePrefix(a: Float64Array, b: Float64Array, n: number): boolean {
  if (a.length < n || b.length < n) return false;
  const bytes = (x: Float64Array) => Buffer.from(x.buffer, x.byteOffset, n * 8);
  return bytes(a).equals(bytes(b));
}

/** Spare room a per-step array of a followed run gets, so the next update lengthens it in place. */
const GROWTH_ROOM = 0.05;

/**
 * An array of `length` values whose first `kept` are `earlier`'s; the caller writes every value from `kept` on.
 * When its buffer has room and `kept` is all of `earlier` (or `earlierDone`: nothing reads `earlier` any more),
 * that buffer lengthened in place (no copy, no second array: `earlier` reads none of the values written past
 * `kept`); otherwise a new array, with room to grow.
 */
export function grownArray(
  earlier: Float64Array | null | undefined,
  kept: number,
  length: number,
  earlierDone = false,
): Float64Array {
  const inPlace = earlier && (kept === earlier.length || earlierDone) && kept <= earlier.length;
  if (inPlace && earlier.byteOffset === 0 && earlier.buffer.byteLength >= length * 8)
    return new Float64Array(earlier.buffer, 0, length);
  const out = new Float64Array(new ArrayBuffer(Math.ceil(length * (1 + GROWTH_ROOM)) * 8), 0, length);
  if (earlier && kept > 0) out.set(earlier.subarray(0, kept));
  return out;
}

/** The first index from `from` on whose value is at least `value` (ascending values), or their length. */
export function lowerBound(values: ArrayLike<number>, value: number, from = 0): number {
  let [lo, hi] = [from, values.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, to) whose value is above `value` (ascending values there), or `to`. */
export function upperBound(values: ArrayLike<number>, value: number, from = 0, to = values.length): number {
  let [lo, hi] = [from, to];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `n` points from a to b, evenly spaced in log (a, b > 0). */
export function logGrid(a: number, b: number, n: number): number[] {
  if (!(a > 0) || !(b > a)) return a > 0 ? [a] : [];
  const [la, lb] = [Math.log(a), Math.log(b)];
  return Array.from({ length: n }, (_, k) => Math.exp(la + ((lb - la) * k) / (n - 1)));
}
