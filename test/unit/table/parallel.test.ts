// Reading a large file with two threads (the second half in dist/parseWorker.js, built by the test runner) gives
// exactly the table one thread gives: rows, lines, text cells, suffixes, counts and problems. Where that cannot be
// guaranteed (a quoted field across the split, a problem in the second half, a W&B export) the read falls back to
// one thread, still with the same table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTable, type ReadTableOptions } from '../../../src/core/table';
import type { Table } from '../../../src/core/table/types';
import { plain, problem, tempFiles } from './helpers';

/** Reads a file both ways, asserts the tables are identical, and returns the two-thread read and its report. */
async function bothWays(
  name: string,
  content: string,
  options: ReadTableOptions = {},
): Promise<{ table: Table; reason: string }> {
  const { path, cleanup } = tempFiles({ [name]: content });
  try {
    const one = await readTable(path(name), { ...options, parallel: false });
    let reason = 'no split';
    const two = await readTable(path(name), { ...options, parallel: true, onSplit: (r) => (reason = r.reason) });
    assert.deepEqual(plain(two), plain(one));
    return { table: two, reason };
  } finally {
    cleanup();
  }
}

function rows(count: number, row: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => `${row(i)}\n`).join('');
}

const numeric = (i: number) =>
  `${i + 1},${(1e-4 * (1 + (i % 7))).toExponential(4)},${(4 - i / 1e5).toFixed(4)},${i * 2048},${i % 3 === 0 ? '' : '0.5'}`;

test('a clean multi-MB CSV: the second half is parsed in a worker and merged, identical to one thread', async () => {
  const { table, reason } = await bothWays('clean.csv', `step,lr,loss,tokens,extra\n${rows(60_000, numeric)}`, {
    chunkSize: 64 * 1024,
  });
  assert.equal(reason, 'merged');
  assert.equal(table.rowCount, 60_000);
  assert.equal(table.lines[59_999], 60_001);
});

test('text, suffixes, written NaN and a first text cell in the second half merge with remapped dictionaries', async () => {
  const run = (i: number) => (i < 30_000 ? `run-${i % 3}` : `run-${(i % 4) + 2}`); // runs 4, 5 appear only late
  const size = (i: number) => (i < 30_000 ? '125M' : i % 2 ? '1.3B' : '350m');
  const loss = (i: number) => (i === 45_000 ? 'diverged' : i % 1000 === 7 ? 'nan' : (3 - i / 1e5).toFixed(3));
  const content = `# exported\r\n\r\nrun,params,loss,note\r\n${rows(60_000, (i) => `${run(i)},${size(i)},${loss(i)},${i % 5000 === 0 ? 'ckpt' : ''}\r`)}`;
  const { table, reason } = await bothWays('mixed.csv', content);
  assert.equal(reason, 'merged');
  const warning = problem(table, 'cell-not-numeric');
  assert.equal(warning.line, 45_000 + 4); // two comment/blank lines and the header come first
  assert.deepEqual(table.columns[1].suffixes, ['M', 'B']);
});

test('a header written again in another order is read by its names, one thread or two, never in the old order', async () => {
  // A resumed run's logger writes its columns anew, "loss" first: the rows after it read as loss = LR before.
  const row = (i: number) => [i + 1, 3e-4, (4 - i / 1e5).toFixed(4)];
  const first = rows(20_000, (i) => row(i).join(','));
  const after = rows(40_000, (i) => {
    const [step, lr, loss] = row(20_000 + i);
    return `${loss},${step},${lr}`;
  });
  const { table, reason } = await bothWays('reordered.csv', `step,lr,loss\n${first}loss,step,lr\n${after}`, {
    chunkSize: 64 * 1024,
  });
  assert.notEqual(reason, 'merged', 'the second half was parsed in the old order');
  assert.equal(table.rowCount, 60_000);
  const values = (name: string) => table.columns.find((c) => c.name === name)!.values;
  assert.deepEqual([values('step')[59_999], values('lr')[59_999], values('loss')[59_999]], [60_000, 3e-4, 3.4]);
  assert.deepEqual(
    table.problems.map((p) => [p.code, p.line]),
    [['header-repeated', 20_002]],
  );
});

test('a BOM, a forced delimiter and a file without a final newline merge identically', async () => {
  const { reason } = await bothWays(
    'semi.txt',
    `\ufeffa;b;c\n${rows(40_000, (i) => `${i};${i / 8};x${i % 10}`)}1;2;3`,
    { delimiter: ';' },
  );
  assert.equal(reason, 'merged');
});

