// The fast paths (plain numeric CSV/TSV records, flat JSONL objects) must give exactly what the general paths give.
// Each document is compared with a twin that means the same but that the fast path cannot take: CSV lines with a
// space after each record's last field (the general path trims it), JSONL lines ending in "\r\r\n" (JSON.parse
// ignores the extra CR, the fast path does not take it). Problem columns may differ between twins; all else must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, readTable } from '../../../src/core/table';
import { scanJsonNumber, scanNumber, scanNumberTo } from '../../../src/core/table/number';
import type { Table } from '../../../src/core/table/types';
import { column, names, numbers, plain, problem, tempFiles, texts } from './helpers';

/**
 * The table without byte counts, which differ between twins; nor problem columns, unless `columns` (JSONL twins
 * place every character alike, except where JSON.parse reports the end of a bad line; its message quotes the line).
 */
function cells(table: Table, columns = false): unknown {
  const view = plain(table) as Table;
  const bad = (p: Table['problems'][number]) => p.code === 'jsonl-bad-line';
  const problems = view.problems.map((p) => ({
    ...p,
    column: columns && !bad(p) ? p.column : 0,
    message: bad(p) ? '' : columns ? p.message : p.message.replace(/column \d+/g, 'column ?'),
  }));
  return { ...view, problems, bytesRead: 0 };
}

/** The same CSV with a space before every line ending of a record that has a number last: never plain. */
function csvTwin(text: string): string {
  return text.replace(/([0-9.])(\r?\n)/g, '$1 $2');
}

/** The same JSONL with every line ending "\r\r\n": JSON.parse reads the same object, the fast path misses. */
function jsonlTwin(text: string): string {
  return text.replace(/\r?\n/g, '\r\r\n');
}

function assertSameAsGeneral(text: string, fileName: string, twin: (t: string) => string): Table {
  const fast = parseText(text, { fileName });
  const general = parseText(twin(text), { fileName });
  const columns = twin === jsonlTwin;
  assert.deepEqual(cells(fast, columns), cells(general, columns));
  for (const chunkSize of [1, 3, 7, 64]) assert.deepEqual(plain(parseText(text, { fileName, chunkSize })), plain(fast), `chunkSize ${chunkSize}`);
  return fast;
}

// ------------------------------------------------------------------------------------------------ number scanners

test('scanNumberTo gives what scanNumber gives, value and end, on plain and odd numbers', () => {
  const samples = ['0', '-0', '+0', '7', '-1.5', '.5', '5.', '1e5', '1E+3', '2.5e-3', '1e', '1e+', '1ex', '12B', '-', '.', '+',
    '1e400', '-1e400', '1e-400', '123456789012345678901', '0.00029990847724108225', '9007199254740993', '0e99999999999', '1_000'];
  const out = new Float64Array(1);
  for (const s of samples) {
    const buf = Buffer.from(`${s}\n`, 'latin1');
    const expected = { value: NaN };
    const end = scanNumber(buf, 0, buf.length, expected);
    out[0] = NaN;
    assert.equal(scanNumberTo(buf, 0, out, 0), end, s);
    if (end > 0) assert.ok(Object.is(out[0], expected.value), `${s}: ${out[0]} vs ${expected.value}`);
  }
});

test('scanJsonNumber accepts exactly JSON numbers and gives JSON.parse values', () => {
  const valid = ['0', '-0', '1', '-1', '10', '1.5', '-0.0', '0.5', '1e5', '1E5', '1e-5', '1E+3', '1e+03', '2.5e-3', '1e400', '-1e400',
    '1e-400', '123456789012345678901', '9007199254740993', '0.1234567890123456789', '4.9e-324', '1.7976931348623157e308', '0e99999999999'];
  const invalid = ['+1', '01', '-01', '00', '.5', '5.', '-.5', '1e', '1e+', '-', '1.e5', '--1'];
  const out = new Float64Array(1);
  for (const s of valid) {
    const buf = Buffer.from(`${s},`);
    assert.equal(scanJsonNumber(buf, 0, out, 0), s.length, s);
    assert.ok(Object.is(out[0], JSON.parse(s)), `${s}: ${out[0]} vs ${JSON.parse(s)}`);
  }
  for (const s of invalid) {
    const end = scanJsonNumber(Buffer.from(`${s},`), 0, out, 0);
    assert.ok(end < 0 || end < s.length, `${s} must not be read whole (end ${end})`);
  }
});

