// The step-keyed sources' one table: series joined on step, the last value of a step kept, a written NaN told apart
// from a step not logged, orphaned points dropped on a restart, and the joined cells bounded by the bytes read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinedObjectColumnsOf, StepTableBuilder } from '../../../src/core/sources/stepTable';
import { ProblemLog } from '../../../src/core/table/problems';
import { textAt } from '../../../src/core/table/types';

test('series join on one sorted step axis; a step logged twice keeps the later value', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  b.add('train/loss', 5, 3.2, 1);
  b.add('train/loss', 10, 3.0, 2);
  b.add('eval/loss', 20, 3.1, 3);
  b.add('train/loss', 20, 2.9, 4);
  b.add('train/loss', 20, 2.8, 5);
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [5, 10, 20]);
  assert.deepEqual([...t.columns[1].values], [3.2, 3.0, 2.8]);
  assert.deepEqual(
    Array.from(t.columns[2].values, (v) => (Number.isNaN(v) ? null : v)),
    [null, null, 3.1],
  );
  assert.equal(t.columns[2].emptyCount, 2);
  assert.deepEqual([...t.lines], [1, 2, 3]);
});

test("a series a resumed run appended to (an MLflow metric file) is resolved as a log file's curve is, and said", () => {
  const log = new ProblemLog('run');
  const b = new StepTableBuilder(log);
  // Steps 1-8, then the run resumed from its checkpoint at 5 and crashed again at 6: 7 and 8 are the abandoned try's.
  for (let s = 1; s <= 8; s++) b.add('loss', s, 10 - s, s);
  for (let s = 5; s <= 6; s++) b.add('loss', s, 20 - s, 4 + s);
  b.cellsOf('loss', { file: 'run/metrics/loss', field: 1, delimiter: ' ' });
  const t = b.finish({ format: 'mlflow', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...t.columns[1].values], [9, 8, 7, 6, 15, 14]);
  const said = t.problems.filter((p) => p.code === 'steps-repeated');
  assert.equal(said.length, 1, JSON.stringify(t.problems));
  assert.equal(said[0].file, 'run/metrics/loss');
  assert.equal(said[0].line, 9);
  assert.match(
    said[0].message,
    /"loss" go back from 8 to 5 .* 2 steps logged more than once\. 2 points at steps 7 to 8 \(from line 7\)/,
  );
});

test("equal steps in a row (a trainer_state's train and eval entries both logging epoch), or a shuffle, are no restart", () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (const [step, line] of [
    [10, 1],
    [10, 2],
    [20, 3],
    [20, 4],
  ])
    b.add('epoch', step, step / 100, line);
  for (const [step, line] of [
    [10, 5],
    [30, 6],
    [20, 7],
  ])
    b.add('lr', step, 1e-3, line);
  const t = b.finish({ format: 'hf-trainer-state', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [10, 20, 30]);
  assert.equal(t.problems.length, 0, JSON.stringify(t.problems));
});

test('a NaN logged is a written NaN; a restart drops the orphaned steps', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (let s = 1; s <= 5; s++) b.add('loss', s, s === 3 ? NaN : 1 / s, s);
  b.dropFrom(4);
  b.add('loss', 4, 0.3, 9);
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [1, 2, 3, 4]);
  assert.equal(textAt(t.columns[1], 2), 'NaN');
  assert.equal(t.columns[1].numericCount, 4);
});

test('series that share no steps are left out past the cell budget, with a finding', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (let k = 0; k < 100; k++) for (let s = 0; s < 100; s++) b.add(`tag${k}`, k * 100 + s, 1, 1);
  const t = b.finish({ format: 'tensorboard', bytesRead: 10_000 });
  assert.ok(t.rowCount * t.columns.length <= 2 * 10_000 + 4096);
  assert.ok(t.problems.some((p) => p.code === 'columns-capped'));
});

test('series each in step order are merged to the same axis a sort gives, repeats and gaps included', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  const series: Record<string, number[]> = { a: [1, 3, 3, 5, 9], b: [2, 3, 4], c: [9, 10], d: [0] };
  let line = 1;
  for (const [name, steps] of Object.entries(series)) for (const s of steps) b.add(name, s, s * 10, line++);
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [0, 1, 2, 3, 4, 5, 9, 10]);
  assert.deepEqual(
    Array.from(t.columns[1].values, (v) => (Number.isNaN(v) ? null : v)),
    [null, 10, null, 30, null, 50, 90, null],
  );
  assert.deepEqual(
    Array.from(t.columns[3].values, (v) => (Number.isNaN(v) ? null : v)),
    [null, null, null, null, null, null, 90, 100],
  );
});

