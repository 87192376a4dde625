// Findings about single rows are bounded: the first rows of a code keep a finding each, the rest come out as one with
// their count. A million `nan` losses or 300,000 negative steps give a few dozen findings, not a million (and no stack
// overflow on the way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { RowFindings } from '../../../src/core/analysis/rowFindings';
import { parseText } from '../../../src/core/table';

test('the first rows of a code keep a finding each; the rest become one finding with their count', () => {
  const rows = new RowFindings();
  for (let line = 2; line < 50_002; line++)
    rows.add('loss-invalid', 'warning', `Loss at ${line} is nan.`, 'a.csv', line);
  rows.add('step-negative', 'warning', 'Step -1 is negative; the row is left out.', 'a.csv', 3);
  const out = rows.findings();
  const loss = out.filter((f) => f.code === 'loss-invalid');
  assert.equal(loss.length, 21);
  assert.deepEqual(
    loss.slice(0, 20).map((f) => f.line),
    Array.from({ length: 20 }, (_, i) => i + 2),
  );
  const summary = loss[20];
  assert.equal(summary.rows, 49_980);
  assert.equal(summary.line, 22);
  assert.match(summary.message, /^49,980 more rows like line 2 \(lines 22, 23, 24, 25, 26, …\): Loss at 22 is nan\.$/);
  assert.equal(summary.related?.length, 20);
  assert.deepEqual(
    out.filter((f) => f.code === 'step-negative').map((f) => [f.line, f.rows]),
    [[3, undefined]],
  );
});

function analyseText(text: string) {
  return analyseTables([parseText(text, { fileName: 'run.csv' })], { bootstrapSamples: 0 });
}

test('a million nan losses and 300,000 negative steps: the fit runs on the good rows, one finding per problem', () => {
  const lines = ['step,lr,loss'];
  for (let i = 1; i <= 300_000; i++) lines.push(`${-i},3e-4,2.5`);
  for (let i = 1; i <= 1_000_000; i++) lines.push(i % 1000 ? `${i},3e-4,nan` : `${i},3e-4,${2.5 + 3 * i ** -0.4}`);
  const analysis = analyseText(lines.join('\n'));
  assert.equal(analysis.fits.length, 1);
  const byCode = (code: string) => analysis.findings.filter((f) => f.code === code);
  const count = (code: string) => byCode(code).reduce((n, f) => n + (f.rows ?? 1), 0);
  assert.equal(byCode('step-negative').length, 21);
  assert.equal(count('step-negative'), 300_000);
  assert.equal(byCode('loss-invalid').length, 21);
  assert.equal(count('loss-invalid'), 999_000);
  assert.ok(analysis.findings.length < 60, `${analysis.findings.length} findings`);
});
