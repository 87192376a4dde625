// Findings about single curves or groups are bounded like those about rows: a file of many runs without an LR gives
// the first runs' findings as they are and one finding with the count of the rest, not one finding per run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { summariseCurveFindings } from '../../../src/core/analysis/curveFindings';
import type { Finding } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';

function runsWithoutLr(runs: number): string {
  let text = 'run,step,loss\n';
  for (let r = 0; r < runs; r++) for (let s = 1; s <= 3; s++) text += `run-${r},${s * 10},${(3 - s / 10).toFixed(2)}\n`;
  return text;
}

test('3,000 runs without an LR: ten lr-missing errors as they are, then one with the count of the rest', () => {
  const analysis = analyseTables([parseText(runsWithoutLr(3000), { fileName: 'runs.csv' })], { bootstrapSamples: 0 });
  const missing = analysis.findings.filter((f) => f.code === 'lr-missing');
  assert.equal(missing.length, 11);
  assert.deepEqual(
    missing.slice(0, 10).map((f) => [f.curve, f.curves]),
    Array.from({ length: 10 }, (_, r) => [`run-${r}`, undefined]),
  );
  const summary = missing[10];
  // The run cap keeps 2,000 runs; 1,990 are past the ten shown.
  assert.equal(summary.curves, 1990);
  assert.equal(summary.curve, 'run-10');
  assert.equal(summary.line, missing[0].line + 30);
  assert.match(
    summary.message,
    /^1,990 more curves with this finding \("run-10", "run-11", "run-12", "run-13", "run-14", …\); the first: "run-10" has no learning-rate values/,
  );
  assert.equal(summary.related?.length, 20);
  assert.equal(summary.related?.[19].line, missing[0].line + 29 * 3);
  assert.ok(analysis.findings.length < 20, analysis.findings.map((f) => f.code).join(', '));
});

test('a few runs keep every finding exactly as it is', () => {
  const analysis = analyseTables([parseText(runsWithoutLr(4), { fileName: 'runs.csv' })], { bootstrapSamples: 0 });
  const missing = analysis.findings.filter((f) => f.code === 'lr-missing');
  assert.deepEqual(
    missing.map((f) => [f.curve, f.curves, f.related]),
    [0, 1, 2, 3].map((r) => [`run-${r}`, undefined, undefined]),
  );
});

test('a curve counts once however many findings it has; file, row and other codes pass in order', () => {
  const of = (
    code: Finding['code'],
    curve: string | undefined,
    line: number,
    extra: Partial<Finding> = {},
  ): Finding => ({
    code,
    severity: 'warning',
    message: `${code} ${curve ?? 'file'} ${line}`,
    file: 'a.csv',
    line,
    ...(curve === undefined ? {} : { curve }),
    ...extra,
  });
  const input: Finding[] = [of('loss-invalid', undefined, 1)];
  for (let r = 0; r < 14; r++)
    input.push(of('steps-repeated', `c${r}`, 10 + r), of('steps-repeated', `c${r}`, 100 + r));
  input.push(of('loss-invalid', 'c3', 7, { rows: 500 }));
  input.push(of('steps-repeated', 'g', 5, { curve: undefined, group: 'g' }));
  const out = summariseCurveFindings(input);
  assert.equal(out[0], input[0]);
  const repeated = out.filter((f) => f.code === 'steps-repeated' && f.curve !== undefined);
  // Ten curves' two findings each, then one for the four curves past them.
  assert.equal(repeated.length, 21);
  assert.equal(repeated[20].curves, 4);
  assert.deepEqual(
    repeated[20].related?.map((r) => r.line),
    [20, 21, 22, 23],
  );
  assert.ok(out.some((f) => f.rows === 500));
  assert.ok(out.some((f) => f.group === 'g'));
  assert.equal(summariseCurveFindings(input.slice(0, 5)).length, 5);
});

test('BLEU breaks stay one per group however many groups break: the chart marks each and the editor counts them', () => {
  const breaks: Finding[] = Array.from({ length: 30 }, (_, g) => ({
    code: 'bleu-law-break',
    severity: 'warning',
    file: 'sweep.csv',
    line: 2 + g,
    group: `task-${g}`,
    message: `task-${g}: BLEU leaves its law`,
  }));
  assert.deepEqual(summariseCurveFindings(breaks), breaks);
});
