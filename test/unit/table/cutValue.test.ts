// A number cut off at the end of a file (a writer that crashed or is still writing) is left out and said; a file that
// merely lacks its last line end keeps every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, readTable } from '../../../src/core/table/read';
import { codes, numbers, problem, tempFiles } from './helpers';

/** A loss log of `rows` rows whose losses are written with four decimals, each line ended. */
function lossLog(rows: number, delimiter = ','): string {
  const lines = [['step', 'lr', 'loss'].join(delimiter)];
  for (let step = 1; step <= rows; step++) {
    const loss = (3 + 10 / Math.sqrt(step) + 0.01 * Math.sin(step)).toFixed(4);
    lines.push([String(step), '0.001', delimiter === ';' ? loss.replace('.', ',') : loss].join(delimiter));
  }
  return lines.join('\n') + '\n';
}

test('a loss cut to its first digits at the end of a file on disk is left out, the rest of its row read', async () => {
  const text = lossLog(300) + '301,0.001,3.';
  const files = tempFiles({ 'cut.csv': text });
  try {
    const table = await readTable(files.path('cut.csv'));
    assert.equal(table.rowCount, 301);
    assert.ok(Number.isNaN(numbers(table, 'loss')[300]), 'the cut loss is not read as 3');
    assert.equal(numbers(table, 'step')[300], 301);
    assert.equal(numbers(table, 'lr')[300], 0.001);
    const cut = problem(table, 'value-cut-off');
    assert.equal(cut.severity, 'warning');
    assert.deepEqual([cut.line, cut.column, cut.cell?.field], [302, 11, 2]);
    assert.match(cut.message, /"3\."/);
    assert.match(cut.message, /"loss"/);
    // An open editor's text of the same bytes reads the same.
    const inEditor = parseText(text, { fileName: files.path('cut.csv') });
    assert.ok(Number.isNaN(numbers(inEditor, 'loss')[300]));
    assert.deepEqual(codes(inEditor), codes(table));
  } finally {
    files.cleanup();
  }
});

test('a cut loss is found past the bytes of the tail read whole, with CRLF lines, and with decimal commas', () => {
  const long = lossLog(20_000); // about 400 KB: the tail read is the file's last 64 KB only
  for (const text of [long + '20001,0.001,3.', long.replace(/\n/g, '\r\n') + '20001,0.001,3.']) {
    const table = parseText(text, { fileName: 'long.csv' });
    assert.ok(Number.isNaN(numbers(table, 'loss')[20_000]));
    assert.equal(problem(table, 'value-cut-off').line, 20_002);
  }
  const semicolons = parseText(lossLog(50, ';') + '51;0,001;4', { fileName: 'comma.csv' });
  assert.ok(Number.isNaN(numbers(semicolons, 'loss')[50]));
  assert.equal(problem(semicolons, 'value-cut-off').column, 10);
});

test('a file that only lacks its last line end keeps its last value', () => {
  const log = lossLog(300);
  const complete = log + '301,0.001,3.5782';
  assert.equal(numbers(parseText(complete), 'loss')[300], 3.5782);
  // Written shorter, but no further from the value before than the lines before are apart: kept.
  const near = log + `301,0.001,${(Number(/([\d.]+)\n$/.exec(log)?.[1]) + 0.004).toFixed(2)}`;
  assert.ok(Number.isFinite(numbers(parseText(near), 'loss')[300]));
  // An epoch column whose last value is written shorter where its trend goes.
  const epochs = 'step,loss,epoch\n1,3.2,0.97\n2,3.1,0.98\n3,3.0,0.99\n4,2.9,1.0';
  assert.equal(numbers(parseText(epochs), 'epoch')[3], 1);
  for (const text of [complete, near, epochs]) assert.ok(!codes(parseText(text)).includes('value-cut-off'));
});

test('a last line that is not its row, or is quoted, is not judged', () => {
  const log = lossLog(20);
  // A comment after the rows: the last row is not on the last line.
  assert.ok(!codes(parseText(log + '# 3.')).includes('value-cut-off'));
  // A quoted field on the last line: its fields are not split here.
  const quoted =
    'step,lr,loss,note\n' + [1, 2, 3, 4, 5].map((s) => `${s},0.001,3.1234,"a"`).join('\n') + '\n6,0.001,"3.';
  assert.ok(!codes(parseText(quoted)).includes('value-cut-off'));
  // Too few rows before it to tell.
  const short = parseText('step,lr,loss\n1,0.001,3.1234\n2,0.001,3.0123\n3,0.001,2.');
  assert.equal(numbers(short, 'loss')[2], 2);
});

test('a JSONL record cut off at the end of the file is said to be cut off; JSON wrong elsewhere is said as before', () => {
  const rows = Array.from({ length: 10 }, (_, i) => `{"step": ${i + 1}, "loss": ${(3 - i / 100).toFixed(4)}}`);
  const cut = parseText(rows.join('\n') + '\n{"step": 11, "loss": 2.', { fileName: 'cut.jsonl' });
  assert.equal(cut.rowCount, 10);
  const said = problem(cut, 'jsonl-bad-line');
  assert.deepEqual([said.line, said.column], [11, 24]);
  assert.match(said.message, /^the last line has no line end and its JSON stops short .*cut off/);
  // Wrong before its end, or wrong on a line that ends: not a cut.
  for (const tail of ['{"step": 11 "loss": 2.9}', '{"step": 11, "loss": 2.\n']) {
    const bad = problem(parseText(rows.join('\n') + '\n' + tail, { fileName: 'bad.jsonl' }), 'jsonl-bad-line');
    assert.match(bad.message, /^line 11 is not a JSON object/);
  }
});

test('a value that is no nearby number cut short is kept: a resumed run, an exponent; signs and integers are cut too', () => {
  const log = lossLog(300);
  // A resumed run's first loss, far below, is not the first digits of a loss near the one before it.
  const resumed = parseText(log + '1,0.001,2.5');
  assert.equal(numbers(resumed, 'loss')[300], 2.5);
  assert.ok(!codes(resumed).includes('value-cut-off'));
  // A number with an exponent is not judged (a stray size is the laws' to leave out).
  assert.equal(numbers(parseText(log + '301,0.001,1e-9'), 'loss')[300], 1e-9);
  // Negative log-likelihoods and integer counts: `-3.` of `-3.5782`, `12` of `1234`.
  const negative = lossLog(300).replace(/,(\d\.\d+)\n/g, ',-$1\n');
  assert.ok(Number.isNaN(numbers(parseText(negative + '301,0.001,-3.'), 'loss')[300]));
  const counts = 'step,tokens\n' + [1, 2, 3, 4, 5].map((s) => `${s},${1228 + s}`).join('\n') + '\n6,12';
  assert.ok(Number.isNaN(numbers(parseText(counts), 'tokens')[5]));
  // A cut to nothing but a 0 (`0` of `0.0010`) is one too, and ends.
  const lrs = 'step,lr\n' + [1, 2, 3, 4, 5].map((s) => `${s},0.0010`).join('\n') + '\n6,0';
  assert.ok(Number.isNaN(numbers(parseText(lrs), 'lr')[5]));
});
