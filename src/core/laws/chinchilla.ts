// Chinchilla's parametric compute law (its sources and our fit: docs/laws-downstream.md, Compute sweeps):
//   L(N, D) = E + A / N^alpha + B / D^beta,   N parameters, D tokens (D = C / (6N) when only compute is logged).
//
// Solver parameters are exactly the reference's (a, b, e, alpha, beta) with A = e^a, B = e^b, E = e^e, and
// log Lhat = LSE(a - alpha ln N, b - beta ln D, e). The fitter minimises summed Huber(ln predict - ln L), so predict
// returns exp(LSE) = e^(a - alpha ln N) + e^(b - beta ln D) + e^e and the objective equals the published one.
import { boundedLeastSquares } from '../fit/linear';
import { fitRobust, fitRobustThinned, type RobustFit } from '../fit/robust';
import type { Law } from './law';

export interface ChinchillaPoints {
  lnN: Float64Array;
  lnD: Float64Array;
}

export const CHINCHILLA_PARAMETERS = ['a', 'b', 'e', 'alpha', 'beta'] as const;

export const chinchillaLaw: Law<ChinchillaPoints> = {
  id: 'chinchilla',
  parameterNames: CHINCHILLA_PARAMETERS,
  lower: [-Infinity, -Infinity, -Infinity, 0, 0],
  upper: [Infinity, Infinity, Infinity, 5, 5],
  size: (data) => data.lnN.length,
  predict(params, data, out, jacobian) {
    const [a, b, e, alpha, beta] = params;
    const floor = Math.exp(e);
    for (let i = 0; i < data.lnN.length; i++) {
      const termN = Math.exp(a - alpha * data.lnN[i]);
      const termD = Math.exp(b - beta * data.lnD[i]);
      out[i] = termN + termD + floor;
      if (jacobian) {
        jacobian[0][i] = termN;
        jacobian[1][i] = termD;
        jacobian[2][i] = floor;
        jacobian[3][i] = -termN * data.lnN[i];
        jacobian[4][i] = -termD * data.lnD[i];
      }
    }
  },
};

export function chinchillaPoints(n: ArrayLike<number>, d: ArrayLike<number>): ChinchillaPoints {
  return { lnN: Float64Array.from(n, Math.log), lnD: Float64Array.from(d, Math.log) };
}

/** The published 4500-start grid (alpha, beta in 0..2 by 0.5; e in -1..1 by 0.5; a, b in 0..25 by 5). */
export function chinchillaGridStarts(): Float64Array[] {
  const out: Float64Array[] = [];
  const steps = (from: number, to: number, by: number) =>
    Array.from({ length: Math.round((to - from) / by) + 1 }, (_, k) => from + k * by);
  for (const alpha of steps(0, 2, 0.5))
    for (const beta of steps(0, 2, 0.5))
      for (const e of steps(-1, 1, 0.5))
        for (const a of steps(0, 25, 5))
          for (const b of steps(0, 25, 5)) out.push(Float64Array.of(a, b, e, alpha, beta));
  return out;
}

const EXPONENT_GRID = Array.from({ length: 30 }, (_, k) => 0.05 * (k + 1));
/** Smallest amplitude a start may carry: ln of 0 is not a start. */
const TINY = 1e-8;

/**
 * Starts by variable projection: for fixed (alpha, beta) the law is linear in (E, A, B), solved with all three >= 0 on
 * relative residuals (rows divided by L, the first-order form of the log residual). The best few (alpha, beta) cells
 * become L-BFGS starts. 900 small solves replace the 4500 full L-BFGS runs of the published grid.
 */
export function chinchillaStarts(data: ChinchillaPoints, observed: Float64Array, keep = 4): Float64Array[] {
  const inv = observed.map((v) => 1 / v);
  const target = new Float64Array(observed.length).fill(1);
  const powersN = EXPONENT_GRID.map((alpha) => data.lnN.map((l, i) => Math.exp(-alpha * l) * inv[i]));
  const powersD = EXPONENT_GRID.map((beta) => data.lnD.map((l, i) => Math.exp(-beta * l) * inv[i]));
  const scanned: { sse: number; start: Float64Array }[] = [];
  EXPONENT_GRID.forEach((alpha, ia) =>
    EXPONENT_GRID.forEach((beta, ib) => {
      const solved = boundedLeastSquares([inv, powersN[ia], powersD[ib]], target, [true, true, true]);
      if (!solved) return;
      const [e, a, b] = solved.coefficients;
      const start = Float64Array.of(
        Math.log(Math.max(a, TINY)),
        Math.log(Math.max(b, TINY)),
        Math.log(Math.max(e, TINY)),
        alpha,
        beta,
      );
      scanned.push({ sse: solved.sumSquares, start });
    }),
  );
  scanned.sort((p, q) => p.sse - q.sse);
  return scanned.slice(0, keep).map((s) => s.start);
}

export interface ChinchillaFitOptions {
  delta: number;
  /** 'projection' (default): variable-projection starts; 'published': the reference's 4500-start grid (slow). */
  starts?: 'projection' | 'published';
}

/**
 * Fits the law to (N, D, L) rows; null when no start reaches a finite objective. Past THIN_FIT_POINTS rows the
 * projection's starts are searched on an evenly thinned copy and the best refined on every row (fitRobustThinned):
 * the 900 solves of the scan over 300,000 rows took over a minute, for starts that only need to be in the basin.
 */
export function fitChinchilla(
  data: ChinchillaPoints,
  observed: Float64Array,
  options: ChinchillaFitOptions,
): RobustFit | null {
  if (options.starts === 'published')
    return fitRobust(chinchillaLaw, data, observed, { delta: options.delta, starts: chinchillaGridStarts() });
  return fitRobustThinned(chinchillaLaw, data, observed, options.delta, chinchillaStarts);
}

export interface ChinchillaCoefficients {
  A: number;
  B: number;
  E: number;
  alpha: number;
  beta: number;
}

export function chinchillaCoefficients(params: Float64Array): ChinchillaCoefficients {
  const [a, b, e, alpha, beta] = params;
  return { A: Math.exp(a), B: Math.exp(b), E: Math.exp(e), alpha, beta };
}

export interface ComputeOptimum {
  /** Compute budget (FLOP). */
  C: number;
  N: number;
  D: number;
  /** Tokens per parameter, D* over N*. */
  ratio: number;
  loss: number;
  /** Frontier constants: N*(C) = G * (C/6)^a. */
  G: number;
  a: number;
}

/** The compute-optimal allocation at budget C (C = 6 N D): minimises L(N, C/(6N)) in closed form. */
export function computeOptimal(k: ChinchillaCoefficients, C: number): ComputeOptimum {
  const G = Math.pow((k.alpha * k.A) / (k.beta * k.B), 1 / (k.alpha + k.beta));
  const a = k.beta / (k.alpha + k.beta);
  const N = G * Math.pow(C / 6, a);
  const D = C / 6 / N;
  const loss = k.E + k.A / Math.pow(N, k.alpha) + k.B / Math.pow(D, k.beta);
  return { C, N, D, ratio: D / N, loss, G, a };
}
