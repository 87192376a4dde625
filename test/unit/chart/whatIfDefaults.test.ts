// The what-if panel's schedule A is the file's own schedule as logged, whatever its shape (WSD, constant, linear
// decay, cosine), and B a cosine to weigh it against (a constant-LR run, which cannot predict a decay: the same LR for
// twice as long); a file without a logged schedule compares cosine with WSD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import type { Analysis } from '../../../src/core/analysis/types';
import { buildChart, referenceCurve } from '../../../src/core/chart/series';
import { defaultSpec, whatIfCurve, whatIfLawName } from '../../../src/core/chart/whatIf';
import { fitLawName } from '../../../src/core/analysis/lawNames';
import { parseText } from '../../../src/core/table';
import { defaultSpecs, knobText, loggedNote, outcomeLines } from '../../../src/webview/whatIfForm';
import { REPO } from '../../helpers/shared';

/** A linear decay from the peak to a tenth of it, with a loss that falls as the LR area grows. */
function linearRun(): string {
  const rows: string[] = [];
  let area = 0;
  for (let s = 1; s <= 2000; s++) {
    const lr = 3e-4 * (1 - (0.9 * s) / 2000);
    area += lr;
    if (s % 10 === 0) rows.push(`${s},${lr},${2.5 + 0.8 * Math.pow(area, -0.4) - 30 * (3e-4 - lr) * 0.2}`);
  }
  return `step,lr,loss\n${rows.join('\n')}\n`;
}

/** Schedule A's LR at the file's logged steps against the LR the file logged there (relative). */
function scheduleAOff(analysis: Analysis): { shapes: string[]; off: number } {
  const model = buildChart(analysis);
  const defaults = model.data.whatIf!;
  const specs = defaultSpecs(defaults);
  const fit = analysis.fits[0];
  const own = referenceCurve(analysis, fit)!.schedule!;
  const curve = whatIfCurve(fit, specs[0], 'A', {
    fromStep: defaults.fromStep,
    logged: { steps: Float64Array.from(own.steps), lr: Float64Array.from(own.lr) },
  });
  assert.ok(curve.ok, curve.ok ? '' : curve.message);
  let off = 0;
  curve.value.steps.forEach((s, k) => {
    const at = own.steps.indexOf(s);
    if (at >= 0) off = Math.max(off, Math.abs(curve.value.lr[k] / own.lr[at] - 1));
  });
  return { shapes: specs.map((s) => s.shape), off };
}

test("schedule A defaults to the file's own schedule: WSD, constant and linear decay runs", async () => {
  const files = [join(REPO, 'examples/loss/wsd.jsonl'), join(REPO, 'examples/loss/constant.csv')];
  const analyses = [
    ...(await Promise.all(files.map((f) => analyseFiles([f], { law: 'lr-annealing', bootstrapSamples: 0 })))),
    analyseTables([parseText(linearRun(), { fileName: 'linear.csv' })], { law: 'lr-annealing', bootstrapSamples: 0 }),
  ];
  for (const analysis of analyses) {
    const { shapes, off } = scheduleAOff(analysis);
    // A constant-LR run cannot predict a decay (unseenDrop.ts): B trains it longer at its LR instead.
    const constant = analysis.fits[0].lrFloor !== undefined;
    assert.equal(constant, analysis.files[0].file.endsWith('constant.csv'), analysis.files[0].file);
    assert.deepEqual(shapes, ['logged', constant ? 'constant' : 'cosine'], analysis.files[0].file);
    assert.ok(off < 1e-9, `${analysis.files[0].file}: schedule A is ${off} off the logged LR`);
  }
});

test('a fit that never saw its LR lowered: B trains twice as long at the same LR, and is drawn', async () => {
  const analysis = await analyseFiles([join(REPO, 'examples/loss/constant.csv')], { bootstrapSamples: 0 });
  const defaults = buildChart(analysis).data.whatIf!;
  assert.ok(defaults.lrFloor !== undefined && defaults.lrFloor > 0.99, String(defaults.lrFloor));
  const [, b] = defaultSpecs(defaults);
  assert.equal(b.shape, 'constant');
  assert.equal(b.totalSteps, 2 * defaults.totalSteps);
  const drawn = whatIfCurve(analysis.fits[0], b, 'B', { fromStep: defaults.fromStep });
  assert.ok(drawn.ok, drawn.ok ? '' : drawn.message);
  // A cosine, picked by hand, is refused with the reason.
  const cosine = whatIfCurve(analysis.fits[0], { ...b, shape: 'cosine' }, 'B', { fromStep: defaults.fromStep });
  assert.ok(!cosine.ok && /never lower their LR/.test(cosine.message));
});

test('without a logged schedule the what-if compares a cosine with WSD', () => {
  const defaults = { law: 'LR-annealing law', peakLr: 3e-4, warmupSteps: 0, totalSteps: 1000, fromStep: 1 };
  assert.deepEqual(
    defaultSpecs(defaults).map((s) => s.shape),
    ['cosine', 'wsd'],
  );
});

test('the what-if names the law it predicts with, and starts with the warmup the fit was given, under MPL too', async () => {
  // The form's title said "LR-annealing law" over MPL's what-ifs, and MPL's fits gave schedule B no warmup.
  const analysis = await analyseFiles([join(REPO, 'examples/loss/sweep.csv')], {
    law: 'mpl',
    warmupSteps: 300,
    bootstrapSamples: 0,
  });
  const defaults = buildChart(analysis).data.whatIf!;
  assert.equal(defaults.law, 'MPL');
  assert.equal(defaults.warmupSteps, 300);
  assert.deepEqual(
    defaultSpecs(defaults).map((s) => s.warmupSteps),
    [300, 300],
  );
  // Under a mean of both laws a what-if is the mean, named as the lens names it; without the multi-power law's fit
  // (a followed run's warm refit reports no runner-up) the reported law's alone.
  const mean = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 0 });
  const fit = mean.fits[0];
  assert.ok(fit.selection?.weights && fit.runnerUpFit);
  assert.equal(whatIfLawName(fit), fitLawName(fit));
  assert.equal(whatIfLawName({ ...fit, runnerUpFit: undefined }), 'LR-annealing law alone');
  assert.equal(whatIfLawName({ law: 'mpl' }), 'MPL');
});

