// A sweep law's new-run band on every surface that shows its law band: the row hover (which bands hold the row), the
// header hover and the lenses (the band after the law's, and what each is), the CLI table and the chart (a lighter
// second band); a sweep too short to measure its runs' scatter says why instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../src/core/analysis/analyse';
import type { Analysis } from '../../src/core/analysis/types';
import { buildChart, sampleChart } from '../../src/core/chart/series';
import { parseText } from '../../src/core/table';
import { normal, seededRandom } from '../../src/core/util/random';
import { formatAnalysis } from '../../src/cli/text';
import { hoverForHeader } from '../../src/server/headerHover';
import { hoverForRow } from '../../src/server/hovers';
import { buildLenses } from '../../src/server/lenses';
import { documentJson, fitDocument, type FitDocument } from '../../src/core/report/fitDocument';

const FILE = 'sweep.csv';

/** A power-law sweep over tokens (x 100-100k), `n` points 1 % off the law, one of them (row `off`) 20 % above it. */
function sweep(n: number, off?: number): Analysis {
  const random = seededRandom(4);
  const rows = Array.from({ length: n }, (_, i) => {
    const x = 100 * 1000 ** (i / (n - 1));
    const y = (1.8 + 0.55 * (x / 1000) ** -0.35) * (1 + 0.01 * normal(random)) * (i === off ? 1.2 : 1);
    return `${x.toPrecision(6)},${y.toPrecision(6)}`;
  });
  const text = ['tokens,loss', ...rows].join('\n') + '\n';
  return analyseTables([parseText(text, { fileName: FILE })], { law: 'power', powerX: 'tokens', seed: 1 });
}

test('the row hover says which bands hold the row: the law’s, a new run’s, or neither', () => {
  // Of 60 runs one is too few to widen a new run's band to itself (its residual is 1/60 of those drawn).
  const a = sweep(60, 10);
  const p = a.curves[0].points;
  const hovers = p.lines.map((line) => hoverForRow(a, FILE, line) ?? '');
  // Row 10 lies 20 % above the law: outside both bands.
  assert.match(
    hovers[10],
    /\*\*outside\*\* the law's 95 % band and a new run's: further off the law than its runs scatter/,
  );
  const inRun = hovers.filter((h) =>
    h.includes("outside the law's 95 % band (where the law lies), inside a new run's"),
  );
  const inBoth = hovers.filter((h) => h.includes("inside the law's 95 % band and a new run's"));
  assert.ok(inRun.length > 0 && inBoth.length > 0, `${inRun.length} / ${inBoth.length}`);
  assert.match(hovers[0], /\| predicted \(power law\) \| [\d.]+ \[[\d.]+, [\d.]+\] · new run \[[\d.]+, [\d.]+\] \|/);
});

