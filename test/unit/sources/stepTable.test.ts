// The step-keyed sources' one table: series joined on step, the last value of a step kept, a written NaN told apart
// from a step not logged, orphaned points dropped on a restart, and the joined cells bounded by the bytes read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepTableBuilder } from '../../../src/core/sources/stepTable';
import { ProblemLog } from '../../../src/core/table/problems';
import { textAt } from '../../../src/core/table/types';

test('series join on one sorted step axis; a step logged twice keeps the later value', () => {
  const b = new StepTableBuilder(new ProblemLog('run'));
  b.add('train/loss', 10, 3.0, 1);
  b.add('train/loss', 20, 2.9, 2);
  b.add('eval/loss', 20, 3.1, 3);
  b.add('train/loss', 5, 3.2, 4);
  b.add('train/loss', 20, 2.8, 5);
  const t = b.finish({ format: 'tensorboard', bytesRead: 1000 });
  assert.deepEqual([...t.columns[0].values], [5, 10, 20]);
  assert.deepEqual([...t.columns[1].values], [3.2, 3.0, 2.8]);
  assert.deepEqual(
    Array.from(t.columns[2].values, (v) => (Number.isNaN(v) ? null : v)),
    [null, null, 3.1],
  );
  assert.equal(t.columns[2].emptyCount, 2);
  assert.deepEqual([...t.lines], [4, 1, 2]);
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
