// The multi-power law through the whole analysis (`law: 'mpl'`) and the automatic choice between it and the
// LR-annealing law (`law: 'auto'`, lawChoice.ts): on the public MPL split (figures printed), on the split's curves
// with only a constant and a cosine to fit (MPL not identified), and on synthetic curves where each law is the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { formatAnalysis } from '../../../src/cli/text';
import { parseText } from '../../../src/core/table';
import {
  backtestLead,
  chooseLossLaw,
  decide,
  heldThroughBacktest,
  MPL_MARGIN,
} from '../../../src/core/analysis/lawChoice';
import { dropLevels, oneStepLanding } from '../../../src/core/analysis/dropLevels';
import { dropTermIdentified } from '../../../src/core/analysis/mplLoss';
import { analyseLossCurves } from '../../../src/core/analysis/lossAnalysis';
import { prepare } from '../../../src/core/analysis/lossAreas';
import { NO_REPLICATES, type LossLawFit } from '../../../src/core/analysis/lossLaw';
import { curveKey } from '../../../src/core/analysis/lossCurves';
import { inverseSpreadWeights, spreadWeights, weightsAt } from '../../../src/core/analysis/spreadWeights';
import { LossWarmStart } from '../../../src/core/analysis/warmStart';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { withDefaults, type AnalysisOptions } from '../../../src/core/analysis/options';
import type { FitResult, LawCandidate } from '../../../src/core/analysis/types';
import type { MultiPowerCoefficients } from '../../../src/core/laws/multiPower';
import { seededRandom } from '../../../src/core/util/random';
import { mplTruth, SYNTH_WARMUP, tissueTruth, type Kind } from '../../helpers/syntheticLoss';
import { LUO, LUO_FIT, LUO_HELDOUT, luoFiles, skipUnless } from '../../helpers/shared';
import { valued } from '../../helpers/predictions';

const skip = skipUnless(LUO);
const WARMUP = 2160;
/** The issue's bounds on held-out PredE (25M / 100M / 400M). */
const MPL_BOUND: Record<string, number> = { '25': 0.0014, '100': 0.0016, '400': 0.0022 };
const AUTO_BOUND: Record<string, number> = { '25': 0.0014, '100': 0.0023, '400': 0.0022 };
/** Auto may lose at most this fraction of PredE to the better of the two laws. */
const MAX_LOSS = 0.15;

const pct = (v: number) => `${(v * 100).toFixed(3)} %`;

function describeSelection(fit: FitResult): string {
  const s = fit.selection;
  if (!s) return 'no selection';
  const rows = s.candidates.map(
    (c) => `${c.law} backtest ${pct(c.backtestError)}${c.identified ? '' : ' (not identified)'}`,
  );
  return `${s.chosen}: ${rows.join('; ')}`;
}

for (const size of ['25', '100', '400']) {
  test(`MPL split ${size}M, law mpl: held-out PredE <= ${pct(MPL_BOUND[size])}, with bands`, { skip }, async () => {
    const analysis = await analyseFiles(luoFiles(size), {
      law: 'mpl',
      fitOn: LUO_FIT,
      warmupSteps: WARMUP,
      bootstrapSamples: 24,
    });
    const fit = analysis.fits[0];
    assert.equal(fit.law, 'mpl');
    assert.deepEqual([...fit.fittedOn].sort(), [...LUO_FIT].sort());
    const heldOut = analysis.curves.filter((c) => c.role === 'heldout');
    assert.deepEqual(heldOut.map((c) => c.name).sort(), [...LUO_HELDOUT].sort());
    assert.ok(heldOut.every((c) => c.law === 'mpl'));
    console.log(`${size}M mpl: PredE ${pct(fit.heldOut!.predE)}  WorstE ${pct(fit.heldOut!.worstE)}`);
    assert.ok(fit.heldOut!.predE <= MPL_BOUND[size], `PredE ${fit.heldOut!.predE}`);
    // Everything the LR-annealing law has: raw coefficients with units, intervals, bands around predictions.
    for (const name of ['L0', 'A', 'alpha', 'B', 'C', 'beta', 'gamma']) {
      assert.ok(Number.isFinite(fit.params[name]), name);
      assert.ok(fit.units[name], name);
      const [lo, hi] = fit.intervals![name];
      assert.ok(lo <= hi, `${name} interval`);
    }
    assert.match(String(fit.settings.band), /bootstrap/);
    const target = valued(analysis.predictions[0]);
    assert.ok(target.low < target.value && target.value < target.high, JSON.stringify(target));
  });

  test(
    `MPL split ${size}M, law auto: held-out PredE <= ${pct(AUTO_BOUND[size])}, selection reported`,
    { skip },
    async () => {
      const started = performance.now();
      const analysis = await analyseFiles(luoFiles(size), { fitOn: LUO_FIT, warmupSteps: WARMUP, bootstrapSamples: 0 });
      const seconds = (performance.now() - started) / 1000;
      const fit = analysis.fits[0];
      console.log(
        `${size}M auto: ${fit.law}, PredE ${pct(fit.heldOut!.predE)}, ${seconds.toFixed(1)} s; ${describeSelection(fit)}`,
      );
      const selection = fit.selection!;
      assert.equal(selection.chosen, fit.law);
      assert.deepEqual(selection.candidates.map((c) => c.law).sort(), ['lr-annealing', 'mpl']);
      assert.ok(selection.reason.length > 0);
      assert.ok(fit.heldOut!.predE <= AUTO_BOUND[size], `PredE ${fit.heldOut!.predE}`);
    },
  );
}

