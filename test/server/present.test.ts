// Direct tests of the presentation functions (src/server/present.ts) on analyses the core builds from small files
// written here: lens titles, lines and commands; row and header hovers; diagnostics with their ranges, links and
// related rows; the column picker's answer. No server, no connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { fitLawName } from '../../src/core/analysis/lawNames';
import { lrAreas } from '../../src/core/laws/schedule';
import type { AnalysisOptions } from '../../src/core/analysis/options';
import type { Analysis } from '../../src/core/analysis/types';
import { formatBanded, formatNumber } from '../../src/core/util/format';
import {
  buildDiagnostics,
  buildLenses,
  columnsOf,
  fileDiagnostics,
  groupLabel,
  hoverAt,
} from '../../src/server/present';
import { Commands, DOCS_BASE } from '../../src/shared/protocol';
import { valued } from '../helpers/predictions';

const dir = mkdtempSync(join(tmpdir(), 'scaling-lens-present-'));

/** Writes a small run file and returns its path (the name its findings and curves carry). */
function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A file's analysis, without bootstrap bands unless asked (the titles then carry no interval). */
const analyse = (path: string, options: Partial<AnalysisOptions> = {}): Promise<Analysis> =>
  analyseFiles([path], { bootstrapSamples: 0, ...options });

const lossAt = (step: number, amplitude = 4) => (2.5 + amplitude * Math.pow(step, -0.45)).toFixed(5);
const steps = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) * 100);

const LOSS = file('run.csv', ['step,lr,loss', ...steps(40).map((s) => `${s},0.0003,${lossAt(s)}`)]);
const RUNS = file('runs.csv', [
  'run,step,lr,loss',
  ...steps(30).map((s) => `a,${s},0.0003,${lossAt(s)}`),
  ...steps(30).map((s) => `b,${s},0.0006,${lossAt(s, 3)}`),
]);

// Downstream: one group on the BLEU law, one that follows it for four points and then falls (a law break).
const DP = Array.from({ length: 8 }, (_, k) => 0.5e9 * 2 ** k);
const bleuAt = (dp: number, a: number, alpha: number) => Math.pow(a + alpha * Math.log(dp), 1.5);
const ceAt = (dp: number, e: number, amp: number, alpha: number) => e + amp * Math.pow(dp / 1e9, -alpha);
const SHORTFALL = [0, 0, 0, 0, 3, 5.5, 8, 10.5];
const DOWNSTREAM = file('sweep.csv', [
  'mix,D_f,D_p,bleu,ce',
  ...DP.map((dp) => `aligned,42M,${dp},${bleuAt(dp, -6.39, 0.687).toFixed(2)},${ceAt(dp, 1.8, 0.55, 0.35).toFixed(4)}`),
  ...DP.map(
    (dp, k) =>
      `misaligned,42M,${dp},${(bleuAt(dp, -6, 0.62) - SHORTFALL[k]).toFixed(2)},${ceAt(dp, 1.9, 0.6, 0.3).toFixed(4)}`,
  ),
]);

// (N, D) sweep on a Chinchilla surface.
const COMPUTE = file('compute.csv', [
  'params,tokens,flops,loss',
  ...[7e7, 1.6e8, 4e8, 1e9].flatMap((n) =>
    [2e9, 5e9, 1.2e10, 3e10].map(
      (d) => `${n},${d},${6 * n * d},${(1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28)).toFixed(5)}`,
    ),
  ),
]);

const RAGGED = file('ragged.csv', [
  'step,lr,loss',
  '1,1e-3,4',
  '2,1e-3',
  '3,1e-3,3.5,9',
  '4,1e-3,3.4',
  '5,1e-3,3.3',
  '6,1e-3,3.2',
]);

const uriOf = (path: string) => pathToFileURL(path).toString();
const lines = (path: string) => readFileSync(path, 'utf8').split('\n');
const titles = (lenses: CodeLens[]) => lenses.map((l) => l.command!.title);
const markdown = (hover: Hover | null) => {
  assert.ok(hover, 'a hover');
  const contents = hover.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
};
const noText = () => undefined;

