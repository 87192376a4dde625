import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bleuCoefficients, bleuFrame, bleuLaw, bleuPoints, fitBleu } from '../../../src/core/laws/bleu';
import { normal, seededRandom } from '../../../src/core/util/random';
import { jacobianError } from './jacobian';

// Truth: BLEU = (ln(A * D_p^alpha))^beta with ln A = -6.39, alpha = 0.687, beta = 1.5 (BLEU ~20 -> ~35 over 0.5B..64B).
const TRUE = { lnA: -6.39, alpha: 0.687, beta: 1.5 };
const DP = Array.from({ length: 8 }, (_, k) => 0.5e9 * 2 ** k);
const law = (dp: number) => (TRUE.lnA + TRUE.alpha * Math.log(dp)) ** TRUE.beta;

test('bleu: analytic Jacobian matches finite differences', () => {
  const frame = bleuFrame(DP);
  assert.ok(jacobianError(bleuLaw, Float64Array.of(9, 0.7, 1.4), bleuPoints(DP, frame)) < 1e-5);
});

test('bleu: recovers exact coefficients from noise-free data', () => {
  const fit = fitBleu(DP, DP.map(law), { delta: 0.1 })!;
  const k = fit.coefficients;
  assert.ok(Math.abs(k.beta - TRUE.beta) < 1e-3, `beta ${k.beta}`);
  assert.ok(Math.abs(k.alpha - TRUE.alpha) < 1e-3, `alpha ${k.alpha}`);
  assert.ok(Math.abs(k.logA - TRUE.lnA) < 2e-2, `lnA ${k.logA}`);
});

test('bleu: under noise the fitted curve stays within the noise and beta stays near the truth', () => {
  const betas: number[] = [];
  for (let seed = 1; seed <= 20; seed++) {
    const random = seededRandom(seed);
    const observed = DP.map((dp) => law(dp) + 0.2 * normal(random));
    const fit = fitBleu(DP, observed, { delta: 0.1 })!;
    const pred = new Float64Array(DP.length);
    bleuLaw.predict(fit.fit.params, fit.points, pred);
    DP.forEach((dp, i) => assert.ok(Math.abs(pred[i] - law(dp)) < 0.6, `seed ${seed}: ${pred[i]} vs ${law(dp)}`));
    betas.push(fit.coefficients.beta);
  }
  const median = betas.sort((a, b) => a - b)[10];
  assert.ok(Math.abs(median - TRUE.beta) < 0.3, `median beta ${median}`);
});

test('bleu: beta is invariant to the D_p unit and the log base; A and alpha reparametrise as documented', () => {
  const observed = DP.map((dp, i) => law(dp) + 0.15 * Math.sin(3 * i));
  const tokens = fitBleu(DP, observed, { delta: 0.1 })!;
  const billions = fitBleu(
    DP.map((d) => d / 1e9),
    observed,
    { delta: 0.1 },
  )!;
  const base10 = fitBleu(DP, observed, { delta: 0.1, base: 10 })!;
  assert.ok(Math.abs(tokens.coefficients.beta - billions.coefficients.beta) < 1e-4);
  assert.ok(Math.abs(tokens.coefficients.beta - base10.coefficients.beta) < 1e-4);
  assert.ok(Math.abs(tokens.coefficients.alpha - billions.coefficients.alpha) < 1e-4);
  // D_p in billions: ln A' = ln A + alpha ln 1e9.  Base 10: alpha_10 = alpha ln 10, log10 A_10 = ln A.
  assert.ok(
    Math.abs(billions.coefficients.logA - (tokens.coefficients.logA + tokens.coefficients.alpha * Math.log(1e9))) <
      1e-3,
  );
  assert.ok(Math.abs(base10.coefficients.alpha - tokens.coefficients.alpha * Math.LN10) < 1e-3);
  assert.ok(Math.abs(base10.coefficients.logA - tokens.coefficients.logA) < 1e-2);
});

test('bleu: a non-integer beta outside A*D_p^alpha > 1 gives a non-finite prediction, not a number', () => {
  const out = new Float64Array(2);
  bleuLaw.predict(Float64Array.of(-1, 0.5, 1.5), { u: Float64Array.of(0, 4) }, out);
  assert.ok(Number.isNaN(out[0]));
  assert.ok(out[1] > 0);
  assert.ok(Number.isFinite(bleuCoefficients(Float64Array.of(1, 0.5, 1.5), { base: Math.E, dRef: 1e9 }).logA));
});
