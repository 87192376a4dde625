import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { chartToCsv, chartToJson, csvCell } from '../../../src/core/chart/export';
import { buildChart, evaluateLaw, sampleChart } from '../../../src/core/chart/series';
import { lawSettings, lawWithRefits, meanLoss, meanWithRefits } from '../../../src/core/chart/whatIf';
import { interpolateLog } from '../../../src/core/chart/seriesParts';
import { logBand } from '../../../src/core/analysis/lossBands';
import type { ChartSeries } from '../../../src/core/chart/types';
import type { Series } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';
import { CHINCHILLA, REPO, skipUnless } from '../../helpers/shared';
import { valued } from '../../helpers/predictions';

const example = (p: string) => join(REPO, 'examples', p);

test('series: a loss curve gives observed points, a law to the target, a band, the LR and a target marker', async () => {
  const analysis = await analyseFiles([example('loss/cosine.csv')], { bootstrapSamples: 30 });
  const model = buildChart(analysis);
  const data = sampleChart(model, { width: 800, logX: true });
  const byId = new Map(data.series.map((s) => [s.id, s]));
  assert.equal(byId.get('obs:cosine')?.x.length, 200);
  // The law and its band share one x in the model: one log transform serves both.
  const full = new Map(model.data.series.map((s) => [s.id, s]));
  assert.equal(full.get('band:cosine')?.x, full.get('law:cosine')?.x);
  const law = byId.get('law:cosine')!;
  assert.equal(law.x[law.x.length - 1], 40_000, 'the law runs to the default target, twice the last step');
  // The extrapolated law meets the analysis's own prediction at the target.
  const target = valued(analysis.predictions[0]);
  assert.ok(Math.abs(law.y[law.y.length - 1] - target.value) < 1e-9);
  const band = byId.get('band:cosine')!;
  assert.ok(
    Math.abs(band.y[band.y.length - 1] - target.low) < 1e-9 &&
      Math.abs(band.y2![band.y2!.length - 1] - target.high) < 1e-9,
  );
  assert.equal(byId.get('lr:cosine')?.panel, 'secondary');
  assert.deepEqual(
    data.markers.map((m) => [m.kind, m.x]),
    [['target', 40_000]],
  );
  assert.equal(data.whatIf?.totalSteps, 20_000);
  assert.equal(data.whatIf?.fromStep, 100);
});

test('series: zooming re-samples the window, and a million rows are cut to the point budget', () => {
  const n = 1_000_000;
  const rows = ['step,lr,loss'];
  for (let s = 1; s <= n; s++) rows.push(`${s},3e-4,${(2.5 + Math.pow(s, -0.3)).toFixed(6)}`);
  const table = parseText(rows.join('\n'), { fileName: 'big.csv' });
  const analysis = analyseTables([table], { bootstrapSamples: 0 });
  const model = buildChart(analysis);
  const all = sampleChart(model, { width: 1000, logX: true });
  const obs = all.series.find((s) => s.kind === 'observed')!;
  assert.equal(obs.total, n);
  assert.ok(obs.x.length <= 2000, `${obs.x.length} points`);
  assert.ok(obs.x.filter((x) => x < 1000).length > 100, 'log-space sampling keeps the early curve');
  const zoomed = sampleChart(model, { width: 1000, logX: true, window: { xMin: 5000, xMax: 6000 } });
  const z = zoomed.series.find((s) => s.kind === 'observed')!;
  assert.ok(z.x.length > 900 && z.x.every((x) => x >= 4999 && x <= 6001));
  assert.ok(
    z.lines!.every((l, i) => l === z.x[i] + 1),
    'source lines follow the sampled points',
  );
  assert.equal(
    sampleChart(model, { width: 1000, logX: true, full: true }).series.find((s) => s.kind === 'observed')!.x.length,
    n,
  );
  // The model keeps each series' log x after the first sample: a later sample agrees with a fresh model's.
  const again = sampleChart(model, { width: 700, logX: true, window: { xMin: 20, xMax: 900_000 } });
  assert.deepEqual(
    again,
    sampleChart(buildChart(analysis), { width: 700, logX: true, window: { xMin: 20, xMax: 900_000 } }),
  );
});

