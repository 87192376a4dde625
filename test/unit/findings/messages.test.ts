// Core messages say what is wrong in the user's words and never name a CLI flag or an editor setting: the shells add
// those from the findings' hints. Checked twice: on every string literal of src/core, and on what the analysis says
// about inputs that raise every code with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import type { Analysis } from '../../../src/core/analysis/types';
import { FINDING_CODES, FINDINGS } from '../../../src/core/findings';
import { parseText } from '../../../src/core/table';
import { REPO } from '../../helpers/shared';

/** A CLI flag (`--columns`) or an editor setting (`scalingLens.columns`). */
const SHELL_TERM = /(^|[\s("'`])--[a-z]|scalingLens/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The text of every string and template literal of a file (comments are not strings). */
function stringLiterals(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    else if (ts.isTemplateExpression(node)) out.push(node.head.text, ...node.templateSpans.map((s) => s.literal.text));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

test('no string in src/core names a CLI flag or an editor setting', () => {
  // The options table (src/core/options) is where each option's flag and setting are named, as data for the shells.
  const files = sourceFiles(join(REPO, 'src/core')).filter((path) => !path.includes(join('src', 'core', 'options')));
  assert.ok(files.length > 40);
  const offending = files.flatMap((path) =>
    stringLiterals(path)
      .filter((text) => SHELL_TERM.test(text))
      .map((text) => `${path.slice(REPO.length + 1)}: ${text}`),
  );
  assert.deepEqual(offending, []);
});

const LOSS =
  'step,lr,loss\n' + Array.from({ length: 12 }, (_, i) => `${(i + 1) * 100},0.001,${3 - i * 0.05}`).join('\n');
/** A loss curve that follows a law for 60 rows, then climbs for 20: a run leaving its law. */
const DIVERGING =
  'step,lr,loss\n' +
  Array.from({ length: 80 }, (_, i) => {
    const step = (i + 1) * 100;
    return `${step},0.001,${(2 + 1 / Math.sqrt(i + 1) + (i >= 60 ? 0.05 * (i - 59) : 0)).toFixed(4)}`;
  }).join('\n');
/** Run a at a constant LR, run b decaying: fitted on a, b's decay is a drop the fit never saw. */
const TWO_RUNS = [
  'run,step,lr,loss',
  ...Array.from({ length: 12 }, (_, i) => `a,${(i + 1) * 100},0.001,${(3 - i * 0.05).toFixed(3)}`),
  ...Array.from(
    { length: 12 },
    (_, i) => `b,${(i + 1) * 100},${(0.001 * (1 - i / 12)).toFixed(6)},${(3 - i * 0.06).toFixed(3)}`,
  ),
].join('\n');
/** Runs a and b of one schedule whose losses sit 0.5 apart (two model sizes, no size given): one law for both. */
const TWO_LEVELS = [
  'run,step,lr,loss',
  ...['a', 'b'].flatMap((run, k) =>
    Array.from(
      { length: 30 },
      (_, i) =>
        `${run},${(i + 1) * 100},${(0.001 * (1 - i / 40)).toFixed(6)},${(2 + 0.5 * k + 1 / Math.sqrt(i + 1)).toFixed(4)}`,
    ),
  ),
].join('\n');
const SWEEP = readFileSync(join(REPO, 'examples/downstream/downstream_sweep.csv'), 'utf8');

/** Inputs that between them raise every code the catalogue gives a hint, each with the options that raise it. */
const BAD_INPUTS: { name: string; text: string; options?: Partial<AnalysisOptions>; maxBytes?: number }[] = [
  { name: 'no_lr.csv', text: 'step,loss\n1,4\n2,3.5\n3,3.2\n4,3.1\n5,3.0\n6,2.9\n' },
  { name: 'unknown.csv', text: 'alpha,beta\n1,2\n3,4\n' },
  { name: 'override.csv', text: 'epoch,my_metric\n1,2\n', options: { columns: { loss: 'val_los' } } },
  { name: 'fit_on.csv', text: LOSS, options: { fitOn: ['nope'] } },
  { name: 'downstream.csv', text: 'D_p,speed,mix\n1B,2,a\n', options: { law: 'bleu' } },
  { name: 'fractions.csv', text: 'D_p,bleu\n1B,0.1\n2B,0.2\n4B,0.25\n8B,0.27\n' },
  { name: 'sweep.csv', text: SWEEP },
  { name: 'compute.csv', text: 'params,loss\n1e6,3\n2e6,2.9\n', options: { law: 'chinchilla' } },
  { name: 'power.csv', text: 'tokens,loss\n1,3\n2,2.9\n', options: { law: 'power' } },
  { name: 'large.csv', text: LOSS, maxBytes: 64 },
  { name: 'no_size.csv', text: LOSS, options: { law: 'lr-annealing-size' } },
  { name: 'one_size.csv', text: LOSS, options: { law: 'lr-annealing-size', sizes: { one_size: 1e8 } } },
  { name: 'size_typo.csv', text: LOSS, options: { law: 'lr-annealing-size', sizes: { size_typ: 1e8 } } },
  {
    name: 'size_given.csv',
    text: LOSS.replace('loss\n', 'loss,params\n').replace(/\n(.*)/g, '\n$1,25000000'),
    options: { law: 'lr-annealing-size', sizes: { size_given: 1e9 } },
  },
  { name: 'diverging.csv', text: DIVERGING, options: { law: 'lr-annealing' } },
  { name: 'two_runs.csv', text: TWO_RUNS, options: { law: 'lr-annealing', fitOn: ['a'] } },
  { name: 'two_levels.csv', text: TWO_LEVELS, options: { law: 'lr-annealing' } },
  { name: 'all_warmup.csv', text: LOSS, options: { law: 'lr-annealing', warmupSteps: 1200 } },
];

/** Each bad input's analysis, by file name. */
function analyseBad(): Map<string, Analysis> {
  return new Map(
    BAD_INPUTS.map(({ name, text, options, maxBytes }) => [
      name,
      analyseTables([parseText(text, { fileName: name, displayName: name, maxBytes })], {
        bootstrapSamples: 0,
        ...options,
      }),
    ]),
  );
}

test('what the analysis says about bad inputs names no flag or setting, and every hinted code is among it', () => {
  const analyses = [...analyseBad().values()];
  const texts = analyses.flatMap((a) => [
    ...a.findings.flatMap((f) => [f.message, ...(f.related ?? []).map((r) => r.message)]),
    ...a.files.flatMap((f) => f.notes),
  ]);
  assert.deepEqual(
    texts.filter((text) => SHELL_TERM.test(text)),
    [],
  );
  const raised = new Set(analyses.flatMap((a) => a.findings.map((f) => f.code)));
  const hinted = FINDING_CODES.filter((code) => FINDINGS[code].hints?.length);
  assert.deepEqual(
    hinted.filter((code) => !raised.has(code)),
    [],
    'codes with hints that no bad input raised',
  );
  for (const f of analyses.flatMap((a) => a.findings))
    if (FINDINGS[f.code].hints?.length) assert.ok(f.hints?.length, `${f.code} carries its hints`);
});

test('a missing-column finding hints at exactly the roles that are missing', () => {
  const analyses = analyseBad();
  const hintsOf = (file: string, code: string) => analyses.get(file)!.findings.find((f) => f.code === code)?.hints;
  assert.deepEqual(hintsOf('downstream.csv', 'downstream-missing-column'), [
    { kind: 'map-role', roles: ['bleu', 'ce'] },
  ]);
  assert.deepEqual(hintsOf('compute.csv', 'compute-missing-column'), [{ kind: 'map-role', roles: ['tokens'] }]);
  assert.deepEqual(hintsOf('power.csv', 'power-missing-column'), [{ kind: 'set-option', option: 'powerX' }]);
});
