// Bounded limited-memory quasi-Newton minimiser (projected L-BFGS with an active set).
//
// Why not ml-levenberg-marquardt: our objectives are summed Huber losses, not sums of squares, and its bounds are
// mere clamping. This solver keeps iterates inside the box by projection, builds the quasi-Newton direction on the
// free variables only, and stops on the same tests as L-BFGS-B (projected gradient, relative decrease), so results
// compare with scipy's L-BFGS-B on the same objective.

/** Fills `grad` (same length as x) and returns the objective at x. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  maxIterations?: number;
  /** Stop when max |projected gradient| <= pgtol. scipy's default is 1e-5. */
  pgtol?: number;
  /** Stop when (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol. scipy's default is about 2.2e-9. */
  ftol?: number;
  /** Number of correction pairs kept. */
  memory?: number;
  /**
   * Floor of the denominator in the relative-reduction test. scipy uses 1, which on objectives far below 1 (summed
   * Huber of small log residuals) stops after a few iterations; our fits pass a tiny floor to reach the optimum.
   */
  ftolFloor?: number;
}

export type StopReason =
  | 'projected-gradient-small'
  | 'relative-reduction-small'
  | 'max-iterations'
  | 'line-search-failed'
  | 'non-finite-objective';

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: StopReason;
}

const ARMIJO_C1 = 1e-4;
const MAX_BACKTRACKS = 40;

export function project(x: Float64Array, lo: Float64Array, hi: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi[i], Math.max(lo[i], x[i]));
}

/** max_i |P(x - g) - x|_i: zero exactly at a KKT point of the box-constrained problem. */
export function projectedGradientNorm(x: Float64Array, g: Float64Array, lo: Float64Array, hi: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Math.min(hi[i], Math.max(lo[i], x[i] - g[i])) - x[i];
    m = Math.max(m, Math.abs(p));
  }
  return m;
}

/** Variables pinned at a bound with the gradient pushing outward are held fixed this iteration. */
export function freeMask(x: Float64Array, g: Float64Array, lo: Float64Array, hi: Float64Array): Uint8Array {
  const free = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const atLo = x[i] <= lo[i] && g[i] > 0;
    const atHi = x[i] >= hi[i] && g[i] < 0;
    free[i] = atLo || atHi ? 0 : 1;
  }
  return free;
}

function dot(a: Float64Array, b: Float64Array, mask?: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (!mask || mask[i]) s += a[i] * b[i];
  return s;
}

/** Two-loop recursion restricted to the free variables: d = -H g on free, 0 on fixed. */
function quasiNewtonDirection(
  g: Float64Array,
  free: Uint8Array,
  sList: Float64Array[],
  yList: Float64Array[],
): Float64Array {
  const n = g.length;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = free[i] ? g[i] : 0;
  const k = sList.length;
  const alpha = new Float64Array(k);
  const rho = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const sy = dot(sList[j], yList[j], free);
    rho[j] = sy > 1e-300 ? 1 / sy : 0;
    alpha[j] = rho[j] * dot(sList[j], q, free);
    for (let i = 0; i < n; i++) if (free[i]) q[i] -= alpha[j] * yList[j][i];
  }
  if (k > 0) {
    const s = sList[k - 1];
    const y = yList[k - 1];
    const yy = dot(y, y, free);
    const gamma = yy > 0 ? dot(s, y, free) / yy : 1;
    if (gamma > 0 && Number.isFinite(gamma)) for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const beta = rho[j] * dot(yList[j], q, free);
    for (let i = 0; i < n; i++) if (free[i]) q[i] += sList[j][i] * (alpha[j] - beta);
  }
  for (let i = 0; i < n; i++) q[i] = free[i] ? -q[i] : 0;
  return q;
}

/**
 * How much to shorten a rejected step: the minimiser of the quadratic through f, the slope along the step and f at
 * the step (Nocedal & Wright, backtracking with interpolation), kept within [0.1, 0.5] of the step. Plain halving
 * needs ~15 evaluations to undo a first step that overshoots by 10^4, which on a million-point objective is most of
 * the fit; the same Armijo test still decides acceptance.
 */
function backtrackFactor(f: number, fNew: number, decrease: number): number {
  const curvature = fNew - f - decrease;
  if (!(decrease < 0) || !(curvature > 0)) return 0.5;
  return Math.min(0.5, Math.max(0.1, -decrease / (2 * curvature)));
}

/** The box and the stopping tests of a run, with scipy's defaults where options are silent. */
export function settingsOf(n: number, options: MinimizeOptions, maxIterations: number) {
  return {
    lo: Float64Array.from({ length: n }, (_, i) => options.lower?.[i] ?? -Infinity),
    hi: Float64Array.from({ length: n }, (_, i) => options.upper?.[i] ?? Infinity),
    maxIterations: options.maxIterations ?? maxIterations,
    pgtol: options.pgtol ?? 1e-5,
    ftol: options.ftol ?? 2.220446049250313e-9,
    ftolFloor: options.ftolFloor ?? 1,
  };
}

export function resultOf(
  x: Float64Array,
  f: number,
  iterations: number,
  evaluations: number,
  reason: StopReason,
): MinimizeResult {
  const converged = reason === 'projected-gradient-small' || reason === 'relative-reduction-small';
  return { x, f, iterations, evaluations, converged, reason };
}

export function minimize(
  fg: ObjectiveWithGradient,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const { lo, hi, maxIterations, pgtol, ftol, ftolFloor } = settingsOf(n, options, 1000);
  const memory = options.memory ?? 10;

  let x = Float64Array.from(x0);
  project(x, lo, hi);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const done = (reason: StopReason, iterations: number) => resultOf(x, f, iterations, evaluations, reason);
  if (!Number.isFinite(f)) return done('non-finite-objective', 0);

  for (let iter = 0; iter < maxIterations; iter++) {
    if (projectedGradientNorm(x, g, lo, hi) <= pgtol) return done('projected-gradient-small', iter);
    const free = freeMask(x, g, lo, hi);
    let d = quasiNewtonDirection(g, free, sList, yList);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // The curvature pairs no longer give a descent direction: restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      d = quasiNewtonDirection(g, free, sList, yList);
      slope = dot(g, d);
      if (!(slope < 0)) return done('projected-gradient-small', iter);
    }
    // First step of a fresh memory has no curvature scale: keep it short relative to the gradient.
    let step = sList.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = NaN;
    let accepted = false;
    for (let bt = 0; bt < MAX_BACKTRACKS; bt++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      project(xNew, lo, hi);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i] * (xNew[i] - x[i]);
      fNew = fg(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + ARMIJO_C1 * decrease) {
        accepted = true;
        break;
      }
      step *= Number.isFinite(fNew) ? backtrackFactor(f, fNew, decrease) : 0.1;
    }
    if (!accepted) {
      if (sList.length > 0) {
        // A stale memory can point badly; one retry from steepest descent before giving up.
        sList.length = 0;
        yList.length = 0;
        continue;
      }
      return done('line-search-failed', iter);
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y) && sy > 0) {
      sList.push(s);
      yList.push(y);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
      }
    }
    const reduction = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), ftolFloor);
    x = xNew;
    g = gNew;
    f = fNew;
    // A short exploratory step (fresh memory) says little about convergence; only judge quasi-Newton steps.
    if (reduction <= ftol && sList.length > 1) return done('relative-reduction-small', iter + 1);
  }
  return done('max-iterations', maxIterations);
}
