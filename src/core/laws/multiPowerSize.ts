// The multi-power law with model size, the analogue of the LR-annealing law's Eq. 7 (docs/laws-loss.md):
//
//   L(s, N) = L0 + A * S1(s)^(-alpha) + E * N^(-eps) - B * N^zeta * LD(s)
//
// fitted jointly over curves of several sizes. The loss-drop sum LD and its normalisation are the multi-power law's
// (multiPower.ts); N is divided by the largest fitted size, n = N / N_ref <= 1, as in lrAnnealingSize.ts.
import { minOf, thinIndices } from '../util/arrays';
import type { Law } from './law';
import { nonNegativeSolve } from '../fit/linear';
import { lossDropAtPoints, multiPowerLaw, pickPoints, type MultiPowerPoints } from './multiPower';

/** The multi-power law's points with ln(N / N_ref) of the curve each belongs to. */
export interface SizedMultiPowerPoints extends MultiPowerPoints {
  logN: Float64Array;
}

export const MULTI_POWER_SIZE_PARAMETERS = [
  'L0',
  'a',
  'alpha',
  'b',
  'ln c',
  'beta',
  'gamma',
  'e',
  'eps',
  'zeta',
] as const;

/**
 * The law in the multi-power law's box plus e >= 0, 1e-3 <= eps <= 3, |zeta| <= 3. The loss-drop sum and its
 * derivatives come from the multi-power law evaluated with b = 1, scaled per point by b * n^zeta.
 */
export function multiPowerSizeLaw(maxL0: number): Law<SizedMultiPowerPoints> {
  const inner = multiPowerLaw(maxL0);
  let buffer = new Float64Array(0);
  let innerJacobian: Float64Array[] = [];
  return {
    id: 'multi-power-size',
    parameterNames: MULTI_POWER_SIZE_PARAMETERS,
    lower: [...inner.lower, 0, 1e-3, -3],
    upper: [...inner.upper, Infinity, 3, 3],
    size: (data) => data.logX1.length,
    predict(params, data, out, jacobian) {
      const [l0, a, alpha, b, logC, beta, gamma, e, eps, zeta] = params;
      const n = data.logX1.length;
      if (buffer.length !== n) {
        buffer = new Float64Array(n);
        innerJacobian = Array.from({ length: 7 }, () => new Float64Array(n));
      }
      // With b = 1 the multi-power law is L0 + a * power - LD: LD and its derivatives per point.
      inner.predict(Float64Array.of(l0, a, alpha, 1, logC, beta, gamma), data, buffer, jacobian && innerJacobian);
      const { logX1, logN } = data;
      for (let i = 0; i < n; i++) {
        const power = Math.exp(-alpha * logX1[i]);
        const lossDrop = l0 + a * power - buffer[i];
        const sizeTerm = Math.exp(-eps * logN[i]);
        const dropScale = Math.exp(zeta * logN[i]);
        out[i] = l0 + a * power + e * sizeTerm - b * dropScale * lossDrop;
        if (!jacobian) continue;
        jacobian[0][i] = 1;
        jacobian[1][i] = power;
        jacobian[2][i] = -a * power * logX1[i];
        jacobian[3][i] = -dropScale * lossDrop;
        for (let k = 4; k < 7; k++) jacobian[k][i] = b * dropScale * innerJacobian[k][i];
        jacobian[7][i] = sizeTerm;
        jacobian[8][i] = -e * sizeTerm * logN[i];
        jacobian[9][i] = -b * dropScale * lossDrop * logN[i];
      }
    },
  };
}

const SCAN_POINTS = 1000;
const ALPHA_GRID = [0.2, 0.4, 0.6, 0.9];
const C_GRID = [1e-3, 1e-2, 0.1, 1];
const EXPONENT_GRID = [0.3, 0.6, 0.9];
const EPS_GRID = [0.1, 0.3, 0.6];
const ZETA_GRID = [-0.2, 0, 0.2, 0.4];
const MIN_LINEAR_START = 1e-6;

/**
 * Starting points by variable projection: for fixed (alpha, c, beta, gamma, eps, zeta) the law is linear in
 * (L0, a, e, b) >= 0, solved in closed form on a thinned copy; the best `keep` scans start the solver.
 */
export function multiPowerSizeStarts(data: SizedMultiPowerPoints, observed: Float64Array, keep = 8): Float64Array[] {
  const idx = thinIndices(observed.length, SCAN_POINTS);
  const points = pickPoints(data, idx);
  const logN = Float64Array.from(idx, (i) => data.logN[i]);
  const y = Float64Array.from(idx, (i) => observed[i]);
  const ones = new Float64Array(idx.length).fill(1);
  const powers = ALPHA_GRID.map((alpha) => points.logX1.map((l) => Math.exp(-alpha * l)));
  const sizeTerms = EPS_GRID.map((eps) => logN.map((l) => Math.exp(-eps * l)));
  const maxL0 = minOf(observed);
  const scanned: { sse: number; start: Float64Array }[] = [];
  for (const c of C_GRID)
    for (const beta of EXPONENT_GRID)
      for (const gamma of EXPONENT_GRID) {
        const lossDrop = lossDropAtPoints(points, Math.log(c), beta, gamma);
        for (const zeta of ZETA_GRID) {
          const negDrop = lossDrop.map((v, i) => -v * Math.exp(zeta * logN[i]));
          ALPHA_GRID.forEach((alpha, k) =>
            EPS_GRID.forEach((eps, m) => {
              const solved = nonNegativeSolve([ones, powers[k], sizeTerms[m], negDrop], y);
              if (!solved) return;
              const [l0, a, e, b] = solved.coefficients;
              const start = Float64Array.of(
                Math.min(l0, maxL0),
                Math.max(a, MIN_LINEAR_START),
                alpha,
                Math.max(b, MIN_LINEAR_START),
                Math.log(c),
                beta,
                gamma,
                e,
                eps,
                zeta,
              );
              scanned.push({ sse: solved.sumSquares, start });
            }),
          );
        }
      }
  scanned.sort((p, q) => p.sse - q.sse);
  return scanned.slice(0, keep).map((s) => s.start);
}
