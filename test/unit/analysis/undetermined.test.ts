// Coefficients the fit curves do not determine (unseenDrop.ts, markUndetermined): on curves that never lower their
// LR, a law's loss-drop term is 0 at every fitted point, so its coefficients stay where the fit started and every
// refit returns them (a band of zero width). The multi-power law printed B, C, beta and gamma with such bands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { LUO, skipUnless } from '../../helpers/shared';
import { twoStageRunCsv } from '../../helpers/syntheticLoss';
import { parseText } from '../../../src/core/table';
import { formatAnalysis } from '../../../src/cli/text';
import { buildChart, referenceCurve } from '../../../src/core/chart/series';
import { whatIfCurve } from '../../../src/core/chart/whatIf';

/** A constant-LR run after a warmup, a power law in steps with a little deterministic noise. */
function constantRun(): string {
  const rows = ['step,lr,loss'];
  for (let step = 100; step <= 20_000; step += 100) {
    const lr = step < 500 ? (3e-4 * step) / 500 : 3e-4;
    const loss = 2.4 + 1.1 * Math.pow(step, -0.3) + 0.002 * Math.sin(step * 0.37);
    rows.push(`${step},${lr},${loss.toFixed(5)}`);
  }
  return rows.join('\n') + '\n';
}

test('the multi-power law on drops that are one step to one LR: C and gamma not determined, their product quoted', () => {
  const analysis = analyseTables([parseText(twoStageRunCsv(), { fileName: 'two-stage.csv' })], { law: 'mpl' });
  const fit = analysis.fits[0];
  assert.deepEqual(Object.keys(fit.undetermined ?? {}).sort(), ['C', 'gamma']);
  for (const name of ['C', 'gamma']) assert.equal(fit.intervals?.[name], undefined, name);
  for (const name of ['L0', 'A', 'alpha', 'B', 'beta']) assert.ok(fit.intervals?.[name], name);
  const product = fit.params.C * Math.pow(1.8e-4, -fit.params.gamma);
  const text = formatAnalysis(analysis);
  // One line for both, the reason said once, with the product the data measure.
  const line = /^ {2}C, gamma not determined: .*one step to the same LR \(1\.8e-4\).* = (\S+): /m.exec(text);
  assert.ok(line, text);
  assert.ok(Math.abs(Number(line[1]) / product - 1) < 1e-3, `${line[1]} vs ${product}`);
});

test(
  'one run dropping once to a held LR, MPL with beta and gamma on their bounds: gamma is none of the data, the fit predicts',
  { skip: skipUnless(LUO) },
  async () => {
    // The public 100M wsdcon_18 run alone (a step to 60 % of the peak, held): beta and gamma both end on their bounds,
    // which read as a drop term not pinned down ("not supported", no prediction), though gamma cannot be told there.
    const file = join(LUO, 'csv_100', 'wsdcon_18.csv');
    const analysis = await analyseFiles([file], { law: 'mpl', warmupSteps: 2160, bootstrapSamples: 0 });
    const fit = analysis.fits[0];
    assert.deepEqual([...(fit.atBounds ?? [])].sort(), ['beta', 'gamma']);
    assert.deepEqual(Object.keys(fit.undetermined ?? {}).sort(), ['C', 'gamma']);
    assert.equal(fit.unsupported, undefined, JSON.stringify(fit.unsupported));
    assert.ok(analysis.predictions.some((p) => p.status === 'ok'));
    // Under auto the held drop lets the backtest decide, and MPL, now identified, wins it by more than 10 %.
    const auto = await analyseFiles([file], { law: 'auto', warmupSteps: 2160, bootstrapSamples: 0 });
    assert.equal(auto.fits[0].selection?.chosen, 'mpl');
    assert.equal(auto.fits[0].selection?.weights, undefined);
  },
);

test('the multi-power law on a constant LR: B, C, beta and gamma not determined, no band, no number', () => {
  const analysis = analyseTables([parseText(constantRun(), { fileName: 'constant.csv' })], { law: 'mpl' });
  const fit = analysis.fits[0];
  assert.equal(fit.law, 'mpl');
  assert.deepEqual(Object.keys(fit.undetermined ?? {}).sort(), ['B', 'C', 'beta', 'gamma']);
  for (const name of ['B', 'C', 'beta', 'gamma']) assert.equal(fit.intervals?.[name], undefined, name);
  for (const name of ['L0', 'A', 'alpha']) assert.ok(fit.intervals?.[name], name);
  const text = formatAnalysis(analysis);
  assert.match(text, /^ {2}B +not determined/m);
  assert.match(text, /b~ not determined, c~ not determined, beta~ not determined, gamma~ not determined/);
  // The solver's scales read as numbers a user can type, not a float's noise (S1max = 5.9251499999999995).
  const scales = /LRs divided by eta_ref = (\S+) and S1 by S1max = (\S+):/.exec(text);
  assert.ok(scales, text);
  for (const value of scales.slice(1)) assert.ok(value.length <= 12, value);
});

test('under law auto, the runner-up (MPL alone beside the mean) and the chart mark the same coefficients', () => {
  const analysis = analyseTables([parseText(constantRun(), { fileName: 'constant.csv' })], { law: 'auto' });
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weights, 'a constant LR takes the mean of both laws');
  const runnerUp = fit.runnerUpFit;
  assert.equal(runnerUp?.law, 'mpl');
  assert.deepEqual(Object.keys(runnerUp.undetermined ?? {}).sort(), ['B', 'C', 'beta', 'gamma']);
  for (const name of ['B', 'C', 'beta', 'gamma']) assert.equal(runnerUp.intervals?.[name], undefined, name);
  assert.ok(runnerUp.intervals?.L0);
  // The chart's list of fitted laws shows the mean's own (the LR-annealing law's C) as not determined, no number.
  const [chartFit] = buildChart(analysis).data.fits;
  assert.deepEqual(chartFit.undetermined, Object.keys(fit.undetermined ?? {}));
  assert.ok(chartFit.undetermined?.includes('C'));
});

