// Warm-started fits of a growing run (src/core/analysis/warmStart.ts through src/core/live/follower.ts): the fit that
// starts at the previous optimum gives the cold fit's answer, within the solver's tolerance; a cold fit comes back
// once the fitted points have doubled.
import { valued } from '../../helpers/predictions';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { plainAnalysis } from '../../../src/core/analysis/series';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import type { Analysis } from '../../../src/core/analysis/types';
import { Follower } from '../../../src/core/live/follower';
import { lossRows } from '../../../bench/workloads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { analyseLossCurves } from '../../../src/core/analysis/lossAnalysis';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { withDefaults } from '../../../src/core/analysis/options';
import { LossWarmStart } from '../../../src/core/analysis/warmStart';
import { seededRandom } from '../../../src/core/util/random';
import { mplTruth, SYNTH_WARMUP, type Kind } from '../../helpers/syntheticLoss';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-warm-');

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
  'lr-annealing': { objective: 1e-8, predictions: 1e-5, params: 1e-3 },
  mpl: { objective: 1e-5, predictions: 1e-4, params: Infinity },
};

for (const law of ['lr-annealing', 'mpl'] as const) {
  test(`${law}: a warm-started refit of a grown run after several appends equals a cold fit of it (solver tolerance)`, async () => {
    const path = join(dir, `${law}.csv`);
    writeFileSync(path, `step,lr,loss\n${csv(0, 3000)}`);
    const options: Partial<AnalysisOptions> = { law, bootstrapSamples: 0 };
    const follower = await Follower.open([path], { analysis: options });
    assert.equal((await follower.update())?.start, 'cold');
    // Several appends: the second and third are refitted from the first's full refinement (its quadratic model and
    // the rows appended), the last (over 5 % more rows) on every point again.
    let warm = null;
    for (const [from, to] of [
      [3000, 3100],
      [3100, 3101],
      [3101, 3150],
      [3150, 4000],
    ]) {
      appendFileSync(path, csv(from, to));
      warm = await follower.update();
      assert.equal(warm?.start, 'warm');
    }
    assert.ok(warm);
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
  // A mean's weights, their range and the refits behind them are weighed again (warmChoice); the rest is the choice.
  const reasons = (a: Pick<Analysis, 'fits'>) => {
    const { weights: _weights, weightRange: _range, spreadRefits: _refits, ...rest } = a.fits[0].selection!;
    return rest;
  };
  assert.deepEqual(reasons(second.analysis), reasons(first.analysis), 'the choice and its reasons');
  assert.ok(second.analysis.fits[0].selection?.weights, 'still a mean');
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

/**
 * The live path's whole answer against a cold analysis of the same grown file, with the defaults (law auto, 200
 * bootstrap refits) and several appends, so the carried state (areas extended, refits carried) has been carried more
 * than once. Tolerances: the warm refit stops where the cold one's refinement stops, by the solver's relative-
 * reduction test, so objectives agree to ~1e-9 and predictions to ~1e-6; the coefficients of the LR-annealing law
 * may sit anywhere along its shallow A-alpha valley within that objective, ~1e-4 apart (1e-3 allowed). Bands: the
 * carried refits are the previous ones moved with the optimum, not refits drawn on the grown data, so their ends may
 * differ from the cold band's by a few per cent of its width (a quarter allowed; a tenth for the targets, whose
 * band under a mean spans both laws); the band's ends relative to the
 * prediction must agree as closely, so a band left from an earlier fit beside the new estimate fails.
 */
test('law auto, defaults: a warm analysis after several appends agrees with a cold one (fit, choice, bands, findings)', async () => {
  const path = join(dir, 'auto-defaults.csv');
  writeFileSync(path, `step,lr,loss\n${csv(0, 3000)}`);
  const follower = await Follower.open([path]);
  const first = await follower.update();
  assert.equal(first?.start, 'cold');
  let warm = null;
  for (const [from, to] of [
    [3000, 3100],
    [3100, 3101],
    [3101, 3400],
  ]) {
    appendFileSync(path, csv(from, to));
    warm = await follower.update();
    assert.equal(warm?.start, 'warm');
  }
  const w = plainAnalysis(warm!.analysis);
  const cold = await analyseFiles([path]);
  assert.equal(w.fits[0].law, cold.fits[0].law, 'the same law');
  assert.equal(w.fits[0].selection?.chosen, cold.fits[0].selection?.chosen, 'the same choice');
  // A mean's weights are weighed again at each warm refit, from each law's refits of the last cold fit moved to its
  // new optimum (a cold fit draws them afresh): nearer the cold fit's than the first fit's were. So a mean's
  // predictions may differ from a cold fit's by the change of weights times the gap between the laws; each law's own
  // fit must still agree.
  const mean = cold.fits[0].selection?.weights !== undefined;
  if (mean) {
    const mpl = (a: Pick<Analysis, 'fits'>) => a.fits[0].selection!.weights!.mpl;
    assert.ok(Math.abs(mpl(w) - mpl(cold)) < Math.abs(mpl(first.analysis) - mpl(cold)), 'weighed again');
  } else assert.deepEqual(w.fits[0].selection?.weights, cold.fits[0].selection?.weights);
  const { params, predictions, objective } = gap(w, cold);
  process.stdout.write(
    `# auto${mean ? ' (a mean)' : ''}: warm vs cold: params ${params.toExponential(1)}, predictions ${predictions.toExponential(1)}, objective ${objective.toExponential(1)}\n`,
  );
  assert.ok(
    objective < 1e-8 && predictions < (mean ? 1e-2 : 1e-5) && params < 1e-3,
    JSON.stringify({ params, predictions, objective }),
  );
  const codes = (a: Analysis) => a.findings.map((f) => `${f.code}:${f.severity}`).sort();
  assert.deepEqual(codes(w), codes(cold), 'the same findings');
  cold.predictions.forEach((c, i) => {
    const [pw, pc] = [valued(w.predictions[i]), valued(c)];
    const width = pc.high - pc.low;
    assert.ok(pw.low < pw.value && pw.value < pw.high, 'the band holds its own estimate');
    // A tenth of the width: a mean's band spans both laws, which disagree here by more than the estimate moved.
    assert.ok(Math.abs(pw.low - pc.low) < 0.1 * width && Math.abs(pw.high - pc.high) < 0.1 * width);
    // The estimate moved since the first fit by more than the band tolerance: a band left from it would fail above.
    assert.ok(Math.abs(valued(first.analysis.predictions[i]).value - pc.value) > 0.1 * width);
  });
  // Every point's band too: its ends are the current prediction times the band's log-ends.
  const [pw, pc] = [w.curves[0].points, cold.curves[0].points];
  for (let j = 0; j < pc.x.length; j += 97) {
    const width = pc.high[j] - pc.low[j];
    assert.ok(pw.low[j] < pw.predicted[j] && pw.predicted[j] < pw.high[j]);
    assert.ok(Math.abs(pw.low[j] - pc.low[j]) < 0.25 * width && Math.abs(pw.high[j] - pc.high[j]) < 0.25 * width);
  }
});

test('a warm refit lets the previous fit go before its reports: released() is called with nothing holding it', async () => {
  // gc() without --expose-gc on the command line: the flag set now, the function read from a fresh context.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The multi-power law's truth, one drop level: auto takes the mean of both laws, so three fits are let go.
  const truth = { L0: 2.9, A: 0.5, alpha: 0.5, B: 450, C: 0.5, beta: 0.5, gamma: 0.6 };
  const full = (['constant', 'cosine'] as Kind[]).map((k, i) => mplTruth(k, truth, i + 1));
  const cut = (c: LossCurve): LossCurve => {
    const n = Math.floor(c.steps.length * 0.95);
    return { ...c, steps: c.steps.subarray(0, n), loss: c.loss.subarray(0, n), lines: c.lines.subarray(0, n) };
  };
  const options = withDefaults({ warmupSteps: SYNTH_WARMUP, bootstrapSamples: 8 });
  let previous: WeakRef<object>[] = [];
  const alive: number[] = [];
  const warm = new LossWarmStart(() => {
    gc();
    alive.push(previous.filter((ref) => ref.deref() !== undefined).length);
  });
  // Weak references to the remembered fit and its members, made in a frame of their own: a variable of this async
  // function would hold them through the next analysis.
  const remembered = () => {
    const kept = warm.startFor(1, new Set(full.map((c) => c.name)));
    assert.ok(kept?.fit && kept.members?.length === 2, 'a mean of both laws is remembered');
    return [kept.fit, ...kept.members.map((m) => m.fit)].map((fit) => new WeakRef(fit));
  };
  for (const [i, curves] of [full.map(cut), full].entries()) {
    // A job of its own: a WeakRef holds its target to the end of the job that made it.
    await new Promise((resolve) => setImmediate(resolve));
    analyseLossCurves(curves, options, seededRandom(i), warm);
    previous = remembered();
  }
  assert.equal(warm.lastStart, 'warm');
  // Cold: nothing before it. Warm: the mean and both laws' previous fits are garbage by then.
  assert.deepEqual(alive, [0, 0]);
  assert.equal(previous.length, 3);
});