test('a single loss curve: one prediction lens on line 0 with the core value, running Predict at...', async () => {
  const analysis = await analyse(LOSS);
  const lenses = buildLenses(analysis, LOSS, uriOf(LOSS));
  assert.equal(lenses.length, 1);
  const [lens] = lenses;
  const p = valued(analysis.predictions[0]);
  assert.equal(
    lens.command!.title,
    `Loss · LR-annealing law · L(8k) = ${formatNumber(p.value, 4)} · R² ${formatNumber(analysis.curves[0].metrics!.r2, 4)}`,
  );
  assert.deepEqual(lens.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.equal(lens.command!.command, Commands.predictAt);
  assert.deepEqual(lens.command!.arguments, [uriOf(LOSS), { kind: 'step' }]);
});

test("a prediction past the log says in its lens tooltip that it holds the LR at the log's last value", async () => {
  const analysis = await analyse(LOSS);
  const [lens] = buildLenses(analysis, LOSS, uriOf(LOSS));
  assert.equal(lens.command!.tooltip, 'L(8k) assumes the LR held at 3e-4 after step 4k');
  // Within the logged schedule nothing is assumed, and the lens has no such tooltip.
  const within = await analyse(LOSS, { predictSteps: [2000] });
  assert.equal(buildLenses(within, LOSS, uriOf(LOSS))[0].command!.tooltip, undefined);
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
  // Law auto names the law its predictions come from: one law, or the mean of both (lawNames.ts fitLawName).
  const law = fitLawName(analysis.fits[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(lenses[0].command!.title, new RegExp(`^Loss · ${law} · fitted on 2 curves · R² \\d\\.\\d+$`));
  assert.equal(lenses[0].command!.command, Commands.showChart);
  assert.deepEqual(
    lenses.slice(1).map((l) => [l.range.start.line, l.command!.title.split(' · ')[0]]),
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

test('downstream: a prediction lens for the aligned group, a law-break lens for the misaligned one, both open the chart', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const uri = uriOf(DOWNSTREAM);
  const lenses = buildLenses(analysis, DOWNSTREAM, uri);
  const shown = titles(lenses);
  assert.ok(
    shown.some((t) => /^BLEU · aligned \/ D_f 42M · 2×D_p → \d+(\.\d+)?$/.test(t)),
    shown.join('\n'),
  );
  assert.ok(
    shown.some((t) => /^CE · aligned \/ D_f 42M · 2×D_p → \d\.\d+$/.test(t)),
    shown.join('\n'),
  );
  // The broken law gives no number: its lens says where it broke and what that means, once for every target.
  const broken = lenses.find((l) =>
    /^BLEU · misaligned \/ D_f 42M · ⚠ no prediction, the BLEU law broke at D_p = 8B \(line 14\): BLEU stopped following it, so it predicts nothing beyond; more pretraining on this mix will probably not raise BLEU$/.test(
      l.command!.title,
    ),
  );
  assert.ok(broken, shown.join('\n'));
  assert.ok(shown.filter((t) => t.startsWith('BLEU · misaligned')).length === 1, shown.join('\n'));
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

test('a row hover: observed against the law, the residual, and whether the point was fitted', async () => {
  const analysis = await analyse(LOSS);
  // 0-based line 10 is the tenth data row: step 1000.
  const text = markdown(hoverAt(analysis, LOSS, { line: 10, character: 3 }, noText));
  assert.match(text, /^\*\*run\*\* · step 1000 · Loss/);
  assert.ok(text.includes(`| observed | ${formatNumber(Number(lossAt(1000)), 5)} |`), text);
  assert.match(text, /\| predicted \(LR-annealing law\) \| \d\.\d+ \|/);
  assert.match(text, /\| residual \| [+-]/);
  assert.match(text, /no band \(bootstrap off\) · this point was fitted$/);
});

test('a row hover finds rows logged out of step order', async () => {
  const order = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
  const path = file('shuffled.csv', [
    'step,lr,loss',
    ...order.map((i) => `${(i + 1) * 100},0.0003,${lossAt((i + 1) * 100)}`),
  ]);
  const analysis = await analyse(path);
  // 0-based line 2 is the second data row: i = 7, step 800.
  assert.match(markdown(hoverAt(analysis, path, { line: 2, character: 0 }, noText)), /step 800 /);
});

test('the header hover names the column under the cursor and lists the fit; none off the data', async () => {
  const analysis = await analyse(LOSS);
  const header = 'step,lr,loss';
  const text = markdown(hoverAt(analysis, LOSS, { line: 0, character: 6 }, (line) => (line === 0 ? header : '')));
  assert.match(text, /^column \*\*lr\*\*\n\n\*\*LR-annealing law\*\* fitted on run \(40 points\) · R² \d/);
  assert.match(text, /^Predicts:\n- run: L\\\(8k\\\) = \d\.\d+$/m);
  assert.match(text, /\| coefficient \| value \[95 % interval\] \| unit \|/);
  assert.match(text, /\| alpha \| \d/);
  // The solver's details are one click away, not in the hover.
  assert.doesNotMatch(text, /objective|iterations|lambdaChosen|warmupStepsOption|fittedRows|huberDelta/);
  assert.match(text, /Export Fit…/);
  assert.match(text, /\[Show Log\]\(command:scalingLens\.showLog\)/);
  // Without the document's text (not open) the column is not named, the fit still is.
  assert.match(markdown(hoverAt(analysis, LOSS, { line: 0, character: 6 }, noText)), /^\*\*LR-annealing law\*\*/);
  assert.equal(hoverAt(analysis, LOSS, { line: 200, character: 0 }, noText), null);
});

test('a downstream row hover is labelled by its group', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const text = markdown(hoverAt(analysis, DOWNSTREAM, { line: 1, character: 0 }, noText));
  assert.match(text, /^\*\*aligned \\\/ D\\_f 42M\*\* · D\\_p 500M · (BLEU|CE)/);
});

test('diagnostics: severity, code, documentation link, source, and a range on the reported cell', async () => {
  const analysis = await analyse(RAGGED);
  const diagnostics = buildDiagnostics(analysis, RAGGED);
  const ragged = diagnostics.filter((d) => d.code === 'row-ragged');
  assert.equal(ragged.length, 2);
  const finding = analysis.findings.find((f) => f.code === 'row-ragged')!;
  assert.deepEqual(ragged[0].range, {
    start: { line: finding.line - 1, character: finding.column! - 1 },
    end: { line: finding.line - 1, character: finding.column! },
  });
  assert.equal(ragged[0].severity, 2);
  assert.equal(ragged[0].source, 'Scaling Lens');
  assert.equal(ragged[0].codeDescription!.href, `${DOCS_BASE}#row-ragged`);
  assert.equal(ragged[0].message, finding.message);
  assert.deepEqual(buildDiagnostics(analysis, LOSS), [], 'findings of another file are not shown');
});

test('diagnostics carry related rows as locations only when the client can show them', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const [withRelated] = buildDiagnostics(analysis, DOWNSTREAM, true).filter((d) => d.code === 'bleu-law-break');
  const finding = analysis.findings.find((f) => f.code === 'bleu-law-break')!;
  assert.equal(withRelated.range.start.line, finding.line - 1);
  assert.match(lines(DOWNSTREAM)[withRelated.range.start.line], /^misaligned/);
  const related = withRelated.relatedInformation!;
  assert.equal(related.length, finding.related!.length);
  assert.equal(related[0].location.uri, uriOf(DOWNSTREAM));
  assert.equal(related[0].location.range.start.line, finding.related![0].line - 1);
  assert.equal(related[0].message, finding.related![0].message);
  const [without] = buildDiagnostics(analysis, DOWNSTREAM, false).filter((d) => d.code === 'bleu-law-break');
  assert.equal(without.relatedInformation, undefined);
});

test("a file's diagnostics: a failed analysis is an error on the first line, before any findings", async () => {
  const failed = fileDiagnostics(undefined, RAGGED, 'the worker stopped', true);
  assert.deepEqual(failed, [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1000 } },
      severity: 1,
      source: 'Scaling Lens',
      code: 'analysis-failed',
      codeDescription: { href: `${DOCS_BASE}#analysis-failed` },
      message: 'the worker stopped',
    },
  ]);
  const analysis = await analyse(RAGGED);
  assert.deepEqual(fileDiagnostics(analysis, RAGGED, undefined, true), buildDiagnostics(analysis, RAGGED, true));
  assert.deepEqual(fileDiagnostics(undefined, RAGGED, undefined, true), [], 'nothing to show clears the panel');
});

test('the column picker gets every column and the role each was taken for', async () => {
  assert.deepEqual(columnsOf(await analyse(LOSS)), {
    columns: ['step', 'lr', 'loss'],
    roles: { step: 'step', lr: 'lr', loss: 'loss' },
    kind: 'loss-curve',
  });
  const downstream = columnsOf(await analyse(DOWNSTREAM));
  assert.equal(downstream.kind, 'downstream');
  assert.equal(downstream.roles.bleu, 'bleu');
  assert.deepEqual(columnsOf(undefined), { columns: [], roles: {}, kind: 'unknown' });
});

test('group labels: the mix, then D_f compacted; the fallback when there are no fields', () => {
  assert.equal(groupLabel({ mix: 'en-fr', D_f: 42e6 }), 'en-fr / D_f 42M');
  assert.equal(groupLabel({ df: '1.2B' }), 'D_f 1.2B');
  assert.equal(groupLabel(undefined, 'all rows'), 'all rows');
});

test('run names and columns from the file are plain text in hover Markdown: no link, no image, no command', async () => {
  const link = '[x](command:scalingLens.exportFit)';
  const image = '![t](https://example.com/t.png)';
  const path = file('hostile.csv', [
    `run,step,lr,${link}`,
    ...steps(30).map((s) => `"${link}",${s},0.0003,${lossAt(s)}`),
    ...steps(30).map((s) => `"${image}",${s},0.0006,${lossAt(s, 3)}`),
  ]);
  const analysis = await analyse(path, { columns: { loss: link } });
  const header = `run,step,lr,${link}`;
  const texts = [
    markdown(hoverAt(analysis, path, { line: 0, character: header.length - 2 }, () => header)),
    markdown(hoverAt(analysis, path, { line: 1, character: 0 }, noText)),
    markdown(hoverAt(analysis, path, { line: 31, character: 0 }, noText)),
  ];
  // The header hover's own link to the log is the only link: none comes from the file.
  const ours = `[Show Log](command:${Commands.showLog})`;
  for (const text of texts.map((t) => t.replace(ours, ''))) {
    assert.doesNotMatch(text, /(?<!\\)\]\(/, 'no unescaped link or image syntax');
    assert.doesNotMatch(text, /https:\/\/|command:/, 'no raw URL or command URI');
  }
  assert.match(texts[0], /column \*\*\\\[x\\\]/, 'the column is named, escaped');
  assert.match(
    texts[1] + texts[2],
    /\\\[x\\\]\\\(command\\:scalingLens\\\.exportFit\\\)/,
    'the run name is shown as text',
  );
});

/**
 * Two runs of one LR-annealing law: a constant schedule, and a step decay to 0.3x at step 3000 whose loss anneals
 * as the law has it (a drop that builds over the steps after the decay, then slower progress at the lower LR). The
 * decay run once had the constant run's loss less 0.08 from step 3000 on: a drop at once and full-LR progress after
 * it, which no LR-schedule law gives, so the run was rightly found to leave its law (law-departure) and its
 * predictions were withheld, which these tests do not mean to exercise.
 */
const decayLr = (s: number) => (s > 3000 ? 0.0003 : 0.001);
const DECAY_AREAS = lrAreas(
  {
    steps: Float64Array.from({ length: 6000 }, (_, i) => i + 1),
    lr: Float64Array.from({ length: 6000 }, (_, i) => decayLr(i + 1)),
  },
  steps(60),
  { lambda: 0.999, warmup: 'peak' },
);
const TWO_SCHEDULES = file('two_schedules.csv', [
  'run,step,lr,loss',
  ...steps(60).map((s) => `constant,${s},0.001,${lossAt(s)}`),
  ...steps(60).map(
    (s, k) =>
      `decay,${s},${decayLr(s)},${(2.5 + 4 * Math.pow(DECAY_AREAS.s1[k] / 0.001, -0.45) - 0.2 * DECAY_AREAS.s2[k]).toFixed(5)}`,
  ),
]);

test('law mpl: the lenses name MPL, the header hover gives its seven coefficients', async () => {
  const analysis = await analyse(TWO_SCHEDULES, { law: 'mpl' });
  assert.equal(analysis.fits[0].law, 'mpl');
  const lenses = titles(buildLenses(analysis, TWO_SCHEDULES, uriOf(TWO_SCHEDULES)));
  // Forced onto two schedules with one LR drop, which do not pin all its coefficients (L0 at its limit), MPL is not
  // supported by the data: the lenses name the law and say why there is no number.
  assert.match(
    lenses[0],
    /^Loss · MPL · fitted on 2 curves · R² \d\.\d+ · ⚠ not supported by the data \(see Problems\)$/,
  );
  assert.ok(
    lenses
      .slice(1)
      .every((t) =>
        / · MPL · L\(12k\): ⚠ no prediction, not supported by the data: .*held at the limit of its range/.test(t),
      ),
    lenses.join('\n'),
  );
  const text = markdown(hoverAt(analysis, TWO_SCHEDULES, { line: 0, character: 0 }, noText));
  assert.match(text, /^\*\*MPL\*\* fitted on constant, decay \(\d+ points\)/);
  assert.match(text, /^`L\(s\) = L0 \+ A·S1\(s\)\^\(-alpha\) - B·LD\(s\)/m);
  for (const name of ['L0', 'A', 'alpha', 'B', 'C', 'beta', 'gamma'])
    assert.match(text, new RegExp(`\\| ${name} \\| `));
  assert.doesNotMatch(text, /Law chosen automatically/);
});

test('law auto on loss curves: the header hover lists both candidates with their backtest errors and the reason', async () => {
  const analysis = await analyse(TWO_SCHEDULES);
  const fit = analysis.fits[0];
  assert.ok(fit.selection);
  // A run that anneals as its law has it has not left it: its predictions are shown.
  assert.deepEqual(
    analysis.findings.filter((f) => f.code === 'law-departure').map((f) => f.message),
    [],
  );
  assert.ok(analysis.predictions.every((p) => p.status === 'ok'));
  const text = markdown(hoverAt(analysis, TWO_SCHEDULES, { line: 0, character: 0 }, noText));
  const name = fitLawName(fit);
  assert.ok(
    text.includes(`Law chosen automatically: **${name}**`) &&
      /Each law was refitted on the first 60, 70 and 80 % of every fit curve and scored on the rest/.test(text),
    text,
  );
  if (fit.selection.weights) {
    // A mean of both laws: each law's row gives its weight, and the hover says the coefficients are one law's.
    assert.equal(name, 'mean of LR-annealing law and MPL');
    assert.match(text, /every prediction and band is the mean; the coefficients below are the LR-annealing law's/);
    assert.match(text, /^\| MPL \(weight 0\.50\) \| \d[\d.]* % \| /m);
    assert.match(text, /^\| LR-annealing law \(weight 0\.50\) \| \d[\d.]* % \| /m);
  } else {
    assert.match(text, /^\| (MPL|LR-annealing law) \(chosen\) \| \d[\d.]* % \| /m);
    assert.match(text, /^\| (MPL|LR-annealing law) \| \d[\d.]* % \| /m);
  }
  assert.match(text, /^Why: \S/m);
  assert.ok(titles(buildLenses(analysis, TWO_SCHEDULES, uriOf(TWO_SCHEDULES)))[0].startsWith(`Loss · ${name} · `));
});
