import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../src/core/analysis/analyse';
import { parseText } from '../../src/core/table';
import { packAnalysis, unpackAnalysis } from '../../src/server/transfer';

test('an analysis packed for transfer and unpacked is the same value, and long arrays travel as buffers', () => {
  const rows = Array.from({ length: 6000 }, (_, i) => `${i + 1},0.0003,${(2.5 + 4 * Math.pow(i + 1, -0.45)).toFixed(5)}`);
  const analysis = analyseTables([parseText(['step,lr,loss', ...rows].join('\n'), { fileName: 'run.csv' })], { bootstrapSamples: 10 });
  const expected = structuredClone(analysis);
  const buffers = packAnalysis(analysis);
  assert.equal(buffers.length, 8, 'six point arrays and the two schedule arrays');
  const moved = structuredClone(analysis, { transfer: buffers });
  assert.deepEqual(unpackAnalysis(moved), expected);
  assert.ok(Array.isArray(moved.curves[0].points.x));
});
