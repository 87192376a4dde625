import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { normal, seededRandom } from '../../../src/core/util/random';
import {
  checkSpec,
  defaultSpec,
  lrAt,
  predictLoss,
  lawSettings,
  lawWithRefits,
  loggedSchedule,
  logEndSums,
  meanWithRefits,
  pastLogSums,
  pastLoss,
  querySteps,
  scheduleOf,
  whatIfCurve,
} from '../../../src/core/chart/whatIf';
import type { WhatIfCurve, WhatIfSpec } from '../../../src/core/chart/types';
import type { FitResult } from '../../../src/core/analysis/types';
import type { LoggedSchedule } from '../../../src/core/laws/schedule';
import { fitLawName } from '../../../src/core/analysis/lawNames';
import { predictMultiPower } from '../../../src/core/analysis/multiPowerFit';
import { referenceCurve, whatIfDefaults } from '../../../src/core/chart/series';
import { REPO } from '../../helpers/shared';
import { join } from 'node:path';

const base: WhatIfSpec = defaultSpec({ peakLr: 3e-4, warmupSteps: 100, totalSteps: 1000 });

test('what-if schedules: warmup, cosine, WSD and multi-step shapes', () => {
  assert.equal(lrAt(base, 50), 1.5e-4);
  const cosine = { ...base, shape: 'cosine' as const };
  assert.ok(Math.abs(lrAt(cosine, 100) - 3e-4) < 1e-12);
  assert.ok(Math.abs(lrAt(cosine, 1000) - 3e-5) < 1e-12);
  const wsd = { ...base, shape: 'wsd' as const, decayFraction: 0.2, minLrRatio: 0 };
  assert.equal(lrAt(wsd, 800), 3e-4);
  assert.ok(Math.abs(lrAt(wsd, 910) - 1.5e-4) < 1e-9);
  assert.ok(lrAt(wsd, 1000) < 1e-9);
  const multi = { ...base, shape: 'multistep' as const, milestones: [0.5, 0.75], factor: 0.1 };
  assert.equal(lrAt(multi, 500), 3e-4);
  assert.ok(Math.abs(lrAt(multi, 501) - 3e-5) < 1e-12);
  assert.ok(Math.abs(lrAt(multi, 900) - 3e-6) < 1e-12);
  assert.equal(scheduleOf(base).lr.length, 1000);
});

/** A multi-step LR as first written: warmup, else one drop per milestone passed, walked at every step. */
function multistepDirect(spec: WhatIfSpec, s: number): number {
  const W = Math.min(spec.warmupSteps, spec.totalSteps);
  if (W > 0 && s <= W) return (spec.peakLr * s) / W;
  let lr = spec.peakLr;
  for (const m of spec.milestones) if (s > m * spec.totalSteps) lr *= spec.factor;
  return lr;
}

test('what-if multi-step schedule: the direct construction exactly, in time linear in steps plus milestones', () => {
  // Unsorted, repeated, one inside warmup, one on a whole step (0.5 * 1000: the drop comes after it).
  const small = { ...base, shape: 'multistep' as const, milestones: [0.75, 0.05, 0.5, 0.75, 0.333], factor: 0.3 };
  const lr = scheduleOf(small).lr;
  for (let s = 1; s <= 1000; s++) assert.equal(lr[s - 1], multistepDirect(small, s), `step ${s}`);
  // 1000 milestones over 2M steps (the most a what-if allows) took 5 s at a milestone walk per step.
  const milestones = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1001);
  const large = { ...base, shape: 'multistep' as const, totalSteps: 2_000_000, milestones, factor: 0.999 };
  const big = scheduleOf(large).lr;
  assert.equal(big.length, 2_000_000);
  const around = milestones.flatMap((m) => [Math.floor(m * 2_000_000), Math.floor(m * 2_000_000) + 1]);
  for (const s of [1, 100, 101, 1_999_999, 2_000_000, ...around])
    assert.equal(big[s - 1], multistepDirect(large, s), `step ${s}`);
});

test('what-if: invalid knobs come back as messages, not exceptions', () => {
  assert.match(checkSpec({ ...base, totalSteps: 0 }) ?? '', /Total steps/);
  assert.match(checkSpec({ ...base, warmupSteps: 1000 }) ?? '', /Warmup/);
  // The logged schedule's warmup is the log's own: a short total is not refused for a knob that is not shown.
  assert.equal(checkSpec({ ...base, shape: 'logged', totalSteps: 50 }), null);
  assert.match(checkSpec({ ...base, shape: 'multistep', milestones: [1.5] }) ?? '', /milestones/);
  assert.equal(checkSpec(base), null);
});

