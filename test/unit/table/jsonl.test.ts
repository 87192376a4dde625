import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../../src/core/table';
import { codes, column, names, numbers, problem, texts } from './helpers';

test('JSONL is detected from content and extension', () => {
  const table = parseText('{"step": 1, "loss": 3.2}\n{"step": 2, "loss": 3.1}\n', { fileName: 'run.jsonl' });
  assert.equal(table.format, 'jsonl');
  assert.equal(table.headerLine, 0);
  assert.equal(table.delimiter, undefined);
  assert.deepEqual(numbers(table, 'loss'), [3.2, 3.1]);
  assert.deepEqual(Array.from(table.lines), [1, 2]);
  assert.equal(parseText('{"a": 1}\n', { fileName: 'x.txt' }).format, 'jsonl');
});

test('nested objects are flattened to a/b keys', () => {
  const table = parseText('{"step": 1, "train": {"loss": 3.2, "opt": {"lr": 0.001}}}\n');
  assert.deepEqual(names(table), ['step', 'train/loss', 'train/opt/lr']);
  assert.deepEqual(numbers(table, 'train/opt/lr'), [0.001]);
});

test('sparse keys: a column born late is empty in earlier rows, missing keys are empty', () => {
  const table = parseText(
    '{"_step": 0, "train/loss": 3}\n{"_step": 1, "eval/loss": 2.9}\n{"_step": 2, "train/loss": 2.8}\n',
  );
  assert.deepEqual(names(table), ['_step', 'train/loss', 'eval/loss']);
  const evalLoss = numbers(table, 'eval/loss');
  assert.ok(Number.isNaN(evalLoss[0]) && Number.isNaN(evalLoss[2]));
  assert.equal(evalLoss[1], 2.9);
  assert.deepEqual([column(table, 'eval/loss').numericCount, column(table, 'eval/loss').emptyCount], [1, 2]);
  assert.equal(column(table, 'train/loss').emptyCount, 1);
});

test('bad line in the middle is reported and skipped, the rest is parsed', () => {
  const table = parseText('{"step": 1, "loss": 3}\n{"step": 2, "loss": }\n[1, 2]\n{"step": 3, "loss": 2.5}\n');
  assert.deepEqual(numbers(table, 'step'), [1, 3]);
  assert.deepEqual(Array.from(table.lines), [1, 4]);
  assert.equal(table.rowsRejected, 2);
  const bad = table.problems.filter((p) => p.code === 'jsonl-bad-line');
  assert.deepEqual(
    bad.map((p) => p.line),
    [2, 3],
  );
  assert.match(bad[1].message, /it is an array/);
});

test('bad line error column comes from the JSON error position', () => {
  const table = parseText('{"a": 1}\n{"a": 1 "b": 2}\n');
  assert.equal(problem(table, 'jsonl-bad-line').column, 9);
});

test('CRLF line endings', () => {
  const table = parseText('{"step": 1, "run": "a"}\r\n{"step": 2, "run": "b"}\r\n');
  assert.deepEqual(texts(table, 'run'), ['a', 'b']);
  assert.equal(table.problemCount, 0);
});

test('value types: numeric strings are numbers, booleans text, null empty, NaN/Infinity accepted', () => {
  const table = parseText(
    '{"n": "12B", "flag": true, "x": null, "loss": NaN, "g": -Infinity, "s": "cosine", "e": ""}\n',
  );
  assert.deepEqual(numbers(table, 'n'), [12e9]);
  assert.deepEqual(column(table, 'n').suffixes, ['B']);
  assert.deepEqual(texts(table, 'flag'), ['true']);
  assert.equal(column(table, 'x').emptyCount, 1);
  assert.ok(Number.isNaN(numbers(table, 'loss')[0]));
  assert.equal(column(table, 'loss').numericCount, 1);
  assert.deepEqual(numbers(table, 'g'), [-Infinity]);
  assert.deepEqual(texts(table, 's'), ['cosine']);
  assert.equal(column(table, 'e').emptyCount, 1);
});

test('NaN inside a string value is left alone', () => {
  const table = parseText('{"note": "NaN here", "v": 1}\n');
  assert.deepEqual(texts(table, 'note'), ['NaN here']);
});

test('arrays and W&B media objects are ignored with one note per key', () => {
  const table = parseText(
    '{"step": 1, "hist": [1, 2], "img": {"_type": "image-file", "path": "a.png"}}\n{"step": 2, "hist": [3]}\n',
  );
  assert.deepEqual(names(table), ['step']);
  assert.deepEqual(codes(table).sort(), ['jsonl-value-ignored', 'jsonl-value-ignored']);
});

test('blank lines and a truncated last line', () => {
  const table = parseText('{"a": 1}\n\n{"a": 2}');
  assert.deepEqual(numbers(table, 'a'), [1, 2]);
  assert.deepEqual(Array.from(table.lines), [1, 3]);
});

test('a last line cut mid-object (a run still writing) is one bad line', () => {
  const table = parseText('{"a": 1}\n{"a": 2, "b"');
  assert.deepEqual(numbers(table, 'a'), [1]);
  assert.equal(problem(table, 'jsonl-bad-line').line, 2);
});

test('a key repeated by flattening keeps the last value and exact counts', () => {
  const table = parseText('{"a/b": 1, "a": {"b": 2}}\n');
  assert.deepEqual(numbers(table, 'a/b'), [2]);
  assert.equal(column(table, 'a/b').numericCount, 1);
});
