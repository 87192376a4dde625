// Warm-started fits of a growing run (src/core/analysis/warmStart.ts through src/core/live/follower.ts): the fit that
// starts at the previous optimum gives the cold fit's answer, within the solver's tolerance; a cold fit comes back
// once the fitted points have doubled.
import { valued } from '../../helpers/predictions';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { plainAnalysis } from '../../../src/core/analysis/series';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import type { Analysis } from '../../../src/core/analysis/types';
import { Follower } from '../../../src/core/live/follower';
import { lossRows } from '../../../bench/workloads';

const dir = mkdtempSync(join(tmpdir(), 'scaling-lens-warm-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = [...lossRows(8000, 5, 0.01)];
const csv = (from: number, to: number) =>
  ROWS.slice(from, to)
    .map((r) => `${r.step},${r.lr},${r.loss}\n`)
    .join('');

/**
 * Largest relative difference between two fits' parameters and their predictions: the law at every fitted point, and
 * at each target where it gives one (a fit the data do not support withholds its targets, in both or neither).
 */
function gap(a: Analysis, b: Analysis): { params: number; predictions: number; objective: number } {
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(y), 1e-12);
  const [fa, fb] = [a.fits[0], b.fits[0]];
  assert.equal(fa.law, fb.law);
  const params = Math.max(...Object.keys(fb.params).map((k) => rel(fa.params[k], fb.params[k])));
  const atPoints = b.curves.flatMap((c, i) =>
    c.points.predicted.map((y, j) => rel(a.curves[i].points.predicted[j], y)),
  );
  const atTargets = b.predictions.map((p, i) => {
    assert.equal(a.predictions[i].status, p.status);
    return p.status === 'ok' ? rel(valued(a.predictions[i]).value, valued(p).value) : 0;
  });
  const predictions = Math.max(...atPoints, ...atTargets);
  return { params, predictions, objective: rel(fa.objective, fb.objective) };
}

/**
 * Tolerances per law. The multi-power law on one cosine run does not pin its loss-drop term down (flat directions,
 * see lawChoice.ts): its parameters may wander along them at the same objective, so only the objective and the
 * predictions are compared.
 */
const TOLERANCE = {
  'lr-annealing': { objective: 1e-6, predictions: 1e-5, params: 1e-3 },
  mpl: { objective: 1e-5, predictions: 1e-4, params: Infinity },
};

for (const law of ['lr-annealing', 'mpl'] as const) {
  test(`${law}: a warm-started refit of a grown run equals a cold fit of it (solver tolerance)`, async () => {
    const path = join(dir, `${law}.csv`);
    writeFileSync(path, `step,lr,loss\n${csv(0, 3000)}`);
    const options: Partial<AnalysisOptions> = { law, bootstrapSamples: 0 };
    const follower = await Follower.open([path], { analysis: options });
    assert.equal((await follower.update())?.start, 'cold');
    appendFileSync(path, csv(3000, 4000));
    const warm = await follower.update();
    assert.equal(warm?.start, 'warm');
    const cold = await analyseFiles([path], options);
    const { params, predictions, objective } = gap(plainAnalysis(warm.analysis), cold);
    process.stdout.write(
      `# ${law}: warm vs cold: params ${params.toExponential(1)}, predictions ${predictions.toExponential(1)}, objective ${objective.toExponential(1)}\n`,
    );
    const tolerance = TOLERANCE[law];
    assert.ok(objective < tolerance.objective, `objective differs by ${objective}`);
    assert.ok(predictions < tolerance.predictions, `predictions differ by ${predictions}`);
    assert.ok(params < tolerance.params, `parameters differ by ${params}`);
  });
}

test('law auto: the chosen law is kept while warm, and chosen again cold once the points doubled', async () => {
  const path = join(dir, 'auto.csv');
  writeFileSync(path, `step,lr,loss\n${csv(0, 2000)}`);
  const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0 } });
  const first = await follower.update();
  assert.equal(first?.start, 'cold');
  appendFileSync(path, csv(2000, 3000));
  const second = await follower.update();
  assert.equal(second?.start, 'warm');
  assert.deepEqual(second.analysis.fits[0].selection, first.analysis.fits[0].selection, 'the choice and its reasons');
  appendFileSync(path, csv(3000, 4100));
  assert.equal((await follower.update())?.start, 'cold', '4100 rows: over twice the 2000 of the last cold fit');
  assert.equal(await follower.update(), null, 'nothing new: no update');
});

test('lr-annealing: a warm refit carries the bootstrap refits over (moved to the new optimum): bands near the cold ones', async () => {
  const path = join(dir, 'bands.csv');
  writeFileSync(path, `step,lr,loss\n${csv(0, 3000)}`);
  const options: Partial<AnalysisOptions> = { law: 'lr-annealing', bootstrapSamples: 50 };
  const follower = await Follower.open([path], { analysis: options });
  await follower.update();
  appendFileSync(path, csv(3000, 3300));
  const warm = await follower.update();
  assert.equal(warm?.start, 'warm');
  const cold = await analyseFiles([path], options);
  const [w, c] = [valued(warm.analysis.predictions[0]), valued(cold.predictions[0])];
  const width = c.high - c.low;
  assert.ok(width > 0 && w.high - w.low > 0, 'both have a band');
  assert.ok(
    Math.abs(w.low - c.low) < 0.25 * width && Math.abs(w.high - c.high) < 0.25 * width,
    `${JSON.stringify([w, c])}`,
  );
  assert.ok(w.low < w.value && w.value < w.high);
});