test('what-if query steps: ascending unique integers from 1 to T', () => {
  const q = querySteps(100_000, 200);
  assert.equal(q[0], 1);
  assert.equal(q[q.length - 1], 100_000);
  for (let i = 1; i < q.length; i++) assert.ok(q[i] > q[i - 1] && Number.isInteger(q[i]));
});

test('what-if under the cosine fit: reproduces the fit on its own schedule; annealing lowers the final loss', async () => {
  // The LR-annealing law itself (under auto one cosine run gives a mean of both laws: the last test).
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  const fit = analysis.fits.find((f) => f.law === 'lr-annealing')!;
  const curve = analysis.curves[0];
  // The law on the logged schedule, through the what-if path, equals the analysis's prediction at those steps.
  const law = lawSettings(fit);
  assert.ok(law.ok);
  const schedule = { steps: Float64Array.from(curve.schedule!.steps), lr: Float64Array.from(curve.schedule!.lr) };
  const again = predictLoss(law.value, schedule, curve.points.x);
  for (let i = 0; i < again.length; i += 20) assert.ok(Math.abs(again[i] - curve.points.predicted[i]) < 1e-9);

  const spec = { ...defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 20_000 }), minLrRatio: 0 };
  const constant = whatIfCurve(fit, { ...spec, shape: 'constant' }, 'A');
  const cosine = whatIfCurve(fit, { ...spec, shape: 'cosine' }, 'B');
  const wsd = whatIfCurve(fit, { ...spec, shape: 'wsd', decayFraction: 0.2 }, 'C');
  assert.ok(constant.ok && cosine.ok && wsd.ok);
  assert.ok(cosine.value.finalLoss < constant.value.finalLoss, 'annealing to 0 ends below the constant LR');
  assert.ok(wsd.value.finalLoss < constant.value.finalLoss);
  assert.equal(cosine.value.steps[cosine.value.steps.length - 1], 20_000);
  assert.equal(cosine.value.loss.length, cosine.value.steps.length);
  assert.ok(cosine.value.loss.every(Number.isFinite));
});

test('what-if: a peak LR the law cannot take, or a loss of 0 or below, says why instead of a number', async () => {
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  const fit = analysis.fits.find((f) => f.law === 'lr-annealing')!;
  const spec = defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 20_000 });
  assert.ok(whatIfCurve(fit, spec, 'A').ok);
  // An infinite peak (a typed "1e999") threw a TypeError deep in the sums.
  assert.match(checkSpec({ ...spec, peakLr: Infinity }) ?? '', /peak LR/);
  const infinite = whatIfCurve(fit, { ...spec, peakLr: Infinity }, 'A');
  assert.ok(!infinite.ok && /peak LR/.test(infinite.message), JSON.stringify(infinite));
  // A law whose annealing term outgrows everything (its C a thousand times the fit's): a final loss below 0.
  const p = fit.normalized!.params;
  const steep = { ...fit, normalized: { ...fit.normalized!, params: { ...p, C: p.C * 1000 } } };
  const negative = whatIfCurve(steep, spec, 'B');
  assert.ok(!negative.ok, `final loss ${negative.ok && negative.value.finalLoss}`);
  assert.match(
    negative.message,
    /^B: the law gives a loss of -[\d.e+]+ at step [\d.]+\w*, and a loss cannot be 0 or below/,
  );
});

