// Direct tests of the hovers (src/server/hovers.ts, headerHover.ts) on analyses the core builds from small files: a
// data row against its law, the header's fits and law choice, and file text shown as plain text. No server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hoverAt } from '../../src/server/hovers';
import { buildLenses } from '../../src/server/lenses';
import { fitLawName, shortLawName } from '../../src/core/analysis/lawNames';
import { lrAreas } from '../../src/core/laws/schedule';
import { formatNumber } from '../../src/core/util/format';
import { Commands } from '../../src/shared/protocol';
import { markdownText } from '../../src/shared/markdown';
import {
  analyse,
  DOWNSTREAM,
  file,
  LOSS,
  lossAt,
  markdown,
  noText,
  steps,
  titles,
  uriOf,
} from '../helpers/presentFiles';

/** One law's presentation (a constant-LR run under law auto takes the mean of both laws: one drop level or none). */
const ONE_LAW = { law: 'lr-annealing' } as const;

test('a row hover: observed against the law, the residual, and whether the point was fitted', async () => {
  const analysis = await analyse(LOSS, ONE_LAW);
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

test("a pretty-printed trainer_state.json: a field's line hovers as its entry, its first line as the header; the file's own keys and the lines between entries as none", async () => {
  const entries = Array.from({ length: 30 }, (_, i) => {
    const step = (i + 1) * 100;
    return `    {\n      "learning_rate": 0.0003,\n      "loss": ${lossAt(step)},\n      "step": ${step}\n    }`;
  });
  const text = `{\n  "global_step": 3000,\n  "log_history": [\n${entries.join(',\n')}\n  ],\n  "max_steps": 3000\n}`;
  const lines = text.split('\n');
  const path = file('trainer_state.json', lines);
  const analysis = await analyse(path, ONE_LAW);
  const lineText = (line: number) => lines[line];
  // 0-based: line 3 opens the first entry (step 100); its "loss" field is line 5, its closing brace line 7.
  const at = (line: number) => hoverAt(analysis, path, { line, character: 8 }, lineText);
  assert.match(markdown(at(3)), /step 100 /);
  assert.match(markdown(at(5)), /step 100 /);
  assert.match(markdown(at(7)), /step 100 /);
  assert.match(markdown(at(5 + 5 * 5)), /step 600 /);
  assert.equal(at(1), null, 'global_step is no entry');
  // The document's first line, where its lens is, hovers as a header would: the fit and how the law was chosen.
  assert.match(markdown(at(0)), /^\*\*LR-annealing law\*\* fitted on /);
  assert.equal(at(lines.length - 2), null, 'max_steps, after the log, is no entry');
});

/** An object of column arrays of 30 rows (steps 100 to 3000), as a JSON file's. */
function columnArrays(): { step: number[]; lr: number[]; loss: number[] } {
  const step = Array.from({ length: 30 }, (_, i) => (i + 1) * 100);
  return { step, lr: step.map(() => 0.0003), loss: step.map((s) => Number(lossAt(s))) };
}

/** The lines of an object of column arrays written ten values to a line, as numpy's or a formatter's output. */
function tenToALine(arrays: Record<string, number[]>): string[] {
  const tens = (values: number[]) =>
    Array.from({ length: values.length / 10 }, (_, k) => `    ${values.slice(k * 10, k * 10 + 10).join(', ')}`).join(
      ',\n',
    );
  const body = Object.entries(arrays).map(([name, v]) => `  "${name}": [\n${tens(v)}\n  ]`);
  return `{\n${body.join(',\n')}\n}`.split('\n');
}

test('a pretty-printed object of column arrays (json.dump(indent=2)): a value on any line of any array hovers its row', async () => {
  const lines = JSON.stringify(columnArrays(), null, 2).split('\n');
  const path = file('columns.json', lines);
  const analysis = await analyse(path, ONE_LAW);
  const lineText = (line: number) => lines[line];
  const at = (line: number) => hoverAt(analysis, path, { line, character: 4 }, lineText);
  // 0-based: line 1 opens the step array, its values on lines 2-31; "lr" opens on 33, "loss" on 65 (values 66-95).
  assert.match(markdown(at(2)), /step 100 /);
  assert.match(markdown(at(34)), /step 100 /, 'the first LR');
  assert.match(markdown(at(66)), /step 100 /, 'the first loss');
  const tenth = markdown(at(75));
  assert.match(tenth, /step 1000 /, 'the tenth loss');
  assert.ok(tenth.includes(`| observed | ${formatNumber(Number(lossAt(1000)), 5)} |`), tenth);
});

test('column arrays with ten values to a line, or all on one line: the value under the cursor hovers its own row', async () => {
  const arrays = columnArrays();
  // 0-based line 1 opens "step", lines 2-4 hold its values.
  const lines = tenToALine(arrays);
  const path = file('tens.json', lines);
  const analysis = await analyse(path, ONE_LAW);
  const at = (text: string[], line: number, value: string, p = path) =>
    markdown(hoverAt(analysis, p, { line, character: text[line].indexOf(value) + 1 }, (l) => text[l]));
  assert.match(at(lines, 2, '600'), /step 600 /, 'the sixth step');
  assert.match(at(lines, 3, '1300'), /step 1300 /);
  const loss = String(arrays.loss[16]);
  const seventeenth = at(lines, 13, loss);
  assert.match(seventeenth, /step 1700 /, 'the seventeenth loss');
  assert.ok(seventeenth.includes(`| observed | ${formatNumber(arrays.loss[16], 5)} |`), seventeenth);
  // json.dump without indent: every array on the one line.
  const one = [JSON.stringify(arrays)];
  const onePath = file('one.json', one);
  const oneAnalysis = await analyse(onePath, ONE_LAW);
  const hovered = markdown(
    hoverAt(oneAnalysis, onePath, { line: 0, character: one[0].indexOf(`${loss},`) + 2 }, (l) => one[l]),
  );
  assert.match(hovered, /step 1700 /, 'the seventeenth loss of a one-line document');
});

test('column arrays of any column with several values to a line (grad_norm, a metric not fitted): the value under the cursor hovers its own row', async () => {
  const fitted = columnArrays();
  const arrays = { ...fitted, grad_norm: fitted.step.map((s) => s / 1e4), tokens: fitted.step.map((s) => s * 4096) };
  const lines = tenToALine(arrays);
  const path = file('others.json', lines);
  const analysis = await analyse(path, ONE_LAW);
  const at = (text: string[], p: string, line: number, value: string) =>
    markdown(hoverAt(analysis, p, { line, character: text[line].indexOf(value) + 1 }, (l) => text[l]));
  // 0-based: "grad_norm" opens on line 16, its values on lines 17-19; "tokens" opens on 21, values on 22-24.
  assert.match(at(lines, path, 18, '0.17'), /step 1700 /, 'the seventeenth grad_norm');
  assert.match(at(lines, path, 24, String(2900 * 4096)), /step 2900 /, 'the twenty-ninth tokens');
  // json.dump without indent: every array on the one line.
  const one = [JSON.stringify(arrays)];
  const onePath = file('others-one.json', one);
  const oneAnalysis = await analyse(onePath, ONE_LAW);
  const hovered = markdown(
    hoverAt(oneAnalysis, onePath, { line: 0, character: one[0].indexOf('0.23,') + 1 }, (l) => one[l]),
  );
  assert.match(hovered, /step 2300 /, 'the twenty-third grad_norm of a one-line document');
});

test('the header hover names the column under the cursor and lists the fit; none off the data', async () => {
  const analysis = await analyse(LOSS, ONE_LAW);
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

test('the header hover lists four predictions and counts the rest, which it left out unsaid', async () => {
  const runs = ['a', 'b', 'c', 'd', 'e', 'f'];
  const rows = runs.flatMap((run) => steps(30).map((s) => `${run},${s},0.0003,${lossAt(s)}`));
  const path = file('six.csv', ['run,step,lr,loss', ...rows]);
  const analysis = await analyse(path, ONE_LAW);
  const text = markdown(hoverAt(analysis, path, { line: 0, character: 0 }, noText));
  assert.equal(text.match(/^- [a-f]: L/gm)?.length, 4, text);
  assert.match(text, /^- and 2 more, each on its curve's lens$/m);
});

test('a downstream row hover is labelled by its group', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const text = markdown(hoverAt(analysis, DOWNSTREAM, { line: 1, character: 0 }, noText));
  assert.match(text, /^\*\*aligned\\, D\\_f\\=42M\*\* · D\\_p 500M · (BLEU|CE)/);
});

test('a downstream header hover: each law once by its formula, a table whose headers sit over their cells', async () => {
  const path = file('mixes.csv', [
    'mix,D_f,D_p,bleu,ce',
    ...readFileSync(DOWNSTREAM, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => `en-fr-${row}`),
  ]);
  const analysis = await analyse(path);
  const text = markdown(hoverAt(analysis, path, { line: 0, character: 0 }, noText));
  // It read "fitted per group: BLEU `BLEU = …` , CE `CE = …`": each label said twice.
  assert.match(text, /fitted per group: `BLEU = [^`]+` and `CE = [^`]+`\n/, text);
  assert.ok(text.includes('| group | BLEU | CE |\n|:--|:--|:--|'), text);
  // A group's name keeps its hyphens on one line in a narrow cell ("misaligned-en-" / "fr").
  assert.match(text, /^\| en\\-\u2060fr\\-\u2060aligned\\, D\\_f\\=42M \|/m, text);
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
        /^L\(12k\): ⚠ no prediction, not supported by the data: .*held at the limit of its range.* · MPL$/.test(t),
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
    text.includes(`Law chosen automatically: ${shortLawName(fit)}, because ${markdownText(fit.selection.reason)}.`) &&
      /Backtest error: each law refitted on the first 60, 70 and 80 % of every fit curve, its mean relative error on the rest/.test(
        text,
      ),
    text,
  );
  if (fit.selection.weightRange) {
    // A spread-weighted mean of both laws: each law's row gives its range of weights and its mean weight, and the
    // hover says how they vary and that the coefficients are one law's.
    assert.equal(name, 'spread-weighted mean of LR-annealing law and MPL');
    assert.match(
      text,
      /The mean: each law weighted at each step by the inverse of its bootstrap spread there; every band mixes both laws' bootstrap refits by the same weights; the coefficients below are the LR-annealing law's/,
    );
    for (const law of ['MPL', 'LR-annealing law'])
      assert.match(
        text,
        new RegExp(
          `^\\| ${law} \\(weight \\d\\.\\d\\d–\\d\\.\\d\\d by step, mean \\d\\.\\d\\d\\) \\| \\d[\\d.]* % \\| `,
          'm',
        ),
      );
  } else if (fit.selection.weights) {
    // A mean of both laws: each law's row gives its weight, and the hover says the coefficients are one law's.
    assert.equal(name, 'mean of LR-annealing law and MPL');
    assert.match(
      text,
      /The mean: equal weights \(a law has no bootstrap refits to measure its spread by\); every band mixes both laws' bootstrap refits by the same weights; the coefficients below are the LR-annealing law's/,
    );
    assert.match(text, /^\| MPL \(weight 0\.50\) \| \d[\d.]* % \| /m);
    assert.match(text, /^\| LR-annealing law \(weight 0\.50\) \| \d[\d.]* % \| /m);
  } else {
    assert.match(text, /^\| (MPL|LR-annealing law) \(chosen\) \| \d[\d.]* % \| /m);
    assert.match(text, /^\| (MPL|LR-annealing law) \| \d[\d.]* % \| /m);
  }
  assert.ok(
    titles(buildLenses(analysis, TWO_SCHEDULES, uriOf(TWO_SCHEDULES)))[0].startsWith(`Loss · ${shortLawName(fit)} · `),
  );
});

test('column arrays of several runs on a line each: no curve carries every run’s cells (work and memory grow with the file, not runs x cells)', async () => {
  const one = columnArrays();
  const runs = ['a', 'b', 'c'];
  const arrays = {
    run: runs.flatMap((r) => one.step.map(() => r)),
    step: runs.flatMap(() => one.step),
    lr: runs.flatMap(() => one.lr),
    loss: runs.flatMap(() => one.loss),
  };
  const lines = [JSON.stringify(arrays)];
  const path = file('runs.json', lines);
  const analysis = await analyse(path, ONE_LAW);
  assert.equal(analysis.curves.length, 3);
  for (const c of analysis.curves) assert.equal(c.points.cellSteps, undefined, c.name);
  // The line still hovers a row of its own.
  assert.ok(markdown(hoverAt(analysis, path, { line: 0, character: 10 }, (l) => lines[l])).includes('step'));
});
