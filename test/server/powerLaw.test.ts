// A power law fitted to a loss curve's steps (law 'power', x = step) through the server's cache: its summary, lenses,
// chart and Predict at... say what was fitted (the loss against the step), never an (N, D) or compute fit. The power
// law's x is a command-line option only (no setting), so the runner here adds it to each job as `--power-x` would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { plainAnalysis } from '../../src/core/analysis/series';
import { buildChart, sampleChart } from '../../src/core/chart/series';
import { FileCache } from '../../src/server/fileCache';
import { runJob } from '../../src/server/job';
import { buildLenses } from '../../src/server/lenses';
import { predict } from '../../src/server/predict';
import { resolveSettings } from '../../src/server/settings';
import { powerLawRows } from '../helpers/syntheticLoss';
import { scratchDir } from '../helpers/scratch';

const COMPUTE_WORDS = /compute|\(N, D\)|FLOP|C = /;
const steps = Array.from({ length: 30 }, (_, i) => (i + 1) * 100);

function powerCache(): FileCache {
  return new FileCache({
    documents: new Map([[URI, TextDocument.create(URI, 'csv', 1, `step,lr,loss\n${powerLawRows(0, 60)}`)]]),
    settings: async () => resolveSettings({ law: 'power', fit: { bootstrapSamples: 20 } }),
    runner: async (job) => runJob({ ...job, options: { ...job.options, powerX: 'step' } }),
    events: { summary: () => undefined, diagnostics: () => undefined, analysed: () => undefined, log: () => undefined },
  });
}

const URI = pathToFileURL(join(scratchDir('scaling-lens-power-'), 'run.csv')).toString();

test('a power law on a loss curve is kind power: its lenses, chart and summary speak of the loss against the step', async () => {
  const cache = powerCache();
  try {
    const analysis = await cache.ensure(URI, 'request');
    assert.ok(analysis);
    assert.equal(analysis.kind, 'power');
    assert.equal(cache.summary(URI)?.kind, 'power');
    assert.deepEqual(
      analysis.fits.map((f) => f.law),
      ['power'],
    );
    const lenses = buildLenses(analysis, analysis.curves[0].file, URI);
    const titles = lenses.map((l) => l.command!.title);
    // Fitted along one run's steps, its one band is where the run's next logged point falls: no "new run" band.
    assert.match(titles[0], /^L\(12k\) = \d\.\d+ \[\d\.\d+, \d\.\d+\]$/);
    assert.match(titles[1], /^Loss · power law · fitted on 60 points · R² [\d.]+$/);
    assert.deepEqual(lenses[0].command!.arguments, [URI, { kind: 'powerX', xName: 'step' }], 'Predict at... names x');
    for (const title of titles) assert.doesNotMatch(title, COMPUTE_WORDS);

    const chart = sampleChart(buildChart(plainAnalysis(analysis)), { width: 800, logX: true });
    assert.equal(chart.kind, 'power');
    assert.deepEqual(
      chart.panels.map((p) => [p.title, p.xLabel, p.yLabel]),
      [['loss vs step (power law)', 'step', 'loss']],
    );
    const target = chart.series.find((s) => s.kind === 'target');
    assert.deepEqual(target?.x, [12_000], 'the prediction is drawn at its step');
    const law = chart.series.find((s) => s.kind === 'law')!;
    assert.ok(Math.abs(law.x[law.x.length - 1] - 12_000) < 1e-6, 'the law runs on to the target');
  } finally {
    cache.dispose();
  }
});

test('Predict at... on a power law answers at a value of its x, and asks no compute budget of it', async () => {
  const cache = powerCache();
  try {
    const at = await predict(cache, URI, { kind: 'powerX', value: 50_000 });
    assert.equal(at.message, undefined);
    assert.deepEqual(
      at.predictions.map((p) => [p.metric, p.xName, p.x, p.status]),
      [['loss', 'step', 50_000, 'ok']],
    );
    const budget = await predict(cache, URI, { kind: 'compute', value: 1e24 });
    assert.deepEqual(budget.predictions, []);
    assert.equal(budget.message, 'No (N, D) fit in this file to predict from.');
  } finally {
    cache.dispose();
  }
});

test('power laws of files fitted together: each file lenses its own fit and predictions, named by its file', async () => {
  const dir = scratchDir('scaling-lens-power-set-');
  const paths = ['a.csv', 'b.csv'].map((name, i) => {
    const path = join(dir, name);
    writeFileSync(path, `step,loss\n${steps.map((s) => `${s},${(2.5 + i + 4 * s ** -0.45).toFixed(5)}`).join('\n')}\n`);
    return path;
  });
  const analysis = await analyseFiles(paths, { law: 'power', powerX: 'step', bootstrapSamples: 0 });
  for (const path of paths) {
    const name = basename(path, '.csv');
    const titles = buildLenses(analysis, path, pathToFileURL(path).toString()).map((l) => l.command!.title);
    assert.equal(titles.length, 2, titles.join('\n'));
    // The target's lens gives the number alone, first; the fit's lens beside it names the file.
    assert.match(titles[0], /^L\(6k\) = [\d.]+$/);
    assert.match(titles[1], new RegExp(`^Loss · ${name} · power law · fitted on `));
  }
});

test("a power law per run: each run's lenses sit on its first row, not all on the first line", () => {
  const rows = ['run,step,loss'];
  for (const [run, e] of [
    ['small', 2.9],
    ['large', 2.4],
  ] as const)
    for (const step of steps) rows.push(`${run},${step},${(e + 4 * step ** -0.45).toFixed(5)}`);
  const dir = scratchDir('scaling-lens-power-runs-');
  const path = join(dir, 'runs.csv');
  writeFileSync(path, rows.join('\n') + '\n');
  return analyseFiles([path], { law: 'power', powerX: 'step', bootstrapSamples: 0 }).then((analysis) => {
    const lenses = buildLenses(analysis, path, pathToFileURL(path).toString());
    // small's rows are lines 2-31 (0-based 1-30), large's 32-61.
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command!.title.split(' · ')[1] ?? l.command!.title.split(' = ')[0]]),
      [
        [1, 'L(6k)'],
        [1, 'small'],
        [31, 'L(6k)'],
        [31, 'large'],
      ],
    );
  });
});