test('scanJsonNumber matches JSON.parse on 100000 random JSON numbers', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const out = new Float64Array(1);
  for (let i = 0; i < 100000; i++) {
    const int = random() < 0.3 ? '0' : `${1 + Math.floor(random() * 9)}${digits(Math.floor(random() * 12))}`;
    const s = `${random() < 0.3 ? '-' : ''}${int}${random() < 0.7 ? `.${digits(1 + Math.floor(random() * 18))}` : ''}${random() < 0.3 ? `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 330)}` : ''}`;
    assert.equal(scanJsonNumber(Buffer.from(`${s}}`), 0, out, 0), s.length, s);
    assert.ok(Object.is(out[0], JSON.parse(s)), `${s}: ${out[0]} vs ${JSON.parse(s)}`);
  }
});

// ------------------------------------------------------------------------------------------------ CSV / TSV

test('plain CSV records: exact numbers, empty cells, CRLF, as the general path reads them', () => {
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const lr = i % 17 === 0 ? '' : (3e-4 * (1 - i / 3000)).toPrecision(17);
    return `${i},${lr},${(2 + 1 / (i + 1)).toFixed(6)},${i * 2048},${i % 5 === 0 ? '-0' : '1E+3'},${i % 7 === 0 ? '1e400' : '7.5000e-9'}`;
  });
  const lf = assertSameAsGeneral(`step,lr,loss,tokens,z,e\n${rows.join('\n')}\n`, 'run.csv', csvTwin);
  assertSameAsGeneral(`step,lr,loss,tokens,z,e\r\n${rows.join('\r\n')}\r\n`, 'run.csv', csvTwin);
  assert.equal(column(lf, 'lr').emptyCount, 177);
  assert.ok(Object.is(numbers(lf, 'z')[0], -0));
  assert.equal(numbers(lf, 'e')[0], Infinity);
  assert.equal(numbers(lf, 'lr')[1], Number((3e-4 * (1 - 1 / 3000)).toPrecision(17)));
});

