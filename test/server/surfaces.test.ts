// Every text the editor shows (CodeLenses, header and row hovers, diagnostics, the fit notification) and every
// Predict at... answer, for each example file and the real Chinchilla sweep, against the rules of issue 12: numbers
// by the band rule, counts as users write them, "→" in lenses, and no command-line flag anywhere in the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hover } from 'vscode-languageserver';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { describePrediction } from '../../src/core/analysis/describe';
import type { Analysis } from '../../src/core/analysis/types';
import { defaultHints, FINDING_CODES, HINT_OPTIONS, type Hint } from '../../src/core/findings';
import { editorHint } from '../../src/server/hints';
import { formatAnalysis } from '../../src/cli/text';
import { notPinnedText } from '../../src/core/analysis/lawNames';
import { hoverForHeader } from '../../src/server/headerHover';
import { buildDiagnostics } from '../../src/server/diagnostics';
import { buildLenses } from '../../src/server/lenses';
import { hoverAt } from '../../src/server/hovers';
import { summaryOfResult } from '../../src/server/summary';
import { CHINCHILLA, REPO, skipUnless } from '../helpers/shared';

const EXAMPLES = [
  'loss/cosine.csv',
  'loss/sweep.csv',
  'loss/wsd.jsonl',
  'downstream/downstream_sweep.csv',
  'compute/compute_sweep.csv',
].map((name) => join(REPO, 'examples', name));
/** Targets beyond the defaults, so Predict at...'s answers are among the texts checked. */
const TARGETS = { computeBudgets: [1e21, 1e24], predictSteps: [100000], dataMultipliers: [2, 4], bootstrapSamples: 40 };

/** Each text a user can read in the editor for one file, labelled by where it shows. */
function editorTexts(analysis: Analysis, file: string): { where: string; text: string }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const hover = (line: number) =>
    ((hoverAt(analysis, file, { line, character: 0 }, (l) => lines[l]) as Hover | null)?.contents as { value: string })
      ?.value;
  const rows = Array.from({ length: Math.min(lines.length, 400) }, (_, i) => i).filter((i) => i % 7 === 0);
  return [
    ...buildLenses(analysis, file, `file://${file}`).map((l) => ({ where: 'lens', text: l.command!.title })),
    ...rows.map((line) => ({ where: `hover on line ${line + 1}`, text: hover(line) ?? '' })),
    ...buildDiagnostics(analysis, file).map((d) => ({
      where: `diagnostic ${String(d.code)}`,
      text: String(d.message),
    })),
    {
      where: 'fit notification',
      text: summaryOfResult(`file://${file}`, { ok: true, analysis, skipped: false }, 1, false).message,
    },
    ...analysis.predictions.map((p) => ({ where: 'Predict at... answer', text: describePrediction(p) })),
  ];
}

/** Markdown escapes removed, so numbers and arrows are read as shown. */
const shown = (text: string) => text.replace(/\\(.)/g, '$1');

const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:e-?\d+)?`;
const BANDED = new RegExp(`(${NUMBER}) \\[(${NUMBER}), (${NUMBER})\\]`, 'g');

/** The decimal places a fixed-notation number is printed to (exponent notation: null). */
const decimals = (s: string) => (/e/.test(s) ? null : (s.split('.')[1] ?? '').length);

const magnitude = (s: string) => Math.floor(Math.log10(Math.abs(Number(s))));
/** Significant digits as printed (leading zeros of a fraction not counted). */
const significant = (s: string) => s.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;

/**
 * The rules every surface's words follow, the command line's too (formatQuantity, formatRange, pluralNoun): a quantity
 * at a value spaced as the lens writes it ("D_p = 8B"), a range with an en dash ("0.43–0.95"), one of a thing singular.
 */
function checkWording(where: string, plain: string): void {
  assert.doesNotMatch(plain, /\bD_p=\d/, `${where} writes a quantity unspaced ("D_p=8B", not "D_p = 8B"): ${plain}`);
  assert.doesNotMatch(plain, /(?<![\w.-])\d+(?:\.\d+)?[kMBT]?-\d/, `${where} writes a range with a hyphen: ${plain}`);
  assert.doesNotMatch(plain, /\d\.\.\d/, `${where} writes a range with "..": ${plain}`);
  assert.doesNotMatch(
    plain,
    /(?<![\d.,])1 (curve|point|row|run|file|law|step|finding|group|coefficient|size)s\b/,
    `${where} counts one thing in the plural: ${plain}`,
  );
}

function checkRules(where: string, text: string): void {
  const plain = shown(text);
  checkWording(where, plain);
  assert.doesNotMatch(plain, /(^|[\s(`])--[a-z]/, `${where} names a command-line flag: ${plain}`);
  assert.doesNotMatch(plain, /\de\+\d/, `${where} writes an exponent with "+": ${plain}`);
  assert.doesNotMatch(plain, /(?<![\d.:/])\d{7,}(?![\d.])/, `${where} writes a count in full: ${plain}`);
  if (where === 'lens') assert.doesNotMatch(plain, /->/, `a lens with an ASCII arrow: ${plain}`);
  for (const [, value, low, high] of plain.matchAll(BANDED)) {
    const context = `${where}: "${value} [${low}, ${high}]" in ${plain}`;
    assert.equal(decimals(value), decimals(low), `the value and its low bound to one decimal place: ${context}`);
    // A bound two decades or more above its value is told apart by its magnitude: it keeps the value's significant
    // digits instead of its decimal place (0.0520 [0.0372, 156]), never more.
    if (magnitude(high) - magnitude(value) >= 2)
      assert.ok(significant(high) <= significant(value), `a far bound with no more digits than its value: ${context}`);
    else assert.equal(decimals(value), decimals(high), `the value and its high bound to one decimal place: ${context}`);
    if (Number(low) !== Number(high))
      assert.ok(value !== low || value !== high, `the value told apart from its bounds: ${context}`);
  }
}

