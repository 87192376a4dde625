import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitRobust } from '../../../src/core/fit/robust';
import {
  denormaliseSized,
  lrAnnealingSizeLaw,
  lrAnnealingSizeStarts,
  type SizedAreaPoints,
} from '../../../src/core/laws/lrAnnealingSize';
import { lrAreas } from '../../../src/core/laws/schedule';
import { normal, seededRandom } from '../../../src/core/util/random';
import { assertStartsInside, tenfoldFall } from '../../helpers/syntheticLoss';
import { jacobianError } from './jacobian';

const PEAK = 3e-4;
/** Normalised L0, A~, alpha, b, beta, c~, gamma: about the shape of the public 25M-400M curves. */
const TRUE = Float64Array.of(2.0, 1.2, 0.5, 0.6, 0.35, 4e-4, 0.2);
const law = lrAnnealingSizeLaw();

type Kind = 'constant' | 'cosine' | 'wsd';

function lrOf(kind: Kind, s: number, total: number): number {
  if (kind === 'constant') return PEAK;
  if (kind === 'cosine') return 0.1 * PEAK + 0.45 * PEAK * (1 + Math.cos((Math.PI * s) / total));
  return s < 0.8 * total ? PEAK : PEAK * (1 - (s - 0.8 * total) / (0.2 * total)) * 0.9 + 0.1 * PEAK;
}

/** Curves of each kind at each relative size n, points every 100 steps of 10000, with log-normal noise. */
function synthetic(kinds: Kind[], sizes: number[], noise: number, seed: number, params = TRUE) {
  const random = seededRandom(seed);
  const parts: SizedAreaPoints[] = [];
  for (const kind of kinds) {
    const steps = Float64Array.from({ length: 10000 }, (_, i) => i + 1);
    const schedule = { steps, lr: steps.map((s) => lrOf(kind, s, 10000)) };
    const logged = Array.from({ length: 100 }, (_, k) => (k + 1) * 100);
    const a = lrAreas(schedule, logged, { lambda: 0.999, warmup: 'peak' });
    for (const n of sizes)
      parts.push({ s1: a.s1.map((v) => v / PEAK), s2: a.s2.map((v) => v / PEAK), n: a.s1.map(() => n) });
  }
  const join = (key: keyof SizedAreaPoints) => Float64Array.from(parts.flatMap((p) => Array.from(p[key])));
  const data: SizedAreaPoints = { s1: join('s1'), s2: join('s2'), n: join('n') };
  const observed = new Float64Array(data.s1.length);
  law.predict(params, data, observed);
  for (let i = 0; i < observed.length; i++) observed[i] *= Math.exp(noise * normal(random));
  return { data, observed };
}

function fit(data: SizedAreaPoints, observed: Float64Array, fixed = {}) {
  const sized = lrAnnealingSizeLaw(fixed);
  return fitRobust(sized, data, observed, { delta: 1e-3, starts: lrAnnealingSizeStarts(data, observed, fixed) })!;
}

test('size law: the analytic Jacobian matches central differences', () => {
  // Constant and WSD: S2 is 0 or well away from it (a derivative of ~1e-10 is below central differences' noise).
  const { data } = synthetic(['constant', 'wsd'], [1 / 16, 0.25, 1], 0, 1);
  assert.ok(jacobianError(law, TRUE, data) < 1e-5);
  // Also with a negative gamma and an exponent far from the start grid.
  assert.ok(jacobianError(law, Float64Array.of(1.5, 2, 0.9, 1.1, 0.8, 1e-3, -0.4), data) < 1e-5);
});

test('size law: recovers known coefficients from clean curves of three sizes', () => {
  const { data, observed } = synthetic(['constant', 'cosine', 'wsd'], [1 / 16, 0.25, 1], 0, 1);
  const result = fit(data, observed);
  assert.ok(result.converged, result.reason);
  TRUE.forEach((v, j) =>
    assert.ok(Math.abs(result.params[j] - v) <= 1e-3 * Math.abs(v), `${law.parameterNames[j]}: ${result.params[j]}`),
  );
});

test('size law: under 0.3 % noise, predicts a held-out schedule at a fourth size within 0.3 %', () => {
  const { data, observed } = synthetic(['constant', 'cosine'], [1 / 16, 0.25, 1], 0.003, 7);
  const result = fit(data, observed);
  const heldOut = synthetic(['wsd'], [4], 0, 1);
  const predicted = new Float64Array(heldOut.observed.length);
  law.predict(result.params, heldOut.data, predicted);
  const predE =
    predicted.reduce((s, p, i) => s + Math.abs(p - heldOut.observed[i]) / heldOut.observed[i], 0) / predicted.length;
  assert.ok(predE < 0.003, `PredE ${predE}`);
});

test('size law: a held beta stays where it was put, and the rest is fitted around it', () => {
  const { data, observed } = synthetic(['constant', 'cosine', 'wsd'], [0.25, 1], 0, 1);
  const result = fit(data, observed, { beta: TRUE[4] });
  assert.equal(result.params[4], TRUE[4]);
  // Two sizes and the true beta: L0 and B are pinned again.
  assert.ok(Math.abs(result.params[0] - TRUE[0]) < 1e-3, `L0 ${result.params[0]}`);
  assert.ok(Math.abs(result.params[3] - TRUE[3]) < 1e-3, `B ${result.params[3]}`);
});

test('size law: the normalisation of LR and N is an exact reparametrisation', () => {
  const nRef = 4e8;
  const raw = denormaliseSized(TRUE, PEAK, nRef);
  const [s1, s2, N] = [5000, 300, 1e8];
  const out = new Float64Array(1);
  law.predict(TRUE, { s1: Float64Array.of(s1), s2: Float64Array.of(s2), n: Float64Array.of(N / nRef) }, out);
  const rawLoss =
    raw.L0 +
    raw.A * Math.pow(s1 * PEAK, -raw.alpha) +
    raw.B * Math.pow(N, -raw.beta) -
    raw.C * s2 * PEAK * Math.pow(N, raw.gamma);
  assert.ok(Math.abs(rawLoss - out[0]) < 1e-12, `${rawLoss} vs ${out[0]}`);
});

test('every start is inside the law: positive at each point, so the log objective is finite there', () => {
  // Two sizes whose loss falls from 15 to 0.3 under a linear decay: squares-fitted starts put C·S2 above the rest.
  const { s1, s2, observed: one } = tenfoldFall();
  const data: SizedAreaPoints = {
    s1: Float64Array.from([...s1, ...s1]),
    s2: Float64Array.from([...s2, ...s2]),
    n: Float64Array.from([...s1.map(() => 1), ...s1.map(() => 2)]),
  };
  const observed = Float64Array.from([...one, ...one.map((v) => 0.95 * v)]);
  assertStartsInside(law, data, observed.length, lrAnnealingSizeStarts(data, observed));
});
