import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitRobust } from '../../../src/core/fit/robust';
import { denormalise, lrAnnealingLaw, lrAnnealingStarts } from '../../../src/core/laws/lrAnnealing';
import { lrAreas } from '../../../src/core/laws/schedule';
import { normal, seededRandom } from '../../../src/core/util/random';
import { assertStartsInside, tenfoldFall } from '../../helpers/syntheticLoss';

const PEAK = 2e-4;
const TRUE = Float64Array.of(2.2, 3.5, 0.5, 3e-4); // normalised L0, A~, alpha, C~

function schedule(kind: 'constant' | 'cosine' | 'wsd', total: number) {
  const steps = Float64Array.from({ length: total }, (_, i) => i + 1);
  const lr = steps.map((s) => {
    if (kind === 'constant') return PEAK;
    if (kind === 'cosine') return 0.1 * PEAK + 0.45 * PEAK * (1 + Math.cos((Math.PI * s) / total));
    return s < 0.8 * total ? PEAK : PEAK * (1 - (s - 0.8 * total) / (0.2 * total)) * 0.9 + 0.1 * PEAK;
  });
  return { steps, lr };
}

function synthetic(kinds: ('constant' | 'cosine' | 'wsd')[], noise: number, seed: number) {
  const random = seededRandom(seed);
  const s1: number[] = [];
  const s2: number[] = [];
  const obs: number[] = [];
  for (const kind of kinds) {
    const sch = schedule(kind, 10000);
    const logged = Array.from({ length: 100 }, (_, k) => (k + 1) * 100);
    const a = lrAreas(sch, logged, { lambda: 0.999, warmup: 'peak' });
    const out = new Float64Array(logged.length);
    const data = { s1: a.s1.map((v) => v / PEAK), s2: a.s2.map((v) => v / PEAK) };
    lrAnnealingLaw.predict(TRUE, data, out);
    out.forEach((v, i) => {
      s1.push(data.s1[i]);
      s2.push(data.s2[i]);
      obs.push(v * Math.exp(noise * normal(random)));
    });
  }
  return { data: { s1: Float64Array.from(s1), s2: Float64Array.from(s2) }, observed: Float64Array.from(obs) };
}

test('gradient of the law matches finite differences', () => {
  const { data } = synthetic(['cosine'], 0, 1);
  const p = Float64Array.of(2.0, 3.0, 0.6, 2e-4);
  const jac = Array.from({ length: 4 }, () => new Float64Array(data.s1.length));
  const base = new Float64Array(data.s1.length);
  lrAnnealingLaw.predict(p, data, base, jac);
  for (let j = 0; j < 4; j++) {
    const h = Math.abs(p[j]) * 1e-6;
    const q = Float64Array.from(p);
    q[j] += h;
    const moved = new Float64Array(data.s1.length);
    lrAnnealingLaw.predict(q, data, moved);
    for (const i of [0, 50, 99]) {
      const fd = (moved[i] - base[i]) / h;
      assert.ok(
        Math.abs(fd - jac[j][i]) <= 1e-4 * Math.max(1, Math.abs(fd)),
        `param ${j} point ${i}: ${fd} vs ${jac[j][i]}`,
      );
    }
  }
});

test('recovers known coefficients from clean constant + cosine + WSD curves', () => {
  const { data, observed } = synthetic(['constant', 'cosine', 'wsd'], 0, 1);
  const fit = fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts: lrAnnealingStarts(data, observed) })!;
  assert.ok(fit.converged, fit.reason);
  TRUE.forEach((v, j) => assert.ok(Math.abs(fit.params[j] - v) / v < 1e-3, `param ${j}: ${fit.params[j]} vs ${v}`));
});

test('recovers coefficients under 0.3 % noise within a few percent, and predicts a held-out schedule', () => {
  const { data, observed } = synthetic(['constant', 'cosine'], 0.003, 7);
  const fit = fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts: lrAnnealingStarts(data, observed) })!;
  assert.ok(Math.abs(fit.params[0] - TRUE[0]) / TRUE[0] < 0.02, `L0 ${fit.params[0]}`);
  assert.ok(Math.abs(fit.params[3] - TRUE[3]) / TRUE[3] < 0.1, `C ${fit.params[3]}`);
  const heldOut = synthetic(['wsd'], 0, 1);
  const pred = new Float64Array(heldOut.observed.length);
  lrAnnealingLaw.predict(fit.params, heldOut.data, pred);
  const predE = pred.reduce((s, p, i) => s + Math.abs(p - heldOut.observed[i]) / heldOut.observed[i], 0) / pred.length;
  assert.ok(predE < 0.002, `held-out PredE ${predE}`);
});

test('the peak-LR normalisation is an exact reparametrisation', () => {
  const raw = denormalise(TRUE, PEAK);
  assert.ok(Math.abs(raw.A * Math.pow(PEAK, -raw.alpha) - TRUE[1]) < 1e-9);
  assert.ok(Math.abs(raw.C * PEAK - TRUE[3]) < 1e-15);
  const s1 = 5000 * PEAK;
  const s2 = 300 * PEAK;
  const rawLoss = raw.L0 + raw.A * Math.pow(s1, -raw.alpha) - raw.C * s2;
  const out = new Float64Array(1);
  lrAnnealingLaw.predict(TRUE, { s1: Float64Array.of(5000), s2: Float64Array.of(300) }, out);
  assert.ok(Math.abs(rawLoss - out[0]) < 1e-12);
});

test('fitting is deterministic', () => {
  const { data, observed } = synthetic(['constant', 'cosine'], 0.003, 3);
  const a = fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts: lrAnnealingStarts(data, observed) })!;
  const b = fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts: lrAnnealingStarts(data, observed) })!;
  assert.deepEqual(Array.from(a.params), Array.from(b.params));
});

test('every start is inside the law: positive at each point, so the log objective is finite there', () => {
  // A fall from 15 to 0.3 with C·S2 large at the end: scan and grid starts alike put some points at or below 0.
  const { s1, s2, observed } = tenfoldFall();
  const data = { s1, s2 };
  const starts = lrAnnealingStarts(data, observed);
  assertStartsInside(lrAnnealingLaw, data, observed.length, starts);
  assert.ok(fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts }), 'a fit, not every start stuck');
});
