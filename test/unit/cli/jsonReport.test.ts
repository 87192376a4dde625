// The `--json` document written in chunks (writeJsonReport) is, to the byte, the document stringified whole; and a
// log of a million points is written without its text or its pairs ever being whole in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { writeJsonReport } from '../../../src/cli/report';
import { documentJson, fitDocument } from '../../../src/core/report/fitDocument';
import { parseText } from '../../../src/core/table';

function run(name: string, rows: number, drop: number): string {
  const lines = Array.from({ length: rows }, (_, i) => {
    const s = (i + 1) * 10;
    const lr = s > drop ? 1e-4 : 3e-4;
    return `${s},${lr},${(2.5 + 4 * Math.pow(s, -0.4) - (s > drop ? 0.05 : 0)).toFixed(5)}`;
  });
  return ['step,lr,loss', ...lines].join('\n');
}

test('written in chunks, the document is the one JSON.stringify writes: every field, indent and number', async () => {
  const tables = [
    parseText(run('a', 300, 2000), { fileName: 'a "quoted" run.csv', displayName: 'a "quoted" run.csv' }),
    parseText(run('b', 50, 400), { fileName: 'b.csv', displayName: 'b.csv' }),
  ];
  const analysis = analyseTables(tables, { law: 'lr-annealing', bootstrapSamples: 8, fitOn: ['a "quoted" run'] });
  assert.ok(
    analysis.curves.some((c) => c.points.low.length > 0),
    'a band to write',
  );
  const chunks: string[] = [];
  await writeJsonReport(analysis, 'test', async (text) => void chunks.push(text));
  assert.equal(chunks.join(''), `${documentJson(fitDocument(analysis, 'test'))}\n`);
  assert.ok(chunks.length > 4, 'the per-point arrays are written apart');
});

test('a million points are written in chunks of a few hundred kB, never as one string', async () => {
  const n = 1_000_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const y = x.map((s) => 3 + 1 / s);
  const analysis = analyseTables([parseText(run('a', 30, 100), { fileName: 'a.csv' })], { bootstrapSamples: 0 });
  const curve = analysis.curves[0];
  curve.points = { ...curve.points, x, observed: y, predicted: y, low: y, high: y, lines: x };
  let largest = 0;
  let total = 0;
  await writeJsonReport(analysis, 'test', async (text) => {
    largest = Math.max(largest, text.length);
    total += text.length;
  });
  assert.ok(total > 100e6, `${total} characters`);
  assert.ok(largest < 2e6, `largest chunk ${largest} characters`);
});