/** A run whose LR decays by a cosine after its warmup to a tenth of its peak: it passes through every LR between. */
function cosineRun(): string {
  const rows = ['step,lr,loss'];
  for (let step = 100; step <= 20_000; step += 100) {
    const lr = step < 500 ? (3e-4 * step) / 500 : 3e-5 + 1.35e-4 * (1 + Math.cos((Math.PI * (step - 500)) / 19_500));
    rows.push(`${step},${lr},${(2.4 + 1.1 * Math.pow(step, -0.3) - 0.2 * (3e-4 - lr)).toFixed(5)}`);
  }
  return rows.join('\n') + '\n';
}

test('a fit on drops to one LR predicts a schedule falling to others, saying it assumes the gamma the solver left', () => {
  const tables = [
    parseText(twoStageRunCsv(), { fileName: 'two-stage.csv' }),
    parseText(cosineRun(), { fileName: 'cosine.csv' }),
  ];
  const analysis = analyseTables(tables, { law: 'mpl', fitOn: ['two-stage'], bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  assert.deepEqual(Object.keys(fit.undetermined ?? {}).sort(), ['C', 'gamma']);
  assert.equal(fit.oneStepLanding?.lr, 1.8e-4);
  const assumes =
    /gamma = (\S+), which its solver left, since the fit curves drop to one LR only \(1\.8e-4\) and this schedule falls to others/;
  // The held-out cosine's prediction is shown, and says what it rests on; the fit curve's, which lands there, does not.
  const byCurve = (name: string) => analysis.predictions.filter((p) => p.curve === name);
  assert.ok(byCurve('cosine').length > 0);
  for (const p of byCurve('cosine')) {
    assert.equal(p.status, 'ok');
    assert.match(p.assumption ?? '', assumes);
  }
  for (const p of byCurve('two-stage')) assert.doesNotMatch(p.assumption ?? '', /gamma/);
  assert.match(formatAnalysis(analysis), /assumes the .*MPL's gamma = \S+, which its solver left/);

  // A what-if: a cosine falls through other LRs; a constant LR, or a step to the fit curves' LR, does not.
  const spec = {
    shape: 'cosine' as const,
    peakLr: 3e-4,
    warmupSteps: 500,
    totalSteps: 20_000,
    minLrRatio: 0.1,
    decayFraction: 0.2,
    decayShape: 'linear' as const,
    milestones: [0.5],
    factor: 0.6,
  };
  const cosine = whatIfCurve(fit, spec, 'what-if A');
  assert.ok(cosine.ok && cosine.value.assumption, JSON.stringify(cosine));
  assert.match(cosine.value.assumption, assumes);
  assert.equal(Number(assumes.exec(cosine.value.assumption)?.[1]), Number(fit.params.gamma.toPrecision(3)));
  for (const shape of ['constant', 'multistep'] as const) {
    const other = whatIfCurve(fit, { ...spec, shape }, 'what-if B');
    assert.ok(other.ok, JSON.stringify(other));
    assert.equal(other.value.assumption, undefined, shape);
  }
  // The fit curve's own schedule as logged (a what-if's schedule A) drops to that LR alone, as its lens says: its query
  // steps between the rows of the drop (10000 and 10100) are no other LRs it falls to.
  const reference = referenceCurve(analysis, fit)?.schedule;
  assert.ok(reference);
  // As the server hands it over (src/server/chart.ts).
  const logged = { steps: Float64Array.from(reference.steps), lr: Float64Array.from(reference.lr) };
  const own = whatIfCurve(fit, { ...spec, shape: 'logged' }, 'what-if A', { logged });
  assert.ok(own.ok, JSON.stringify(own));
  assert.ok(
    own.value.lr.some((v) => v < 2.9e-4 && v > 1.9e-4),
    'a query step lies inside the drop',
  );
  assert.equal(own.value.assumption, undefined);
  // Scaled to another peak, it falls to other LRs: said.
  const scaled = whatIfCurve(fit, { ...spec, shape: 'logged', peakLr: 2e-4 }, 'what-if A', { logged });
  assert.ok(scaled.ok && scaled.value.assumption, JSON.stringify(scaled));
  // A decay to the fit curves' LR passes other LRs on its way: over 1 % of the run that is a step, as a fit curve's
  // fall is read (oneStepLanding); over a fifth of it, a decay through them.
  const wsd = { ...spec, shape: 'wsd' as const, minLrRatio: 0.6 };
  const fast = whatIfCurve(fit, { ...wsd, decayFraction: 0.01 }, 'what-if C');
  assert.ok(fast.ok, JSON.stringify(fast));
  assert.ok(
    fast.value.lr.some((v) => v < 2.9e-4 && v > 1.9e-4),
    'a query step lies inside the decay',
  );
  assert.equal(fast.value.assumption, undefined);
  const slow = whatIfCurve(fit, { ...wsd, decayFraction: 0.2 }, 'what-if C');
  assert.ok(slow.ok && slow.value.assumption, JSON.stringify(slow));
  assert.match(slow.value.assumption, assumes);
});