test('dropTailFrom removes only the named series’ trailing points at or after the step', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (let s = 1; s <= 5; s++) {
    b.add('loss', s, s, s);
    b.add('lr', s, s / 10, s);
  }
  b.dropTailFrom(3, ['loss', 'missing']);
  b.add('loss', 3, 30, 9);
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual(
    Array.from(t.columns[1].values, (v) => (Number.isNaN(v) ? null : v)),
    [1, 2, 30, null, null],
  );
  assert.equal(t.columns[2].numericCount, 5, 'lr keeps every point');
});

test('series logged together at every step are joined whole: the same values, NaN codes and earliest lines', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (let s = 1; s <= 6; s++) {
    b.add('lr', s * 10, s === 2 ? NaN : s / 1000, 2 * s);
    b.add('loss', s * 10, 4 - s / 10, 2 * s + 1);
  }
  b.add('sparse', 30, 7, 99); // one point: not on every row
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(
    Array.from(t.columns[1].values, (v) => (Number.isNaN(v) ? null : v)),
    [0.001, null, 0.003, 0.004, 0.005, 0.006],
  );
  assert.equal(textAt(t.columns[1], 1), 'NaN');
  assert.equal(t.columns[1].numericCount, 6);
  assert.equal(t.columns[1].emptyCount, 0);
  assert.deepEqual([...t.columns[2].values], [3.9, 3.8, 3.7, 3.6, 3.5, 3.4]);
  assert.equal(t.columns[2].text, undefined);
  assert.equal(t.columns[3].numericCount, 1);
  assert.deepEqual([...t.lines], [2, 4, 6, 8, 10, 12], "each row's earliest point");
});

/** A table's columns and lines as plain arrays, to compare two builds. */
function snapshot(t: ReturnType<StepTableBuilder['finish']>): unknown {
  return {
    columns: t.columns.map((c) => ({ name: c.name, values: [...c.values], numeric: c.numericCount, text: c.text })),
    lines: [...t.lines],
    problems: t.problems,
  };
}

/** Points of three series: two logged together, one every third step with a restart; `share` as the source says it. */
function build(share: () => number, points: number): StepTableBuilder {
  const b = new StepTableBuilder(new ProblemLog('run'), share);
  for (let s = 1; s <= points; s++) {
    b.add('loss', s, 1 / s, 2 * s);
    b.add('lr', s, s === 7 ? NaN : s * 1e-4, 2 * s + 1);
    if (s % 3 === 0) b.add('eval', s, 2 / s, 2 * s + 1);
    if (s === points >> 1) b.dropTailFrom(s - 5, ['eval']);
  }
  return b;
}

test('series grown by a read share (right, wrong or unknown) give the table doubling gives', () => {
  const points = 5000;
  const expected = snapshot(build(() => 0, points).finish({ format: 'tensorboard', bytesRead: 1e6 }));
  let added = 0;
  const shares: [string, () => number][] = [
    ['exact', () => (added += 1) && Math.min(1, added / (points * 2.3))],
    ['far too low', () => 1e-9],
    ['above one', () => 5],
    ['NaN', () => NaN],
  ];
  for (const [what, share] of shares) {
    added = 0;
    const t = build(share, points).finish({ format: 'tensorboard', bytesRead: 1e6 });
    assert.deepEqual(snapshot(t), expected, what);
    // The table holds no more than its rows: a series' arrays are kept only when they fill their buffer.
    for (const c of t.columns) assert.ok(c.values.buffer.byteLength <= (c.values.length * 8 * 16) / 15, what);
  }
});

test('a series whose length the read share predicts is handed to the table as it is, without a copy', () => {
  let added = 0;
  const b = new StepTableBuilder(new ProblemLog('run'), () => added / 1000);
  for (let s = 1; s <= 1000; s++, added++) b.add('loss', s, 1 / s, s);
  const values = b.finish({ format: 'tensorboard', bytesRead: 1e6 }).columns[1].values;
  assert.deepEqual(
    Array.from(values.subarray(0, 3), (v) => +v.toFixed(3)),
    [1, 0.5, 0.333],
  );
  // 16, then 8x at most (128), then the 1,000 predicted and 2 % more: the series' own array, neither a copy of its
  // 1,000 points (8,000 bytes) nor the 1,024 doubling reaches.
  assert.ok(values.buffer.byteLength > 8000 && values.buffer.byteLength < 8192, `${values.buffer.byteLength}`);
});