test('B − A is printed to the decimal place of the final losses: a difference they do not show is none', () => {
  const spec = defaultSpec({ peakLr: 3e-4, warmupSteps: 0, totalSteps: 20000 });
  const curve = (label: string, finalLoss: number) => ({
    ok: true as const,
    value: { label, spec, steps: [], loss: [], lr: [], finalLoss },
  });
  // The cosine.csv what-ifs (its own cosine against a cosine) read "B − A = -0.00000189 (B ends lower)".
  assert.equal(
    outcomeLines([curve('what-if A', 2.485301), curve('what-if B', 2.485299)])[2],
    'B − A = 0.0000 (the same to 4 decimals)',
  );
  assert.equal(
    outcomeLines([curve('what-if A', 3.34986), curve('what-if B', 3.3078)])[2],
    'B − A = -0.0421 (B ends lower)',
  );
  assert.equal(
    outcomeLines([curve('what-if A', 2.5796), curve('what-if B', 2.8305)]).at(-1),
    'B − A = 0.2509 (A ends lower)',
  );
  // Step counts as the LR panel's legend writes them ("assumed: LR held at 3e-5 after step 20k"), not "20,000".
  assert.match(outcomeLines([curve('what-if A', 2.5796)])[0], /^what-if A \(cosine, 20k steps\): final loss 2\.5796$/);
  const odd = {
    ok: true as const,
    value: { ...curve('', 2.5).value, label: 'A', spec: { ...spec, totalSteps: 20_050 } },
  };
  assert.equal(outcomeLines([odd])[0], 'A (cosine, 20.05k steps): final loss 2.5000');
  assert.equal(
    loggedNote({ ...spec, shape: 'logged' }, { curve: 'cosine', lastStep: 20_000, lastLr: 3e-5 }),
    "cosine's schedule, scaled to the peak LR, held at its last LR after step 20k.",
  );
});

test('a resumed log (loss-range-short): B opens within its reach in S1; one past it is refused with the step', () => {
  // Steps 20k-21k of a run at a constant LR: its own target at 42k is withheld, and so is a what-if's loss there.
  const rows = ['step,lr,loss'];
  for (let s = 20_000; s <= 21_000; s += 10)
    rows.push(`${s},0.0003,${(2.2 + 1.5 * Math.pow(s / 100, -0.3) + 0.001 * Math.sin(s)).toFixed(5)}`);
  const analysis = analyseTables([parseText(rows.join('\n') + '\n', { fileName: 'resumed.csv' })], {
    bootstrapSamples: 0,
  });
  const fit = analysis.fits[0];
  assert.ok(fit.s1Reach, 'the fit keeps its reach in S1');
  assert.equal(analysis.predictions[0].status, 'fit-unsupported');
  const defaults = buildChart(analysis).data.whatIf!;
  const [a, b] = defaultSpecs(defaults);
  const options = { fromStep: defaults.fromStep };
  // B opens within the reach (twice as long, 42k, was refused as soon as the chart opened): as long as it allows.
  assert.equal(b.shape, 'constant');
  assert.equal(b.totalSteps, defaults.reachSteps);
  assert.ok(b.totalSteps > 21_000 && b.totalSteps < 42_000, String(b.totalSteps));
  const drawn = whatIfCurve(fit, b, 'B', options);
  assert.ok(drawn.ok, drawn.ok ? '' : drawn.message);
  const far = whatIfCurve(fit, { ...b, totalSteps: b.totalSteps + 1 }, 'B', options);
  assert.ok(!far.ok, 'a step longer lies past the reach');
  const twice = whatIfCurve(fit, { ...b, totalSteps: 42_000 }, 'B', options);
  assert.ok(!twice.ok, 'no loss at the step the lens withholds');
  assert.match(
    twice.message,
    /^B: by step \d+ its S1 \([\d.]+\) lies more than one span of the fitted logs' S1 \(6–6\.3\) past them/,
  );
  const near = whatIfCurve(fit, { ...b, totalSteps: 22_000 }, 'B', options);
  assert.ok(near.ok, near.ok ? '' : near.message);
  const own = referenceCurve(analysis, fit)!.schedule!;
  const logged = { steps: Float64Array.from(own.steps), lr: Float64Array.from(own.lr) };
  const asLogged = whatIfCurve(fit, a, 'A', { ...options, logged });
  assert.ok(asLogged.ok, asLogged.ok ? '' : asLogged.message);
});

test("a knob's box shows a float's noise as the number it stands for, and counts as they are", () => {
  // A computed schedule's peak and a TensorBoard float32's: the peak LR box read 0.00030000000000000003.
  assert.equal(knobText(0.1 * 3e-4 + 0.45 * 3e-4 * 2), '0.0003');
  assert.equal(knobText(Math.fround(3e-4)), '0.0003');
  assert.equal(knobText(0.0002999333856493738), '0.000299933');
  assert.equal(knobText(1e-7), '1e-7');
  assert.equal(knobText(24_000), '24000');
  assert.equal(knobText(0.1), '0.1');
});
