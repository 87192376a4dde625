// Findings about single rows come out one per code with a count, however many rows share the problem: a million
// `nan` losses or 300,000 negative steps give one finding each, not a million (and no stack overflow on the way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { RowFindings } from '../../../src/core/analysis/rowFindings';
import { parseText } from '../../../src/core/table';

test('one row keeps its own finding; many rows of one code become one finding with the count and the first lines', () => {
  const rows = new RowFindings();
  rows.add('loss-invalid', 'warning', 'Loss "nan" is not a number; the row is left out.', 'a.csv', 7);
  assert.deepEqual(
    rows.findings().map((f) => [f.code, f.line, f.rows]),
    [['loss-invalid', 7, undefined]],
  );
  for (let line = 8; line < 50_008; line++) rows.add('loss-invalid', 'warning', `Loss at ${line}`, 'a.csv', line);
  rows.add('step-negative', 'warning', 'Step -1 is negative; the row is left out.', 'a.csv', 3);
  const [loss, negative] = rows.findings();
  assert.equal(loss.rows, 50_001);
  assert.equal(loss.line, 7);
  assert.match(
    loss.message,
    /^Loss "nan" is not a number; the row is left out\. Also on 50,000 more rows \(line 8, line 9/,
  );
  assert.equal(loss.related?.length, 20);
  assert.equal(loss.related?.[0].line, 8);
  assert.equal(negative.rows, undefined);
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
  assert.equal(byCode('step-negative').length, 1);
  assert.equal(byCode('step-negative')[0].rows, 300_000);
  assert.equal(byCode('loss-invalid').length, 1);
  assert.equal(byCode('loss-invalid')[0].rows, 999_000);
  assert.ok(analysis.findings.length < 20, `${analysis.findings.length} findings`);
});
