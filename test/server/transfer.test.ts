import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables, collectTables, finishAnalysis, provisionalAnalysis } from '../../src/core/analysis/analyse';
import { plainAnalysis } from '../../src/core/analysis/series';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { parseText } from '../../src/core/table';
import { copyForTransfer, packAnalysis, provisionalForTransfer } from '../../src/server/transfer';

const rows = Array.from({ length: 6000 }, (_, i) => `${i + 1},0.0003,${(2.5 + 4 * Math.pow(i + 1, -0.45)).toFixed(5)}`);
const table = () => parseText(['step,lr,loss', ...rows].join('\n'), { fileName: 'run.csv' });
const options = { bootstrapSamples: 10 };
const withoutTimings = <T extends Analysis<Series>>(a: T): T => ({ ...a, timings: { parseMs: 0, fitMs: 0 } });

test('an analysis as the worker makes it travels with its loss-curve series as buffers, and arrives the same value', () => {
  const expected = withoutTimings(analyseTables([table()], options));
  const analysis = finishAnalysis(collectTables([table()], options));
  const buffers = packAnalysis(analysis);
  assert.equal(buffers.length, 7, 'the six point series and the LR; the schedule steps are the points steps');
  const moved = structuredClone(analysis, { transfer: buffers });
  const curve = moved.curves[0];
  assert.ok(
    curve.points.x instanceof Float64Array && curve.points.lines instanceof Int32Array,
    'kept typed: the server reads them as they are',
  );
  assert.equal(curve.schedule!.steps, curve.points.x, 'one array on arrival too');
  assert.deepEqual(withoutTimings(plainAnalysis(moved)), expected);
  assert.ok(Array.isArray(curve.points.x));
});

test('long number[] series are packed into Float64Arrays for the move', () => {
  const analysis = analyseTables([table()], options);
  const expected = structuredClone(analysis);
  const buffers = packAnalysis(analysis);
  assert.equal(buffers.length, 7, 'the shared steps array is packed once');
  const moved = structuredClone(analysis, { transfer: buffers });
  assert.ok(moved.curves[0].points.observed instanceof Float64Array);
  assert.deepEqual(plainAnalysis(moved), expected);
});

test('series in shared memory (tables of large files are parsed into it) cross without being put in the transfer list', () => {
  const analysis = finishAnalysis(collectTables([table()], options));
  const points = analysis.curves[0].points;
  const shared = new Float64Array(new SharedArrayBuffer(points.observed.length * 8));
  shared.set(points.observed);
  points.observed = shared;
  const buffers = packAnalysis(analysis);
  assert.ok(!buffers.some((b) => (b as unknown) instanceof SharedArrayBuffer));
  const moved = structuredClone(analysis, { transfer: buffers });
  assert.deepEqual(Array.from(moved.curves[0].points.observed), Array.from(shared));
});

test("a follower's analysis moves copies: what else holds its arrays keeps them, the analysis left behind holds none", () => {
  const analysis = finishAnalysis(collectTables([table()], options));
  const expected = withoutTimings(plainAnalysis(structuredClone(analysis)));
  const held = analysis.curves[0].points.x as Float64Array; // as a follower's tables and warm start hold them
  const heldValues = Array.from(held);
  const buffers = copyForTransfer(analysis);
  assert.equal(buffers.length, 7, 'the shared steps array is copied once');
  const moved = structuredClone(analysis, { transfer: buffers });
  assert.deepEqual(Array.from(held), heldValues, 'the arrays held elsewhere are untouched');
  assert.equal(analysis.curves[0].points.x.length, 0, 'the analysis left behind holds no series: detached');
  assert.equal(analysis.curves[0].points.predicted.length, 0);
  assert.equal(moved.curves[0].schedule!.steps, moved.curves[0].points.x, 'one array on arrival too');
  assert.deepEqual(withoutTimings(plainAnalysis(moved)), expected);
});

test('a provisional analysis moves copies without its LR schedules, and the tables it came from go on intact', () => {
  const collected = collectTables([table()], options);
  const provisional = provisionalAnalysis(collected, 1)!;
  const buffers = provisionalForTransfer(provisional);
  const moved = structuredClone(provisional, { transfer: buffers });
  assert.equal(moved.curves[0].schedule, undefined);
  assert.equal(moved.curves[0].points.observed.length, rows.length);
  // The curves' own arrays were copied, not moved: the full analysis is fitted on them and is a fresh one's.
  assert.equal(collected.lossCurves[0].loss.length, rows.length);
  const expected = withoutTimings(analyseTables([table()], options));
  assert.deepEqual(withoutTimings(plainAnalysis(finishAnalysis(collected))), expected);
});
