// The runner-up of `law: 'auto'` (runnerUp.ts): the law not chosen is kept, described and scored like a forced fit of
// it, and each curve keeps its prediction only at the steps a chart draws; the chart overlays it (series.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { prepare } from '../../../src/core/analysis/lossAreas';
import { analyseLossCurves } from '../../../src/core/analysis/lossAnalysis';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { withDefaults, type AnalysisOptions } from '../../../src/core/analysis/options';
import { chartQueries, RUNNER_UP_BOOTSTRAP, RUNNER_UP_POINTS } from '../../../src/core/analysis/runnerUp';
import { plainAnalysis } from '../../../src/core/analysis/series';
import { fitProblems } from '../../../src/core/analysis/trust';
import type { Analysis, LossLawId } from '../../../src/core/analysis/types';
import { buildChart } from '../../../src/core/chart/series';
import { lrAreas, type LoggedSchedule } from '../../../src/core/laws/schedule';
import { normal, seededRandom } from '../../../src/core/util/random';
import { LUO, LUO_FIT, luoFiles, skipUnless } from '../../helpers/shared';
import { KINDS, mplTruth, SYNTH_WARMUP } from '../../helpers/syntheticLoss';

/** How far a backtest's sums (MPL's compressed loss-drop sum) may be from the exact ones, relative (tested in laws/). */
const SUMS = 1e-6;
const PEAK = 3e-4;
const WARMUP = 500;
const TOTAL = 12_000;
const FIT_ON = ['constant', 'cosine', 'wsd'];

function lrAt(kind: string, step: number): number {
  const x = (step - WARMUP) / (TOTAL - WARMUP);
  if (kind === 'cosine') return PEAK * (0.1 + 0.45 * (1 + Math.cos(Math.PI * x)));
  if (kind === 'wsd') return x < 0.8 ? PEAK : PEAK * (1 - (0.9 * (x - 0.8)) / 0.2);
  if (kind === 'step-down') return x < 0.4 ? PEAK : x < 0.7 ? 0.5 * PEAK : 0.1 * PEAK;
  return PEAK;
}

/** A curve that follows the LR-annealing law with 0.05 % lognormal noise, logged every 50 steps. */
function curve(kind: string, seed: number): LossCurve {
  const steps = Float64Array.from({ length: (TOTAL - WARMUP) / 50 }, (_, i) => WARMUP + (i + 1) * 50);
  const schedule: LoggedSchedule = { steps, lr: steps.map((s) => lrAt(kind, s)) };
  const { s1, s2 } = lrAreas(schedule, steps, { lambda: 0.999, warmup: 'peak', warmupSteps: WARMUP });
  const random = seededRandom(seed);
  const loss = s1.map((v, i) => (2.8 + 0.45 * Math.pow(v, -0.5) - 0.4 * s2[i]) * Math.exp(0.0005 * normal(random)));
  return { name: kind, file: `${kind}.csv`, steps, loss, lines: new Int32Array(loss.length), schedule, firstLine: 1 };
}

const CURVES = ['constant', 'cosine', 'wsd', 'step-down'].map((k, i) => curve(k, i + 1));

/** The loss analysis of CURVES under `law`, as the chart and the CLI read it (number[] series). */
function analyse(law: AnalysisOptions['law'], bootstrapSamples = 20): Analysis {
  const options = withDefaults({ law, fitOn: FIT_ON, warmupSteps: WARMUP, bootstrapSamples });
  const result = analyseLossCurves(CURVES, options, seededRandom(1));
  const timings = { parseMs: 0, fitMs: 0 };
  return plainAnalysis({ version: 1, kind: 'loss-curve', files: [], ...result, timings });
}

const auto = analyse('auto');
const selection = auto.fits[0].selection!;
const runnerUp: LossLawId = selection.runnerUp;
const forced = analyse(runnerUp);
/**
 * Whether the runner-up predicts past the log: these curves follow the LR-annealing law and drop to one LR level, so
 * MPL's loss-drop term is held at its bound and a fit of MPL alone is not supported (trust.ts); neither is the
 * runner-up then. The public data's runner-up, which is, keeps its targets (the 25M test below).
 */
const pastLog = auto.fits[0].runnerUpFit!.unsupported === undefined;
console.log(
  `auto chose ${selection.chosen}, runner-up ${runnerUp}: ${selection.reason}; predicts past the log: ${pastLog}`,
);