test("what-if: an LR far outside the fit curves' peak LRs is refused with the step, both ways", async () => {
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  const fit = analysis.fits.find((f) => f.law === 'lr-annealing')!;
  assert.deepEqual(fit.lrPeaks, { lowest: 3e-4, highest: 3e-4 });
  const spec = defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 20_000 });
  // A peak 1e303 times the runs' gave a final loss of -2e302; one of 1e-300 finite losses of 1e151 to 1e273.
  const huge = whatIfCurve(fit, { ...spec, peakLr: 1e300 }, 'B');
  assert.ok(!huge.ok, `final loss ${huge.ok && huge.value.finalLoss}`);
  assert.match(
    huge.message,
    /^B: its LR of 2e297 at step 1 is over 3 times the highest peak LR the fit curves were trained at \(3e-4\): .*Choose a peak LR from 3e-5 to 9e-4/,
  );
  const tiny = whatIfCurve(fit, { ...spec, peakLr: 1e-300 }, 'A');
  assert.ok(!tiny.ok, `final loss ${tiny.ok && tiny.value.finalLoss}`);
  assert.match(
    tiny.message,
    /^A: its highest LR, 1e-300 at step 506, is over 10 times lower than the lowest peak LR the fit curves were trained at \(3e-4\)/,
  );
  // The limits themselves draw: a tenth of the runs' peak, three times it; just past them does not.
  for (const [peakLr, ok] of [
    [3.01e-5, true],
    [9e-4, true],
    [2.99e-5, false],
    [9.01e-4, false],
  ] as const)
    assert.equal(whatIfCurve(fit, { ...spec, peakLr }, 'A').ok, ok, `peak ${peakLr}`);
  // The runs' own schedule continued at their peak, a cosine and a WSD at it for twice the steps: all drawn.
  const defaults = whatIfDefaults(analysis, fit);
  const twice = { ...defaultSpec(defaults), totalSteps: 2 * defaults.totalSteps };
  for (const shape of ['cosine', 'wsd', 'constant'] as const)
    assert.ok(whatIfCurve(fit, { ...twice, shape }, shape, { fromStep: defaults.fromStep }).ok, shape);
});

test('what-if from a fit the data do not support: no curve, the verdict instead', async () => {
  // MPL alone on the example sweep's schedules: L0 and its loss-drop term on their bounds, every prediction withheld.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/sweep.csv')], { law: 'mpl', bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  assert.ok(fit.unsupported?.length, 'the example is unsupported under MPL alone');
  assert.ok(analysis.predictions.every((p) => p.value === null));
  const spec = defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 20_000 });
  const curve = whatIfCurve(fit, spec, 'A');
  assert.ok(!curve.ok, `a final loss of ${curve.ok && curve.value.finalLoss} was shown`);
  assert.match(
    curve.message,
    /^A: the MPL fit is not supported by the data \(.*held at the limit.*\), so it predicts no schedule/,
  );
});

test('what-if without an LR-annealing fit says why', async () => {
  const analysis = await analyseFiles([join(REPO, 'examples/downstream/downstream_sweep.csv')], {
    bootstrapSamples: 0,
  });
  const r = whatIfCurve(analysis.fits[0], base, 'A');
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /LR-annealing fit/);
});