test('a table made while points are still added keeps its values: the series copies its shared arrays first', () => {
  const b = new StepTableBuilder(new ProblemLog('run'), () => 0);
  for (let s = 1; s <= 16; s++) b.add('loss', s, s, s);
  const first = b.fork(new ProblemLog('run')).finish({ format: 'tensorboard', bytesRead: 1e6 });
  // 16 points fill the first arrays: the table holds them as they are, shared with the series.
  assert.equal(first.columns[1].values.buffer.byteLength, 16 * 8);
  const before = snapshot(first);
  b.dropTailFrom(10, ['loss']);
  b.add('loss', 10, -1, 99);
  b.dropFrom(5);
  b.add('loss', 5, -2, 100);
  assert.deepEqual(snapshot(first), before);
  const second = b.finish({ format: 'tensorboard', bytesRead: 1e6 });
  assert.deepEqual([...second.columns[1].values], [1, 2, 3, 4, -2]);
});

test('lines kept as a progression give the lines an array would: broken strides, drops, shared arrays', () => {
  // Each point's line as given, the earliest of a row kept: what the table's lines must be whatever holds them.
  const points: [string, number, number][] = [];
  const add = (b: StepTableBuilder, name: string, step: number, line: number) => {
    b.add(name, step, line, line);
    points.push([name, step, line]);
  };
  const b = new StepTableBuilder(new ProblemLog('run'), () => 0);
  for (let s = 1; s <= 40; s++) add(b, 'every', s, 3 * s); // one stride throughout
  for (let s = 1; s <= 40; s++) add(b, 'broken', s, s < 20 ? 3 * s - 1 : 3 * s + 7); // stride broken at step 20
  add(b, 'one', 5, 2); // a single point, earlier than the others on its row
  for (let s = 1; s <= 10; s++) add(b, 'negative', s, 200 - 2 * s); // lines going down
  [5, 1, 6, 2, 7].forEach((step, k) => add(b, 'unordered', step, k + 1)); // a drop then keeps points 2 and 4
  const table = b.fork(new ProblemLog('run')).finish({ format: 'tensorboard', bytesRead: 1e6 });
  const before = earliestLines(points, 40);
  assert.deepEqual([...table.lines], before);
  // Shared with that table now: dropping (which moves points down) and adding rewrite the series' own copies.
  b.dropFrom(5, ['unordered']);
  b.dropFrom(30, ['every', 'broken']);
  const dropped = (name: string, step: number) =>
    (name === 'unordered' && step >= 5) ||
    (name !== 'unordered' && name !== 'one' && name !== 'negative' && step >= 30);
  const kept = points.filter(([name, step]) => !dropped(name, step));
  points.length = 0;
  points.push(...kept);
  add(b, 'every', 30, 1000); // breaks the stride after the drop
  add(b, 'broken', 30, 1);
  add(b, 'unordered', 3, 6);
  const after = b.finish({ format: 'tensorboard', bytesRead: 1e6 });
  assert.deepEqual([...after.lines], earliestLines(points, 30));
  assert.deepEqual([...table.lines], before, 'the first table is as it was');
});

/** The earliest line of each step 1..`steps` among the points (1 where none). */
function earliestLines(points: readonly [string, number, number][], steps: number): number[] {
  const lines = Array.from({ length: steps }, () => Number.POSITIVE_INFINITY);
  for (const [, step, line] of points) if (step <= steps) lines[step - 1] = Math.min(lines[step - 1], line);
  return lines.map((l) => (l === Number.POSITIVE_INFINITY ? 1 : l));
}

test("a joined cell's record is the last of its step that wrote it on the cell's line; none elsewhere, none unplaced", () => {
  // [step, line, `{` column, key, value]: a step's records on one line (a trainer state without indent), one re-logged.
  const records: [number, number, number, string, number][] = [
    [10, 1, 2, 'loss', 3.0],
    [10, 1, 30, 'eval_loss', 3.1],
    [10, 1, 60, 'loss', 2.9],
    [20, 2, 1, 'loss', 2.5],
    [20, 3, 5, 'eval_loss', 2.4],
    [30, 3, 0, 'loss', 2.0],
  ];
  const b = new StepTableBuilder(new ProblemLog('run'));
  for (const [step, line, , key, value] of records) b.add(key, step, value, line);
  const t = b.finish({ format: 'json', bytesRead: 1000, cells: {} });
  const names = t.columns.map((c) => c.name);
  const byRow = joinedObjectColumnsOf(t, {
    count: records.length,
    step: (r) => records[r][0],
    line: (r) => records[r][1],
    opensAt: (r) => records[r][2],
    wrote: (r, k) => k === 0 || records[r][3] === names[k],
  });
  assert.deepEqual(names, ['step', 'loss', 'eval_loss']);
  // Step 10: the re-logged loss is the later record's. Step 20: its eval_loss lies on line 3, in the record there; its
  // step on the row's line 2. Step 30's record has no known place: no row.
  assert.deepEqual(
    [...byRow].map(([row, columns]) => [row, [...columns]]),
    [
      [0, [60, 60, 30]],
      [1, [1, 1, 5]],
    ],
  );
});