test('series: downstream groups, the break on the misaligned group, and the not-pretrained baseline', async () => {
  const analysis = await analyseFiles([example('downstream/downstream_sweep.csv')], { bootstrapSamples: 0 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  assert.deepEqual(data.groups, ['aligned-en-de, D_f=42M', 'misaligned-en-fr, D_f=42M', 'aligned-en-de, D_f=1.2B']);
  const breaks = data.markers.filter((m) => m.kind === 'break');
  assert.deepEqual(
    breaks.map((b) => [b.group, b.x]),
    [['misaligned-en-fr, D_f=42M', 8e9]],
  );
  const misaligned = data.series.find((s) => s.id === 'obs:misaligned-en-fr, D_f=42M · BLEU')!;
  assert.equal(misaligned.breakX, 8e9);
  const baselines = data.series.filter((s) => s.kind === 'baseline');
  assert.deepEqual(
    baselines.map((b) => [b.panel, b.group, b.y[0]]),
    [
      ['main', 'aligned-en-de, D_f=1.2B', 38.4],
      ['secondary', 'aligned-en-de, D_f=1.2B', 1.62],
    ],
  );
  // The core now carries the baseline on the group's curves, with its line in the file.
  assert.deepEqual(
    analysis.curves.filter((c) => c.baseline).map((c) => c.baseline!.line),
    [18, 18],
  );
  // Laws evaluated in the user's units agree with the analysis's predictions at the data.
  const fit = analysis.fits.find((f) => f.law === 'bleu' && f.group === 'aligned-en-de, D_f=42M')!;
  const curve = analysis.curves.find((c) => c.name === 'aligned-en-de, D_f=42M · BLEU')!;
  evaluateLaw(fit, curve.points.x).forEach((v, i) => assert.ok(Math.abs(v - curve.points.predicted[i]) < 1e-6 * v));
  const ce = analysis.fits.find((f) => f.law === 'downstream-ce' && f.group === 'aligned-en-de, D_f=42M')!;
  const ceCurve = analysis.curves.find((c) => c.name === 'aligned-en-de, D_f=42M · CE')!;
  evaluateLaw(ce, ceCurve.points.x).forEach((v, i) => assert.ok(Math.abs(v - ceCurve.points.predicted[i]) < 1e-6 * v));
});

test('series: (N, D) sweeps get a law per size and the compute-optimal frontier', async () => {
  const analysis = await analyseFiles([example('compute/compute_sweep.csv')], { bootstrapSamples: 0 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  assert.equal(data.series.filter((s) => s.kind === 'observed').length, 6);
  assert.equal(data.series.filter((s) => s.kind === 'law').length, 6);
  const frontier = data.series.find((s) => s.kind === 'frontier')!;
  // The frontier is the lower envelope: no size's law goes below it at the same compute.
  for (const law of data.series.filter((s) => s.kind === 'law')) {
    for (let i = 0; i < law.x.length; i += 20) {
      const k = frontier.x.findIndex((x) => x >= law.x[i]);
      if (k > 0) assert.ok(law.y[i] >= frontier.y[k] - 0.02, `${law.id} at C=${law.x[i]}`);
    }
  }
});

test('series: an (N, D) sweep draws each size’s law band and, around it, a new run’s, along its law line', async (t) => {
  const skip = skipUnless(CHINCHILLA);
  if (skip) return t.skip(skip);
  // The public sweep's sizes are binned (each bin's line at its geometric-mean N): the bands at its runs' own N lie
  // off the line, so the analysis gives each line its bands along it (CurveReport.lawLine).
  const analysis = await analyseFiles([join(CHINCHILLA, 'chinchilla_epoch_derived.csv')], { bootstrapSamples: 40 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  const laws = data.series.filter((s) => s.kind === 'law');
  assert.ok(laws.length >= 5, `${laws.length} law lines`);
  for (const law of laws) {
    const of = (kind: string) => data.series.find((s) => s.kind === kind && s.group === law.group);
    const [band, run] = [of('band'), of('run-band')];
    assert.ok(band?.y2 && run?.y2, `${law.group}: both bands drawn`);
    assert.deepEqual(band.x, law.x, `${law.group}: the band runs along the law line`);
    law.x.forEach((x, i) => {
      assert.ok(band.y[i] <= law.y[i] && law.y[i] <= band.y2![i], `${law.group} at C=${x}: the law inside its band`);
      assert.ok(run.y[i] <= band.y[i] && band.y2![i] <= run.y2![i], `${law.group} at C=${x}: a new run's around it`);
    });
  }
  // Without a bootstrap no band is drawn, the lines still are.
  const bare = await analyseFiles([join(CHINCHILLA, 'chinchilla_epoch_derived.csv')], { bootstrapSamples: 0 });
  const kinds = sampleChart(buildChart(bare), { width: 800, logX: true }).series.map((s) => s.kind);
  assert.ok(kinds.includes('law') && !kinds.includes('band') && !kinds.includes('run-band'));
});

test('series: a power law of runs against their step is loss vs step per run, each law on to its own target', () => {
  const lines = ['run,step,loss'];
  for (let step = 100; step <= 3000; step += 100)
    for (const [run, e] of [
      ['a', 2.5],
      ['b', 2.8],
    ] as const)
      lines.push(`${run},${step},${(e + 4 * step ** -0.45).toFixed(5)}`);
  const table = parseText(lines.join('\n'), { fileName: 'runs.csv' });
  const analysis = analyseTables([table], { law: 'power', powerX: 'step', bootstrapSamples: 20 });
  assert.equal(analysis.kind, 'power');
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  assert.deepEqual(
    data.panels.map((p) => [p.title, p.xLabel, p.yLabel]),
    [['loss vs step (power law)', 'step', 'loss']],
  );
  for (const run of ['a', 'b']) {
    const target = data.series.find((s) => s.id === `target:${run}`);
    const p = valued(analysis.predictions.find((x) => x.curve === `${run}: loss vs step`)!);
    assert.deepEqual(target?.y, [p.value], `${run}: its own prediction marked`);
    const band = data.series.find((s) => s.id === `band:${run}`)!;
    assert.equal(band.x[band.x.length - 1], 6000, `${run}: the band runs on to the target`);
  }
  // Each run is named by its run alone in the legend and on its target's label (the title says what x and y are).
  assert.deepEqual(
    data.series.filter((s) => s.kind === 'observed' || s.kind === 'law').map((s) => s.label),
    ['a', 'a · law', 'b', 'b · law'],
  );
  assert.deepEqual(
    data.markers.map((m) => [m.kind, m.x, m.group, m.label.replace(/ = .*/, '')]),
    [
      ['target', 6000, 'a', 'a: L(6k)'],
      ['target', 6000, 'b', 'b: L(6k)'],
    ],
  );
  assert.match(data.markers[0].label, /^a: L\(6k\) = 2\.5\d* \[2\.5\d*, 2\.5\d*\]$/);
});

test('series: power laws of several files are named by their files and each drawn with its own law', () => {
  const tables = [
    ['a/run.csv', 2.5],
    ['b/run.csv', 2.9],
  ].map(([name, e]) => {
    const rows = ['step,loss'];
    for (let step = 100; step <= 3000; step += 100) rows.push(`${step},${(Number(e) + 4 * step ** -0.45).toFixed(5)}`);
    return parseText(rows.join('\n'), { fileName: String(name) });
  });
  const analysis = analyseTables(tables, { law: 'power', powerX: 'step', bootstrapSamples: 0 });
  assert.deepEqual(
    analysis.curves.map((c) => c.name),
    ['run (a/run.csv): loss vs step', 'run (b/run.csv): loss vs step'],
  );
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  for (const c of analysis.curves) {
    const law = data.series.find((s) => s.id === `law:${c.group}`)!;
    const p = valued(analysis.predictions.find((x) => x.curve === c.name)!);
    assert.ok(Math.abs(law.y[law.y.length - 1] - p.value) < 1e-9, `${c.name}: its own law, on to its own target`);
  }
});

test('export: CSV quotes names from the file, JSON carries fits and predictions', async () => {
  assert.equal(csvCell('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
  assert.equal(csvCell('a,"b"'), '"a,""b"""');
  // Run names a spreadsheet would execute are neutralised; numbers, negative ones included, are written as numbers.
  for (const formula of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
    assert.ok(csvCell(formula).replace(/^"/, '').startsWith("'"), formula);
  assert.equal(csvCell('=1,2'), `"'=1,2"`);
  assert.equal(csvCell(-0.25), '-0.25');
  assert.equal(csvCell('run-a'), 'run-a');
  const analysis = await analyseFiles([example('loss/cosine.csv')], { bootstrapSamples: 0 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true, full: true });
  const csv = chartToCsv(data).split('\n');
  assert.equal(csv[0], 'series,kind,panel,group,x,y,y_high,predicted,line');
  assert.ok(csv.some((l) => l.startsWith('cosine,observed,main,cosine,100,3.1383,,')));
  const json = JSON.parse(chartToJson(data, 'cosine.csv'));
  assert.equal(json.fits[0].law, 'lr-annealing');
  assert.equal(json.predictions[0].x, 40_000);
});

test('series: the LR assumed after the log is its own series, named in the legend and on the prediction', async () => {
  const analysis = await analyseFiles([example('loss/sweep.csv')], { bootstrapSamples: 0 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  for (const curve of analysis.curves) {
    const steps = curve.schedule!.steps;
    const [lastStep, lastLr] = [steps[steps.length - 1], curve.schedule!.lr[steps.length - 1]];
    const target = analysis.predictions.find((p) => p.curve === curve.name)!;
    const assumed = data.series.find((s) => s.id === `lr-assumed:${curve.name}`)!;
    assert.equal(assumed.kind, 'schedule-assumed');
    assert.equal(assumed.panel, 'secondary');
    // From the last logged row to the furthest target at the last LR: the LR panel spans the loss panel's x.
    assert.deepEqual(assumed.x, [lastStep, target.x]);
    assert.deepEqual(assumed.y, [lastLr, lastLr]);
    const law = data.series.find((s) => s.id === `law:${curve.name}`)!;
    assert.equal(assumed.x[1], law.x[law.x.length - 1]);
    // One phrase from the core on the legend and on the prediction (lens tooltip, Predict at...).
    assert.equal(target.assumption, `LR held at 3e-5 after step ${lastStep / 1000}k`);
    assert.equal(assumed.label, `${curve.name} · assumed: ${target.assumption}`);
  }
});

test('series: a target inside the logged schedule assumes nothing and draws no assumed LR', async () => {
  const analysis = await analyseFiles([example('loss/cosine.csv')], { bootstrapSamples: 0, predictSteps: [10_000] });
  assert.equal(analysis.predictions[0].assumption, undefined);
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  assert.equal(
    data.series.some((s) => s.kind === 'schedule-assumed'),
    false,
  );
});

test('series: the Chinchilla sweep draws one smooth law per size bin and its excluded rows greyed', async (t) => {
  const skip = skipUnless(CHINCHILLA);
  if (skip) return t.skip(skip);
  const analysis = await analyseFiles([join(CHINCHILLA, 'chinchilla_epoch_derived.csv')], { bootstrapSamples: 0 });
  const data = sampleChart(buildChart(analysis), { width: 800, logX: true });
  const laws = data.series.filter((s) => s.kind === 'law');
  assert.ok(laws.length >= 5, `${laws.length} law lines`);
  for (const law of laws) {
    // A law at one model size falls as compute grows: ascending x, descending loss, no zig-zag between runs' N.
    for (let i = 1; i < law.x.length; i++) {
      assert.ok(law.x[i] > law.x[i - 1], `${law.id}: x ascends`);
      assert.ok(law.y[i] <= law.y[i - 1] + 1e-12, `${law.id}: loss falls with compute at ${law.x[i]}`);
    }
  }
  const excluded = data.series.filter((s) => s.role === 'excluded');
  assert.equal(excluded.length, 1);
  assert.equal(excluded[0].kind, 'observed');
  assert.equal(excluded[0].x.length, 5, 'the five rows flagged epoch_excluded = 1');
  assert.match(excluded[0].label, /epoch_excluded = 1/);
  assert.deepEqual([...excluded[0].lines!].sort(), [2, 3, 4, 5, 6]);
  // The excluded rows are drawn, not fitted: the fit keeps its 240 points and no law follows them.
  assert.equal(analysis.fits[0].points, 240);
  assert.equal(
    data.series.some((s) => s.kind === 'law' && s.group === excluded[0].group),
    false,
  );
});

test("past the log, a mean of both laws is drawn as the mean at each step, meeting the lens's targets", async () => {
  // It was the LR-annealing law's shape scaled to meet the mean at the last step and the targets: 7.7e-4 off the
  // mean between them on this run (the weights move along the way).
  const analysis = await analyseFiles([example('loss/cosine.csv')], { predictSteps: [50_000, 100_000] });
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weights && fit.runnerUpFit, 'auto takes the mean of both laws');
  const model = buildChart(analysis);
  const full = new Map(model.data.series.map((s) => [s.id, s]));
  const law = full.get('law:cosine')!;
  const band = full.get('band:cosine')!;
  const curve = analysis.curves[0];
  const last = curve.points.x[curve.points.x.length - 1];
  const from = law.x.findIndex((x) => x > last);
  const steps = Float64Array.from(law.x.slice(from));
  const schedule = { steps: Float64Array.from(curve.schedule!.steps), lr: Float64Array.from(curve.schedule!.lr) };
  const mean = meanLoss(fit, schedule, steps);
  assert.ok(mean?.ok && steps.length > 50);
  const off = Math.max(...mean.value.map((v, k) => Math.abs(law.y[from + k] / v - 1)));
  assert.ok(off < 1e-6, `the drawn line is ${off} off the mean`);
  for (const p of analysis.predictions.map(valued)) {
    const k = law.x.indexOf(p.x);
    assert.ok(k >= from, `a drawn step at the target ${p.x}`);
    assert.equal(law.y[k], p.value, 'the line meets the lens at the target');
    assert.ok(Math.abs(band.y[k] / p.low - 1) < 1e-12 && Math.abs(band.y2![k] / p.high - 1) < 1e-12, 'and its band');
  }
  // Between them the band is the mixture of both laws' refits at each drawn step (the analysis's band of a mean),
  // moved to meet the lens's numbers by their log ratio at the anchors, interpolated in log(step). It was
  // interpolated between the widths at the anchors: 2.6e-2 off the mixture's low edge on this run.
  const at = Float64Array.from([last, ...steps]);
  const mixed = meanWithRefits(fit, schedule, at);
  assert.ok(mixed?.ok && mixed.value.mixture, 'the refits are mixed at every drawn step');
  const anchorOf = (k: number) => ({
    x: curve.points.x[k],
    low: curve.points.low[k],
    value: curve.points.predicted[k],
    high: curve.points.high[k],
  });
  const anchors = [anchorOf(curve.points.x.length - 1), ...analysis.predictions.map(valued)];
  assertRefitBand(law, band, anchors, mixed.value.mixture, mixed.value.loss, 'mixture');
  // MPL alone beside the mean (the runner-up) is its own refits' band there (the same kept in spreadRefits): it was
  // interpolated, 1.3e-2 off its refits' low edge.
  const runnerUp = curve.runnerUp!;
  const ruLine = full.get('runner-up:cosine')!;
  const ruLast = runnerUp.x.filter((x) => x <= last).length - 1;
  const ruAt = Float64Array.from([runnerUp.x[ruLast], ...ruLine.x.filter((x) => x > last)]);
  const mpl = lawSettings(fit.runnerUpFit);
  assert.ok(mpl.ok);
  const refits = lawWithRefits(mpl.value, fit.selection!.spreadRefits!.mpl, schedule, ruAt);
  const ruAnchors = [
    {
      x: runnerUp.x[ruLast],
      low: runnerUp.low[ruLast],
      value: runnerUp.predicted[ruLast],
      high: runnerUp.high[ruLast],
    },
    ...analysis.predictions.map((p) => {
      const k = runnerUp.x.indexOf(p.x);
      return { x: p.x, low: runnerUp.low[k], value: runnerUp.predicted[k], high: runnerUp.high[k] };
    }),
  ];
  assertRefitBand(ruLine, full.get('runner-up-band:cosine')!, ruAnchors, refits.sets, refits.loss, 'runner-up refits');
});

/**
 * A band past the log (`band`, beside `line`) is its refits' quantiles at each drawn step (`sets`, at the first
 * anchor's step then the drawn steps past it, against `base`), moved to meet the anchors' intervals by their log ratio
 * there, interpolated in log(step): within 1e-6.
 */
function assertRefitBand(
  line: ChartSeries<Series>,
  band: ChartSeries<Series>,
  anchors: { x: number; low: number; value: number; high: number }[],
  sets: Float64Array[],
  base: ArrayLike<number>,
  what: string,
): void {
  const { lo, hi } = logBand(sets, Float64Array.from(base), new Float64Array(0), () => 0);
  const from = line.x.findIndex((x) => x > anchors[0].x);
  const steps = line.x.slice(from);
  const at = [anchors[0].x, ...steps];
  const ax = anchors.map((a) => a.x);
  for (const [edge, q, key] of [
    [band.y, lo, 'low'],
    [band.y2!, hi, 'high'],
  ] as const) {
    const offAt = anchors.map((a) => Math.log(a[key] / a.value) - q[at.indexOf(a.x)]);
    const off = Math.max(
      ...steps.map((s, k) => {
        const drawn = Math.log(edge[from + k] / line.y[from + k]) - q[k + 1];
        return Math.abs(drawn - interpolateLog(ax, offAt, s));
      }),
    );
    assert.ok(off < 1e-6, `${what}: the drawn ${key} edge is ${off} off`);
  }
}
