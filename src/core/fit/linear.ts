// Small linear least-squares solves used for starting points and variable projection: for a fixed nonlinear
// exponent, most of our laws are linear in the remaining coefficients, so those come in closed form.
import { Matrix, QrDecomposition } from 'ml-matrix';

export interface LinearSolution {
  coefficients: Float64Array;
  sumSquares: number;
}

/** Least squares y ~ sum_j c_j * columns[j] (columns are the regressors, each of length n). */
export function leastSquares(columns: Float64Array[], y: Float64Array): LinearSolution | null {
  const n = y.length;
  const k = columns.length;
  if (k === 0 || n < k) return null;
  const design = new Matrix(n, k);
  for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) design.set(i, j, columns[j][i]);
  const qr = new QrDecomposition(design);
  if (!qr.isFullRank()) return null;
  const solution = qr.solve(Matrix.columnVector(Array.from(y)));
  const coefficients = Float64Array.from(solution.getColumn(0));
  if (!coefficients.every(Number.isFinite)) return null;
  return { coefficients, sumSquares: residualSumSquares(columns, y, coefficients) };
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
