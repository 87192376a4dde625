// The chart draws no number the analysis withheld: past a BLEU law's break there is no law line, band or target, and
// a fit the data do not support gets no band, no extrapolation and no target marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { buildChart, sampleChart } from '../../../src/core/chart/series';
import { maxOf } from '../../../src/core/util/arrays';
import { REPO } from '../../helpers/shared';
import { SPARSE_LIGHTNING_LINES } from '../../helpers/frameworkRuns';
import { scratchDir } from '../../helpers/scratch';

const chartOf = async (path: string) => {
  const analysis = await analyseFiles([path], { bootstrapSamples: 20 });
  return sampleChart(buildChart(analysis), { width: 800, logX: true, full: true });
};

test('a broken BLEU law is drawn only up to its break: no band, target or law past it', async () => {
  const data = await chartOf(join(REPO, 'examples/downstream/downstream_sweep.csv'));
  const of = (kind: string, group: string, metric = 'BLEU') =>
    data.series.find((s) => s.kind === kind && s.id.endsWith(`${group} · ${metric}`));
  const broken = 'misaligned-en-fr, D_f=42M';
  // The law's line ends at the last point before the break (4B); the break itself is still marked.
  const law = of('law', broken)!;
  assert.equal(Math.round(maxOf(law.x)), 4e9);
  assert.ok(data.markers.some((m) => m.kind === 'break' && m.group === broken && m.x === 8e9));
  assert.equal(of('target', broken), undefined, 'no target past the break');
  const band = of('band', broken);
  assert.ok(!band || maxOf(band.x) <= 4e9, 'no band past the break');
  // The aligned group's law still runs to its target at 2×D_p with a band and a marker.
  const aligned = 'aligned-en-de, D_f=42M';
  assert.equal(Math.round(maxOf(of('law', aligned)!.x)), 128e9);
  assert.ok(of('band', aligned) && of('target', aligned));
  // The CE law of the broken group is not broken: it keeps its target.
  assert.ok(of('target', broken, 'CE'));
  // Both panels' x is D_p, named by its column and its unit.
  assert.deepEqual(
    data.panels.map((p) => p.xLabel),
    ['D_p (pretraining tokens)', 'D_p (pretraining tokens)'],
  );
});

test('an unsupported loss fit: the law over the data only, no band, no extrapolation, no target marker', async () => {
  const dir = scratchDir('scaling-lens-chart-trust-');
  const path = join(dir, 'metrics.csv');
  writeFileSync(path, SPARSE_LIGHTNING_LINES.join('\n'));
  const data = await chartOf(path);
  const law = data.series.find((s) => s.kind === 'law')!;
  assert.equal(maxOf(law.x), 10000, 'the law stops at the last logged step');
  assert.equal(
    data.series.find((s) => s.kind === 'band'),
    undefined,
  );
  assert.deepEqual(
    data.markers.filter((m) => m.kind === 'target'),
    [],
  );
  // The chart says why: without a word, the missing band and prediction read as a chart that lost them.
  assert.equal(data.notes.length, 1, JSON.stringify(data.notes));
  assert.match(data.notes[0], /fit is not supported by the data \(.+\), so no band or prediction is drawn from it/);
});

test('an unsupported (N, D) fit: observed runs only, no law lines, frontier or budget markers', async () => {
  const dir = scratchDir('scaling-lens-chart-trust-nd-');
  const path = join(dir, 'sweep.csv');
  // Six runs for five coefficients: the fit passes through them and says nothing about the noise.
  const rows = [
    [1e8, 2e9],
    [1e8, 8e9],
    [4e8, 8e9],
    [4e8, 3.2e10],
    [1.6e9, 3.2e10],
    [1.6e9, 1.28e11],
  ].map(([n, d], i) => `${n},${d},${(1.7 + 400 / n ** 0.34 + 410 / d ** 0.28 + 0.01 * Math.sin(i * 7)).toFixed(4)}`);
  writeFileSync(path, ['params,tokens,loss', ...rows].join('\n') + '\n');
  const analysis = await analyseFiles([path], { bootstrapSamples: 20, computeBudgets: [1e21] });
  assert.ok(analysis.fits[0]?.unsupported, 'the verdict says the fit is not supported');
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true, full: true });
  assert.ok(data.series.some((s) => s.kind === 'observed'));
  assert.deepEqual(
    data.series.filter((s) => s.kind === 'law' || s.kind === 'frontier' || s.kind === 'band').map((s) => s.id),
    [],
  );
  assert.equal(data.markers.filter((m) => m.kind === 'target').length, 0);
});

test('a target withheld from a supported fit (past a resumed log, loss-range-short): no marker, and a note says why', async () => {
  const dir = scratchDir('scaling-lens-chart-trust-reach-');
  const path = join(dir, 'resumed.csv');
  // A run resumed at step 20k and logged to 21k at a constant LR: its default target, 42k, is past its reach in S1.
  const rows = ['step,lr,loss'];
  for (let s = 20_000; s <= 21_000; s += 10)
    rows.push(`${s},0.0003,${(2.2 + 1.5 * Math.pow(s / 100, -0.3) + 0.001 * Math.sin(s)).toFixed(5)}`);
  writeFileSync(path, rows.join('\n') + '\n');
  const data = await chartOf(path);
  assert.equal(data.markers.filter((m) => m.kind === 'target').length, 0);
  assert.equal(data.notes.length, 1, JSON.stringify(data.notes));
  assert.match(data.notes[0], /^resumed: L\(42k\): no prediction — too far past the data: step 42000's S1 = .+\.$/);
});
