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
