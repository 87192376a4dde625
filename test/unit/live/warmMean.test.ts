// A followed run whose loss-curve law is a mean of both laws (law auto) stays that mean through its warm updates: the
// refit weighs both laws again (lossAnalysis.ts, warmChoice), so MPL alone stays beside it, the what-if of the
// file's own schedule gives the lens's number and the chart's line past the log is the mean. A warm update kept no
// MPL fit: until the next cold fit both were the LR-annealing law alone (0.1 % off the lens here). The weights come
// from each law's refits of the last cold fit, moved to the new optimum: moved, they must stay the refits drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Follower } from '../../../src/core/live/follower';
import { plainAnalysis } from '../../../src/core/analysis/series';
import { fitLawName } from '../../../src/core/analysis/lawNames';
import { buildChart, referenceCurve, whatIfDefaults } from '../../../src/core/chart/series';
import { defaultSpec, meanLoss, whatIfCurve } from '../../../src/core/chart/whatIf';
import { valued } from '../../helpers/predictions';
import { LUO, luoEveryStep, REPO, skipUnless } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

test("a warm update of a mean of both laws: the what-if at the file's own schedule is the lens's number, the line past the log the mean", async () => {
  const rows = readFileSync(join(REPO, 'examples/loss/cosine.csv'), 'utf8').trim().split('\n');
  const path = join(scratchDir('scaling-lens-warm-mean-'), 'cosine.csv');
  writeFileSync(path, rows.slice(0, 192).join('\n') + '\n');
  // Targets that stay where they are: the lens's weights there were measured by the cold fit too.
  const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0, predictSteps: [50_000, 100_000] } });
  assert.equal((await follower.update())?.start, 'cold');
  appendFileSync(path, rows.slice(192).join('\n') + '\n');
  const update = (await follower.update())!;
  assert.equal(update.start, 'warm');
  const analysis = plainAnalysis(update.analysis);
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weights && fit.runnerUpFit, 'still a mean, with MPL alone beside it');
  assert.ok(analysis.curves[0].runnerUp, "the runner-up's predictions of the curve");

  const defaults = whatIfDefaults(analysis, fit);
  assert.equal(defaults.law, fitLawName(fit), 'the form names the mean, as the lens does');
  const reference = referenceCurve(analysis, fit)!;
  const logged = { steps: Float64Array.from(reference.schedule!.steps), lr: Float64Array.from(reference.schedule!.lr) };
  const targets = analysis.predictions.filter((p) => p.curve === reference.name && p.xName === 'step').map(valued);
  assert.equal(targets.length, 2);
  for (const target of targets) {
    const own = whatIfCurve(fit, { ...defaultSpec(defaults, 'logged'), totalSteps: target.x }, 'A', {
      logged,
      fromStep: defaults.fromStep,
    });
    assert.ok(own.ok, own.ok ? '' : own.message);
    const off = Math.abs(own.value.finalLoss / target.value - 1);
    assert.ok(off < 1e-6, `what-if ${own.value.finalLoss} vs the lens ${target.value} at ${target.x} (${off})`);
  }

  // Past the log the chart draws the mean at each step (it drew the LR-annealing law scaled to meet the targets).
  const law = buildChart(analysis).data.series.find((s) => s.id === 'law:cosine')!;
  const last = analysis.curves[0].points.x.at(-1)!;
  const from = law.x.findIndex((x) => x > last);
  const mean = meanLoss(fit, logged, Float64Array.from(law.x.slice(from)));
  assert.ok(mean?.ok && mean.value.length > 50);
  const apart = Math.max(...mean.value.map((v, k) => Math.abs(law.y[from + k] / v - 1)));
  assert.ok(apart < 1e-6, `the drawn line is ${apart} off the mean`);
});

/**
 * MPL's mean weight after each update of `rows` followed from `start` rows, `step` rows at a time (bands off: the
 * weights are measured on their own refits whatever the band's setting).
 */
async function weightsFollowed(rows: string[], start: number, step: number, options = {}): Promise<number[]> {
  const path = join(scratchDir('scaling-lens-warm-weights-'), 'run.csv');
  writeFileSync(path, rows.slice(0, start).join('\n') + '\n');
  const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0, ...options } });
  const weights: number[] = [];
  for (let at = start; ; at += step) {
    const update = (await follower.update())!;
    assert.equal(update.start, at === start ? 'cold' : 'warm');
    weights.push(update.analysis.fits[0].selection!.weights!.mpl);
    if (at >= rows.length) return weights;
    appendFileSync(path, rows.slice(at, at + step).join('\n') + '\n');
  }
}

test("MPL's moved refits stay as drawn: L0's cap, the lowest loss so far, no longer clamps them as a run anneals", async () => {
  // Cold fits of these rows weigh MPL 0.41-0.57. Clamped to the falling cap by different amounts, the centre and the
  // refits were no longer what was drawn: one appended row took MPL's weight from 0.49 to 0.14, and it stayed there.
  const rows = readFileSync(join(REPO, 'examples/loss/cosine.csv'), 'utf8').trim().split('\n');
  const weights = await weightsFollowed(rows, 150, 1);
  const off = Math.max(...weights.map((w) => Math.abs(w - weights[0])));
  assert.ok(off < 0.15, `MPL's weight ${weights.map((w) => w.toFixed(2)).join(' ')}`);
});

test(
  "the LR-annealing law's moved refits stay as drawn: scaled with the optimum along its curved valley, not shifted",
  { skip: skipUnless(LUO) },
  async () => {
    // The public 25M cosine run logged at every step, followed from 20k rows 100 at a time: cold fits weigh MPL
    // 0.38-0.46. Shifted, the LR-annealing law's refits left its A-alpha valley and spread wider each update: MPL's
    // weight rose to 0.65 by the end of the run.
    const rows = ['step,lr,loss', ...luoEveryStep('25', 'cosine_24000')];
    const weights = await weightsFollowed(rows, 20_001, 100, { warmupSteps: 2160 });
    assert.ok(weights.length > 15);
    assert.ok(
      weights.every((w) => w > 0.35 && w < 0.5),
      `MPL's weight ${weights.map((w) => w.toFixed(2)).join(' ')}`,
    );
  },
);
