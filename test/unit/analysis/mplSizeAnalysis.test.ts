// The multi-power law with model size (`--law mpl-size`) on synthetic logs that follow it: fitted on two schedules
// of three sizes it predicts the third schedule of every size; its bands, its what-if at any size, and the
// identifiability rule it shares with the LR-annealing model-size law.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whatIfDefaults } from '../../../src/core/chart/series';
import { lawSettings, predictLoss, whatIfCurve, defaultSpec } from '../../../src/core/chart/whatIf';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { analyse, log, PEAK, SIZES } from '../../helpers/sizedRuns';

const THREE = ['m25', 'm100', 'm400'];
const run = (options: Parameters<typeof analyse>[1], folders = THREE) =>
  analyse(folders, { law: 'mpl-size', ...options }, true, undefined, 0, 'mpl-size');

test('mpl-size: fitted on two schedules of three sizes, the third schedule of every size is predicted', () => {
  const a = run({ fitOn: ['constant', 'cosine'] });
  const fit = a.fits[0];
  assert.equal(fit.law, 'mpl-size');
  assert.deepEqual(Object.keys(fit.params), ['L0', 'A', 'alpha', 'E', 'eps', 'B', 'zeta', 'C', 'beta', 'gamma']);
  assert.equal(fit.settings.sizesFitted, '25M, 100M, 400M');
  const heldOut = a.curves.filter((c) => c.role === 'heldout');
  assert.equal(heldOut.length, 3);
  for (const c of heldOut) assert.ok(c.metrics!.predE < 2e-4, `${c.name}: PredE ${c.metrics!.predE}`);
  assert.ok(
    Math.abs(fit.params.eps - 0.3) < 0.02 && Math.abs(fit.params.zeta - 0.15) < 0.05,
    JSON.stringify(fit.params),
  );
  assert.equal(a.findings.filter((f) => f.severity !== 'info').length, 0, JSON.stringify(a.findings));
});

test('mpl-size: the what-if at a size is the analysis at that size, and any other size can be asked for', () => {
  const a = run({ fitOn: ['constant', 'cosine'] });
  const fit = a.fits[0];
  for (const c of a.curves.filter((c) => c.role === 'heldout')) {
    const law = lawSettings(fit, c.modelSize);
    assert.ok(law.ok);
    const schedule = { steps: Float64Array.from(c.schedule!.steps), lr: Float64Array.from(c.schedule!.lr) };
    const predicted = predictLoss(law.value, schedule, c.points.x);
    predicted.forEach((v, i) => assert.ok(Math.abs(v - c.points.predicted[i]) < 1e-9, `${c.name} at ${c.points.x[i]}`));
  }
  const defaults = whatIfDefaults(a, fit);
  const spec = { ...defaultSpec(defaults, 'cosine'), modelSize: 1e9 };
  const big = whatIfCurve(fit, spec, 'A', { sizes: defaults.sizes });
  const small = whatIfCurve(fit, { ...spec, modelSize: 25e6 }, 'B', { sizes: defaults.sizes });
  assert.ok(big.ok && small.ok);
  assert.equal(big.value.label, 'A · N=1B');
  assert.ok(big.value.finalLoss < small.value.finalLoss);
});

test('mpl-size bands: a few refits of all sizes together give every prediction a band and the coefficients intervals', () => {
  const a = analyse(
    THREE,
    { law: 'mpl-size', fitOn: ['constant', 'cosine'], bootstrapSamples: 6 },
    true,
    undefined,
    2e-3,
    'mpl-size',
  );
  const fit = a.fits[0];
  assert.match(String(fit.settings.band), /^6 moving-block bootstrap refits/);
  assert.ok(fit.intervals!.eps[0] < fit.intervals!.eps[1]);
  for (const p of a.predictions) assert.ok(p.low! < p.value! && p.value! < p.high!, `${p.curve}: ${p.low} ${p.high}`);
});

test('mpl-size on two sizes: sizes-too-few and the third size withheld, unless the size exponent is held', () => {
  const fitOn = [
    'constant (m25/constant.csv)',
    'cosine (m25/cosine.csv)',
    'constant (m100/constant.csv)',
    'cosine (m100/cosine.csv)',
  ];
  const free = run({ fitOn });
  assert.ok(free.findings.some((f) => f.code === 'sizes-too-few'));
  assert.ok(free.curves.filter((c) => c.file.includes('m400')).every((c) => c.role === 'unfitted'));
  const held = run({ fitOn, sizeExponent: 0.3 });
  assert.equal(held.fits[0].params.eps, 0.3);
  assert.equal(held.fits[0].settings.held, 'eps = 0.3');
  assert.ok(!('eps' in held.fits[0].intervals!));
  const of400 = held.curves.filter((c) => c.file.includes('m400'));
  assert.ok(
    of400.every((c) => c.role === 'heldout' && c.metrics!.predE < 2e-3),
    JSON.stringify(of400.map((c) => c.metrics)),
  );
});

test('mpl-size: a held-out run whose LR is 0 every other row is named, not predicted with single-step sums', () => {
  // Only the fit curves' loss-drop sums had a budget of terms: this run's predictions split every sum to single steps.
  const tables = ['m25', 'm100'].flatMap((folder) =>
    (['constant', 'cosine'] as const).map((kind) => {
      const name = `/runs/${folder}/${kind}.csv`;
      return parseText(log(kind, SIZES[folder], true, 0, 'mpl-size'), { fileName: name, displayName: name });
    }),
  );
  const rows = Array.from({ length: 1000 }, (_, k) => `${(k + 1) * 100},${k % 2 ? 0 : PEAK},2.5,1e8`);
  const name = '/runs/m100/osc.csv';
  tables.push(parseText(`step,lr,loss,params\n${rows.join('\n')}\n`, { fileName: name, displayName: name }));
  const a = analyseTables(tables, { law: 'mpl-size', bootstrapSamples: 0, fitOn: ['constant', 'cosine'] });
  assert.equal(a.fits.length, 0);
  const failed = a.findings.find((f) => f.code === 'fit-failed');
  assert.match(failed?.message ?? JSON.stringify(a.findings), /the LR of "[^"]*osc" moves by large factors/);
});