test('records the fast path leaves to the general path, between plain ones, keep their lines and problems', () => {
  const text = [
    'step,loss,note',
    '1,2.5,', '2,2.4,3', '', '   ', '# checkpoint', '3,nan,4', '4,"2.2",5', '5,2.1', '6,2.0,7,8', '7, 1.9 ,9', '8,12B,10',
    '9,1e,11', '10,-inf,12', '11,2.5,x', '12,2.4,13', '13,1_000,14', '14,1.5\r,15', '15,1.5,16\r', '16,1.4,17',
  ].join('\n');
  const table = assertSameAsGeneral(`${text}\n`, 'run.csv', csvTwin);
  assert.deepEqual(numbers(table, 'step'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(Array.from(table.lines), [2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  assert.deepEqual(texts(table, 'note').slice(10, 11), ['x']);
  assert.equal(column(table, 'loss').suffixes[0], 'B');
  assert.equal(problem(table, 'row-ragged').line, 9);
});

test('a one-column file: blank lines are still skipped, not read as empty cells', () => {
  const table = assertSameAsGeneral('loss\n1.5\n\n2.5\r\n\r\n3.5\n \n4.5', 'run.csv', csvTwin);
  assert.deepEqual(numbers(table, 'loss'), [1.5, 2.5, 3.5, 4.5]);
  assert.equal(column(table, 'loss').emptyCount, 0);
});

test('space- and tab-delimited plain records, blank lines of delimiters included', () => {
  const space = parseText('a b c\n1 2 3\n  \n4  6\n', { delimiter: ' ' });
  assert.deepEqual(numbers(space, 'a'), [1, 4]);
  assert.ok(Number.isNaN(numbers(space, 'b')[1]));
  assert.equal(space.rowCount, 2);
  const tsv = assertSameAsGeneral('a\tb\tc\n1\t2\t3\n\t\t\n\t5\t6\n7\t\t9\n', 'run.tsv', csvTwin);
  assert.equal(tsv.rowCount, 4);
  assert.deepEqual(numbers(tsv, 'c'), [3, NaN, 6, 9]);
});

test('a semicolon file keeps "1,500" as text on both paths', () => {
  const table = assertSameAsGeneral('step;loss\n1;1,500\n2;2\n3;3.5\n', 'run.txt', csvTwin);
  assert.deepEqual(texts(table, 'loss'), ['1,500', null, null]);
});

test('W&B chart exports: plain rows are reshaped as before', () => {
  const rows = Array.from({ length: 1200 }, (_, i) => `${i},${(3 - i / 1000).toFixed(3)},${i % 3 ? '' : (3.1 - i / 1000).toFixed(3)},${(3.2 - i / 1000).toFixed(3)}`);
  const table = assertSameAsGeneral(`Step,r1 - loss,r1 - loss__MIN,r2 - loss\n${rows.join('\n')}\n`, 'export.csv', csvTwin);
  assert.equal(table.format, 'wandb-csv');
  assert.deepEqual(names(table), ['Step', 'run', 'loss']);
  assert.equal(table.rowCount, 2400);
});

// ------------------------------------------------------------------------------------------------ JSONL

test('flat JSONL objects of numbers: exact values, as JSON.parse reads them', () => {
  const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ step: i, lr: 3e-4 * (1 - i / 2000), loss: 2 + 1 / (i + 1), tokens: i * 2048 }));
  const table = assertSameAsGeneral(`${lines.join('\n')}\n`, 'run.jsonl', jsonlTwin);
  assert.equal(numbers(table, 'lr')[7], 3e-4 * (1 - 7 / 2000));
  assert.equal(table.rowCount, 2000);
});

test('JSONL numbers: -0, exponents, huge and tiny values, 17+ digits', () => {
  const text = '{"a":-0,"b":1e-5,"c":1E+3,"d":1e400,"e":-1e400,"f":1e-400,"g":123456789012345678901,"h":0.1234567890123456789}\n';
  const table = assertSameAsGeneral(text.repeat(3), 'run.jsonl', jsonlTwin);
  assert.ok(Object.is(numbers(table, 'a')[0], -0));
  assert.deepEqual([numbers(table, 'd')[0], numbers(table, 'e')[0], numbers(table, 'f')[0]], [Infinity, -Infinity, 0]);
  assert.equal(numbers(table, 'g')[0], 123456789012345678901);
});

test('JSONL values the fast path takes: strings, numeric strings, booleans, null, nested objects, unicode', () => {
  const text = [
    '{"step":1,"run":"a","n":"12B","flag":true,"x":null,"e":"","train":{"loss":3.2,"opt":{"lr":0.001}},"m":1}',
    '{"step":2,"run":"résumé","n":"1e-4","flag":false,"x":1,"e":" ","train":{"loss":3.1,"opt":{}},"m":2}',
    '{ "step" : 3 , "run":"日本語" ,\t"n":"NaN","flag":true, "x" :null,"e":"z","train":{"loss":3.0}, "m":"oops"}',
    '{"step":4,"clé":5,"__proto__":6,"emoji":"😀"}',
  ].join('\n');
  const table = assertSameAsGeneral(`${text}\n`, 'run.jsonl', jsonlTwin);
  assert.deepEqual(names(table), ['step', 'run', 'n', 'flag', 'x', 'e', 'train/loss', 'train/opt/lr', 'm', 'clé', '__proto__', 'emoji']);
  assert.deepEqual(texts(table, 'run'), ['a', 'résumé', '日本語', null]);
  assert.deepEqual(texts(table, 'flag'), ['true', 'false', 'true', null]);
  assert.equal(column(table, 'n').suffixes[0], 'B');
  const warning = problem(table, 'cell-not-numeric');
  assert.deepEqual([warning.line, warning.column], [3, text.split('\n')[2].indexOf('"m"') + 1]);
});

test('JSONL lines the fast path leaves to JSON.parse give the same cells and problems', () => {
  const text = [
    '{"step":1,"loss":2.5}',
    '{"step":2,"note":"say \\"hi\\""}', '{"step":2.1,"tab":"a\\tb"}', '{"step":2.2,"u":"\\u00e9","k\\/":1}', // escapes
    '{"step":3,"hist":[1,2]}', '{"step":3.1,"img":{"_type":"image-file","path":"a.png"}}', // arrays, W&B media
    '{"step":4,"loss":NaN,"g":-Infinity,"h":Infinity}', // Python's non-finite floats
    '{"step":5,"loss":"oops","run":"r","loss":2.3}', // duplicate key: the last value, at the first one's place
    '{"b":1,"10":2,"2":3,"step":6}', // index-like keys come first in Object.keys
    '{"a/b":1,"a":{"b":2},"step":7}', // one name reached twice
    '{"step":8,"loss":01}', '{"step":9,"loss":+1}', '{"step":10,"loss":.5}', '{"step":11,"loss":1.}', // not JSON
    '{"step":12} x', '{"step":13,}', '[1,2]', '"text"', '# comment', '', '\t{"step":14}\t', '\u00a0{"step":15}',
    '{"step":16,"ctl":"a\u0001b"}', '{"step":17,"deep":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}}',
    '{"step":18,"loss":2.2}',
  ].join('\n');
  const table = assertSameAsGeneral(`${text}\n`, 'run.jsonl', jsonlTwin);
  assert.deepEqual(numbers(table, 'step'), [1, 2, 2.1, 2.2, 3, 3.1, 4, 5, 6, 7, 14, 17, 18]);
  assert.deepEqual(texts(table, 'tab')[2], 'a\tb');
  assert.deepEqual(numbers(table, 'loss').slice(0, 8), [2.5, NaN, NaN, NaN, NaN, NaN, NaN, 2.3]);
  assert.deepEqual(names(table).slice(0, 4), ['step', 'loss', 'note', 'tab']);
  assert.deepEqual(column(table, 'loss').text?.dictionary, ['NaN']); // "oops" was overwritten: never a text cell
  assert.ok(names(table).indexOf('10') < names(table).indexOf('b'));
  assert.deepEqual(numbers(table, 'a/b')[9], 2);
  assert.ok(!names(table).some((name) => name.startsWith('img')));
});

test('invalid UTF-8 in a JSONL string reads as JSON.parse of the decoded line reads it', () => {
  const bytes = Buffer.concat([Buffer.from('{"step":1,"run":"a'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('b","loss":2}\n{"step":2,"run":"c","loss":3}\n')]);
  const files = tempFiles({ 'bad.jsonl': bytes, 'twin.jsonl': Buffer.from(jsonlTwin(bytes.toString('latin1')), 'latin1') });
  return (async () => {
    try {
      const fast = await readTable(files.path('bad.jsonl'), { displayName: 'x' });
      const general = await readTable(files.path('twin.jsonl'), { displayName: 'x' });
      assert.deepEqual(cells(fast, true), cells(general, true));
      assert.deepEqual(texts(fast, 'run'), ['a\ufffd(\ufffdb', 'c']);
    } finally {
      files.cleanup();
    }
  })();
});

test('JSONL keys: unicode, escapes and a key first seen late', () => {
  const lines = Array.from({ length: 600 }, (_, i) => (i < 500 ? `{"ステップ":${i},"a\\"b":${i}}` : `{"ステップ":${i},"a\\"b":${i},"late":${i}}`));
  const table = assertSameAsGeneral(`${lines.join('\n')}\n`, 'run.jsonl', jsonlTwin);
  assert.deepEqual(names(table), ['ステップ', 'a"b', 'late']);
  assert.equal(column(table, 'late').emptyCount, 500);
});