test("what-if 'logged': the file's own schedule, scaled to the peak, held past the log; the analysis's own numbers", async () => {
  // The LR-annealing law itself (under auto these runs give a mean of both laws: the last test).
  const analysis = await analyseFiles([join(REPO, 'examples/loss/sweep.csv')], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  const fit = analysis.fits.find((f) => f.law === 'lr-annealing')!;
  const defaults = whatIfDefaults(analysis, fit);
  // The run logged longest is the file's own schedule.
  assert.deepEqual(defaults.logged, { curve: 'cosine_30k', lastStep: 30_000, lastLr: 3e-5 });
  const reference = referenceCurve(analysis, fit)!;
  const logged = { steps: Float64Array.from(reference.schedule!.steps), lr: Float64Array.from(reference.schedule!.lr) };
  const spec = { ...defaultSpec(defaults, 'logged'), totalSteps: 60_000 };
  const r = whatIfCurve(fit, spec, 'B', { logged, fromStep: defaults.fromStep });
  assert.ok(r.ok, r.ok ? '' : r.message);
  // Continued to 60k it predicts what the analysis predicts at its target (twice the last step, LR held).
  const target = analysis.predictions.find((p) => p.curve === 'cosine_30k')!;
  assert.equal(target.x, 60_000);
  assert.ok(
    target.value !== null && Math.abs(r.value.finalLoss - target.value) < 1e-9,
    `${r.value.finalLoss} vs ${target.value}`,
  );
  assert.ok(Math.abs(r.value.lr[r.value.lr.length - 1] - 3e-5) < 1e-15, 'the LR is held at its last logged value');
  // The peak knob scales the whole logged schedule.
  const half = whatIfCurve(fit, { ...spec, peakLr: 1.5e-4 }, 'B', { logged });
  assert.ok(half.ok && Math.abs(half.value.lr[half.value.lr.length - 1] - 1.5e-5) < 1e-15);
  // Shorter than the log's first row: the first logged LR throughout.
  const short = whatIfCurve(fit, { ...spec, totalSteps: 50 }, 'B', { logged });
  assert.ok(short.ok && short.value.lr.every((v) => v === logged.lr[0]));
  // Without a logged schedule the answer is a message, not an exception.
  const none = whatIfCurve(fit, spec, 'B');
  assert.equal(none.ok, false);
  assert.match(none.ok ? '' : none.message, /no logged LR schedule/);
});

/** The LR-annealing law's weight in a mean's what-if at its last step: where the mean lies between the two laws. */
function annealingShare(fit: FitResult, curve: WhatIfCurve, logged?: LoggedSchedule): number {
  const laws = [lawSettings(fit), lawSettings(fit.runnerUpFit!)];
  const schedule = curve.spec.shape === 'logged' ? loggedSchedule(curve.spec, logged)! : scheduleOf(curve.spec);
  const T = [curve.spec.totalSteps];
  const [lr, mpl] = laws.map((law) => (law.ok ? predictLoss(law.value, schedule, T)[0] : NaN));
  return (curve.finalLoss - mpl) / (lr - mpl);
}

test("what-if under a mean of both laws: the file's own schedule gives the lens's number; a WSD weighs the laws its own way", async () => {
  // It predicted with the LR-annealing law alone: 0.26 % off the lens's prediction of the same run on the 25M runs.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  const range = fit.selection?.weightRange?.mpl;
  assert.ok(
    range && fit.runnerUpFit && range[1] - range[0] > 0.1,
    'auto takes a mean whose weights vary with the step',
  );
  const defaults = whatIfDefaults(analysis, fit);
  assert.equal(defaults.law, fitLawName(fit), 'the form names the law as the lens does');
  const reference = referenceCurve(analysis, fit)!;
  const logged = { steps: Float64Array.from(reference.schedule!.steps), lr: Float64Array.from(reference.schedule!.lr) };
  const target = analysis.predictions.find((p) => p.curve === reference.name && p.xName === 'step')!;
  const spec = { ...defaultSpec(defaults, 'logged'), totalSteps: target.x };
  const own = whatIfCurve(fit, spec, 'A', { logged, fromStep: defaults.fromStep });
  assert.ok(own.ok, own.ok ? '' : own.message);
  const off = Math.abs(own.value.finalLoss / target.value! - 1);
  assert.ok(off < 1e-6, `what-if ${own.value.finalLoss} vs the lens ${target.value} (${off})`);
  const ownShare = annealingShare(fit, own.value, logged);
  assert.ok(ownShare > 0 && ownShare < 1, `${ownShare}`);
  // A WSD of the same length is weighed by the laws' spreads along its own steps, not the logged run's.
  const wsd = whatIfCurve(fit, { ...defaultSpec(defaults, 'wsd'), totalSteps: target.x }, 'B', {
    fromStep: defaults.fromStep,
  });
  assert.ok(wsd.ok, wsd.ok ? '' : wsd.message);
  const wsdShare = annealingShare(fit, wsd.value);
  assert.ok(Math.abs(wsdShare - ownShare) > 0.02, `LR-annealing law's weight: WSD ${wsdShare}, own ${ownShare}`);
  // Without refits (none kept) the selection's stated weights, as the analysis uses when it measured no spread.
  const selection = { ...fit.selection!, spreadRefits: undefined };
  const equal = whatIfCurve({ ...fit, selection }, spec, 'A', { logged, fromStep: defaults.fromStep });
  assert.ok(equal.ok);
  const share = annealingShare(fit, equal.value, logged);
  assert.ok(Math.abs(share - selection.weights!['lr-annealing']) < 1e-9, `${share}`);
});

test('a long what-if under the multi-power law: the compressed sum but for its final step', async () => {
  // The exact sum at every query step of a 100k-step cosine took 0.5-0.8 s, recomputed at each keystroke.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  const law = lawSettings(fit.runnerUpFit!);
  assert.ok(law.ok && law.value.law === 'mpl');
  const spec = { ...defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 100_000 }), minLrRatio: 0.1 };
  // The multi-power law's fit alone (the mean's runner-up).
  const alone: FitResult = { ...fit, ...fit.runnerUpFit!, selection: undefined, runnerUpFit: undefined };
  const mpl = whatIfCurve(alone, spec, 'A');
  assert.ok(mpl.ok, mpl.ok ? '' : mpl.message);
  const exact = predictMultiPower(law.value.model, scheduleOf(spec), mpl.value.steps);
  const last = exact.length - 1;
  assert.equal(mpl.value.loss[last], exact[last], 'the final loss is the exact sum');
  const off = Math.max(...mpl.value.loss.map((v, k) => Math.abs(v / exact[k] - 1)));
  assert.ok(off < 1e-5, `${off}`);
  // The mean of both laws (each law's prediction and 24 refits of each): its time per keystroke is a bench row.
  assert.ok(whatIfCurve(fit, spec, 'A').ok);
});