for (const file of EXAMPLES) {
  test(`no editor surface breaks the reading rules: ${file.slice(REPO.length + 1)}`, async () => {
    const analysis = await analyseFiles([file], TARGETS);
    const texts = editorTexts(analysis, file);
    assert.ok(
      texts.some((t) => t.where === 'lens'),
      'the file has lenses to check',
    );
    for (const { where, text } of texts) checkRules(where, text);
  });
}

for (const file of EXAMPLES) {
  test(`the command line's text words things as the editor does: ${file.slice(REPO.length + 1)}`, async () => {
    const analysis = await analyseFiles([file], TARGETS);
    for (const line of formatAnalysis(analysis).split('\n')) checkWording('the command line', line);
  });
}

test("a heading over a list is in its items' number: one curve's text says Curve and Prediction, a sweep's Curves", async () => {
  const one = formatAnalysis(await analyseFiles([EXAMPLES[0]], { bootstrapSamples: 0 }));
  assert.match(one, /^Curve \(held-out rows/m);
  assert.match(one, /^Prediction \(95 % band\)$/m);
  assert.match(one, /^Scaling Lens · 1 file · /);
  const sweep = formatAnalysis(await analyseFiles([EXAMPLES[3]], { bootstrapSamples: 0 }));
  assert.match(sweep, /^Curves \(held-out rows/m);
  assert.match(sweep, /^Findings$/m);
});

test("the solver's note writes the peak LR as the settings beside it do (3e-4, not 0.0003)", async () => {
  const text = formatAnalysis(await analyseFiles([EXAMPLES[0]], { law: 'lr-annealing', bootstrapSamples: 0 }));
  assert.match(text, /etaMax=3e-4/);
  assert.match(text, /divided by the peak LR eta_max = 3e-4:/);
});

test('a candidate law its fit curves do not pin down is said so in the same words by the CLI and the header hover', async () => {
  const analysis = await analyseFiles([EXAMPLES[1]], { bootstrapSamples: 0 });
  const loose = analysis.fits[0].selection?.candidates.find((c) => c.backtestErrors && !c.identified);
  assert.ok(loose, 'the example sweep has a law at its bounds (MPL)');
  const said = notPinnedText(loose.atBounds);
  assert.ok(formatAnalysis(analysis).includes(said), formatAnalysis(analysis));
  assert.ok(shown(hoverForHeader(analysis, EXAMPLES[1]) ?? '').includes(said));
});

test('the real Chinchilla sweep: N*, D* and the loss first, the extrapolation flagged on every surface', async (t) => {
  const file = join(CHINCHILLA, 'chinchilla_epoch_derived.csv');
  const skip = skipUnless(file);
  if (skip) return void t.skip(skip);
  const analysis = await analyseFiles([file], { computeBudgets: [1e22, 1e24], bootstrapSamples: 40 });
  const texts = editorTexts(analysis, file);
  for (const { where, text } of texts) checkRules(where, text);
  // The largest run has N = 16.18B and D = 317.8B. At 1e24 FLOP both N* and D* lie past them.
  const [at22, at24] = analysis.predictions;
  assert.deepEqual(
    at24.beyondFitted!.map((b) => b.name),
    ['N*', 'D*'],
  );
  assert.ok(Math.abs(at24.beyondFitted![0].largestFitted - 16.18e9) < 0.01e9);
  const lenses = texts.filter((x) => x.where === 'lens').map((x) => x.text);
  assert.match(
    lenses[0],
    /^C = 1e22 FLOP → N\* \d[\d.]*B · D\* \d[\d.]*B · loss 2\.\d+ \[[\d.]+, [\d.]+\] · new run \[[\d.]+, [\d.]+\] · D\/N [\d.]+ \[[\d.]+, [\d.]+\]$/,
  );
  assert.match(
    lenses[1],
    /^C = 1e24 FLOP → N\* [\d.]+B \(⚠ extrapolated: [\d.]+× the largest N fitted, 16\.18B\) · D\* [\d.]+T \(⚠ extrapolated: [\d.]+× the largest D fitted, 317\.8B\) · loss \d\.\d+ \[/,
  );
  const header = texts.find((x) => x.where === 'hover on line 1')!.text;
  assert.match(header, /^\*\*Chinchilla law\*\* fitted on 240 runs · R² 0\.99/m);
  assert.match(header, /- at C = 1e24 FLOP: N\* [\d.]+B \(⚠ extrapolated: /);
  assert.match(describePrediction(at22), /^C = 1e22 FLOP → N\* /);
  const notification = texts.find((x) => x.where === 'fit notification')!.text;
  assert.match(notification, /^Chinchilla law fitted on 240 runs \(R² 0\.99\d*\) · C = 1e22 FLOP → N\* /);
});

test('no hint the editor can phrase names a command-line flag: every option, every role, the law', () => {
  const hints: Hint[] = [
    ...HINT_OPTIONS.map((option): Hint => ({ kind: 'set-option', option })),
    { kind: 'map-role', roles: [] },
    { kind: 'map-role', roles: ['step', 'loss', 'lr'] },
    { kind: 'choose-law' },
    ...FINDING_CODES.flatMap((code) => defaultHints(code)),
  ];
  for (const hint of hints) checkRules(`hint ${JSON.stringify(hint)}`, editorHint(hint));
});
