// Direct tests of the lenses (src/server/lenses.ts) on analyses the core builds from small files: titles, lines,
// commands and tooltips of loss, downstream and compute lenses. No server, no connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLenses } from '../../src/server/lenses';
import { fitLawName, shortLawName } from '../../src/core/analysis/lawNames';
import { Commands } from '../../src/shared/protocol';
import { formatBanded, formatNumber, formatR2 } from '../../src/core/util/format';
import { valued } from '../helpers/predictions';
import { analyse, COMPUTE, DOWNSTREAM, LOSS, RUNS, titles, uriOf } from '../helpers/presentFiles';
import { log } from '../helpers/sizedRuns';
import { analyseTables } from '../../src/core/analysis/analyse';
import { parseText } from '../../src/core/table';

test('a single loss curve: one prediction lens on line 0 with the core value, running Predict at...', async () => {
  // One law's lens (under law auto, a constant-LR run takes the mean of both laws, named instead).
  const analysis = await analyse(LOSS, { law: 'lr-annealing' });
  const lenses = buildLenses(analysis, LOSS, uriOf(LOSS));
  assert.equal(lenses.length, 1);
  const [lens] = lenses;
  const p = valued(analysis.predictions[0]);
  assert.equal(
    lens.command!.title,
    `L(8k) = ${formatNumber(p.value, 4)} · LR-annealing law · R² ${formatR2(analysis.curves[0].metrics!.r2, 4)}`,
  );
  assert.deepEqual(lens.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.equal(lens.command!.command, Commands.predictAt);
  assert.deepEqual(lens.command!.arguments, [uriOf(LOSS), { kind: 'step' }]);
});

test("a prediction past the log says in its lens tooltip that it holds the LR at the log's last value", async () => {
  const analysis = await analyse(LOSS, { law: 'lr-annealing' });
  const [lens] = buildLenses(analysis, LOSS, uriOf(LOSS));
  assert.equal(lens.command!.tooltip, 'L(8k) assumes the LR held at 3e-4 after step 4k');
  // Within the logged schedule nothing is assumed, and the lens has no such tooltip.
  const within = await analyse(LOSS, { law: 'lr-annealing', predictSteps: [2000] });
  assert.equal(buildLenses(within, LOSS, uriOf(LOSS))[0].command!.tooltip, undefined);
});

test('a mean of both laws: the number first, the law named short, its full name and weighing in the tooltip', async () => {
  // Under law auto this constant-LR run takes the spread-weighted mean of both laws, whose full name ran 50
  // characters before the number ("spread-weighted mean of LR-annealing law and MPL · L(8k) = ...").
  const analysis = await analyse(LOSS);
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weightRange, 'a spread-weighted mean');
  const [lens] = buildLenses(analysis, LOSS, uriOf(LOSS));
  const p = valued(analysis.predictions[0]);
  assert.equal(
    lens.command!.title,
    `L(8k) = ${formatNumber(p.value, 4)} · weighted mean of both laws · R² ${formatR2(analysis.curves[0].metrics!.r2, 4)}`,
  );
  assert.equal(
    lens.command!.tooltip,
    `Predicted by the ${fitLawName(fit)}: each law weighted at each step by the inverse of its bootstrap spread there. L(8k) assumes the LR held at 3e-4 after step 4k`,
  );
});

test('a loss curve with bootstrap bands shows the interval in its lens', async () => {
  const analysis = await analyse(LOSS, { bootstrapSamples: 20 });
  const p = valued(analysis.predictions[0]);
  const [title] = titles(buildLenses(analysis, LOSS, uriOf(LOSS)));
  const banded = formatBanded(p.value, p.low, p.high)!;
  assert.ok(title.includes(`L(8k) = ${banded.value} [${banded.low}, ${banded.high}]`), title);
});