test('law auto keeps the runner-up: its fit and scores are those of a fit of that law alone', () => {
  const fit = auto.fits[0];
  assert.ok(selection, 'a selection');
  assert.notEqual(runnerUp, fit.law);
  const kept = fit.runnerUpFit!;
  assert.equal(kept.law, runnerUp);
  const alone = forced.fits[0];
  for (const [name, value] of Object.entries(alone.params))
    assert.ok(
      Math.abs(kept.params[name] - value) <= 1e-12 * Math.abs(value),
      `${name}: ${kept.params[name]} vs ${value}`,
    );
  // The runner-up predicts with a backtest's sums (MPL: compressed, within ~1e-6 of the exact ones): the same scores.
  assert.ok(
    Math.abs(kept.heldOut!.predE - alone.heldOut!.predE) <= SUMS,
    `${kept.heldOut!.predE} vs ${alone.heldOut!.predE}`,
  );
  assert.ok(Math.abs(kept.quality.predE - alone.quality.predE) <= SUMS);
  // Alone, compared in the cheaper sums; as a member of the mean, its predictions are the mean's own (exact sums).
  if (runnerUp === 'mpl')
    assert.match(
      String(kept.settings.lossDrop),
      selection.weights ? /exact sum for predictions/ : /compressed for predictions too/,
    );
  assert.deepEqual(Object.keys(kept.intervals ?? {}).sort(), Object.keys(alone.intervals ?? {}).sort());
  assert.equal(forced.fits[0].runnerUpFit, undefined, 'a forced law has no runner-up');
  assert.ok(forced.curves.every((c) => c.runnerUp === undefined));
});

test("each curve keeps the runner-up's prediction at its targets, and some logged steps, with its own band", () => {
  for (const c of auto.curves) {
    const r = c.runnerUp!;
    assert.ok(r, c.name);
    assert.equal(r.law, runnerUp);
    assert.ok(
      r.x.every((x, k) => k === 0 || x > r.x[k - 1]),
      `${c.name}: ascending`,
    );
    assert.ok(r.x.length <= RUNNER_UP_POINTS + 1, `${c.name}: ${r.x.length} values`);
    assert.equal(r.x[0], c.points.x[0], 'from the first logged step');
    const last = c.points.x[c.points.x.length - 1];
    assert.equal(
      r.x.some((x) => x > last),
      pastLog,
      `${c.name}: past the log only when supported`,
    );
    for (const p of pastLog ? forced.predictions.filter((q) => q.curve === c.name) : []) {
      const k = r.x.indexOf(p.x);
      assert.ok(k >= 0, `${c.name}: target ${p.x} kept`);
      assert.ok(
        Math.abs(r.predicted[k] - p.value!) <= SUMS * p.value!,
        `${c.name} at ${p.x}: ${r.predicted[k]} vs ${p.value}`,
      );
    }
    // The runner-up's band is its own (its bootstrap), around its prediction.
    r.x.forEach((_, k) => assert.ok(r.low[k] < r.predicted[k] && r.predicted[k] < r.high[k], `${c.name} band at ${k}`));
  }
});

test("the runner-up's band is drawn from at most RUNNER_UP_BOOTSTRAP refits; the chosen law's from all asked for", () => {
  const fit = analyse('auto', 60).fits[0];
  // A law alone: its band from all 60; a mean of both: the mixture of as many refits as the member with the fewest.
  assert.match(String(fit.settings.band), fit.selection?.weights ? /^24 bootstrap refits of each law/ : /^60 /);
  assert.match(String(fit.runnerUpFit!.settings.band), new RegExp(`^${RUNNER_UP_BOOTSTRAP} `));
});

test('without bootstrap the runner-up has no band (NaN), and the chart draws its line only', () => {
  const analysis = analyse('auto', 0);
  assert.ok(analysis.curves.every((c) => c.runnerUp!.low.every(Number.isNaN)));
  const kinds = buildChart(analysis).data.series.map((s) => s.kind);
  assert.equal(kinds.filter((k) => k === 'runner-up').length, CURVES.length);
  assert.equal(kinds.filter((k) => k === 'runner-up-band').length, 0);
});

