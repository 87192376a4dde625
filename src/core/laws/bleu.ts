// The downstream BLEU law (docs/laws-downstream.md):  f(D_p) = (log_b(A * D_p^alpha))^beta.
//
// Solver form: f = (c + alpha * u)^beta with u = log_b(D_p / D_ref), D_ref the geometric mean of the fitted D_p.
// Centring u keeps c and alpha uncorrelated (raw ln D_p ~ 23 makes ln A and alpha nearly collinear), and
// c = log_b A + alpha * log_b D_ref converts back exactly. The log base b and the unit of D_p only reparametrise A
// and alpha; beta is the same in every base and unit.
// Non-integer beta needs c + alpha*u > 0: outside that the prediction is NaN, so the solver backs off.
import { leastSquares } from '../fit/linear';
import { fitRobustThinned, type RobustFit } from '../fit/robust';
import type { Law } from './law';

/** u = log_b(D_p / D_ref) at each point. */
export interface BleuPoints {
  u: Float64Array;
}

/** The coordinate frame of a fit: which log base, and the D_p the solver's u is centred on. */
export interface BleuFrame {
  base: number;
  dRef: number;
}

export const BLEU_PARAMETERS = ['c', 'alpha', 'beta'] as const;

export const bleuLaw: Law<BleuPoints> = {
  id: 'bleu',
  parameterNames: BLEU_PARAMETERS,
  lower: [-Infinity, 1e-9, 1e-3],
  upper: [Infinity, Infinity, 50],
  size: (data) => data.u.length,
  predict(params, data, out, jacobian) {
    const [c, alpha, beta] = params;
    for (let i = 0; i < data.u.length; i++) {
      const g = c + alpha * data.u[i];
      if (!(g > 0)) {
        out[i] = NaN;
        continue;
      }
      const f = Math.pow(g, beta);
      out[i] = f;
      if (jacobian) {
        const dg = (beta * f) / g;
        jacobian[0][i] = dg;
        jacobian[1][i] = dg * data.u[i];
        jacobian[2][i] = f * Math.log(g);
      }
    }
  },
};

export function bleuFrame(dp: ArrayLike<number>, base = Math.E): BleuFrame {
  let sum = 0;
  for (let i = 0; i < dp.length; i++) sum += Math.log(dp[i]);
  return { base, dRef: dp.length ? Math.exp(sum / dp.length) : 1 };
}

export function bleuPoints(dp: ArrayLike<number>, frame: BleuFrame): BleuPoints {
  const lnBase = Math.log(frame.base);
  return { u: Float64Array.from(dp, (d) => Math.log(d / frame.dRef) / lnBase) };
}

/** Exponents scanned for starting points (log-spaced 0.1..10). */
export const BETA_GRID: readonly number[] = Array.from({ length: 41 }, (_, k) => 0.1 * 10 ** (k / 20));

/**
 * Global starts: for fixed beta, f^(1/beta) = c + alpha*u is a straight line, so each beta on the grid gives (c, alpha)
 * in closed form. Candidates are ranked by the squared log residual of the resulting BLEU curve; the best few are kept.
 */
export function bleuStarts(data: BleuPoints, observed: Float64Array, keep = 4): Float64Array[] {
  const ones = new Float64Array(observed.length).fill(1);
  const scanned: { sse: number; start: Float64Array }[] = [];
  const pred = new Float64Array(observed.length);
  // Taken once, not once per beta: this scan runs on every bootstrap replicate of every group.
  const lnObserved = observed.map(Math.log);
  for (const beta of BETA_GRID) {
    const line = leastSquares(
      [ones, data.u],
      observed.map((v) => Math.pow(v, 1 / beta)),
    );
    if (!line) continue;
    const start = Float64Array.of(line.coefficients[0], Math.max(line.coefficients[1], 1e-6), beta);
    bleuLaw.predict(start, data, pred);
    let sse = 0;
    for (let i = 0; i < pred.length; i++) sse += (Math.log(pred[i]) - lnObserved[i]) ** 2;
    if (Number.isFinite(sse)) scanned.push({ sse, start });
  }
  scanned.sort((p, q) => p.sse - q.sse);
  return scanned.slice(0, keep).map((s) => s.start);
}

export interface BleuCoefficients {
  /** log_b A (A itself can under/overflow for raw token counts). */
  logA: number;
  A: number;
  alpha: number;
  beta: number;
  base: number;
}

/** Coefficients of (log_b(A * D_p^alpha))^beta with D_p in the unit the frame was built from. */
export function bleuCoefficients(params: Float64Array, frame: BleuFrame): BleuCoefficients {
  const [c, alpha, beta] = params;
  const logA = c - (alpha * Math.log(frame.dRef)) / Math.log(frame.base);
  return { logA, A: Math.pow(frame.base, logA), alpha, beta, base: frame.base };
}

export interface BleuFit {
  fit: RobustFit;
  frame: BleuFrame;
  points: BleuPoints;
  coefficients: BleuCoefficients;
}

/** Fits the law to (D_p, BLEU) pairs (BLEU > 0, D_p > 0) in log base `base`; null when no start fits. */
export function fitBleu(
  dp: ArrayLike<number>,
  bleu: ArrayLike<number>,
  options: { delta: number; base?: number },
): BleuFit | null {
  const frame = bleuFrame(dp, options.base);
  const points = bleuPoints(dp, frame);
  const observed = Float64Array.from(bleu);
  const fit = fitRobustThinned(bleuLaw, points, observed, options.delta, bleuStarts);
  return fit && { fit, frame, points, coefficients: bleuCoefficients(fit.params, frame) };
}
