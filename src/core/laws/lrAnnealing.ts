// The LR-annealing loss law (Tissue, Wang & Wang 2024):  L(s) = L0 + A * S1(s)^(-alpha) - C * S2(s).
//
// Internally the areas are divided by the peak LR eta_max (S1~ = S1/eta_max, S2~ = S2/eta_max): an exact
// reparametrisation, A~ = A * eta_max^(-alpha) and C~ = C * eta_max, that keeps all four parameters near 1 and the
// solver well conditioned. Users get both forms.
import { boundedLeastSquares } from '../fit/linear';
import { thinIndices } from '../util/arrays';
import { startsInsideLaw, type Law } from './law';

/** Normalised areas at each fitted point. */
export interface AreaPoints {
  s1: Float64Array;
  s2: Float64Array;
}

export const LR_ANNEALING_PARAMETERS = ['L0', 'A', 'alpha', 'C'] as const;

export const lrAnnealingLaw: Law<AreaPoints> = {
  id: 'lr-annealing',
  parameterNames: LR_ANNEALING_PARAMETERS,
  // All four are positive in the paper; C may reach 0 (a run with no annealing leaves it undetermined).
  lower: [0, 1e-12, 1e-4, 0],
  upper: [Infinity, Infinity, 5, Infinity],
  size: (data) => data.s1.length,
  predict(params, data, out, jacobian) {
    const [l0, a, alpha, c] = params;
    const { s1, s2 } = data;
    // S1^(-alpha) as exp(-alpha ln S1) with ln S1 computed once per data set: Math.pow is the costliest call of a
    // fit (about 5x exp), and a fit evaluates the same points hundreds of times.
    const logS1 = logOfS1(s1);
    if (!jacobian) {
      for (let i = 0; i < s1.length; i++) out[i] = l0 + a * Math.exp(-alpha * logS1[i]) - c * s2[i];
      return;
    }
    const [j0, j1, j2, j3] = jacobian;
    for (let i = 0; i < s1.length; i++) {
      const power = Math.exp(-alpha * logS1[i]);
      out[i] = l0 + a * power - c * s2[i];
      j0[i] = 1;
      j1[i] = power;
      j2[i] = -a * power * logS1[i];
      j3[i] = -s2[i];
    }
  },
};

/**
 * ln of each entry, cached per array (ln S1 here, also ln N/N_ref in lrAnnealingSize.ts). Area arrays are built once
 * and never written afterwards, so the cache cannot go stale.
 */
const LOG_S1 = new WeakMap<Float64Array, Float64Array>();

export function logOfS1(s1: Float64Array): Float64Array {
  let log = LOG_S1.get(s1);
  if (!log || log.length !== s1.length) {
    log = new Float64Array(s1.length);
    for (let i = 0; i < s1.length; i++) log[i] = Math.log(s1[i]);
    LOG_S1.set(s1, log);
  }
  return log;
}

/**
 * Seeds the ln S1 cache of `s1`, whose first `n` entries are those of `from` (a grown run's areas extended from its
 * last fit's): their logs are copied from `from`'s cache when it has one, and only the rest computed.
 */
export function carryLogOfS1(s1: Float64Array, from: Float64Array, n: number): void {
  const known = LOG_S1.get(from);
  if (!known || known.length !== from.length || n > from.length || n > s1.length) return;
  const log = new Float64Array(s1.length);
  log.set(known.subarray(0, n));
  for (let i = n; i < s1.length; i++) log[i] = Math.log(s1[i]);
  LOG_S1.set(s1, log);
}

const SCAN_POINTS = 2000;

/** Exponents scanned for starting points: for each, (L0, A, C) follow from a non-negative linear solve. */
const ALPHA_GRID = Array.from({ length: 40 }, (_, k) => 0.05 * (k + 1));

/**
 * Starting points by variable projection: the law is linear in (L0, A, C) once alpha is fixed, so a scan over alpha
 * with a closed-form solve finds the basin cheaply. The best few become starts, plus a small fixed grid so a poor
 * linear fit (the objective is Huber on logs, not squares) cannot hide the true basin.
 */
export function lrAnnealingStarts(data: AreaPoints, observed: Float64Array, keep = 4): Float64Array[] {
  // A start needs the basin, not the optimum: the scan runs on at most SCAN_POINTS evenly spaced points.
  const idx = thinIndices(observed.length, SCAN_POINTS);
  const s1 = Float64Array.from(idx, (i) => data.s1[i]);
  const negS2 = Float64Array.from(idx, (i) => -data.s2[i]);
  const y = Float64Array.from(idx, (i) => observed[i]);
  const ones = new Float64Array(idx.length).fill(1);
  const scanned: { sse: number; start: Float64Array }[] = [];
  for (const alpha of ALPHA_GRID) {
    const power = s1.map((v) => Math.pow(v, -alpha));
    const solved = boundedLeastSquares([ones, power, negS2], y, [true, true, true]);
    if (!solved) continue;
    const [l0, a, c] = solved.coefficients;
    scanned.push({ sse: solved.sumSquares, start: Float64Array.of(l0, Math.max(a, 1e-6), alpha, c) });
  }
  scanned.sort((x, y) => x.sse - y.sse);
  const starts = scanned.slice(0, keep).map((s) => s.start);
  const minLoss = observed.reduce((m, v) => Math.min(m, v), Infinity);
  for (const fraction of [0.5, 0.8])
    for (const alpha of [0.3, 0.6]) starts.push(Float64Array.of(fraction * minLoss, 1, alpha, 1));
  // C is index 3: lowered when every start puts the law at or below 0 somewhere (startsInsideLaw).
  return startsInsideLaw(lrAnnealingLaw, data, starts, 3);
}

/** Raw-unit coefficients from the normalised ones. */
export function denormalise(params: Float64Array, etaMax: number): { L0: number; A: number; alpha: number; C: number } {
  const [l0, a, alpha, c] = params;
  return { L0: l0, A: a * Math.pow(etaMax, alpha), alpha, C: c / etaMax };
}
