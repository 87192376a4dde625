// What the editor shows of a law that broke or a fit the data do not support: no number on any surface (lens, row
// hover, Predict at...), the reason instead; and whether a row was fitted, said per point. Presentation functions are
// called directly on core analyses; Predict at... goes through the in-process server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../src/core/analysis/options';
import type { Analysis } from '../../src/core/analysis/types';
import { buildLenses } from '../../src/server/lenses';
import { hoverForHeader } from '../../src/server/headerHover';
import { formatAnalysis } from '../../src/cli/text';
import { formatNumber } from '../../src/core/util/format';
import { hoverForRow } from '../../src/server/hovers';
import { summaryOfResult } from '../../src/server/summary';
import { FitFileRequest, PredictRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { SPARSE_LIGHTNING_LINES } from '../helpers/frameworkRuns';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('scaling-lens-trust-');
const uriOf = (path: string) => pathToFileURL(path).toString();

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const analyse = (path: string, options: Partial<AnalysisOptions> = {}): Promise<Analysis> =>
  analyseFiles([path], { bootstrapSamples: 20, ...options });

const titles = (a: Analysis, path: string) => buildLenses(a, path, uriOf(path)).map((l) => l.command!.title);

/** A number with a decimal point: what a withheld prediction must not show. */
const DECIMAL = /\d\.\d/;

// The example sweep: its misaligned group follows the BLEU law for four points (lines 10-13), breaks at D_p = 8B
// (line 14) and falls; its aligned group (lines 2-9) follows the law throughout.
const SWEEP = join(REPO, 'examples/downstream/downstream_sweep.csv');

test('a broken BLEU law: one lens with the break and what it means, no number', async () => {
  const a = await analyse(SWEEP);
  const misaligned = titles(a, SWEEP).filter((t) => t.endsWith('BLEU · misaligned-en-fr, D_f=42M'));
  assert.deepEqual(misaligned, [
    '⚠ no prediction, the BLEU law broke at D_p = 8B (line 14): BLEU stopped following it, so it predicts nothing beyond; more pretraining on this mix will probably not raise BLEU · BLEU · misaligned-en-fr, D_f=42M',
  ]);
  // The lens names the group as the Problems panel, the chart and the CLI do: one name, the core's.
  assert.ok(a.findings.some((f) => f.code === 'bleu-law-break' && f.group === 'misaligned-en-fr, D_f=42M'));
  // Its CE still follows its law and predicts.
  assert.ok(titles(a, SWEEP).some((t) => /^2×D_p → \d\.\d+ \[.* · CE · misaligned-en-fr, D_f=42M$/.test(t)));
});

test('row hovers say per point whether it was fitted, and give no law value past a break', async () => {
  const a = await analyse(SWEEP);
  const row = (line: number) => hoverForRow(a, SWEEP, line) ?? '';
  // Before the break: fitted. (Four points for three coefficients do not support the law, so no value here either.)
  assert.match(row(12), /not supported by the data .*so no law value is shown · this point was fitted$/);
  // From the break on: not fitted, and no predicted value, residual or band.
  for (const line of [14, 17]) {
    const text = row(line);
    assert.match(text, /past the law's break at D_p = 8B: BLEU no longer follows the law, so it predicts nothing here/);
    assert.match(text, /this point was not fitted$/);
    assert.doesNotMatch(text, /predicted|residual|band|this point was fitted/);
  }
  // The aligned group's points were all fitted, and show the law's value.
  for (const line of [2, 9]) {
    assert.match(row(line), /\| predicted \(BLEU law\) \| \d/);
    assert.match(row(line), /this point was fitted$/);
  }
});

test('a point the fit left out before any break says so, with the value predicted from the others', async () => {
  // BLEU 0 is not fittable in log space: the row stays in the group but the fit does not use it.
  const path = file('zero.csv', [
    'mix,D_p,bleu',
    ...[0.5e9, 1e9, 2e9, 4e9, 8e9, 16e9, 32e9].map((dp, i) => `m,${dp},${i === 2 ? 0 : (10 + 3 * i).toFixed(2)}`),
  ]);
  const a = await analyse(path, { breakTolerance: 100 });
  assert.match(hoverForRow(a, path, 4) ?? '', /this point was not fitted: predicted from the points that were$/);
  assert.match(hoverForRow(a, path, 3) ?? '', /this point was fitted$/);
});

test('--fit-on: rows of a held-out curve are predictions, rows of a fitted curve were fitted', async () => {
  const steps = Array.from({ length: 40 }, (_, i) => (i + 1) * 100);
  const loss = (s: number, lr: number) => (2.5 + 4 * Math.pow(s * lr * 1000, -0.45)).toFixed(5);
  const path = file('two.csv', [
    'run,step,lr,loss',
    ...steps.map((s) => `a,${s},0.0003,${loss(s, 0.3)}`),
    ...steps.map((s) => `b,${s},0.0006,${loss(s, 0.6)}`),
  ]);
  const a = await analyse(path, { fitOn: ['a'] });
  assert.match(hoverForRow(a, path, 5) ?? '', /this point was fitted$/);
  assert.match(hoverForRow(a, path, 45) ?? '', /this curve was held out: a true prediction$/);
});

test('a held-out run whose LR falls lower than the fitted one ever did: rows and lens from the fall show no number', async () => {
  const steps = Array.from({ length: 40 }, (_, i) => (i + 1) * 100);
  const loss = (s: number) => (2.5 + 4 * Math.pow(s * 0.3, -0.45)).toFixed(5);
  // Run a holds its LR, run b decays from step 1,100 (line 52 of the file; its first row is line 42).
  const lr = (s: number) => (s <= 1000 ? 0.0003 : 0.0003 * (1 - (s - 1000) / 4000)).toFixed(7);
  const path = file('decays.csv', [
    'run,step,lr,loss',
    ...steps.map((s) => `a,${s},0.0003,${loss(s)}`),
    ...steps.map((s) => `b,${s},${lr(s)},${loss(s)}`),
  ]);
  const a = await analyse(path, { fitOn: ['a'], law: 'lr-annealing' });
  assert.match(hoverForRow(a, path, 50) ?? '', /\| predicted \(LR-annealing law\) \| \d\.\d+/);
  const fallen = hoverForRow(a, path, 52) ?? '';
  assert.match(
    fallen,
    /⚠ no law value is shown here: the fit curves never lower their LR.* falls lower from step 1100.* · this curve was held out$/,
  );
  assert.doesNotMatch(fallen, /predicted|residual/);
  const lens = titles(a, path).find((t) => t.endsWith(' · b · LR-annealing law')) ?? '';
  assert.match(lens, /⚠ no prediction, the fit curves never lower their LR/);
  assert.doesNotMatch(lens, DECIMAL);
});

// A sparse Lightning log: five points for the four coefficients of the LR-annealing law.
const SPARSE = file('metrics.csv', [...SPARSE_LIGHTNING_LINES]);

test('an unsupported fit: the lens says why instead of a number, hovers show no law value', async () => {
  const a = await analyse(SPARSE);
  const [lens] = titles(a, SPARSE);
  assert.equal(
    lens,
    'L(20k): ⚠ no prediction, not supported by the data: 5 points for 4 coefficients: too few to tell the law from the noise · LR-annealing law',
  );
  const row = hoverForRow(a, SPARSE, 3) ?? '';
  assert.match(row, /⚠ the law fitted here is not supported by the data \(5 points for 4 coefficients/);
  assert.match(row, /this point was fitted$/);
  assert.doesNotMatch(row, /predicted|residual|band/);
  const header = hoverForHeader(a, SPARSE) ?? '';
  assert.match(
    header,
    /⚠ not supported by the data: 5 points for 4 coefficients.*No prediction is shown from this fit\./,
  );
});

test('a rising loss curve: the lens names the low R², without a number', async () => {
  const steps = Array.from({ length: 50 }, (_, i) => (i + 1) * 100);
  const path = file('rising.csv', [
    'step,lr,loss',
    ...steps.map((s, i) => `${s},0.0003,${(2.5 + 2e-5 * s + 0.01 * Math.sin(i * 12.9898)).toFixed(4)}`),
  ]);
  const a = await analyse(path);
  const [lens] = titles(a, path);
  assert.match(
    lens,
    /^L\(10k\): ⚠ no prediction, not supported by the data: .*R² -?0\.\d+ on 50 points.* · weighted mean of both laws$/,
  );
  assert.doesNotMatch(lens.split('R²')[0], DECIMAL);
});

test('runs at levels one law does not give, fitted together: each lens and the header say why, no number', async () => {
  // Two runs of one schedule 0.5 apart in loss: two model sizes with no size given.
  const path = file('two_sizes.csv', [
    'run,step,lr,loss',
    ...['small', 'large'].flatMap((run, k) =>
      Array.from({ length: 40 }, (_, i) => {
        const loss = 2.5 - 0.5 * k + 1 / Math.sqrt(i + 1) + 0.002 * Math.sin(i * 12.9898 + k);
        return `${run},${(i + 1) * 100},${(3e-4 * (1 - i / 50)).toFixed(8)},${loss.toFixed(4)}`;
      }),
    ),
  ]);
  const a = await analyse(path, { law: 'lr-annealing' });
  assert.deepEqual(
    a.findings.filter((f) => f.code === 'curves-disagree').map((f) => [f.curve, f.line]),
    [
      ['small', 2],
      ['large', 42],
    ],
  );
  const lenses = titles(a, path).filter((t) => t.includes('L('));
  assert.equal(lenses.length, 2, titles(a, path).join('\n'));
  for (const lens of lenses) {
    const [before, why] = lens.split('not supported by the data: ');
    assert.match(
      why,
      /^one law does not describe the curves fitted together: "(small|large)" sits [\d.]+ % (above|below) it/,
    );
    assert.doesNotMatch(before, DECIMAL);
  }
  assert.match(hoverForHeader(a, path) ?? '', /not supported by the data: one law does not describe the curves/);
});

test('Predict at... answers a broken law and an unsupported fit with no number and the reason', async () => {
  const client = await startTestServer();
  try {
    const sweep = uriOf(SWEEP);
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri: sweep })).state, 'done');
    const { predictions } = await client.rpc.sendRequest(PredictRequest, {
      uri: sweep,
      target: { kind: 'dataValue', value: 256e9 },
    });
    const broken = predictions.find((p) => p.group?.startsWith('misaligned') && p.metric === 'bleu');
    assert.ok(broken, JSON.stringify(predictions));
    assert.equal(broken.status, 'law-broken');
    assert.equal(broken.value, null);
    assert.match(broken.statusReason, /broke at D_p = 8B/);
    const aligned = predictions.find((p) => p.group?.startsWith('aligned-en-de, D_f=42M') && p.metric === 'bleu');
    assert.equal(aligned?.status, 'ok');

    const sparse = uriOf(SPARSE);
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri: sparse })).state, 'done');
    const answer = await client.rpc.sendRequest(PredictRequest, { uri: sparse, target: { kind: 'step', value: 50e3 } });
    assert.equal(answer.predictions.length, 1);
    const [p] = answer.predictions;
    assert.equal(p.status, 'fit-unsupported');
    assert.equal(p.value, null);
    assert.match(p.statusReason, /5 points for 4 coefficients/);
  } finally {
    client.dispose();
  }
});

