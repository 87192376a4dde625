// The saturating power law  L(x) = E + A * x^(-alpha), for any x column (law 'power') and for downstream
// cross-entropy versus pretraining tokens (law 'downstream-ce', same formula, see downstreamCe.ts).
//
// x is divided by a reference value x_ref (the geometric mean of the fitted x) before fitting: with x in raw tokens
// (~1e10) the amplitude A would be ~1e3..1e10 and badly scaled against alpha. A = A~ * x_ref^alpha converts back.
import { boundedLeastSquares } from '../fit/linear';
import { fitRobustThinned, type RobustFit } from '../fit/robust';
import type { Law } from './law';
import { minOf } from '../util/arrays';

/**
 * ln(x / x_ref) at each point: x^(-alpha) is exp(-alpha ln x), and the gradient's ln x is the same number, so each
 * evaluation takes one exp per point where Math.pow and Math.log of the same x were taken at every evaluation of
 * every refit (half the time of a bootstrap of many curves).
 */
export interface PowerPoints {
  lnX: Float64Array;
}

export const POWER_PARAMETERS = ['E', 'A', 'alpha'] as const;

/** The law object for a given id; both ids share one formula and one gradient. */
export function saturatingPowerLaw(id: string): Law<PowerPoints> {
  return {
    id,
    parameterNames: POWER_PARAMETERS,
    // E >= 0 and A >= 0 (losses are positive and fall with x); alpha capped so x^-alpha cannot underflow.
    lower: [0, 0, 1e-6],
    upper: [Infinity, Infinity, 10],
    size: (data) => data.lnX.length,
    predict(params, data, out, jacobian) {
      const [e, a, alpha] = params;
      for (let i = 0; i < data.lnX.length; i++) {
        const power = Math.exp(-alpha * data.lnX[i]);
        out[i] = e + a * power;
        if (jacobian) {
          jacobian[0][i] = 1;
          jacobian[1][i] = power;
          jacobian[2][i] = -a * power * data.lnX[i];
        }
      }
    },
  };
}

export const powerLaw = saturatingPowerLaw('power');

/** Geometric mean of the positive values: the reference that centres ln x on zero. */
export function geometricMean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 0) {
      sum += Math.log(values[i]);
      n++;
    }
  }
  return n ? Math.exp(sum / n) : 1;
}

export function powerPoints(x: ArrayLike<number>, xRef: number): PowerPoints {
  return { lnX: Float64Array.from(x, (v) => Math.log(v / xRef)) };
}

const ALPHA_GRID = Array.from({ length: 60 }, (_, k) => 0.02 * 1.09 ** k);

/**
 * Starts by variable projection: for fixed alpha the law is linear in (E, A), solved with both >= 0 on relative
 * residuals (rows divided by the observed value, the first-order form of the log residuals the fit minimises).
 */
export function powerStarts(data: PowerPoints, observed: Float64Array, keep = 4): Float64Array[] {
  const inv = observed.map((v) => 1 / v); // the E column after dividing each row by its observed value
  const target = new Float64Array(observed.length).fill(1);
  const scanned: { sse: number; start: Float64Array }[] = [];
  for (const alpha of ALPHA_GRID) {
    const power = data.lnX.map((v, i) => Math.exp(-alpha * v) * inv[i]);
    const solved = boundedLeastSquares([inv, power], target, [true, true]);
    if (!solved) continue;
    const [e, a] = solved.coefficients;
    scanned.push({ sse: solved.sumSquares, start: Float64Array.of(e, Math.max(a, 1e-6 * minOf(observed)), alpha) });
  }
  scanned.sort((p, q) => p.sse - q.sse);
  const starts = scanned.slice(0, keep).map((s) => s.start);
  starts.push(Float64Array.of(0.5 * minOf(observed), 0.5 * minOf(observed), 0.3));
  return starts;
}

/** Coefficients in the user's x unit. */
export function powerCoefficients(params: Float64Array, xRef: number): { E: number; A: number; alpha: number } {
  const [e, a, alpha] = params;
  return { E: e, A: a * Math.pow(xRef, alpha), alpha };
}

export interface PowerFit {
  fit: RobustFit;
  xRef: number;
  points: PowerPoints;
  coefficients: { E: number; A: number; alpha: number };
}

/** Fits L(x) = E + A*x^(-alpha) to (x, y) pairs (both > 0) with the given law id; null when no start fits. */
export function fitPower(
  law: Law<PowerPoints>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  delta: number,
): PowerFit | null {
  const xRef = geometricMean(x);
  const points = powerPoints(x, xRef);
  const observed = Float64Array.from(y);
  const fit = fitRobustThinned(law, points, observed, delta, powerStarts);
  return fit && { fit, xRef, points, coefficients: powerCoefficients(fit.params, xRef) };
}