test('a problem in the first half is kept; the second half still merges', async () => {
  const content = `a,b,c\n${rows(50_000, (i) => (i === 10 ? '1,2' : `${i},${i + 1},${i + 2}`))}`;
  const { table, reason } = await bothWays('early.csv', content);
  assert.equal(reason, 'merged');
  assert.equal(problem(table, 'row-ragged').line, 12);
});

test('a ragged row in the second half: the first thread reads that half itself, so its line is exact', async () => {
  const content = `a,b,c\n${rows(50_000, (i) => (i === 40_000 ? '1,2,3,4' : `${i},${i + 1},${i + 2}`))}`;
  const { table, reason } = await bothWays('late.csv', content);
  assert.equal(reason, 'the second half has problems');
  const ragged = problem(table, 'row-ragged');
  assert.equal(ragged.line, 40_002);
  assert.match(ragged.message, /^line 40002 has 4 fields/);
});

test('a quoted field with newlines across the middle of the file: no split is used', async () => {
  const half = rows(20_000, (i) => `${i},"ok ${i}",${i / 2}`);
  const quoted = `20000,"${'a long note\n'.repeat(2000)}",1\n`;
  const { table, reason } = await bothWays('quoted.csv', `n,note,v\n${half}${quoted}${half}`);
  assert.equal(reason, 'the first half did not end at a record boundary');
  assert.equal(table.rowCount, 40_001);
  assert.equal(table.lines[20_001], 20_000 + 2 + 2001); // lines after the quoted field count its newlines
});

test('quoted fields with newlines away from the split still merge, with line numbers counting them', async () => {
  const row = (i: number) => (i % 1000 === 1 ? `${i},"two\nlines",${i}` : `${i},plain,${i}`);
  const { table, reason } = await bothWays('quotes.csv', `n,note,v\n${rows(40_000, row)}`);
  assert.equal(reason, 'merged');
  assert.equal(table.lines[39_999], 40_001 + 40);
});

test('a W&B panel export (reshaped as it streams) stays on one thread', async () => {
  const content = `Step,a - loss,b - loss\n${rows(40_000, (i) => `${i},${i / 3},${i / 5}`)}`;
  const { reason } = await bothWays('wandb.csv', content);
  assert.equal(reason, 'no plain header before the split');
});

test('JSONL: keys seen only in one half become columns in first-seen order, empty elsewhere', async () => {
  const line = (i: number) =>
    JSON.stringify(
      i < 20_000
        ? { step: i, loss: 3 - i / 1e5, early: i % 2 ? 'x' : 1 }
        : { step: i, nested: { late: i / 2 }, loss: i % 9 ? 2 : 'NaN' },
    );
  const { table, reason } = await bothWays('log.jsonl', rows(40_000, line));
  assert.equal(reason, 'merged');
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['step', 'loss', 'early', 'nested/late'],
  );
});

test('JSONL: a new key on every line, past the column budget in both halves: every row kept, as on one thread', async () => {
  // The worker's half held keys of its own this table could not admit: the merge dropped that half whole, unsaid.
  const line = (i: number) => JSON.stringify({ step: i + 1, loss: 3 - i / 1e5, [`key_${i}`]: 1 });
  const { table, reason } = await bothWays('keys.jsonl', rows(40_000, line));
  assert.equal(reason, 'the part could not be appended');
  assert.equal(table.rowCount, 40_000);
  assert.equal(table.lines[39_999], 40_000);
  assert.match(problem(table, 'columns-capped').message, /^39\d{3} columns were left out/);
});

test('JSONL: a bad line in the second half falls back to one thread with its exact line', async () => {
  const line = (i: number) => (i === 30_000 ? '{"step": 1, oops}' : JSON.stringify({ step: i, loss: 1 / (i + 1) }));
  const { table, reason } = await bothWays('bad.jsonl', rows(40_000, line));
  assert.equal(reason, 'the second half has problems');
  assert.equal(problem(table, 'jsonl-bad-line').line, 30_001);
});

test("'auto' leaves small files to one thread", async () => {
  const { path, cleanup } = tempFiles({ 'small.csv': `a,b\n${rows(1000, (i) => `${i},${i}`)}` });
  try {
    let reported = false;
    await readTable(path('small.csv'), { onSplit: () => (reported = true) });
    assert.equal(reported, false);
  } finally {
    cleanup();
  }
});