test('the header hover, the lenses and the CLI table give the new-run band after the law’s, and say which is which', () => {
  const a = sweep(20);
  const header = hoverForHeader(a, FILE) ?? '';
  assert.match(header, /L\\\(tokens \\= 200k\\\) = [\d.]+ \[[\d.]+, [\d.]+\] · new run \[[\d.]+, [\d.]+\]/);
  assert.match(header, /where a new run there would land \\\(95 \\%\\, the law plus its runs\\' scatter about it\\\)/);
  const lens = buildLenses(a, FILE, 'file:///sweep.csv').find((l) => l.command?.title.startsWith('L(tokens'));
  assert.match(
    lens?.command?.title ?? '',
    /^L\(tokens = 200k\) = [\d.]+ \[[\d.]+, [\d.]+\] · new run \[[\d.]+, [\d.]+\]$/,
  );
  assert.match(lens?.command?.tooltip ?? '', /new run \[…\]: where a new run there would land/);
  const text = formatAnalysis(a);
  assert.match(text, /Predictions? \(95 % bands: the law's, and a new run's/);
  assert.match(text, /value +band +new run +note/);
  assert.match(text, /L\(tokens = 200k\) +[\d.]+ +\[[\d.]+, [\d.]+\] +\[[\d.]+, [\d.]+\]/);
});

test('a sweep of 4 points has no new-run band and says why; a hover and lens of a fit without one say why too', () => {
  const why = /no new-run band: 4 fitted points \(5 needed\) say too little of how runs scatter about the law/;
  // Four points are too few for the fit verdict as well (2 per coefficient): nothing is predicted, no band shown.
  const short = sweep(4);
  assert.match(short.fits[0].noRunBand ?? '', why);
  assert.doesNotMatch(formatAnalysis(short), /new run/);
  // A fit that shows values without a new-run band (were the verdict ever to allow it) says why where the band would be.
  const a = sweep(20);
  a.fits[0].noRunBand = short.fits[0].noRunBand;
  delete a.curves[0].points.runLow;
  delete a.curves[0].points.runHigh;
  for (const p of a.predictions) if (p.status === 'ok') [p.runLow, p.runHigh] = [undefined, undefined];
  // Hovers are Markdown: the note's text escaped.
  const whyMarkdown = /no new\\-run band\\: 4 fitted points \\\(5 needed\\\)/;
  assert.match(hoverForRow(a, FILE, a.curves[0].points.lines[1]) ?? '', whyMarkdown);
  assert.match(hoverForHeader(a, FILE) ?? '', whyMarkdown);
  const lens = buildLenses(a, FILE, 'file:///sweep.csv').find((l) => l.command?.title.startsWith('L(tokens'));
  assert.doesNotMatch(lens?.command?.title ?? '', /new run/);
  assert.match(lens?.command?.tooltip ?? '', why);
  const text = formatAnalysis(a);
  assert.match(text, why);
  assert.doesNotMatch(text, /value +band +new run/);
});

test('the chart draws a sweep law’s new-run band beside its band, around it and on to the targets', () => {
  const chart = sampleChart(buildChart(sweep(20)), { width: 800, logX: true });
  const band = chart.series.find((s) => s.kind === 'band');
  const run = chart.series.find((s) => s.kind === 'run-band');
  assert.ok(band && run && band.y2 && run.y2);
  assert.deepEqual(run.x, band.x);
  run.x.forEach((_, i) => assert.ok(run.y[i] <= band.y[i] && band.y2![i] <= run.y2![i], `at ${run.x[i]}`));
  assert.equal(run.label, "loss vs tokens · new run's 95 % band");
  assert.equal(
    sampleChart(buildChart(sweep(4)), { width: 800, logX: true }).series.filter((s) => s.kind === 'run-band').length,
    0,
  );
});

test('a power law along one run’s steps names its one band the next logged point’s on every surface, and no new run', () => {
  const random = seededRandom(5);
  const rows = Array.from({ length: 60 }, (_, i) => {
    const step = 100 * (i + 1);
    return `${step},${((2 + 3 * step ** -0.3) * (1 + 0.003 * normal(random))).toFixed(6)}`;
  });
  const a = analyseTables([parseText(['step,loss', ...rows].join('\n') + '\n', { fileName: FILE })], {
    law: 'power',
    seed: 1,
  });
  const next = /where this run's next logged point falls/;
  const lens = buildLenses(a, FILE, 'file:///sweep.csv').find((l) => l.command?.title.startsWith('L(12k)'));
  assert.doesNotMatch(lens?.command?.title ?? '', /new run/);
  assert.match(lens?.command?.tooltip ?? '', next);
  assert.match(lens?.command?.tooltip ?? '', /no new-run band: the points are one run's logged points/);
  const hover = hoverForRow(a, FILE, a.curves[0].points.lines[10]) ?? '';
  assert.match(hover, /side\*{0,2} the 95 % band \(where this run's next logged point falls\)/);
  assert.doesNotMatch(hover, /new run|law's 95 % band/);
  assert.match(hoverForHeader(a, FILE) ?? '', /where this run\\'s next logged point falls/);
  const text = formatAnalysis(a);
  assert.match(text, /Predictions? \(95 % band: where the run's next logged point falls\)/);
  assert.match(text, /no new-run band: fitted to one run's logged points/);
  assert.doesNotMatch(text, /value +band +new run/);
  const document = JSON.parse(documentJson(fitDocument(a, 'test'))) as FitDocument;
  assert.equal(document.fits[0].nextPointBand, true);
  assert.ok(document.curves.every((c) => !('runBand' in c)));
  const chart = sampleChart(buildChart(a), { width: 800, logX: true });
  assert.deepEqual(
    chart.series.filter((s) => s.kind === 'band' || s.kind === 'run-band').map((s) => s.label),
    ["loss vs step · next logged point's 95 % band"],
  );
});
