// Two-thread reads where the first thread also reads the end of the worker's half (stealTail forces it whenever any
// is left) give exactly the one-thread table: rows, lines (blank and comment lines in each part), text cells,
// new JSONL keys in the last part, problems. The worker's rows go straight into the reader's arrays (shared memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTable, type ReadTableOptions } from '../../../src/core/table';
import type { Table } from '../../../src/core/table/types';
import { plain, tempFiles } from './helpers';

/** Reads a file on one thread and, a few times, on two taking the tail; returns how the two-thread reads went. */
async function withTail(
  name: string,
  content: string,
  options: ReadTableOptions = {},
): Promise<{ one: Table; reports: string[] }> {
  const { path, cleanup } = tempFiles({ [name]: content });
  try {
    const one = await readTable(path(name), { ...options, parallel: false });
    const reports: string[] = [];
    for (let i = 0; i < 4; i++) {
      let report = 'no split';
      const two = await readTable(path(name), {
        chunkSize: 16 * 1024,
        ...options,
        parallel: true,
        stealTail: true,
        onSplit: (r) => (report = r.tail ? 'tail' : r.reason),
      });
      assert.deepEqual(plain(two), plain(one));
      reports.push(report);
    }
    return { one, reports };
  } finally {
    cleanup();
  }
}

function rows(count: number, row: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => `${row(i)}\n`).join('');
}

test('CSV: the end of the worker half read here merges identically, blank and comment lines included', async () => {
  const row = (i: number) =>
    i % 997 === 0 ? `\n# note ${i}\n${i},${i / 8}` : i % 13 === 0 ? `${i},` : `${i},${(i * 1e-4).toExponential(3)}`;
  const { one, reports } = await withTail('run.csv', `step,lr\n${rows(150_000, row)}`);
  assert.equal(one.rowCount, 150_000);
  assert.ok(
    reports.every((r) => r === 'tail' || r === 'merged'),
    reports.join(),
  );
});

test('CSV with text and a problem in the last part: still the one-thread table', async () => {
  const row = (i: number) => (i === 140_000 ? `${i},1,2` : `${i},${i % 3 ? 'a' : '1.5'}`);
  const { one, reports } = await withTail('ragged.csv', `step,v\n${rows(150_000, row)}`);
  assert.equal(one.problems[0].code, 'row-ragged');
  assert.ok(
    reports.every((r) => r !== 'tail'),
    'a problem in a part is read in order instead',
  );
});

test('JSONL: a key first seen in the last part becomes the last column, empty before', async () => {
  const row = (i: number) =>
    JSON.stringify(i < 120_000 ? { step: i, loss: 3 - i / 1e5 } : { step: i, loss: 3 - i / 1e5, late: i });
  const { one, reports } = await withTail('run.jsonl', rows(150_000, row));
  assert.deepEqual(
    one.columns.map((c) => c.name),
    ['step', 'loss', 'late'],
  );
  assert.ok(
    reports.every((r) => r === 'tail' || r === 'merged'),
    reports.join(),
  );
});

test('a cut inside a quoted field with newlines: read in order instead, the same table', async () => {
  // Plain rows up to past the middle, then rows that are almost all quoted text over many lines.
  const row = (i: number) => (i < 100_000 ? `${i},${i}` : `${i},"a\n${'x,\n'.repeat(800)}b"`);
  const { reports } = await withTail('quoted.csv', `step,v\n${rows(100_400, row)}`);
  assert.ok(
    reports.some((r) => r !== 'tail'),
    reports.join(),
  );
});

test("the worker writes into the reader's arrays: a merged table is backed by shared memory", async () => {
  const { path, cleanup } = tempFiles({ 'run.csv': `step,loss\n${rows(100_000, (i) => `${i},${i / 3}`)}` });
  try {
    let merged = false;
    const table = await readTable(path('run.csv'), {
      parallel: true,
      chunkSize: 16 * 1024,
      onSplit: (r) => (merged = r.merged),
    });
    assert.ok(merged);
    assert.ok(table.columns[0].values.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(Array.from(table.columns[1].values.subarray(99_998)), [99_998 / 3, 99_999 / 3]);
  } finally {
    cleanup();
  }
});
