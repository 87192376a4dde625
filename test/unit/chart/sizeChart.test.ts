// The model-size law on the chart: one colour (group) per model size, listed by size in the legend, its lines and
// bands extrapolated to the targets, and what-if curves for a model of any size the fit can speak for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildChart, whatIfDefaults } from '../../../src/core/chart/series';
import type { WhatIfSpec } from '../../../src/core/chart/types';
import { defaultSpec, whatIfCurve } from '../../../src/core/chart/whatIf';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { analyse, log, TRUE } from '../../helpers/sizedRuns';

const FIT_TWO_SIZES = [
  'constant (m25/constant.csv)',
  'cosine (m25/cosine.csv)',
  'constant (m100/constant.csv)',
  'cosine (m100/cosine.csv)',
];

/** The law's loss at the end of a constant-LR run of `steps` at the peak LR, for a model of N parameters. */
function constantLoss(n: number, steps: number, peak: number): number {
  return (
    TRUE.L0 + TRUE.A * Math.pow(peak * steps, -TRUE.alpha) + TRUE.B * Math.pow(n, -TRUE.beta) // S2 = 0 at a constant LR
  );
}

test('chart of the model-size law: one group per size, smallest first, named N=25M, with bands and extrapolations', () => {
  const analysis = analyse(
    ['m400', 'm25', 'm100'],
    { fitOn: ['constant', 'cosine'], bootstrapSamples: 10 },
    true,
    ['constant', 'cosine', 'wsd'],
    2e-3,
  );
  const { data } = buildChart(analysis);
  assert.deepEqual(data.groups, ['N=25M', 'N=100M', 'N=400M']);
  assert.equal(data.legendByGroup, true);
  for (const c of analysis.curves) {
    const group = `N=${{ 25e6: '25M', 1e8: '100M', 4e8: '400M' }[c.modelSize!]}`;
    const law = data.series.find((s) => s.id === `law:${c.name}`)!;
    assert.equal(law.group, group, c.name);
    assert.equal(data.series.find((s) => s.id === `obs:${c.name}`)!.group, group);
    assert.equal(data.series.find((s) => s.id === `lr:${c.name}`)!.group, group);
    // The law goes on past the log to the target (twice the last step), inside its band.
    assert.equal(law.x[law.x.length - 1], 2 * c.points.x[c.points.x.length - 1]);
    const band = data.series.find((s) => s.id === `band:${c.name}`)!;
    const last = band.x.length - 1;
    assert.ok(band.y[last] <= law.y[last] && law.y[last] <= band.y2![last], c.name);
  }
  assert.ok(data.markers.every((m) => data.groups.includes(m.group)));
  assert.deepEqual(data.whatIf?.sizes, { fitted: [25e6, 1e8, 4e8], extrapolates: true });
  // The LR held past the log is listed once per assumption, not once per curve (three sizes of one schedule).
  const assumed = data.series.filter((s) => s.kind === 'schedule-assumed').map((s) => s.label);
  assert.equal(new Set(assumed).size, assumed.length, JSON.stringify(assumed));
  assert.ok(assumed.length < analysis.curves.length, JSON.stringify(assumed));
  assert.ok(
    assumed.every((l) => l.startsWith('assumed: LR held at ')),
    JSON.stringify(assumed),
  );
});