test('a multi-run file: a summary lens on line 0, then one lens on the first row of each run', async () => {
  const analysis = await analyse(RUNS);
  const lenses = buildLenses(analysis, RUNS, uriOf(RUNS));
  // Law auto names the law its predictions come from: one law, or the mean of both, short (lawNames.ts shortLawName).
  const law = shortLawName(analysis.fits[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(lenses[0].command!.title, new RegExp(`^Loss · ${law} · fitted on 2 curves · R² \\d\\.\\d+$`));
  assert.equal(lenses[0].command!.command, Commands.showChart);
  assert.deepEqual(
    lenses.slice(1).map((l) => [l.range.start.line, l.command!.title.split(' · ')[1]]),
    [
      [1, 'a'],
      [31, 'b'],
    ],
  );
});

test('lenses are only for the file asked about', async () => {
  const analysis = await analyse(LOSS);
  assert.deepEqual(buildLenses(analysis, RUNS, uriOf(RUNS)), []);
});

test('several targets of one run: each lens its number first, the last naming the run, the law and the fit quality', async () => {
  const analysis = await analyse(RUNS, { law: 'lr-annealing', predictSteps: [8000, 16000] });
  const shown = buildLenses(analysis, RUNS, uriOf(RUNS)).map((l) => [l.range.start.line, l.command!.title]);
  const number = String.raw`\d\.\d+`;
  const expected = [
    [0, new RegExp(`^Loss · LR-annealing law · fitted on 2 curves · R² ${number}$`)],
    [1, new RegExp(`^L\\(8k\\) = ${number}$`)],
    [1, new RegExp(`^L\\(16k\\) = ${number} · a · LR-annealing law · R² ${number}$`)],
    [31, new RegExp(`^L\\(8k\\) = ${number}$`)],
    [31, new RegExp(`^L\\(16k\\) = ${number} · b · LR-annealing law · R² ${number}$`)],
  ] as const;
  assert.equal(shown.length, expected.length, shown.join('\n'));
  expected.forEach(([line, title], i) => {
    assert.equal(shown[i][0], line);
    assert.match(shown[i][1] as string, title);
  });
  // A power law's targets' lenses give their numbers alone, first; its fit lens after them names the run and the law.
  const power = await analyse(RUNS, { law: 'power', predictSteps: [8000, 16000] });
  const powerShown = titles(buildLenses(power, RUNS, uriOf(RUNS)));
  assert.deepEqual(
    powerShown.slice(0, 2).map((t) => t.replace(/[\d.]+$/, 'x')),
    ['L(8k) = x', 'L(16k) = x'],
  );
  assert.match(powerShown[2], /^Loss · a · power law · fitted on 30 points · R² [\d.]+$/);
});

test('downstream: a prediction lens for the aligned group, a law-break lens for the misaligned one, both open the chart', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const uri = uriOf(DOWNSTREAM);
  const lenses = buildLenses(analysis, DOWNSTREAM, uri);
  const shown = titles(lenses);
  assert.ok(
    shown.some((t) => /^2×D_p → \d+(\.\d+)? · BLEU · aligned, D_f=42M$/.test(t)),
    shown.join('\n'),
  );
  assert.ok(
    shown.some((t) => /^2×D_p → \d\.\d+ · CE · aligned, D_f=42M$/.test(t)),
    shown.join('\n'),
  );
  // The broken law gives no number: its lens says where it broke and what that means, once for every target.
  const broken = lenses.find((l) =>
    /^⚠ no prediction, the BLEU law broke at D_p = 8B \(line 14\): BLEU stopped following it, so it predicts nothing beyond; more pretraining on this mix will probably not raise BLEU · BLEU · misaligned, D_f=42M$/.test(
      l.command!.title,
    ),
  );
  assert.ok(broken, shown.join('\n'));
  assert.ok(shown.filter((t) => t.endsWith('BLEU · misaligned, D_f=42M')).length === 1, shown.join('\n'));
  assert.equal(broken.range.start.line, 9, 'the first row of the misaligned group');
  const group = analysis.curves.find((c) => c.group?.startsWith('misaligned'))!.group;
  assert.deepEqual(broken.command!.arguments, [uri, group]);
  assert.ok(lenses.every((l) => l.command!.command === Commands.showChart));
});

test('compute: the budget lens leads with N*, D* and the loss, flags the extrapolation, and runs Predict at...', async () => {
  const analysis = await analyse(COMPUTE, { computeBudgets: [1e22] });
  const uri = uriOf(COMPUTE);
  const lenses = buildLenses(analysis, COMPUTE, uri);
  const [budget, law] = lenses;
  // N* at 1e22 FLOP lies far past the largest N of the sweep (1B): the lens says so, and by how much.
  assert.match(
    budget.command!.title,
    /^C = 1e22 FLOP → N\* [\d.]+B \(⚠ extrapolated: [\d.]+× the largest N fitted, 1B\) · D\* [\d.]+[MBT]( \(⚠ extrapolated: [\d.]+× the largest D fitted, 30B\))? · loss \d\.\d+ · D\/N [\d.]+$/,
  );
  assert.deepEqual(budget.command!.arguments, [uri, { kind: 'compute' }]);
  assert.match(law.command!.title, /^Loss · Chinchilla law · fitted on 16 runs · R² [\d.]+$/);
  assert.equal(law.command!.command, Commands.showChart);
  assert.ok(lenses.every((l) => l.range.start.line === 0));
});

test('compute: with no budget set, the lens answers at the next power of ten above the largest run', async () => {
  const analysis = await analyse(COMPUTE);
  const [p] = analysis.predictions;
  // The largest run: N = 1e9, D = 3e10, C = 1.8e20.
  assert.equal(p.x, 1e21);
  assert.equal(p.reason, 'next power of ten above the largest run');
  assert.match(titles(buildLenses(analysis, COMPUTE, uriOf(COMPUTE)))[0], /^C = 1e21 FLOP → N\* /);
});

test('model sizes that read alike at 4 digits (1e8, 1e8+1) are told apart in their lenses', () => {
  const tables = [1e8, 1e8 + 1, 4e8].map((n, i) => {
    const name = `/runs/near${i}/cosine.csv`;
    return parseText(log('cosine', n, true), { fileName: name, displayName: name });
  });
  const analysis = analyseTables(tables, { law: 'lr-annealing-size', bootstrapSamples: 0, lambda: 0.999 });
  const sizeOf = (i: number) => {
    const file = `/runs/near${i}/cosine.csv`;
    return titles(buildLenses(analysis, file, `file://${file}`))[0].match(/\(N=[^)]*\)/)?.[0];
  };
  assert.deepEqual([0, 1, 2].map(sizeOf), ['(N=100M)', '(N=100.000001M)', '(N=400M)']);
});
