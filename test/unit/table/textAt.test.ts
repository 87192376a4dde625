// textAt, the one reader of text cells: the text of a text cell, 'NaN' for a written NaN, undefined for numbers,
// empty cells and columns without text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, textAt } from '../../../src/core/table';
import { column } from './helpers';

test('textAt reads text cells and a written NaN; numbers and empty cells have no text', () => {
  const table = parseText('run,loss\nrun-a,2.5\n7,nan\n,diverged\nrun-a,\n');
  const run = column(table, 'run');
  const loss = column(table, 'loss');
  assert.deepEqual(
    [0, 1, 2, 3].map((row) => textAt(run, row)),
    ['run-a', undefined, undefined, 'run-a'],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((row) => textAt(loss, row)),
    [undefined, 'NaN', 'diverged', undefined],
  );
});

test('textAt of a column with no text cells is undefined on every row', () => {
  const table = parseText('step,loss\n1,2.5\n2,\n');
  const loss = column(table, 'loss');
  assert.equal(loss.text, undefined);
  assert.deepEqual([textAt(loss, 0), textAt(loss, 1)], [undefined, undefined]);
});
