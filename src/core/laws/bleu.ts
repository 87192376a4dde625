// The downstream BLEU law (docs/laws-downstream.md):  f(D_p) = (log_b(A * D_p^alpha))^beta.
//
// Solver form: f = (c + alpha * u)^beta with u = log_b(D_p / D_ref), D_ref the geometric mean of the fitted D_p.
// Centring u keeps c and alpha uncorrelated (raw ln D_p ~ 23 makes ln A and alpha nearly collinear), and
// c = log_b A + alpha * log_b D_ref converts back exactly. The log base b and the unit of D_p only reparametrise A
// and alpha; beta is the same in every base and unit.
// Non-integer beta needs c + alpha*u > 0: outside that the prediction is NaN, so the solver backs off.
import { ColumnsQr } from '../fit/linear';
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
    const { u } = data;
    // The Jacobian's columns taken once, not looked up at every point (the refits' hot loop).
    const [dc, dAlpha, dBeta] = jacobian ?? [];
    for (let i = 0; i < u.length; i++) {
      const g = c + alpha * u[i];
      if (!(g > 0)) {
        out[i] = NaN;
        continue;
      }
      const f = Math.pow(g, beta);
      out[i] = f;
      if (jacobian) {
        const dg = (beta * f) / g;
        dc[i] = dg;
        dAlpha[i] = dg * u[i];
        dBeta[i] = f * Math.log(g);
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
 * This scan runs on every bootstrap replicate (200 a group, 41 lines each), whose points are the fit's: the line's
 * design [1, u] is factored once per set of points (lineDesign), and each candidate's log prediction is
 * beta * ln(c + alpha*u), one logarithm, not a power and its logarithm (the ranking, not the starts, may differ in a
 * last bit).
 */
export function bleuStarts(data: BleuPoints, observed: Float64Array, keep = 4): Float64Array[] {
  const n = observed.length;
  const design = lineDesign(data.u, n);
  if (design === null) return [];
  const scanned: { sse: number; start: Float64Array }[] = [];
  const { u } = data;
  const powered = new Float64Array(n);
  // Taken once, not once per beta.
  const lnObserved = observed.map(Math.log);
  for (const beta of BETA_GRID) {
    for (let i = 0; i < n; i++) powered[i] = Math.pow(observed[i], 1 / beta);
    const line = design.solve(powered);
    if (!line) continue;
    const [c, alpha] = [line[0], Math.max(line[1], 1e-6)];
    let sse = 0;
    for (let i = 0; i < n; i++) {
      const g = c + alpha * u[i];
      // As bleuLaw.predict: no BLEU where the log is not positive; one that under- or overflows has no logarithm.
      const lnPred = g > 0 ? beta * Math.log(g) : NaN;
      sse += lnPred > MIN_LN_DOUBLE && lnPred < MAX_LN_DOUBLE ? (lnPred - lnObserved[i]) ** 2 : NaN;
    }
    if (Number.isFinite(sse)) scanned.push({ sse, start: Float64Array.of(c, alpha, beta) });
  }
  scanned.sort((p, q) => p.sse - q.sse);
  return scanned.slice(0, keep).map((s) => s.start);
}

/** ln of the least and the largest positive doubles: a power past them is 0 or Infinity, whose log is not finite. */
const MIN_LN_DOUBLE = Math.log(Number.MIN_VALUE);
const MAX_LN_DOUBLE = Math.log(Number.MAX_VALUE);

/** Each set of points' line design [1, u] (its first n rows), factored once: a replicate's points are the fit's. */
const lineDesigns = new WeakMap<Float64Array, { n: number; qr: ColumnsQr | null }>();

function lineDesign(u: Float64Array, n: number): ColumnsQr | null {
  const known = lineDesigns.get(u);
  if (known?.n === n) return known.qr;
  const qr = ColumnsQr.of([new Float64Array(n).fill(1), u], n);
  lineDesigns.set(u, { n, qr });
  return qr;
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