test("the chart's laws past a long log: each law and its refits summed once per curve, within 1e-5 of a what-if's", async () => {
  // On the bench's million-row log the runner-up beside a mean (MPL alone) summed its law over the schedule again,
  // as the mean had, with an exact final step each time: 0.3 s of Show Chart's 0.6 s in the server.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const fit = analysis.fits[0];
  const refits = fit.selection?.spreadRefits?.mpl;
  const mpl = lawSettings(fit.runnerUpFit!);
  assert.ok(refits && mpl.ok && mpl.value.law === 'mpl', 'a mean of both laws with its refits kept');
  const schedule = scheduleOf({
    ...defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 100_000 }),
    minLrRatio: 0.1,
  });
  const steps = Float64Array.from({ length: 60 }, (_, k) => Math.round(100_000 * Math.pow(2, k / 59)));
  const sums = pastLogSums(schedule);
  const mean = meanWithRefits(fit, sums, steps);
  const exact = meanWithRefits(fit, schedule, steps);
  assert.ok(mean?.ok && exact?.ok && mean.value.mixture && exact.value.mixture);
  const off = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Math.max(...Array.from(a, (v, k) => Math.abs(v / b[k] - 1)));
  assert.ok(off(mean.value.loss, exact.value.loss) < 1e-5, 'the line');
  mean.value.mixture.forEach((set, r) => assert.ok(off(set, exact.value.mixture![r]) < 1e-5, `refit ${r}`));
  // The runner-up's are the mean's own member's, summed once.
  assert.equal(sums.kept.get(refits)?.size, 1);
  const alone = lawWithRefits(mpl.value, refits, sums, steps);
  assert.equal(sums.kept.get(refits)?.size, 1, 'the runner-up read the sums the mean made');
  assert.equal(alone, lawWithRefits(mpl.value, refits, sums, steps));
  assert.ok(off(alone.loss, lawWithRefits(mpl.value, refits, schedule, steps).loss) < 1e-5);
  // Its sums are the compressed sum's terms at the log's end carried forward (CarriedDrops): against the exact sum at
  // every drawn step (7e-7 on this log; the blocks placed from each step were as far off).
  const exactLoss = predictMultiPower(mpl.value.model, schedule, steps, 'exact');
  assert.ok(off(alone.loss, exactLoss) < 1e-6, `${off(alone.loss, exactLoss)} off the exact sum`);
});

test("the chart past a long log starts from the analysis's sums at the log's end: the same numbers, none of a pass", async () => {
  // On the bench's million-row log the chart's slice summed both laws over the whole schedule on the server's thread
  // (0.2-0.25 s): the LR-annealing law's areas and the multi-power law's loss-drop terms at the log's end are summed
  // with the analysis (addLogEnds, in its worker) and carried on from there.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weights && fit.runnerUpFit, 'a mean of both laws');
  const schedule = scheduleOf({
    ...defaultSpec({ peakLr: 3e-4, warmupSteps: 500, totalSteps: 200_000 }),
    minLrRatio: 0.1,
  });
  const end = logEndSums(fit, schedule);
  assert.ok(end?.areas && end.drops, "both laws' sums");
  const steps = Float64Array.from({ length: 60 }, (_, k) => Math.round(200_000 * Math.pow(2, k / 59)));
  const summedHere = meanWithRefits(fit, pastLogSums(schedule), steps);
  const carried = meanWithRefits(fit, pastLogSums(schedule, end), steps);
  assert.ok(summedHere?.ok && carried?.ok && summedHere.value.mixture && carried.value.mixture);
  const off = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Math.max(...Array.from(a, (v, k) => Math.abs(v / b[k] - 1)));
  assert.ok(off(carried.value.loss, summedHere.value.loss) < 1e-12, 'the line');
  carried.value.mixture.forEach((set, r) => assert.ok(off(set, summedHere.value.mixture![r]) < 1e-12, `refit ${r}`));
  // Against the direct computation: each law summed from step 1 at every drawn step, the multi-power law exactly.
  const tissue = lawSettings(fit);
  const mpl = lawSettings(fit.runnerUpFit);
  assert.ok(tissue.ok && mpl.ok && mpl.value.law === 'mpl');
  const direct = [predictLoss(tissue.value, schedule, steps), predictMultiPower(mpl.value.model, schedule, steps)];
  const alone = [tissue.value, mpl.value].map((law, k) => {
    const refits = fit.selection!.spreadRefits![k === 0 ? 'lr-annealing' : 'mpl']!;
    return lawWithRefits(law, refits, pastLogSums(schedule, end), steps).loss;
  });
  assert.ok(off(alone[0], direct[0]) < 1e-12, `the LR-annealing law: ${off(alone[0], direct[0])}`);
  assert.ok(off(alone[1], direct[1]) < 1e-6, `the multi-power law: ${off(alone[1], direct[1])}`);
  // A law chosen alone (no refits kept) reads them too.
  const sums = pastLogSums(schedule, end);
  assert.ok(off(pastLoss(tissue.value, sums, steps), direct[0]) < 1e-12, 'the LR-annealing law alone');
  assert.ok(off(pastLoss(mpl.value, sums, steps), direct[1]) < 1e-6, 'the multi-power law alone');
  // Sums under other settings (a stale analysis's) are not read: the chart sums its own.
  const stale = { ...end, areas: { ...end.areas, lambda: 0.99 }, drops: { ...end.drops, etaRef: 1 } };
  const resummed = meanWithRefits(fit, pastLogSums(schedule, stale), steps);
  assert.ok(resummed?.ok && off(resummed.value.loss, summedHere.value.loss) < 1e-12);
});

