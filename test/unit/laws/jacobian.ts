// Finite-difference check of a law's Jacobian (shared by the law tests).
import type { Law } from '../../../src/core/laws/law';

/** Largest relative mismatch between the analytic Jacobian and central differences. */
export function jacobianError<Data>(law: Law<Data>, params: Float64Array, data: Data): number {
  const n = law.size(data);
  const k = params.length;
  const base = new Float64Array(n);
  const jac = Array.from({ length: k }, () => new Float64Array(n));
  law.predict(params, data, base, jac);
  let worst = 0;
  for (let j = 0; j < k; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(params[j]));
    const up = Float64Array.from(params);
    const down = Float64Array.from(params);
    up[j] += h;
    down[j] -= h;
    const fUp = new Float64Array(n);
    const fDown = new Float64Array(n);
    law.predict(up, data, fUp);
    law.predict(down, data, fDown);
    for (let i = 0; i < n; i++) {
      const numeric = (fUp[i] - fDown[i]) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - jac[j][i]) / Math.max(1e-8, Math.abs(numeric), Math.abs(jac[j][i])));
    }
  }
  return worst;
}