/** Held-out PredE of each law and of auto, fitted on `fitOn`. */
async function threeWays(files: string[], options: Partial<AnalysisOptions>) {
  const run = async (law: AnalysisOptions['law']) =>
    (await analyseFiles(files, { ...options, law, bootstrapSamples: 0 })).fits[0];
  return { tissue: await run('lr-annealing'), mpl: await run('mpl'), auto: await run('auto') };
}

test(
  'constant + cosine only (MPL not identified): auto loses at most 15 % PredE to the better law',
  { skip },
  async () => {
    for (const size of ['25', '400']) {
      const { tissue, mpl, auto } = await threeWays(luoFiles(size), {
        fitOn: ['constant_24000', 'cosine_24000'],
        warmupSteps: WARMUP,
      });
      const best = Math.min(tissue.heldOut!.predE, mpl.heldOut!.predE);
      console.log(
        `${size}M constant + cosine: tissue ${pct(tissue.heldOut!.predE)}, mpl ${pct(mpl.heldOut!.predE)}, auto ${auto.law} ${pct(auto.heldOut!.predE)}; ${describeSelection(auto)}`,
      );
      assert.ok(auto.heldOut!.predE <= best * (1 + MAX_LOSS), `${size}M auto ${auto.heldOut!.predE} vs best ${best}`);
    }
  },
);

// ---- Synthetic curves: each law as the truth.

function synthetic(curves: LossCurve[], law: AnalysisOptions['law'], fitOn: string[]): FitResult {
  const options = withDefaults({ law, fitOn, warmupSteps: SYNTH_WARMUP, bootstrapSamples: 0 });
  return analyseLossCurves(curves, options, seededRandom(1)).fits[0];
}

test('synthetic, the LR-annealing law is the truth, drops to several levels: auto predicts as well as it', () => {
  // Cosine ends at 10 % of the peak, two-stage at 30 %: two drop levels, enough to tell the laws apart.
  const fitOn = ['constant', 'cosine', 'two-stage'];
  const curves = (['constant', 'cosine', 'wsd', 'two-stage', 'step-down', 'linear'] as Kind[]).map((k, i) =>
    tissueTruth(k, i + 1),
  );
  const tissue = synthetic(curves, 'lr-annealing', fitOn);
  const auto = synthetic(curves, 'auto', fitOn);
  console.log(
    `Tissue truth, two drop levels: tissue ${pct(tissue.heldOut!.predE)}, auto ${auto.law} ${pct(auto.heldOut!.predE)}; ${describeSelection(auto)}`,
  );
  // Its coefficients; its predictions alone, or (MPL mimics it, so its backtest lead is within its scatter) a mean
  // of both laws that loses nothing by it.
  assert.equal(auto.selection!.chosen, 'lr-annealing', describeSelection(auto));
  assert.ok(auto.heldOut!.predE <= tissue.heldOut!.predE * 1.01, describeSelection(auto));
  assert.deepEqual(
    auto.selection!.dropLevels!.map((l) => l.toFixed(2)),
    ['0.10', '0.30'],
  );
});

test('synthetic, the LR-annealing law is the truth, one drop level: the combination of both loses at most 15 %', () => {
  const fitOn = ['constant', 'cosine'];
  const curves = (['constant', 'cosine', 'wsd', 'two-stage', 'step-down', 'linear'] as Kind[]).map((k, i) =>
    tissueTruth(k, i + 1),
  );
  const tissue = synthetic(curves, 'lr-annealing', fitOn);
  const auto = synthetic(curves, 'auto', fitOn);
  console.log(
    `Tissue truth, one drop level: tissue ${pct(tissue.heldOut!.predE)}, auto ${pct(auto.heldOut!.predE)}; ${describeSelection(auto)}`,
  );
  const { weights, weightRange } = auto.selection!;
  assert.ok(weights && weightRange, describeSelection(auto));
  assert.ok(Math.abs(weights['lr-annealing'] + weights.mpl - 1) < 1e-12);
  assert.ok(auto.heldOut!.predE <= tissue.heldOut!.predE * (1 + MAX_LOSS), describeSelection(auto));
});

test('synthetic, the multi-power law is the truth with drops of several sizes: auto picks MPL', () => {
  const truths: MultiPowerCoefficients[] = [
    { L0: 2.9, A: 0.5, alpha: 0.5, B: 450, C: 0.5, beta: 0.5, gamma: 0.6 },
    { L0: 2.6, A: 0.6, alpha: 0.4, B: 800, C: 2, beta: 0.7, gamma: 0.4 },
  ];
  truths.forEach((raw, t) => {
    const fitOn = ['constant', 'cosine', 'wsd', 'two-stage'];
    const curves = (['constant', 'cosine', 'wsd', 'two-stage', 'step-down', 'linear'] as Kind[]).map((k, i) =>
      mplTruth(k, raw, 10 * t + i + 1),
    );
    const auto = synthetic(curves, 'auto', fitOn);
    const tissue = synthetic(curves, 'lr-annealing', fitOn);
    console.log(
      `MPL truth ${t + 1}: tissue ${pct(tissue.heldOut!.predE)}, auto ${auto.law} ${pct(auto.heldOut!.predE)}; ${describeSelection(auto)}`,
    );
    assert.equal(auto.law, 'mpl', describeSelection(auto));
  });
});

