// Small linear least-squares solves used for starting points and variable projection: for a fixed nonlinear
// exponent, most of our laws are linear in the remaining coefficients, so those come in closed form. The start scans
// solve hundreds of these (an exponent grid times the sign patterns of boundedLeastSquares) for every fit, on a few
// columns of up to a few thousand rows: a Householder QR over the typed columns themselves, without building a matrix
// object per solve, is what keeps a fit of a short run in milliseconds.

export interface LinearSolution {
  coefficients: Float64Array;
  sumSquares: number;
}

/** Least squares y ~ sum_j c_j * columns[j] (columns are the regressors, each of length n); null when rank-deficient. */
export function leastSquares(columns: Float64Array[], y: Float64Array): LinearSolution | null {
  const coefficients = ColumnsQr.of(columns, y.length)?.solve(y) ?? null;
  return coefficients && { coefficients, sumSquares: residualSumSquares(columns, y, coefficients) };
}

/**
 * The Householder QR of some columns (their first n rows), kept to solve least squares against any number of
 * right-hand sides: a start scan that solves one design for many y (an exponent grid, on every bootstrap replicate)
 * factors it once. Each solve reflects y as a one-off leastSquares does, the same operations in the same order, so
 * its coefficients are the same bits.
 */
export class ColumnsQr {
  /** y reflected in place, reused by every solve. */
  private readonly b: Float64Array;

  private constructor(
    /** Column j after its reflections: its Householder vector from row j down, R's column above it. */
    private readonly a: Float64Array[],
    /** v'v of each reflection (0: none needed). */
    private readonly vv: Float64Array,
    private readonly diagonal: Float64Array,
  ) {
    this.b = new Float64Array(a[0].length);
  }

  /** The QR of the columns' first n rows; null when rank-deficient (or fewer rows than columns). */
  static of(columns: readonly Float64Array[], n: number): ColumnsQr | null {
    const k = columns.length;
    if (k === 0 || n < k) return null;
    const a = columns.map((c) => Float64Array.from(c.subarray(0, n)));
    const vvs = new Float64Array(k);
    const diagonal = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const v = a[j];
      let norm = 0;
      for (let i = j; i < n; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      if (!(norm > 0) || !Number.isFinite(norm)) return null;
      const alpha = v[j] > 0 ? -norm : norm;
      v[j] -= alpha;
      let vv = 0;
      for (let i = j; i < n; i++) vv += v[i] * v[i];
      diagonal[j] = alpha;
      vvs[j] = vv;
      // Reflect the later columns by H = I - 2 v v' / (v'v).
      if (vv !== 0) for (let c = j + 1; c < k; c++) reflect(v, vv, a[c], j, n);
    }
    const largest = diagonal.reduce((m, d) => Math.max(m, Math.abs(d)), 0);
    if (diagonal.some((d) => Math.abs(d) <= largest * 1e-14)) return null;
    return new ColumnsQr(a, vvs, diagonal);
  }

  /** The coefficients of least squares y ~ sum_j c_j * columns[j] (y of n rows); null when not finite. */
  solve(y: ArrayLike<number>): Float64Array | null {
    const { a, vv, diagonal, b } = this;
    const [k, n] = [a.length, b.length];
    for (let i = 0; i < n; i++) b[i] = y[i];
    for (let j = 0; j < k; j++) if (vv[j] !== 0) reflect(a[j], vv[j], b, j, n);
    // R's entry (row j, column c > j) is what the reflections left in column c at row j.
    const coefficients = new Float64Array(k);
    for (let j = k - 1; j >= 0; j--) {
      let rest = b[j];
      for (let c = j + 1; c < k; c++) rest -= a[c][j] * coefficients[c];
      coefficients[j] = rest / diagonal[j];
    }
    return coefficients.every(Number.isFinite) ? coefficients : null;
  }
}

/** target <- (I - 2 v v' / vv) target, over rows [from, n). */
function reflect(v: Float64Array, vv: number, target: Float64Array, from: number, n: number): void {
  let dot = 0;
  for (let i = from; i < n; i++) dot += v[i] * target[i];
  const f = (2 * dot) / vv;
  for (let i = from; i < n; i++) target[i] -= f * v[i];
}

function residualSumSquares(columns: Float64Array[], y: Float64Array, c: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < y.length; i++) {
    let p = 0;
    for (let j = 0; j < columns.length; j++) p += c[j] * columns[j][i];
    ss += (y[i] - p) ** 2;
  }
  return ss;
}

/**
 * Least squares with the coefficients flagged in `nonNegative` kept >= 0. The laws have at most four linear
 * coefficients, so enumerating which constrained ones sit at zero is exact and cheaper than an iterative NNLS.
 */
export function boundedLeastSquares(
  columns: Float64Array[],
  y: Float64Array,
  nonNegative: boolean[],
): LinearSolution | null {
  const k = columns.length;
  const constrained = nonNegative.map((c, j) => (c ? j : -1)).filter((j) => j >= 0);
  let best: LinearSolution | null = null;
  for (let mask = 0; mask < 1 << constrained.length; mask++) {
    const zeroed = new Set(constrained.filter((_, b) => mask & (1 << b)));
    const active = Array.from({ length: k }, (_, j) => j).filter((j) => !zeroed.has(j));
    const sub = active.length
      ? leastSquares(
          active.map((j) => columns[j]),
          y,
        )
      : null;
    const coefficients = new Float64Array(k);
    if (sub) active.forEach((j, a) => (coefficients[j] = sub.coefficients[a]));
    else if (active.length) continue;
    if (constrained.some((j) => coefficients[j] < 0)) continue;
    const sumSquares = residualSumSquares(columns, y, coefficients);
    if (!best || sumSquares < best.sumSquares) best = { coefficients, sumSquares };
  }
  return best;
}

/**
 * Least squares with every coefficient >= 0: the plain solve first, since it is usually already non-negative and
 * the exact bounded solve tries every subset of columns (16 solves for 4 columns).
 */
export function nonNegativeSolve(columns: Float64Array[], y: Float64Array): LinearSolution | null {
  const plain = leastSquares(columns, y);
  if (plain && plain.coefficients.every((c) => c >= 0)) return plain;
  return boundedLeastSquares(
    columns,
    y,
    columns.map(() => true),
  );
}