/** A run resumed and logged over steps 20k-21k at a constant LR (L = 2.2 + 0.5·S1^-0.5, plus 400·N^-0.34 by size). */
function resumedLog(sizes?: number[]): string {
  const random = seededRandom(1);
  const rows = [sizes ? 'run,step,lr,loss,params' : 'step,lr,loss'];
  for (const n of sizes ?? [0])
    for (let step = 20_000; step <= 21_000; step += 10) {
      const truth = 2.2 + 0.5 * Math.pow(3e-4 * step, -0.5) + (sizes ? 400 * Math.pow(n, -0.34) : 0);
      const loss = (truth * (1 + 0.0005 * normal(random))).toFixed(6);
      rows.push(sizes ? `r${n / 1e6}M,${step},3e-4,${loss},${n}` : `${step},3e-4,${loss}`);
    }
  return rows.join('\n') + '\n';
}

for (const law of ['lr-annealing', 'lr-annealing-size'] as const)
  test(`what-if (${law}): a log resumed at step 20k draws a schedule to 22k, not to 100k (past its reach in S1)`, () => {
    // The analysis withholds step 100k (loss-range-short); the what-if drew it all the same: a constant LR to 100k
    // ended at 2.247 where the law the points were drawn from gives 2.291 (6 seeds: 0.036-0.063 under).
    const sizes = law === 'lr-annealing-size' ? [25e6, 100e6, 400e6] : undefined;
    const analysis = analyseTables([parseText(resumedLog(sizes), { fileName: 'run.csv' })], {
      law,
      bootstrapSamples: 0,
    });
    const fit = analysis.fits[0];
    const { low, high } = fit.s1Reach ?? { low: NaN, high: NaN };
    assert.ok(Math.abs(low - 6) < 1e-9 && Math.abs(high - 6.3) < 1e-9, JSON.stringify(fit.s1Reach));
    const defaults = whatIfDefaults(analysis, fit);
    const spec = { ...defaultSpec(defaults), shape: 'constant' as const, warmupSteps: 0, peakLr: 3e-4 };
    const options = { fromStep: defaults.fromStep, sizes: defaults.sizes };
    assert.ok(whatIfCurve(fit, { ...spec, totalSteps: 22_000 }, 'A', options).ok);
    const far = whatIfCurve(fit, { ...spec, totalSteps: 100_000 }, 'B', options);
    assert.ok(!far.ok, `final loss ${far.ok && far.value.finalLoss}`);
    assert.match(
      far.message,
      /^B: by step [\d,]+ its S1 \([\d.]+\) lies more than one span of the fitted logs' S1 \(6–6\.3\) past them.* this fit cannot predict the schedule/,
    );
    // A lower LR falls below the logs' S1 from the first step asked: fewer steps would not help, so it says what would.
    const lower = whatIfCurve(fit, { ...spec, peakLr: 1e-4, totalSteps: 22_000 }, 'B', options);
    assert.ok(!lower.ok);
    assert.match(lower.message, /^B: at step [\d,]+ its S1 \([\d.]+\) lies more than one span .* below them/);
    assert.match(lower.message, /Ask for an LR nearer the logged run's/);
    assert.doesNotMatch(lower.message, /fewer steps/);
  });
