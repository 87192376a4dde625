// The LR-annealing law with model size (Tissue, Wang & Wang 2024, Eq. 7), fitted jointly over curves of several sizes:
//   L(s, N) = L0 + A * S1(s)^(-alpha) + B * N^(-beta) - C * S2(s) * N^gamma
//
// Internally the areas are divided by the peak LR (as in lrAnnealing.ts) and N by a reference size N_ref (the largest
// fitted one): n = N / N_ref <= 1 keeps B and C near the loss scale whatever unit N is counted in. An exact
// reparametrisation: B = b * N_ref^beta, C = c / eta_max * N_ref^(-gamma) (see denormaliseSized).
import { nonNegativeSolve } from '../fit/linear';
import { thinIndices } from '../util/arrays';
import { startsInsideLaw, type Law } from './law';
import { logOfS1 } from './lrAnnealing';

/** Normalised areas and model size at each fitted point. */
export interface SizedAreaPoints {
  s1: Float64Array;
  s2: Float64Array;
  /** N / N_ref of the curve the point belongs to. */
  n: Float64Array;
}

export const LR_ANNEALING_SIZE_PARAMETERS = ['L0', 'A', 'alpha', 'B', 'beta', 'C', 'gamma'] as const;
export type SizeParameter = (typeof LR_ANNEALING_SIZE_PARAMETERS)[number];

const LOWER = [0, 1e-12, 1e-4, 0, 1e-3, 0, -3];
const UPPER = [Infinity, Infinity, 5, Infinity, 3, Infinity, 3];

/**
 * The law, with some parameters held at given values (their box shrunk to that point). Held parameters are how a
 * fit of too few sizes stays honest: with one size the size term is a constant (B = 0, gamma = 0); with two, beta
 * is the user's to give.
 */
export function lrAnnealingSizeLaw(fixed: Partial<Record<SizeParameter, number>> = {}): Law<SizedAreaPoints> {
  const lower = [...LOWER];
  const upper = [...UPPER];
  for (const [name, value] of Object.entries(fixed) as [SizeParameter, number | undefined][]) {
    if (value === undefined) continue;
    const j = LR_ANNEALING_SIZE_PARAMETERS.indexOf(name);
    lower[j] = upper[j] = value;
  }
  return {
    id: 'lr-annealing-size',
    parameterNames: LR_ANNEALING_SIZE_PARAMETERS,
    lower,
    upper,
    size: (data) => data.s1.length,
    predict: predictSized,
  };
}

function predictSized(params: Float64Array, data: SizedAreaPoints, out: Float64Array, jacobian?: Float64Array[]) {
  const [l0, a, alpha, b, beta, c, gamma] = params;
  const { s1, s2, n } = data;
  // ln S1 and ln n once per data set (the cache is keyed by array): Math.pow dominates a fit otherwise.
  const logS1 = logOfS1(s1);
  const logN = logOfS1(n);
  for (let i = 0; i < s1.length; i++) {
    const power = Math.exp(-alpha * logS1[i]);
    const sizeTerm = Math.exp(-beta * logN[i]);
    const anneal = s2[i] * Math.exp(gamma * logN[i]);
    out[i] = l0 + a * power + b * sizeTerm - c * anneal;
    if (!jacobian) continue;
    jacobian[0][i] = 1;
    jacobian[1][i] = power;
    jacobian[2][i] = -a * power * logS1[i];
    jacobian[3][i] = sizeTerm;
    jacobian[4][i] = -b * sizeTerm * logN[i];
    jacobian[5][i] = -anneal;
    jacobian[6][i] = -c * anneal * logN[i];
  }
}

const SCAN_POINTS = 1000;
const ALPHA_GRID = Array.from({ length: 12 }, (_, k) => 0.1 + 0.1 * k);
const BETA_GRID = [0.1, 0.2, 0.3, 0.5, 0.7, 1];
const GAMMA_GRID = [-0.5, -0.25, 0, 0.25, 0.5, 1];

/**
 * Starting points by variable projection: with (alpha, beta, gamma) fixed the law is linear in (L0, A, B, C), so a
 * scan of the three exponents with a closed-form non-negative solve finds the basin. Held parameters are scanned at
 * their value only (B held at 0 drops its column).
 */
export function lrAnnealingSizeStarts(
  data: SizedAreaPoints,
  observed: Float64Array,
  fixed: Partial<Record<SizeParameter, number>> = {},
  keep = 6,
): Float64Array[] {
  const idx = thinIndices(observed.length, SCAN_POINTS);
  const s1 = Float64Array.from(idx, (i) => data.s1[i]);
  const s2 = Float64Array.from(idx, (i) => data.s2[i]);
  const n = Float64Array.from(idx, (i) => data.n[i]);
  const y = Float64Array.from(idx, (i) => observed[i]);
  const ones = new Float64Array(idx.length).fill(1);
  const withB = fixed.B !== 0;
  const scanned: { sse: number; start: Float64Array }[] = [];
  for (const alpha of fixed.alpha !== undefined ? [fixed.alpha] : ALPHA_GRID) {
    const power = s1.map((v) => Math.pow(v, -alpha));
    for (const beta of fixed.beta !== undefined ? [fixed.beta] : withB ? BETA_GRID : [BETA_GRID[0]]) {
      const sizeTerm = n.map((v) => Math.pow(v, -beta));
      for (const gamma of fixed.gamma !== undefined ? [fixed.gamma] : GAMMA_GRID) {
        const anneal = s2.map((v, i) => -v * Math.pow(n[i], gamma));
        const columns = withB ? [ones, power, sizeTerm, anneal] : [ones, power, anneal];
        const solved = nonNegativeSolve(columns, y);
        if (!solved) continue;
        const c = solved.coefficients;
        const [l0, a, b, cc] = withB ? c : [c[0], c[1], 0, c[2]];
        scanned.push({
          sse: solved.sumSquares,
          start: Float64Array.of(l0, Math.max(a, 1e-6), alpha, b, beta, cc, gamma),
        });
      }
    }
  }
  scanned.sort((x, z) => x.sse - z.sse);
  // C is index 5: lowered when every start puts the law at or below 0 somewhere (startsInsideLaw).
  const law = lrAnnealingSizeLaw(fixed);
  return startsInsideLaw(
    law,
    data,
    scanned.slice(0, keep).map((s) => s.start),
    5,
  );
}

/** Raw-unit coefficients (LR as logged, N as given) from the normalised ones. */
export function denormaliseSized(
  params: ArrayLike<number>,
  etaMax: number,
  nRef: number,
): Record<SizeParameter, number> {
  const [l0, a, alpha, b, beta, c, gamma] = Array.from(params);
  return {
    L0: l0,
    A: a * Math.pow(etaMax, alpha),
    alpha,
    B: b * Math.pow(nRef, beta),
    beta,
    C: (c / etaMax) * Math.pow(nRef, -gamma),
    gamma,
  };
}