test("the chart overlays the runner-up on every curve, through the log and on to each target's prediction", () => {
  const { data } = buildChart(auto);
  const names = { 'lr-annealing': 'LR-annealing law', mpl: 'MPL' };
  // A law chosen over the other, or a mean of both laws beside one of them alone.
  // How far the runner-up lies from the chosen law at the targets: the largest relative gap over every curve's.
  const gaps = auto.predictions.map((p) => {
    const r = auto.curves.find((c) => c.name === p.curve)!.runnerUp!;
    return Math.abs(r.predicted[r.x.indexOf(p.x)] / p.value! - 1);
  });
  assert.deepEqual(data.lawChoice, {
    chosen: selection.weights ? 'spread-weighted mean of LR-annealing law and MPL' : names[selection.chosen],
    runnerUp: `${names[runnerUp]}${selection.weights ? ' alone' : ''}`,
    reason: selection.reason,
    ...(pastLog
      ? { targetGap: Math.max(...gaps) }
      : { unsupported: auto.fits[0].runnerUpFit!.unsupported!.map((p) => p.reason).join('; ') }),
  });
  for (const c of auto.curves) {
    const line = data.series.find((s) => s.id === `runner-up:${c.name}`)!;
    const band = data.series.find((s) => s.id === `runner-up-band:${c.name}`)!;
    assert.ok(line && band, c.name);
    // One wording in the legend and on the toggle: "MPL alone" beside a mean.
    assert.equal(line.label, `${c.name} · runner-up: ${data.lawChoice!.runnerUp}`);
    assert.deepEqual(band.x, line.x);
    // The target lies past the log: the line ends there at the runner-up's own prediction kept at the target (a
    // backtest's sums), within SUMS of the law's fitted alone; an unsupported runner-up's at the last logged step.
    const target = forced.predictions.find((p) => p.curve === c.name)!;
    const end = line.x.length - 1;
    if (!pastLog) {
      assert.equal(line.x[end], c.points.x[c.points.x.length - 1]);
      continue;
    }
    assert.equal(line.x[end], target.x);
    const kept = c.runnerUp!.predicted[c.runnerUp!.x.indexOf(target.x)];
    assert.ok(Math.abs(line.y[end] - kept) <= 1e-9 * kept, `${line.y[end]} vs ${kept}`);
    assert.ok(Math.abs(line.y[end] - target.value!) <= SUMS * target.value!, `${line.y[end]} vs ${target.value}`);
    assert.ok(band.y[end] < line.y[end] && line.y[end] < band.y2![end], 'the band reaches the target');
    // The chosen law's line is still there, unchanged by the overlay.
    assert.ok(data.series.some((s) => s.id === `law:${c.name}` && s.kind === 'law'));
  }
  assert.equal(buildChart(forced).data.lawChoice, undefined, 'no overlay for a forced law');
  assert.ok(!buildChart(forced).data.series.some((s) => s.kind === 'runner-up'));
});

test('under a mean of both laws, the runner-up is MPL alone: the fit of it the mean weighs, named beside the mean', () => {
  // Multi-power-law curves, a constant and a cosine fitted: one drop level, so a mean, however good MPL's backtest.
  const truth = { L0: 2.9, A: 0.5, alpha: 0.5, B: 450, C: 0.5, beta: 0.5, gamma: 0.6 };
  const curves = KINDS.map((k, i) => mplTruth(k, truth, 100 + i));
  const options = withDefaults({ fitOn: ['constant', 'cosine'], warmupSteps: SYNTH_WARMUP, bootstrapSamples: 0 });
  const analysis = plainAnalysis({
    version: 1,
    kind: 'loss-curve',
    files: [],
    ...analyseLossCurves(curves, options, seededRandom(1)),
    timings: { parseMs: 0, fitMs: 0 },
  });
  const fit = analysis.fits[0];
  const mean = fit.selection!;
  assert.ok(mean.weights, mean.reason);
  assert.equal(mean.runnerUp, 'mpl');
  const alone = analyseLossCurves(curves, { ...options, law: 'mpl' }, seededRandom(1)).fits[0];
  assert.equal(fit.runnerUpFit!.law, 'mpl');
  for (const [name, value] of Object.entries(alone.params))
    assert.ok(Math.abs(fit.runnerUpFit!.params[name] - value) <= 1e-12 * Math.abs(value), name);
  assert.ok(analysis.curves.every((c) => c.runnerUp?.law === 'mpl'));
  const { data } = buildChart(analysis);
  assert.equal(data.lawChoice?.chosen, 'spread-weighted mean of LR-annealing law and MPL');
  assert.equal(data.lawChoice?.runnerUp, 'MPL alone');
  // The legend names the runner-up as the toggle does.
  assert.ok(data.series.some((s) => s.kind === 'runner-up' && s.label === 'cosine · runner-up: MPL alone'));
});

