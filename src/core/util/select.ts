// Order statistics without sorting: the k-th smallest of n numbers in time linear in n (quickselect, with a sort as
// the fallback when partitions keep coming out lopsided, so no order of the values makes it quadratic). A median of
// a million residuals or step gaps costs a few passes instead of an n log n sort.

/** Partitions below this size are finished by sorting. */
const SMALL = 32;

/** The k-th smallest (0-based) of finite numbers; the input is not changed. */
export function kthSmallest(values: ArrayLike<number>, k: number): number {
  const a = Float64Array.from(values);
  if (k < 0 || k >= a.length) return NaN;
  return selectInPlace(a, k);
}

/** The median of finite numbers (the mean of the two middle ones of an even count); NaN when there are none. */
export function medianOf(values: ArrayLike<number>): number {
  const a = Float64Array.from(values);
  const n = a.length;
  if (n === 0) return NaN;
  const upper = selectInPlace(a, n >> 1);
  if (n % 2) return upper;
  // After selection every value before n/2 is at most `upper`: the lower middle one is their largest.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Reorders `a` so that a[k] is its k-th smallest, the values before it no larger and those after no smaller. */
function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  // Each partition should at least shrink the range by a fair share; a budget of them, then sort what is left.
  let budget = 2 * Math.ceil(Math.log2(a.length + 1)) + 4;
  while (hi - lo > SMALL && budget-- > 0) {
    const pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // [lo, j] <= pivot <= [i, hi]; between them, values equal to the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  const rest = a.subarray(lo, hi + 1).sort();
  return rest[k - lo];
}

function medianOfThree(x: number, y: number, z: number): number {
  return x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
}