test('the rule: MPL alone needs drops to several levels, an identified drop term and a clear margin', () => {
  const tissue = { law: 'lr-annealing' as const, backtestError: 0.002, atBounds: [], identified: true };
  const mpl = (backtestError: number, identified = true) => ({
    law: 'mpl' as const,
    backtestError,
    atBounds: identified ? [] : ['ln c', 'beta', 'gamma'],
    identified,
  });
  const several = [0.1, 0.3];
  assert.equal(decide(tissue, mpl(0.001), several).chosen, 'mpl');
  assert.equal(decide(tissue, mpl(0.001), several).weights, undefined);
  // No clear margin: the mean of both.
  assert.deepEqual(decide(tissue, mpl(0.002 * (1 - MPL_MARGIN / 2)), several).weights, {
    'lr-annealing': 0.5,
    mpl: 0.5,
  });
  // Drop term on its bounds although the curves drop to several levels: they do not single MPL out, the mean of both
  // (weighted by spread in chooseLossLaw, which discounts the law they do not pin down), bounds named.
  const unidentified = decide(tissue, mpl(0.001, false), several);
  assert.equal(unidentified.chosen, 'lr-annealing');
  assert.deepEqual(unidentified.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
  assert.match(unidentified.reason, /MPL's loss-drop term sits on its bounds, so they do not pin it down/);
  // One drop level or none: the mean of both, however good MPL's backtest.
  for (const levels of [[0.1], []]) {
    const one = decide(tissue, mpl(0.0005), levels);
    assert.deepEqual(one.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
    assert.match(one.reason, levels.length ? /one LR level only \(10 % of the peak\)/ : /no LR drop/);
  }
  // MPL not better in the backtest, which favours it: with drops to several levels, the LR-annealing law alone when
  // its lead is clear (larger than its scatter over the cuts and curves), else the mean of both; with one level or
  // none, the mean whatever the lead (the curves show nothing of how either law carries drops).
  const parts = (law: LawCandidate['law'], errors: number[]): LawCandidate => ({
    law,
    backtestError: errors.reduce((s, e) => s + e, 0) / errors.length,
    backtestErrors: errors,
    atBounds: [],
    identified: true,
  });
  const even = parts('lr-annealing', [0.002, 0.002, 0.002, 0.002]);
  for (const levels of [[], [0.1]]) {
    const clear = decide(even, parts('mpl', [0.0021, 0.0022, 0.0023, 0.0021]), levels);
    assert.deepEqual(clear.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
    assert.match(clear.reason, /neither they nor a backtest on their tails can tell which law/);
  }
  for (const levels of [several]) {
    // Ahead by 5-15 % at every cut: a clear lead.
    const clear = decide(even, parts('mpl', [0.0021, 0.0022, 0.0023, 0.0021]), levels);
    assert.equal(clear.chosen, 'lr-annealing');
    assert.equal(clear.weights, undefined);
    assert.match(clear.reason, /lead is clear \(\d\.\d\d times its scatter/);
    // Ahead on average, behind at one cut: no verdict, the mean.
    const narrow = decide(even, parts('mpl', [0.0015, 0.0024, 0.0024, 0.0024]), levels);
    assert.deepEqual(narrow.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
    assert.match(narrow.reason, /lead is not clear \(0\.\d\d times its scatter over the cuts and curves, under 1\)/);
    // Exactly as far ahead at every cut: clear.
    assert.equal(decide(even, parts('mpl', [0.0022, 0.0022, 0.0022, 0.0022]), levels).weights, undefined);
    // Ties are no lead; errors without parts give no measure of the scatter: the mean.
    assert.ok(decide(even, parts('mpl', [0.002, 0.002, 0.002, 0.002]), levels).weights);
    assert.ok(decide(tissue, mpl(0.0021), levels).weights);
  }
  assert.equal(decide(tissue, mpl(Infinity), several).chosen, 'lr-annealing');
  assert.equal(decide(tissue, mpl(Infinity), several).weights, undefined);
});

test('a law with no backtest says why: no curve long enough to cut, or a refit that failed; a decay to 0 is no "0 %"', () => {
  const tissue = { law: 'lr-annealing' as const, backtestError: Infinity, atBounds: [], identified: true };
  // Three curves of five points each (an LR sweep of short fine-tunes): no cut leaves 5 points to refit on.
  const short = { law: 'mpl' as const, backtestError: Infinity, backtestErrors: [], atBounds: [], identified: true };
  const none = decide({ ...tissue, backtestErrors: [] }, short, []);
  assert.equal(none.chosen, 'lr-annealing');
  assert.match(
    none.reason,
    /could not be backtested on these curves: no fit curve has enough loss points to cut \(9 or more/,
  );
  assert.match(none.reason, /log the loss more often/);
  const failed = decide(tissue, { ...short, backtestErrors: undefined }, []);
  assert.match(failed.reason, /its refit on the curves' first points failed/);
  // A cosine to 1.9e-9 of a 1e-5 peak: its one level is not rounded to "0 %".
  const finite = { ...short, backtestError: 0.01, backtestErrors: [0.01, 0.01] };
  const cosine = decide({ ...tissue, backtestError: 0.02, backtestErrors: [0.02, 0.02] }, finite, [1.9e-4]);
  assert.match(cosine.reason, /one LR level only \(0\.019 % of the peak\)/);
});

/** A curve whose loss and LR are logged on the same rows, its loss a plain power of the step. */
function loggedCurve(name: string, steps: Float64Array, lrAt: (s: number) => number): LossCurve {
  return {
    name,
    file: `${name}.csv`,
    steps,
    loss: steps.map((s) => 3 + Math.pow(s, -0.3)),
    lines: new Int32Array(steps.length),
    schedule: { steps, lr: steps.map(lrAt) },
    firstLine: 1,
  };
}

test('the rule on one drop level held through every backtest tail: the backtest decides, as with several levels', () => {
  const tissue = { law: 'lr-annealing' as const, backtestError: 0.002, atBounds: [], identified: true };
  const mpl = (backtestError: number, identified = true): LawCandidate => ({
    law: 'mpl',
    backtestError,
    atBounds: identified ? [] : ['beta', 'gamma'],
    identified,
  });
  // A clear margin takes MPL alone when its drop term is identified; on its bounds, the mean (alone it is withheld).
  const held = decide(tissue, mpl(0.001), [0.3], true);
  assert.equal(held.chosen, 'mpl');
  assert.equal(held.weights, undefined);
  assert.match(
    held.reason,
    /every fit curve that drops holds its lowered LR \(30 % of the peak\) through every backtest tail, so the backtest/,
  );
  const bounds = decide(tissue, mpl(0.001, false), [0.3], true);
  assert.deepEqual(bounds.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
  assert.match(bounds.reason, /through every backtest tail, yet MPL's loss-drop term sits on its bounds/);
  // No clear margin: the mean, saying so; the same candidates unheld: the mean for one level.
  const narrow = decide(tissue, mpl(0.002 * (1 - MPL_MARGIN / 2)), [0.3], true);
  assert.deepEqual(narrow.weights, { 'lr-annealing': 0.5, mpl: 0.5 });
  assert.match(narrow.reason, /through every backtest tail, but MPL's backtest error is not 10 % below/);
  assert.match(decide(tissue, mpl(0.001), [0.3]).reason, /one LR level only/);
  // Several levels and held: the levels are named.
  assert.match(decide(tissue, mpl(0.001), [0.1, 0.3], true).reason, /drop to several LR levels/);
});

test('held through the backtest: every fit curve that drops holds its lowered LR from its first cut to its end', () => {
  // Logged every 100 steps from 100 to 12,000: the first cut (60 % of the rows) ends its prefix at step 7,100.
  const steps = Float64Array.from({ length: 120 }, (_, i) => 100 * (i + 1));
  const curve = (name: string, lrAt: (s: number) => number) => loggedCurve(name, steps, lrAt);
  const held = (...curves: LossCurve[]) =>
    heldThroughBacktest({
      prepared: curves.map((c) => prepare(c, [])),
      fitted: curves.map((_, i) => i),
      options: withDefaults({ warmupSteps: 0 }),
    });
  const twoStage = (at: number, level = 0.3) => curve(`two-stage-${at}`, (s) => (s < at ? 1e-3 : level * 1e-3));
  const constant = curve('constant', () => 1e-3);
  assert.equal(held(twoStage(6000)), true);
  // A constant run shows no drop either way: with a held two-stage run, still held; alone, not.
  assert.equal(held(constant, twoStage(6000)), true);
  assert.equal(held(constant), false);
  // The drop after the first cut (its prefix never saw it), a second drop in the tail, a decay (WSD, cosine), a
  // level above 80 % of the peak, loss rows that start in the hold (no drop in them), one curve of two: not held.
  assert.equal(held(twoStage(9000)), false);
  assert.equal(held(curve('step-down', (s) => (s < 4000 ? 1e-3 : s < 10_000 ? 5e-4 : 1e-4))), false);
  assert.equal(held(curve('wsd', (s) => (s < 9600 ? 1e-3 : 1e-3 * (1 - (0.9 * (s - 9600)) / 2400)))), false);
  assert.equal(held(curve('cosine', (s) => 1e-4 + 4.5e-4 * (1 + Math.cos((Math.PI * s) / 12_000)))), false);
  assert.equal(held(twoStage(6000, 0.9)), false);
  const late = twoStage(6000);
  const after = late.steps.subarray(60);
  assert.equal(held({ ...late, steps: after, loss: late.loss.subarray(60), lines: late.lines.subarray(60) }), false);
  assert.equal(held(twoStage(6000), twoStage(9000)), false);
});

test('the backtest lead: the log error ratio in units of its scatter over the parts, Infinity without scatter', () => {
  const c = (law: LawCandidate['law'], backtestErrors: number[]): LawCandidate => ({
    law,
    backtestError: 0,
    backtestErrors,
    atBounds: [],
    identified: true,
  });
  const lead = backtestLead(c('lr-annealing', [1, 1, 1]), c('mpl', [Math.E, Math.E ** 2, Math.E ** 3]));
  assert.ok(Math.abs(lead.mean - 2) < 1e-12 && Math.abs(lead.sigmas - 2) < 1e-12, JSON.stringify(lead));
  assert.equal(backtestLead(c('lr-annealing', [1, 2]), c('mpl', [2, 4])).sigmas, Infinity);
  // One part, a part with no error, or parts that do not pair up: nothing to measure a scatter by.
  assert.ok(Number.isNaN(backtestLead(c('lr-annealing', [1]), c('mpl', [2])).sigmas));
  assert.ok(Number.isNaN(backtestLead(c('lr-annealing', [1, 0]), c('mpl', [2, 3])).sigmas));
  assert.ok(Number.isNaN(backtestLead(c('lr-annealing', [1, 1]), c('mpl', [2])).sigmas));
});

test('drop levels: decays to zero that stop at different logged rows are one level; held LRs apart are two', () => {
  // Logged every 200 steps up to 24,800 of 25,000 (LR and loss rows alike): a linear decay to zero over the last 20 %
  // "ends" at 4 % of its peak, over the last 40 % at 2 %; the loss was logged, over the last interval, at 4-8 % and
  // 2-4 %: the same drop, where the ratio of the last rows' LRs alone said two levels.
  const steps = Float64Array.from({ length: 122 }, (_, i) => 600 + 200 * i);
  const decay = (fraction: number) => (s: number) => 1e-3 * Math.min(1, (25_000 - s) / (25_000 * fraction));
  const curve = (name: string, lrAt: (s: number) => number) => loggedCurve(name, steps, lrAt);
  const levels = (...curves: LossCurve[]) => dropLevels(curves, 300).map((l) => l.toFixed(2));
  assert.deepEqual(levels(curve('wsd20', decay(0.2)), curve('wsd40', decay(0.4))), ['0.02']);
  // A stage held at 30 % of the peak for half the run and a decay to 10 %: two levels, held or not at the end.
  const twoStage = curve('two-stage', (s) => (s < 12_000 ? 1e-3 : 3e-4));
  const toTenth = curve('to-10', (s) => 1e-3 * (1 - (0.9 * s) / 24_800));
  assert.deepEqual(levels(twoStage, toTenth), ['0.10', '0.30']);
});

test('one step landing: every drop of the fit curves a step from the peak to one LR, where gamma cannot be told', () => {
  const steps = Float64Array.from({ length: 120 }, (_, i) => 100 * (i + 1));
  const curve = (name: string, lrAt: (s: number) => number) => loggedCurve(name, steps, lrAt);
  const landing = (...curves: LossCurve[]) => oneStepLanding(curves, 0);
  const twoStage = (level: number, peak = 1e-3) => curve('two-stage', (s) => (s < 6000 ? peak : level * peak));
  assert.equal(landing(twoStage(0.6)), 6e-4);
  // A constant run beside it drops nowhere; two two-stage runs landing at one LR (within 1 %) from two peaks still
  // show one eta_k.
  assert.equal(
    landing(
      curve('constant', () => 1e-3),
      twoStage(0.6),
    ),
    6e-4,
  );
  assert.equal(landing(twoStage(0.6), twoStage(0.3, 2e-3)), 6e-4);
  // An LR of 0 logged at one row (a resumed run's first step) is no drop.
  assert.equal(landing(curve('blip', (s) => (s === 3000 ? 0 : s < 6000 ? 1e-3 : 6e-4))), 6e-4);
  // Two landing LRs, a second step, a decay through many LRs, or no drop at all: gamma can be told, or nothing is.
  assert.equal(landing(twoStage(0.6), twoStage(0.3)), undefined);
  assert.equal(landing(curve('step-down', (s) => (s < 4000 ? 1e-3 : s < 8000 ? 5e-4 : 1e-4))), undefined);
  assert.equal(landing(curve('wsd', (s) => (s < 9600 ? 1e-3 : 1e-3 * (1 - (0.9 * (s - 9600)) / 2400)))), undefined);
  assert.equal(landing(curve('cosine', (s) => 1e-4 + 4.5e-4 * (1 + Math.cos((Math.PI * s) / 12_000)))), undefined);
  assert.equal(landing(curve('constant', () => 1e-3)), undefined);
  // A fall logged across a long interval is, between its rows, a linear decay through every LR on the way.
  const sparse = Float64Array.from([100, 2000, 12_000]);
  assert.equal(landing(loggedCurve('sparse', sparse, (s) => (s < 3000 ? 1e-3 : 6e-4))), undefined);
  // Where gamma cannot be told, its bound is none of the data's: beta alone on its bound is one exponent held.
  const why = { gamma: 'not determined' };
  assert.equal(dropTermIdentified(['beta', 'gamma']), false);
  assert.equal(dropTermIdentified(['beta', 'gamma'], why), true);
  assert.equal(dropTermIdentified(['ln c', 'gamma'], why), false);
});

test('a combination: every prediction is, at each step, the spread-weighted mean of both laws, inside its band', () => {
  const fitOn = ['constant', 'cosine'];
  const curves = (['constant', 'cosine', 'wsd', 'two-stage'] as Kind[]).map((k, i) => tissueTruth(k, i + 1));
  const options = withDefaults({ law: 'auto', fitOn, warmupSteps: SYNTH_WARMUP, bootstrapSamples: 8 });
  const prepared = curves.map((c) => prepare(c, [20_000]));
  const input = { prepared, fitted: [0, 1], options };
  const choice = chooseLossLaw(input);
  const { members, fit, selection } = choice;
  assert.ok(members && fit && selection?.weightRange, selection?.reason);
  // How a mean weighs the laws is its settings' to say (and the CLI's and hover's, beside the weights), not the reason's.
  assert.doesNotMatch(selection.reason, /bootstrap spread|weight/);
  const combination = String(fit.describe(fit.bootstrap(0)).settings.combination);
  assert.match(combination, /weighted at each step by the inverse/);
  // Whose coefficients are reported is said whole, not as "coefficients of the first".
  assert.match(combination, /; the coefficients shown are the LR-annealing law's$/);
  prepared.forEach((p, i) => {
    const [lr, mpl] = members.map((m) => weightsAt(m.steps!.get(curveKey(p.curve))!, p.queries));
    const combined = fit.predict(i);
    const [a, b] = members.map((m) => m.fit.predict(i));
    combined.forEach((v, q) => {
      assert.ok(Math.abs(lr[q] + mpl[q] - 1) < 1e-12, `${p.curve.name}: weights at ${p.queries[q]}`);
      const expected = lr[q] * a[q] + mpl[q] * b[q];
      assert.ok(Math.abs(v - expected) <= 1e-12 * expected, `${p.curve.name} at ${p.queries[q]}: ${v} vs ${expected}`);
    });
  });
  // Through the pipeline: every target between the two laws' own predictions, inside its band.
  const run = (law: AnalysisOptions['law'], bootstrapSamples: number) =>
    analyseLossCurves(curves, { ...options, law, bootstrapSamples, predictSteps: [20_000] }, seededRandom(1));
  const auto = run('auto', 8);
  assert.ok(auto.fits[0].selection?.weightRange, describeSelection(auto.fits[0]));
  const [tissue, mpl] = [run('lr-annealing', 0), run('mpl', 0)];
  auto.predictions.forEach((p, k) => {
    const [a, b] = [valued(tissue.predictions[k]).value, valued(mpl.predictions[k]).value];
    const got = valued(p);
    assert.ok(got.value >= Math.min(a, b) * (1 - 1e-12) && got.value <= Math.max(a, b) * (1 + 1e-12), p.curve);
    assert.ok(got.low < got.value && got.value < got.high, `${p.curve} band ${got.low}..${got.high}`);
  });
});

test('spread weights: the law whose bootstrap refits scatter more at a step gets less weight there', () => {
  const curve = tissueTruth('cosine', 1);
  const prepared = [prepare(curve, [])];
  const input = { prepared, fitted: [0], options: withDefaults({ warmupSteps: SYNTH_WARMUP }) };
  const n = prepared[0].queries.length;
  // Two laws predicting 1 everywhere: refits of the first scatter by 1 %, of the second by 3 % in the first half of
  // the curve and 1 % in the second.
  const law = (scatter: (q: number) => number): LossLawFit => ({
    law: 'lr-annealing',
    solver: {} as LossLawFit['solver'],
    atBounds: [],
    identified: true,
    predict: () => new Float64Array(n).fill(1),
    bootstrap: () => ({
      count: 2,
      at: (_, queries) => [1, -1].map((sign) => Float64Array.from(queries, (q) => Math.exp(sign * scatter(q)))),
      residuals: new Float64Array(0),
      method: 'test',
    }),
    describe: () => ({}) as ReturnType<LossLawFit['describe']>,
  });
  const weighting = spreadWeights(input, [law(() => 0.01), law((q) => (q < n / 2 ? 0.03 : 0.01))])!;
  const [first, second] = weighting.byCurve.map((c) => c.get(curveKey(curve))!);
  first.steps.forEach((step, j) => {
    const early = step < prepared[0].queries[Math.floor(n / 2)];
    assert.ok(Math.abs(first.weight[j] - (early ? 0.75 : 0.5)) < 1e-9, `at ${step}: ${first.weight[j]}`);
    assert.ok(Math.abs(first.weight[j] + second.weight[j] - 1) < 1e-12);
  });
  const [lo, hi] = weighting.range[0];
  assert.ok(Math.abs(lo - 0.5) < 1e-9 && Math.abs(hi - 0.75) < 1e-9, `range ${lo}..${hi}`);
  // Between estimated steps the weight is interpolated; past the last it is held.
  const last = first.steps[first.steps.length - 1];
  const held = weightsAt(first, Float64Array.of(last, 2 * last));
  assert.ok(Math.abs(held[0] - 0.5) < 1e-9 && held[1] === held[0], `held ${held}`);
  const [s0, s1] = [first.steps[0], first.steps[1]];
  const mid = weightsAt(first, Float64Array.of((s0 + s1) / 2))[0];
  assert.ok(Math.abs(mid - (first.weight[0] + first.weight[1]) / 2) < 1e-12, `interpolated ${mid}`);
  // A law without refits: no spread to weigh by.
  const none = { ...law(() => 0.01), bootstrap: () => NO_REPLICATES };
  assert.equal(spreadWeights(input, [law(() => 0.01), none]), null);
});

test('spread weights: a law predicting no possible loss at a step (0 or below, not finite) gets no weight there', () => {
  // Law 0 predicts 2.4 with refits 1 % apart. Law 1 (an MPL drop term fitted huge) predicts, at each of five steps:
  // 2.4 as law 0 (an equal share), -0.6 with refits that agree closely (a tight spread would have given it most of the
  // weight), NaN, 2.3 with one refit at -1 (its spread is unbounded: as NaN it gave both laws equal weights), and 0.
  const predicted = [Float64Array.of(2.4, 2.4, 2.4, 2.4, 2.4), Float64Array.of(2.4, -0.6, NaN, 2.3, 0)];
  const at = (values: number[]) => Float64Array.from(values);
  const sets = [
    [at([2.42, 2.42, 2.42, 2.42, 2.42]), at([2.38, 2.38, 2.38, 2.38, 2.38])],
    [at([2.42, -0.6001, NaN, 2.32, 0]), at([2.38, -0.5999, NaN, -1, 0])],
  ];
  const [first, second] = inverseSpreadWeights(predicted, sets);
  assert.ok(Math.abs(first[0] - 0.5) < 1e-9, `a possible loss keeps its share: ${first[0]}`);
  for (let j = 1; j < 5; j++) {
    assert.equal(first[j], 1, `step ${j}: ${first[j]}`);
    assert.equal(second[j], 0, `step ${j}: ${second[j]}`);
  }
  // Neither law predicts a possible loss: equal weights, and the mean is no loss either (trust.ts withholds it).
  const none = inverseSpreadWeights([Float64Array.of(-1), Float64Array.of(NaN)], [[at([-1])], [at([NaN])]]);
  assert.deepEqual(
    none.map((w) => w[0]),
    [0.5, 0.5],
  );
  // Law 0's refits scatter without end (Infinity) and law 1 predicts none: law 0 alone, not an equal share.
  const lone = inverseSpreadWeights([Float64Array.of(2.4), Float64Array.of(-1)], [[at([Infinity])], [at([-1])]]);
  assert.deepEqual(
    lone.map((w) => w[0]),
    [1, 0],
  );
});

test('a followed run keeps its combination: the warm refit refits both laws and weighs them again', () => {
  const fitOn = ['constant', 'cosine'];
  // The multi-power law as the truth, one drop level: its backtest is clearly lower, so auto averages.
  const truth = { L0: 2.9, A: 0.5, alpha: 0.5, B: 450, C: 0.5, beta: 0.5, gamma: 0.6 };
  const full = (['constant', 'cosine', 'wsd'] as Kind[]).map((k, i) => mplTruth(k, truth, i + 1));
  // The same curves with their last 5 % of rows not yet logged: the next fit, under the doubling rule, is warm.
  const cut = (c: LossCurve): LossCurve => {
    const n = Math.floor(c.steps.length * 0.95);
    return { ...c, steps: c.steps.subarray(0, n), loss: c.loss.subarray(0, n), lines: c.lines.subarray(0, n) };
  };
  const warm = new LossWarmStart();
  const options = withDefaults({ fitOn, warmupSteps: SYNTH_WARMUP, bootstrapSamples: 0 });
  const first = analyseLossCurves(full.map(cut), options, seededRandom(1), warm).fits[0];
  assert.ok(first.selection?.weights, describeSelection(first));
  const grown = analyseLossCurves(full, options, seededRandom(1), warm).fits[0];
  assert.equal(warm.lastStart, 'warm');
  // Weighed again by each law's spread at the grown curves' steps (the refits moved to the new optima), with MPL alone
  // beside the mean and the refits a what-if weighs a schedule by: what the cold fit reports too.
  assert.ok(grown.selection?.weights && grown.selection.weightRange && grown.selection.spreadRefits);
  assert.notDeepEqual(grown.selection.weights, first.selection!.weights);
  assert.equal(grown.runnerUpFit?.law, 'mpl');
  assert.match(String(grown.settings.combination), /weighted at each step by the inverse of its bootstrap spread/);
  const cold = synthetic(full, 'auto', fitOn);
  // Its refits are the last ones moved, not drawn again: near the cold fit, not equal (0.8 % apart; 6.7 % when it
  // kept the weights of its last full fit, held past the steps it had: the held-out wsd curve's anneal, cut off).
  const apart = Math.abs(grown.heldOut!.predE - cold.heldOut!.predE) / cold.heldOut!.predE;
  assert.ok(apart <= 0.04, `warm ${grown.heldOut!.predE} against cold ${cold.heldOut!.predE}`);
});

test(
  'a mean of both laws: its band is both laws weighted (a mixture), so it spans both where they disagree',
  { skip },
  async () => {
    // One public cosine run alone: one drop level, so auto takes the mean; the laws disagree on the constant run twice
    // as long by more than either one's band.
    const dir = `${LUO}/csv_25`;
    const files = [`${dir}/cosine_24000.csv`, `${dir}/constant_24000.csv`];
    const options = { fitOn: ['cosine_24000'], warmupSteps: WARMUP, bootstrapSamples: 24 };
    const [auto, tissue, mpl] = await Promise.all(
      (['auto', 'lr-annealing', 'mpl'] as const).map((law) => analyseFiles(files, { ...options, law })),
    );
    assert.ok(auto.fits[0].selection?.weights, describeSelection(auto.fits[0]));
    const target = (a: typeof auto) => valued(a.predictions.find((p) => p.curve === 'constant_24000')!);
    const [t, m, got] = [target(tissue), target(mpl), target(auto)];
    // The laws' own bands do not meet: the data cannot tell which is right.
    assert.ok(m.high < t.low || t.high < m.low, `bands ${m.low}..${m.high} and ${t.low}..${t.high}`);
    assert.ok(
      got.low <= Math.min(t.value, m.value) && got.high >= Math.max(t.value, m.value),
      `band ${got.low}..${got.high}`,
    );
    assert.match(String(auto.fits[0].settings.band), /mixed with the predictions' weights/);
  },
);

test('the reason says which rule applied, not the backtest errors or weights the candidates list, laws named as there', () => {
  const law = (id: 'lr-annealing' | 'mpl', backtestError: number, identified = true): LawCandidate => ({
    law: id,
    backtestError,
    atBounds: identified ? [] : ['ln c'],
    identified,
  });
  const tissue = law('lr-annealing', 4.2e-3);
  const verdicts = [
    decide(tissue, law('mpl', 1.3e-3), [0.1, 0.5]),
    decide(tissue, law('mpl', 4.0e-3), [0.1, 0.5]),
    decide(tissue, law('mpl', 1.3e-3, false), [0.1, 0.5]),
    decide(tissue, law('mpl', 1.3e-3), [0.1]),
    decide(tissue, law('mpl', 5e-3), [0.1, 0.5]),
    decide(tissue, law('mpl', Infinity), [0.1, 0.5]),
  ];
  assert.equal(verdicts[0].chosen, 'mpl');
  assert.match(
    verdicts[0].reason,
    /which pin MPL's loss-drop term down, and its backtest error is at least 10 % below/,
  );
  for (const { reason } of verdicts) {
    assert.doesNotMatch(reason, /0\.42|0\.13|0\.40|0\.50 %|backtest errors|weights?\b/, reason);
    assert.doesNotMatch(reason, /multi-power/, reason);
  }
});

test('too few loss points for the multi-power law (10 for its 7 coefficients): the LR-annealing law alone, no mean', () => {
  const full = tissueTruth('cosine', 1);
  const keep = new Set(Array.from({ length: 10 }, (_, k) => Math.round((k * (full.steps.length - 1)) / 9)));
  const pick = <T extends Float64Array | Int32Array>(a: T): T => a.filter((_, i) => keep.has(i)) as T;
  const curve = { ...full, steps: pick(full.steps), loss: pick(full.loss), lines: pick(full.lines) };
  const options = withDefaults({ law: 'auto', warmupSteps: SYNTH_WARMUP, bootstrapSamples: 0 });
  const choice = chooseLossLaw({ prepared: [prepare(curve, [20_000])], fitted: [0], options });
  assert.equal(choice.law.id, 'lr-annealing');
  assert.equal(choice.members, undefined, 'no mean carries the multi-power law');
  assert.equal(choice.runnerUp, undefined, 'no runner-up shows its numbers');
  assert.equal(choice.selection?.weights, undefined);
  assert.match(choice.selection!.reason, /10 loss points, too few for MPL's 7 coefficients/);
  // The command line says it was not backtested, not how the terms of a law that was no candidate sat.
  const rows = Array.from({ length: 10 }, (_, k) => {
    const step = (k + 1) * 1000;
    const lr = 3e-4 * (0.55 + 0.45 * Math.cos((Math.PI * step) / 10_000));
    return `${step},${lr},${(2.5 + 4 * Math.pow(step, -0.45) - 50 * (3e-4 - lr)).toFixed(5)}`;
  });
  const table = parseText(['step,lr,loss', ...rows].join('\n'), { fileName: 'short.csv', displayName: 'short.csv' });
  const text = formatAnalysis(analyseTables([table], { law: 'auto', bootstrapSamples: 0 }));
  const mplRow = text.split('\n').find((l) => /^\s+MPL\s/.test(l)) ?? '';
  assert.match(mplRow, /^\s+MPL\s+not backtested$/);
});

test('a loss falling fiftyfold in six points under a linear decay: fitted (no start left with no finite loss)', () => {
  // The shape of a short fine-tune's eval log: the first evaluation far above the rest, the LR decaying to 0. The
  // squares-fitted starts put the annealing term above the rest of the law at the last points, where a log objective
  // has no value, so every start stayed there and the fit failed with "check the LR and loss columns".
  const losses = [15, 2.4, 0.35, 0.32, 0.31, 0.305];
  const rows = losses.map(
    (loss, k) => `${(k + 1) * 100},${(2e-5 * (1 - ((k + 1) * 100) / 700)).toPrecision(6)},${loss}`,
  );
  const table = parseText(['step,lr,eval_loss', ...rows].join('\n'), { fileName: 'fall.csv', displayName: 'fall.csv' });
  const analysis = analyseTables([table], { law: 'auto', bootstrapSamples: 0 });
  const codes = analysis.findings.map((f) => f.code);
  assert.ok(!codes.includes('fit-failed'), codes.join(', '));
  assert.equal(analysis.fits.length, 1);
  assert.ok(codes.includes('fit-points-few'), 'six points for four coefficients: fitted but withheld');
  // Why MPL is not averaged in: its points, not a start with no finite loss it was never given.
  const reason = analysis.fits[0].selection?.reason ?? '';
  assert.match(reason, /6 loss points, too few for MPL's 7 coefficients/);
  assert.doesNotMatch(reason, /no start gave a finite loss/);
});

test('a mean whose multi-power member is fitted on one-step drops says what a schedule falling elsewhere assumes', () => {
  // The LR-annealing law is the truth on one two-stage run: auto averages both laws, and the multi-power member's
  // gamma is not determined by a drop to one LR, so a cosine predicted from the mean assumes it (as `--law mpl` does).
  const curves = (['two-stage', 'cosine', 'constant'] as Kind[]).map((k, i) => tissueTruth(k, i + 1));
  const options = withDefaults({ law: 'auto', fitOn: ['two-stage'], warmupSteps: SYNTH_WARMUP, bootstrapSamples: 8 });
  const auto = analyseLossCurves(curves, { ...options, predictSteps: [20_000] }, seededRandom(1));
  const fit = auto.fits[0];
  assert.ok(fit.selection?.weights, describeSelection(fit));
  assert.ok(fit.oneStepLanding, 'the mean carries its multi-power member landing');
  const of = (name: string) => auto.predictions.find((p) => p.curve === name);
  assert.match(of('cosine')?.assumption ?? '', /MPL's gamma = \S+, which its solver left/);
  // The fit curve lands at its one LR and a constant run never falls: neither assumes a gamma.
  for (const name of ['two-stage', 'constant']) assert.doesNotMatch(of(name)?.assumption ?? '', /gamma/, name);
});