test('memory: a long curve keeps the runner-up at a bounded number of steps, log- and evenly spaced, and its targets', () => {
  const n = 1_000_000;
  const steps = Float64Array.from({ length: n }, (_, i) => i + 1);
  const long: LossCurve = {
    name: 'long',
    file: 'long.csv',
    steps,
    loss: new Float64Array(n).fill(3),
    lines: new Int32Array(n),
    schedule: { steps, lr: new Float64Array(n).fill(PEAK) },
    firstLine: 1,
  };
  const p = prepare(long, [1_500_000, 2_000_000]);
  const at = chartQueries(p, RUNNER_UP_POINTS);
  assert.ok(at.length <= RUNNER_UP_POINTS + 2, `${at.length}`);
  assert.ok(
    at.every((q, k) => k === 0 || q > at[k - 1]),
    'ascending, unique',
  );
  const x = Array.from(at, (q) => p.queries[q]);
  assert.equal(x[0], 1);
  assert.ok(x.includes(n) && x.includes(1_500_000) && x.includes(2_000_000), 'the last step and the targets');
  // Log-spaced: the first decade of a million steps is drawn on a log axis, not only the evenly spaced points.
  assert.ok(x.filter((s) => s <= 1000).length >= 100, `${x.filter((s) => s <= 1000).length} steps in 1..1000`);
  assert.ok(x.filter((s) => s > 500_000 && s <= n).length >= 100, 'and the late half on a linear axis');
});

test(
  'MPL split 25M, law auto: the runner-up (the LR-annealing law) scores as it does fitted alone',
  { skip: skipUnless(LUO) },
  async () => {
    const options = { fitOn: LUO_FIT, warmupSteps: 2160, bootstrapSamples: 0 };
    const analysis = await analyseFiles(luoFiles('25'), options);
    const alone = (await analyseFiles(luoFiles('25'), { ...options, law: 'lr-annealing' })).fits[0];
    const fit = analysis.fits[0];
    const kept = fit.runnerUpFit!;
    console.log(
      `25M auto: ${fit.law} held-out PredE ${(fit.heldOut!.predE * 100).toFixed(3)} %; runner-up ${kept.law} ${(kept.heldOut!.predE * 100).toFixed(3)} %`,
    );
    assert.equal(fit.law, 'mpl');
    assert.equal(kept.law, 'lr-annealing');
    assert.equal(kept.heldOut!.predE, alone.heldOut!.predE);
    assert.ok(analysis.curves.every((c) => c.runnerUp?.law === 'lr-annealing'));
    // Supported, it predicts at every target, and the chart's toggle says how far from the chosen law it lies there.
    assert.equal(kept.unsupported, undefined);
    for (const p of analysis.predictions)
      assert.ok(analysis.curves.find((c) => c.name === p.curve)!.runnerUp!.x.includes(p.x), `${p.curve} at ${p.x}`);
    const choice = buildChart(analysis).data.lawChoice;
    assert.ok(choice?.targetGap !== undefined && choice.unsupported === undefined, JSON.stringify(choice));
  },
);

test('a runner-up the data do not support is judged as a chosen fit is: it says why and predicts at no target', () => {
  // A flat loss: MPL's terms are held at their bounds (under --law mpl it is withheld as unsupported).
  const flat = CURVES.map((c) => ({ ...c, loss: c.loss.map((_, i) => 3 * (1 + 1e-4 * Math.sin(i))) }));
  const options = withDefaults({ law: 'auto', bootstrapSamples: 24 });
  const result = analyseLossCurves(flat, options, seededRandom(1));
  const analysis = plainAnalysis({
    version: 1,
    kind: 'loss-curve',
    files: [],
    ...result,
    timings: { parseMs: 0, fitMs: 0 },
  });
  const alone = analyseLossCurves(
    flat,
    withDefaults({ law: analysis.fits[0].selection!.runnerUp, bootstrapSamples: 24 }),
    seededRandom(1),
  );
  const verdict = fitProblems(alone.fits[0]).map((p) => p.code);
  assert.ok(verdict.length, 'the runner-up fitted alone is unsupported');
  assert.deepEqual(
    analysis.fits[0].runnerUpFit!.unsupported?.map((p) => p.code),
    verdict,
  );
  for (const c of analysis.curves) {
    const last = c.points.x[c.points.x.length - 1];
    assert.ok(c.runnerUp!.x.length > 0 && c.runnerUp!.x.every((x) => x <= last), `${c.name}: nothing past the log`);
  }
  assert.ok(!buildChart(analysis).data.series.some((s) => s.kind === 'runner-up' && s.x.some((x) => x > 12_000)));
});