test('the fit summary gives no number from an unsupported fit, and says why in a few words', async () => {
  const analysis = await analyse(SPARSE);
  const summary = summaryOfResult(uriOf(SPARSE), { ok: true, analysis, skipped: false }, 5, false);
  assert.equal(
    summary.message,
    'LR-annealing law fitted on metrics (R² 0.9999) · no loss prediction (fit not supported by the data) · 2 warnings in the Problems panel',
  );
  // Its epochs 1 and 2 are Lightning's second and third passes over the data.
  assert.equal(summary.warnings, 2, 'the fit-points-few and data-repeated warnings');
});

test('a fit whose curves never lower their LR: C is "not determined" with why on every surface, no number or band', async () => {
  // A constant LR: S2 is 0 at every point, so the LR-annealing law's C stays at its start whatever the loss.
  const rows = Array.from({ length: 60 }, (_, k) => {
    const step = 100 * (k + 1);
    return `${step},3e-4,${(2 + 8 * Math.pow(step * 3e-4, -0.4) * (1 + 0.003 * Math.sin(k))).toFixed(5)}`;
  });
  const path = file('constant-lr.csv', ['step,lr,loss', ...rows]);
  const a = await analyse(path, { law: 'lr-annealing' });
  const fit = a.fits[0];
  assert.match(
    fit.undetermined?.C ?? '',
    /^not determined: the fit curves never lower their LR, so the term C·S2 is 0/,
  );
  assert.equal(fit.intervals?.C, undefined, 'no zero-width band');
  // JSON (--json prints the analysis): the field with why.
  assert.match(JSON.stringify(fit), /"undetermined":\{"C":"not determined: /);
  // CLI text: the row says so, the reason follows the table, C's start is not printed.
  const text = formatAnalysis(a);
  assert.match(text, /\n\s+C\s+not determined\s/);
  assert.match(text, /\n {2}C not determined: the fit curves never lower their LR/);
  const start = formatNumber(fit.params.C, 5);
  assert.ok(!text.includes(`C    ${start}`), text);
  assert.match(text, /solver parametrisation: .*C~ not determined/);
  // Hover: the same.
  const hover = hoverForHeader(a, path) ?? '';
  assert.match(hover, /\| C \| not determined \|/);
  assert.match(hover, /C not determined\\?: the fit curves never lower their LR/);
});

test('the model-size law on runs that never lower their LR: C and gamma are not determined, with no band', async () => {
  const rows = [25e6, 100e6, 400e6].flatMap((n, r) =>
    Array.from({ length: 40 }, (_, k) => {
      const step = 100 * (k + 1);
      const loss =
        1.8 + 0.6 * Math.pow(n / 1e8, -0.35) + 8 * Math.pow(step * 3e-4, -0.4) * (1 + 0.003 * Math.sin(k + r));
      return `r${r},${n},${step},3e-4,${loss.toFixed(5)}`;
    }),
  );
  const path = file('constant-lr-sizes.csv', ['run,params,step,lr,loss', ...rows]);
  const fit = (await analyse(path, { law: 'lr-annealing-size' })).fits[0];
  assert.equal(fit.law, 'lr-annealing-size');
  assert.deepEqual(Object.keys(fit.undetermined ?? {}), ['C', 'gamma']);
  assert.match(fit.undetermined!.gamma, /the term C·S2·N\^gamma is 0 at every fitted point/);
  assert.equal(fit.intervals?.C, undefined);
  assert.equal(fit.intervals?.gamma, undefined);
  assert.ok(fit.intervals?.beta, 'the determined ones keep their band');
});
