import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logHuberObjective } from '../../../src/core/fit/robust';
import { huber } from '../../../src/core/fit/huber';
import {
  chinchillaCoefficients,
  chinchillaLaw,
  chinchillaPoints,
  computeOptimal,
  fitChinchilla,
} from '../../../src/core/laws/chinchilla';
import { readTable } from '../../../src/core/table';
import { normal, seededRandom } from '../../../src/core/util/random';
import { jacobianError } from './jacobian';

const DATA_DIR = join(__dirname, '../../../../shared/data/chinchilla');
const TRUE = { E: 1.82, A: 478, B: 2143, alpha: 0.347, beta: 0.367 };

function sweep(noise: number, seed: number) {
  const random = seededRandom(seed);
  const n: number[] = [];
  const d: number[] = [];
  const loss: number[] = [];
  for (const size of [70e6, 160e6, 410e6, 1e9, 2.8e9, 7e9])
    for (const ratio of [2.5, 5, 10, 20, 40, 80]) {
      n.push(size);
      d.push(size * ratio);
      loss.push(
        (TRUE.E + TRUE.A / size ** TRUE.alpha + TRUE.B / (size * ratio) ** TRUE.beta) *
          Math.exp(noise * normal(random)),
      );
    }
  return { points: chinchillaPoints(n, d), observed: Float64Array.from(loss) };
}

test('chinchilla: analytic Jacobian matches finite differences', () => {
  const { points } = sweep(0, 1);
  assert.ok(jacobianError(chinchillaLaw, Float64Array.of(6.2, 7.7, 0.6, 0.35, 0.37), points) < 1e-5);
});

test('chinchilla: the objective is the reference definition, Huber(LSE(a - alpha ln N, b - beta ln D, e) - ln L)', () => {
  const { points, observed } = sweep(0.01, 3);
  const params = Float64Array.of(6.1, 7.5, 0.55, 0.33, 0.36);
  const objective = logHuberObjective(chinchillaLaw, points, observed, 1e-3)(params, new Float64Array(5));
  let reference = 0;
  for (let i = 0; i < observed.length; i++) {
    const terms = [params[0] - params[3] * points.lnN[i], params[1] - params[4] * points.lnD[i], params[2]];
    const m = Math.max(...terms);
    const lse = m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
    reference += huber(lse - Math.log(observed[i]), 1e-3);
  }
  assert.ok(Math.abs(objective - reference) < 1e-12 * Math.max(1, reference));
});

test('chinchilla: recovers known coefficients from noise-free and noisy sweeps', () => {
  const clean = sweep(0, 1);
  const k = chinchillaCoefficients(fitChinchilla(clean.points, clean.observed, { delta: 1e-3 })!.params);
  assert.ok(
    Math.abs(k.E - TRUE.E) < 1e-3 && Math.abs(k.alpha - TRUE.alpha) < 1e-3 && Math.abs(k.beta - TRUE.beta) < 1e-3,
    JSON.stringify(k),
  );
  const noisy = sweep(0.005, 2);
  const kn = chinchillaCoefficients(fitChinchilla(noisy.points, noisy.observed, { delta: 1e-3 })!.params);
  assert.ok(
    Math.abs(kn.E - TRUE.E) < 0.15 && Math.abs(kn.alpha - TRUE.alpha) < 0.06 && Math.abs(kn.beta - TRUE.beta) < 0.06,
    JSON.stringify(kn),
  );
});

test("chinchilla: compute-optimal D/N at 5.76e23 FLOP with Epoch's parameters is ~18.4", () => {
  // Epoch's published headline fit; read from ../shared when it is there, else its published values.
  const referencePath = join(DATA_DIR, 'reference_fits.json');
  const published = { A: 482.01, B: 2085.43, E: 1.8172, alpha: 0.3478, beta: 0.3658 };
  if (!existsSync(referencePath)) console.log(`${referencePath} not found: using Epoch's published parameters`);
  const reference = existsSync(referencePath)
    ? (JSON.parse(readFileSync(referencePath, 'utf8')) as {
        fits: { name: string; A: number; B: number; E: number; alpha: number; beta: number }[];
      })
    : { fits: [] };
  const epoch = reference.fits.find((f) => f.name === 'huber_likelihood_BFGS_240pts_headline') ?? published;
  const optimum = computeOptimal(epoch, 5.76e23);
  console.log(
    `compute-optimal at 5.76e23 FLOP (Epoch parameters): N*=${optimum.N.toExponential(4)} D*=${optimum.D.toExponential(4)} D/N=${optimum.ratio.toFixed(2)}`,
  );
  assert.ok(Math.abs(optimum.ratio / 18.4 - 1) < 0.1);
  assert.ok(Math.abs((6 * optimum.N * optimum.D) / 5.76e23 - 1) < 1e-12);
});

test('chinchilla: summed-Huber fit on the 240 Epoch runs reproduces the reference', async (t) => {
  const path = join(DATA_DIR, 'chinchilla_epoch_derived.csv');
  if (!existsSync(path)) {
    console.log(`skipped: ${path} not found (real-data check needs ../shared/data/chinchilla)`);
    t.skip('real data absent');
    return;
  }
  const table = await readTable(path);
  const column = (name: string) => table.columns.find((c) => c.name === name)!.values;
  const [n, c, d, loss, excluded] = ['params_N', 'flop_C', 'tokens_D', 'loss', 'epoch_excluded'].map(column);
  const rows = Array.from({ length: table.rowCount }, (_, i) => i).filter((i) => excluded[i] === 0);
  assert.equal(rows.length, 240);
  // D = C / (6N), which is what the derived tokens_D column holds.
  rows.forEach((i) => assert.ok(Math.abs(d[i] / (c[i] / (6 * n[i])) - 1) < 1e-6));
  const points = chinchillaPoints(
    rows.map((i) => n[i]),
    rows.map((i) => c[i] / (6 * n[i])),
  );
  const observed = Float64Array.from(rows, (i) => loss[i]);
  const started = performance.now();
  const fit = fitChinchilla(points, observed, { delta: 1e-3 })!;
  const ms = performance.now() - started;
  const k = chinchillaCoefficients(fit.params);
  console.log(
    `chinchilla 240 runs: A=${k.A.toFixed(2)} B=${k.B.toFixed(2)} E=${k.E.toFixed(4)} alpha=${k.alpha.toFixed(4)} beta=${k.beta.toFixed(4)} objective=${fit.objective.toExponential(6)} (${ms.toFixed(0)} ms, ${fit.startsTried} starts, ${fit.iterations} iterations)`,
  );
  assert.ok(Math.abs(k.E - 1.8172) <= 0.005, `E ${k.E}`);
  assert.ok(Math.abs(k.alpha - 0.3473) <= 0.005, `alpha ${k.alpha}`);
  assert.ok(Math.abs(k.beta - 0.3672) <= 0.01, `beta ${k.beta}`);
  assert.ok(fit.objective <= 1.01828e-3, `objective ${fit.objective}`);
  const ours = computeOptimal(k, 5.76e23);
  console.log(
    `our fit at 5.76e23 FLOP: N*=${ours.N.toExponential(4)} D*=${ours.D.toExponential(4)} D/N=${ours.ratio.toFixed(2)}`,
  );
  assert.ok(Math.abs(ours.ratio / 18.4 - 1) < 0.1);
});