test('what-if of the model-size law: any size under any schedule, exactly the law', () => {
  const analysis = analyse(['m25', 'm100', 'm400'], { fitOn: ['constant', 'cosine'] });
  const fit = analysis.fits[0];
  const defaults = whatIfDefaults(analysis, fit);
  const spec: WhatIfSpec = { ...defaultSpec(defaults, 'constant'), warmupSteps: 0, totalSteps: 20000 };
  // By default the largest fitted size; any other size on request, 1B included (three sizes pin the size term).
  assert.equal(spec.modelSize, 4e8);
  for (const n of [4e8, 1e9, 5e6]) {
    const curve = whatIfCurve(fit, { ...spec, modelSize: n }, 'A', { sizes: defaults.sizes });
    assert.ok(curve.ok, curve.ok ? '' : curve.message);
    const expected = constantLoss(n, 20000, spec.peakLr);
    assert.ok(Math.abs(curve.value.finalLoss / expected - 1) < 1e-4, `N ${n}: ${curve.value.finalLoss} vs ${expected}`);
  }
  const big = whatIfCurve(fit, { ...spec, modelSize: 1e9 }, 'A', { sizes: defaults.sizes });
  const small = whatIfCurve(fit, { ...spec, modelSize: 25e6 }, 'B', { sizes: defaults.sizes });
  assert.ok(big.ok && small.ok && big.value.finalLoss < small.value.finalLoss);
  assert.equal(big.value.label, 'A · N=1B');
  // A size that reads as a fitted one at 4 digits is labelled with the digits that tell it apart.
  const near = whatIfCurve(fit, { ...spec, modelSize: 1e8 + 1 }, 'C', { sizes: defaults.sizes });
  assert.equal(near.ok && near.value.label, 'C · N=100.000001M');
  // Past one span of the fitted sizes' log range (25M-400M reach 1.5625M-6.4B) a size is refused (reach.ts).
  assert.match(
    checkMessage(whatIfCurve(fit, { ...spec, modelSize: 1e10 }, 'A', { sizes: defaults.sizes })),
    /^A: the model-size law is too far past the data: N = 10B is 1\.2 times as far past the fitted N \(25M–400M\)/,
  );
  assert.match(
    checkMessage(whatIfCurve(fit, { ...spec, modelSize: -1 }, 'A', { sizes: defaults.sizes })),
    /model size/,
  );
});

test('what-if of the model-size law fitted on two sizes: the fitted sizes only, unless beta is held', () => {
  const free = analyse(['m25', 'm100', 'm400'], { fitOn: FIT_TWO_SIZES });
  const defaults = whatIfDefaults(free, free.fits[0]);
  assert.deepEqual(defaults.sizes, { fitted: [25e6, 1e8], extrapolates: false });
  const spec = { ...defaultSpec(defaults, 'cosine'), modelSize: 4e8 };
  assert.match(
    checkMessage(whatIfCurve(free.fits[0], spec, 'what-if A', { sizes: defaults.sizes })),
    /^what-if A: the model-size law was fitted on curves of N = 25M and N = 100M only.*\(N = 400M\)/,
  );
  assert.ok(whatIfCurve(free.fits[0], { ...spec, modelSize: 25e6 }, 'A', { sizes: defaults.sizes }).ok);
  // A size 1 above a fitted one is refused too, and the refusal tells the two apart.
  assert.match(
    checkMessage(whatIfCurve(free.fits[0], { ...spec, modelSize: 1e8 + 1 }, 'B', { sizes: defaults.sizes })),
    /curves of N = 25M and N = 100M only.*\(N = 100\.000001M\)/,
  );

  const held = analyse(['m25', 'm100', 'm400'], { fitOn: FIT_TWO_SIZES, sizeExponent: TRUE.beta });
  const heldDefaults = whatIfDefaults(held, held.fits[0]);
  assert.equal(heldDefaults.sizes?.extrapolates, true);
  const at400 = whatIfCurve(held.fits[0], { ...spec, shape: 'constant', warmupSteps: 0, totalSteps: 20000 }, 'A', {
    sizes: heldDefaults.sizes,
  });
  assert.ok(at400.ok);
  assert.ok(Math.abs(at400.value.finalLoss / constantLoss(4e8, 20000, spec.peakLr) - 1) < 1e-4);
});

function checkMessage(outcome: { ok: true } | { ok: false; message: string }): string {
  return outcome.ok ? '' : outcome.message;
}

test('sizes that read alike at 4 digits (1e8, 1e8+1, 1e8+2) get groups and a fit summary that tell them apart', () => {
  const sizes = [1e8, 1e8 + 1, 1e8 + 2];
  const tables = sizes.map((n, i) => {
    const name = `/runs/near${i}/cosine.csv`;
    return parseText(log('cosine', n, true), { fileName: name, displayName: name });
  });
  const analysis = analyseTables(tables, { law: 'lr-annealing-size', bootstrapSamples: 0, lambda: 0.999 });
  assert.deepEqual(
    analysis.curves.map((c) => c.modelSize),
    sizes,
  );
  const { data } = buildChart(analysis);
  assert.deepEqual(data.groups, ['N=100M', 'N=100.000001M', 'N=100.000002M']);
  assert.equal(analysis.fits[0].settings.sizesFitted, '100M, 100.000001M, 100.000002M');
  // Sizes of another fit that read apart at 4 digits keep them.
  assert.deepEqual(buildChart(analyse(['m25', 'm100'], { fitOn: ['constant', 'cosine'] })).data.groups, [
    'N=25M',
    'N=100M',
  ]);
});
