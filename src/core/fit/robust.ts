// Robust fitting of any Law: minimise the SUMMED Huber loss of log residuals, sum_i huber(ln pred_i - ln obs_i),
// from several starting points, keeping the best. Summed, not averaged: averaging shrinks the gradient by 1/n and
// makes the quasi-Newton stopping tests fire early (the published reference fits depend on this).
import type { Law } from '../laws/law';
import { huber, huberDerivative } from './huber';
import { minimize, type MinimizeResult, type StopReason } from './lbfgsb';

export interface RobustFitOptions {
  delta: number;
  starts: Float64Array[];
  maxIterations?: number;
  pgtol?: number;
  ftol?: number;
  ftolFloor?: number;
  /** Per-point weights (default 1); a weight multiplies that point's Huber term. */
  weights?: Float64Array;
}

export interface RobustFit {
  params: Float64Array;
  objective: number;
  converged: boolean;
  reason: StopReason;
  iterations: number;
  evaluations: number;
  startsTried: number;
  /** Index into options.starts of the start that won. */
  bestStart: number;
}

/** The objective and its gradient for one law on one data set, reusing buffers across evaluations. */
export function logHuberObjective<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  delta: number,
  weights?: Float64Array,
): (params: Float64Array, grad: Float64Array) => number {
  const n = law.size(data);
  const k = law.parameterNames.length;
  const pred = new Float64Array(n);
  const jac = Array.from({ length: k }, () => new Float64Array(n));
  const logObs = observed.map(Math.log);
  return (params, grad) => {
    law.predict(params, data, pred, jac);
    grad.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const p = pred[i];
      if (!(p > 0) || !Number.isFinite(p)) return Infinity;
      const w = weights ? weights[i] : 1;
      const r = Math.log(p) - logObs[i];
      total += w * huber(r, delta);
      const scale = (w * huberDerivative(r, delta)) / p;
      for (let j = 0; j < k; j++) grad[j] += scale * jac[j][i];
    }
    return total;
  };
}

export function fitRobust<Data>(law: Law<Data>, data: Data, observed: Float64Array, options: RobustFitOptions): RobustFit | null {
  const objective = logHuberObjective(law, data, observed, options.delta, options.weights);
  let best: MinimizeResult | null = null;
  let bestStart = -1;
  let evaluations = 0;
  options.starts.forEach((start, s) => {
    const result = minimizeScaled(objective, start, law, options);
    evaluations += result.evaluations;
    if (Number.isFinite(result.f) && (!best || result.f < best.f)) {
      best = result;
      bestStart = s;
    }
  });
  const winner = best as MinimizeResult | null;
  if (!winner) return null;
  return {
    params: winner.x,
    objective: winner.f,
    converged: winner.converged,
    reason: winner.reason,
    iterations: winner.iterations,
    evaluations,
    startsTried: options.starts.length,
    bestStart,
  };
}

/**
 * Runs the solver on parameters divided by their starting magnitudes. Law parameters span many orders of magnitude
 * (an amplitude of 500 beside an exponent of 0.5 and a coefficient of 1e-4); one diagonal rescaling makes the
 * quasi-Newton steps comparable in every direction without changing the optimum.
 */
function minimizeScaled<Data>(
  objective: (params: Float64Array, grad: Float64Array) => number,
  start: Float64Array,
  law: Law<Data>,
  options: RobustFitOptions,
): MinimizeResult {
  const k = start.length;
  const scale = Float64Array.from(start, (v) => (Math.abs(v) > 1e-300 ? Math.abs(v) : 1));
  const params = new Float64Array(k);
  const scaled: (x: Float64Array, grad: Float64Array) => number = (x, grad) => {
    for (let j = 0; j < k; j++) params[j] = x[j] * scale[j];
    const f = objective(params, grad);
    for (let j = 0; j < k; j++) grad[j] *= scale[j];
    return f;
  };
  const result = minimize(
    scaled,
    Float64Array.from(start, (v, j) => v / scale[j]),
    {
      lower: law.lower.map((v, j) => v / scale[j]),
      upper: law.upper.map((v, j) => v / scale[j]),
      maxIterations: options.maxIterations ?? 2000,
      ftol: options.ftol,
      ftolFloor: options.ftolFloor ?? 1e-300,
      pgtol: options.pgtol ?? 1e-12,
    },
  );
  return { ...result, x: Float64Array.from(result.x, (v, j) => v * scale[j]) };
}
