import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamCeLaw, fitDownstreamCe } from '../../../src/core/laws/downstreamCe';
import { fitPower, powerLaw, powerPoints } from '../../../src/core/laws/powerLaw';
import { normal, seededRandom } from '../../../src/core/util/random';
import { jacobianError } from './jacobian';

const TRUE = { E: 1.8, A: 1200, alpha: 0.35 };
const DP = Array.from({ length: 8 }, (_, k) => 0.5e9 * 2 ** k);
const ce = (dp: number) => TRUE.E + TRUE.A * dp ** -TRUE.alpha;

test('power: analytic Jacobian matches finite differences', () => {
  assert.ok(jacobianError(powerLaw, Float64Array.of(1.5, 0.8, 0.4), powerPoints(DP, 4e9)) < 1e-5);
});

test('downstream CE: recovers E, A, alpha exactly from noise-free data (D_p in raw tokens)', () => {
  const fit = fitDownstreamCe(downstreamCeLaw, DP, DP.map(ce), 1e-3)!;
  const k = fit.coefficients;
  assert.ok(Math.abs(k.E - TRUE.E) < 1e-4, `E ${k.E}`);
  assert.ok(Math.abs(k.alpha - TRUE.alpha) < 1e-4, `alpha ${k.alpha}`);
  assert.ok(Math.abs(k.A / TRUE.A - 1) < 2e-3, `A ${k.A}`);
});

test('downstream CE: under 0.3 % noise the coefficients stay close', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const random = seededRandom(seed);
    const fit = fitDownstreamCe(
      downstreamCeLaw,
      DP,
      DP.map((d) => ce(d) * (1 + 0.003 * normal(random))),
      1e-3,
    )!;
    assert.ok(Math.abs(fit.coefficients.E - TRUE.E) < 0.15, `seed ${seed} E ${fit.coefficients.E}`);
    assert.ok(Math.abs(fit.coefficients.alpha - TRUE.alpha) < 0.12, `seed ${seed} alpha ${fit.coefficients.alpha}`);
  }
});

test('power: the x unit only rescales A (E and alpha unchanged)', () => {
  const y = DP.map(ce);
  const tokens = fitPower(powerLaw, DP, y, 1e-3)!;
  const billions = fitPower(
    powerLaw,
    DP.map((d) => d / 1e9),
    y,
    1e-3,
  )!;
  assert.ok(Math.abs(tokens.coefficients.alpha - billions.coefficients.alpha) < 1e-5);
  assert.ok(Math.abs(tokens.coefficients.E - billions.coefficients.E) < 1e-5);
  assert.ok(Math.abs(billions.coefficients.A / (tokens.coefficients.A * 1e9 ** -tokens.coefficients.alpha) - 1) < 1e-3);
});
