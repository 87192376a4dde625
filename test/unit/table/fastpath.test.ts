// The fast paths (plain CSV/TSV records, flat JSONL objects) must give exactly what the general paths give. Each
// document is compared with a twin that means the same but that the fast path cannot take: CSV record lines ending
// in "\r\r\n" (the general path trims the extra CR off the last field, the fast path takes no CR but in CRLF),
// JSONL lines ending in "\r\r\n" (JSON.parse ignores the extra CR, the fast path does not take it). Problems
// located where a record's content ends may differ between twins; all else must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, readTable } from '../../../src/core/table';
import { scanJsonNumber, scanNumber, scanNumberTo } from '../../../src/core/table/number';
import type { Table } from '../../../src/core/table/types';
import { column, names, numbers, plain, problem, tempFiles, texts } from './helpers';

/**
 * The table without byte counts, which differ between twins, nor the columns of problems located at the end of a
 * record's content: ragged rows (CSV), bad lines (JSONL; JSON.parse's message quotes the line).
 */
function cells(table: Table): unknown {
  const view = plain(table) as Table;
  const problems = view.problems.map((p) => {
    if (p.code === 'jsonl-bad-line') return { ...p, column: 0, message: '' };
    if (p.code === 'row-ragged') return { ...p, column: 0, message: p.message.replace(/column \d+/g, 'column ?') };
    return p;
  });
  return { ...view, problems, bytesRead: 0 };
}

/**
 * The same CSV with every record line ending "\r\r\n": never plain. Blank lines and lines ending in a quote keep
 * their ending (a blank "\r\r\n" would be a record, and a CR after a closing quote would be part of the text).
 */
function csvTwin(text: string): string {
  return text.replace(/^(.*[^\s"][ \t]*)\r?\n/gm, '$1\r\r\n');
}

/** The same JSONL with every line ending "\r\r\n": JSON.parse reads the same object, the fast path misses. */
function jsonlTwin(text: string): string {
  return text.replace(/\r?\n/g, '\r\r\n');
}

function assertSameAsGeneral(text: string, fileName: string, twin: (t: string) => string, delimiter?: string): Table {
  const fast = parseText(text, { fileName, delimiter });
  const general = parseText(twin(text), { fileName, delimiter });
  assert.notEqual(twin(text), text);
  assert.deepEqual(cells(fast), cells(general));
  for (const chunkSize of [1, 3, 7, 64])
    assert.deepEqual(plain(parseText(text, { fileName, delimiter, chunkSize })), plain(fast), `chunkSize ${chunkSize}`);
  return fast;
}

// ------------------------------------------------------------------------------------------------ number scanners

test('scanNumberTo gives what scanNumber gives, value and end, on plain and odd numbers', () => {
  const samples = [
    '0',
    '-0',
    '+0',
    '7',
    '-1.5',
    '.5',
    '5.',
    '1e5',
    '1E+3',
    '2.5e-3',
    '1e',
    '1e+',
    '1ex',
    '12B',
    '-',
    '.',
    '+',
    '1e400',
    '-1e400',
    '1e-400',
    '123456789012345678901',
    '0.00029990847724108225',
    '9007199254740993',
    '0e99999999999',
    '1_000',
  ];
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
  const valid = [
    '0',
    '-0',
    '1',
    '-1',
    '10',
    '1.5',
    '-0.0',
    '0.5',
    '1e5',
    '1E5',
    '1e-5',
    '1E+3',
    '1e+03',
    '2.5e-3',
    '1e400',
    '-1e400',
    '1e-400',
    '123456789012345678901',
    '9007199254740993',
    '0.1234567890123456789',
    '4.9e-324',
    '1.7976931348623157e308',
    '0e99999999999',
  ];
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

test('records with cells that are not plain numbers, between plain ones, keep their lines and problems', () => {
  const text = [
    'step,loss,note',
    '1,2.5,',
    '2,2.4,3',
    '',
    '   ',
    '# checkpoint',
    '3,nan,4',
    '4,"2.2",5',
    '5,2.1',
    '6,2.0,7,8',
    '7, 1.9 ,9',
    '8,12B,10',
    '9,1e,11',
    '10,-inf,12',
    '11,2.5,x',
    '12,2.4,13',
    '13,1_000,14',
    '14,1.5\r,15',
    '15,1.5,16\r',
    '16,1.4,17',
  ].join('\n');
  const table = assertSameAsGeneral(`${text}\n`, 'run.csv', csvTwin);
  // "6,2.0,7,8" reads as "7,8" split at its decimal comma: left out. The lone CR of "14,1.5\r,15" ends a line.
  assert.deepEqual(numbers(table, 'step'), [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, NaN, 15, 16]);
  assert.deepEqual(Array.from(table.lines), [2, 3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
  assert.deepEqual(texts(table, 'note').slice(9, 10), ['x']);
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

// ------------------------------------------------------------------------------------------------ CSV / TSV text

/** 1-based character column of `needle` in `line` (as problems count: code points, not bytes nor UTF-16 units). */
function charColumn(line: string, needle: string): number {
  return Array.from(line.slice(0, line.indexOf(needle))).length + 1;
}

test('a text column first, in the middle or last: the same codes, dictionary and counts as the general path', () => {
  const runs = ['run-a', 'run-b', 'baseline (lr=3e-4)'];
  const plainNumbers = (i: number) => [`${i}`, (3e-4 * (1 - i / 3000)).toPrecision(6), (2 + 1 / (i + 1)).toFixed(6)];
  const layouts: [string, (i: number) => string[]][] = [
    ['run,step,lr,loss', (i) => [runs[Math.floor(i / 7) % 3], ...plainNumbers(i)]],
    ['step,lr,run,loss', (i) => [...plainNumbers(i).slice(0, 2), runs[i % 3], plainNumbers(i)[2]]],
    ['step,lr,loss,run', (i) => [...plainNumbers(i), runs[i % 2]]],
  ];
  for (const [header, row] of layouts) {
    const rows = Array.from({ length: 3000 }, (_, i) => row(i));
    const csv = rows.map((r) => r.join(','));
    const lf = assertSameAsGeneral(`${header}\n${csv.join('\n')}\n`, 'run.csv', csvTwin);
    assertSameAsGeneral(`${header}\r\n${csv.join('\r\n')}\r\n`, 'run.csv', csvTwin);
    assertSameAsGeneral(
      `${header.replace(/,/g, '\t')}\n${rows.map((r) => r.join('\t')).join('\n')}\n`,
      'run.tsv',
      csvTwin,
    );
    assert.equal(column(lf, 'run').textCount, 3000, header);
    assert.equal(lf.problemCount, 0, header);
    assert.deepEqual(
      texts(lf, 'run').slice(0, 30),
      rows.slice(0, 30).map((r) => r[header.split(',').indexOf('run')]),
      header,
    );
    assert.equal(numbers(lf, 'step')[2999], 2999);
  }
});

test('text that reads as a number or as nothing: the same values, written NaNs, suffixes and empty cells', () => {
  const odd = [
    '1e5',
    'nan',
    'NaN',
    '-nan',
    'inf',
    '-inf',
    'Infinity',
    '12B',
    '1.3b',
    '12 B',
    '350M',
    '1_000',
    ' 1.5 ',
    ' ',
    '\t',
    '1e',
    '-',
    '.',
    '+1',
    '0x10',
    'true',
    '1.5.2',
    '--1',
    '1e5x',
    '\u00a0',
    '\u00a0 7\u00a0',
    '\ufeffz',
    'a"b',
    '#x',
    'é',
  ];
  const rows = Array.from(
    { length: 600 },
    (_, i) => `${i},${odd[i % odd.length]},${odd[(i * 7) % odd.length]},${(i / 8).toFixed(3)}`,
  );
  const table = assertSameAsGeneral(`step,a,b,loss\n${rows.join('\n')}\n`, 'run.csv', csvTwin);
  assert.equal(numbers(table, 'a')[0], 1e5);
  assert.deepEqual(texts(table, 'a').slice(1, 4), ['NaN', 'NaN', 'NaN']); // a written NaN, not an empty cell
  assert.deepEqual(numbers(table, 'a').slice(4, 13), [
    Infinity,
    -Infinity,
    Infinity,
    12e9,
    1.3e9,
    12e9,
    350e6,
    1000,
    1.5,
  ]);
  assert.deepEqual(column(table, 'a').suffixes, ['B', 'M']);
  assert.deepEqual(texts(table, 'a').slice(13, 30), [
    null,
    null,
    '1e',
    '-',
    '.',
    null,
    '0x10',
    'true',
    '1.5.2',
    '--1',
    '1e5x',
    null,
    null,
    'z',
    'a"b',
    '#x',
    'é',
  ]); // blank cells are empty; trimming takes the non-breaking spaces and the BOM
  assert.deepEqual([numbers(table, 'a')[18], numbers(table, 'a')[25]], [1, 7]);
  // Grouped thousands are numbers in a TSV; a semicolon file keeps them as text.
  const tsv = assertSameAsGeneral('run\tx\na b\t1,000\nc\t12,000,000\nd\t1,5\n', 'run.tsv', csvTwin);
  assert.deepEqual(numbers(tsv, 'x'), [1000, 12e6, NaN]);
  assert.deepEqual(texts(tsv, 'run'), ['a b', 'c', 'd']);
  // "1,5" can only be a decimal comma, so the file is read with decimal commas: "1,000" is 1.
  const semicolon = assertSameAsGeneral('run;x\na;1,000\nb;2\nc;1,5\n', 'run.txt', csvTwin);
  assert.deepEqual(numbers(semicolon, 'x'), [1, 2, 1.5]);
});

test('unicode text, and the first text cell of a numeric column located by characters', () => {
  const runs = ['résumé', '日本語', '😀 run', 'Ωmega'];
  const rows = Array.from(
    { length: 1500 },
    (_, i) => `${runs[i % 4]},${i},${i === 1037 ? 'diverged ✗' : (3 - i / 1000).toFixed(4)}`,
  );
  const table = assertSameAsGeneral(`run,step,loss\n${rows.join('\n')}\n`, 'run.csv', csvTwin);
  assert.deepEqual(texts(table, 'run').slice(0, 4), runs);
  const warning = problem(table, 'cell-not-numeric');
  assert.deepEqual([warning.line, warning.column], [1039, charColumn(rows[1037], 'diverged')]);
  assert.match(warning.message, /column "loss" has 1 non-numeric cell \(first "diverged ✗" at line 1039\)/);
});

test('invalid UTF-8 in a CSV text cell reads as the general path decodes it', async () => {
  const bytes = Buffer.concat([Buffer.from('run,loss\na'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('b,2\nc,3\n')]);
  const twin = Buffer.from(csvTwin(bytes.toString('latin1')), 'latin1');
  const files = tempFiles({ 'bad.csv': bytes, 'twin.csv': twin });
  try {
    const fast = await readTable(files.path('bad.csv'), { displayName: 'x' });
    assert.deepEqual(cells(fast), cells(await readTable(files.path('twin.csv'), { displayName: 'x' })));
    assert.deepEqual(texts(fast, 'run'), ['a\ufffd(\ufffdb', 'c']);
  } finally {
    files.cleanup();
  }
});

test('a column switching between text and numbers, at every place in a batch of records', () => {
  // 512 records make a batch at this width: text at a batch's first and last record, and in later batches only.
  const mostlyNumbers = (i: number) => (i % 512 === 511 || i % 512 === 0 || i === 1800 ? `oops${i % 3}` : `${i / 4}`);
  const mostlyText = (i: number) => (i % 5 === 0 ? `${i}` : i % 5 === 1 ? 'nan' : `phase-${i % 2}`);
  const late = (i: number) => (i < 1500 ? `${i}` : 'eval');
  const rows = Array.from({ length: 2000 }, (_, i) => `${i},${mostlyNumbers(i)},${mostlyText(i)},${late(i)}`);
  const table = assertSameAsGeneral(`step,loss,phase,late\n${rows.join('\n')}\n`, 'run.csv', csvTwin);
  assert.deepEqual(texts(table, 'loss').slice(510, 514), [null, 'oops1', 'oops2', null]);
  assert.deepEqual([column(table, 'loss').textCount, column(table, 'loss').numericCount], [8, 1992]);
  assert.deepEqual([column(table, 'phase').textCount, column(table, 'phase').numericCount], [1200, 800]);
  assert.deepEqual(column(table, 'phase').text?.dictionary, ['NaN', 'phase-0', 'phase-1']);
  const warnings = table.problems.filter((p) => p.code === 'cell-not-numeric');
  assert.deepEqual(
    warnings.map((p) => [p.line, p.column]),
    [
      [2, 3],
      [1502, charColumn(rows[1500], 'eval')],
    ],
  );
  assert.equal(column(table, 'late').textCount, 500);
});

test('many distinct text cells, more than the memo holds, some longer than it keeps', () => {
  const long = (i: number) => `${'x'.repeat(120 + (i % 40))}-${i % 9}`;
  const time = (i: number) =>
    `2024-05-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${i}`;
  const rows = Array.from(
    { length: 6000 },
    (_, i) => `${time(i)},${long(i)},${i % 1000 === 999 ? 'run' : `r${i % 700}`},${i}`,
  );
  const table = assertSameAsGeneral(`time,note,run,step\n${rows.join('\n')}\n`, 'run.csv', csvTwin);
  assert.equal(column(table, 'time').text?.dictionary.length, 6000);
  assert.equal(column(table, 'note').text?.dictionary.length, 360);
  assert.deepEqual(column(table, 'run').text?.dictionary.slice(0, 3), ['r0', 'r1', 'r2']);
  assert.deepEqual(texts(table, 'note').slice(0, 2), [long(0), long(1)]);
});

test('quoted fields, embedded quotes, comments, blank lines, a BOM, stray CRs and ragged rows between text records', () => {
  const text = [
    '\ufeffrun,step,loss',
    ...Array.from({ length: 20 }, (_, i) => `"quoted ${i}",${i},2.5`), // enough misses in a row for the fast path to pause
    ...Array.from({ length: 300 }, (_, i) => `run-a,${20 + i},${(2 - i / 1000).toFixed(3)}`),
    'a"b,1,2',
    '"a,b",2,3',
    '"say ""hi""",3,4',
    '"two ""\nlines",4,5',
    'x"",5,6',
    '',
    '  ',
    '# note, with a comma',
    'x,6',
    'x,7,8,9',
    'x\r,8,9',
    'x,9,1\r',
    'x,10,1.5\r',
    ' spaced ,11, 1.5 ',
    '\tx\t,12,3',
    'y,13,',
    ',14,4',
    'z,,',
    ...Array.from({ length: 300 }, (_, i) => `run-b,${320 + i},${(1.7 - i / 1000).toFixed(3)}`),
  ].join('\r\n');
  const table = assertSameAsGeneral(`${text}\r\n`, 'run.csv', csvTwin);
  // The lone CR of "x\r,8,9" ends a line: "x" and ",8,9" are two rows.
  assert.equal(table.rowCount, 20 + 300 + 16 + 300);
  assert.deepEqual(texts(table, 'run').slice(318, 339), [
    'run-a',
    'run-a',
    'a"b',
    'a,b',
    'say "hi"',
    'two "\nlines',
    'x""',
    'x',
    'x',
    'x',
    null,
    'x',
    'x',
    'spaced',
    'x',
    'y',
    null,
    'z',
    'run-b',
    'run-b',
    'run-b',
  ]);
  assert.deepEqual(
    table.problems.filter((p) => p.code === 'row-ragged').map((p) => p.line),
    [331, 332, 333],
  );
  assert.deepEqual(numbers(table, 'loss').slice(325, 334), [NaN, 8, NaN, 9, 1, 1.5, 1.5, 3, NaN]);
});

test('a forced delimiter that can be part of a number: fields are read as the general path reads them', () => {
  for (const delimiter of ['-', '+', '.', 'e', 'E', '5']) {
    const rows = Array.from({ length: 30 }, (_, i) =>
      [`-${i}`, `${i}.5`, `1e${i % 3}`, `+${i}`, 'run'].join(delimiter),
    );
    const table = assertSameAsGeneral(
      `a${delimiter}b${delimiter}c\n${rows.join('\n')}\n`,
      'run.csv',
      csvTwin,
      delimiter,
    );
    assert.equal(table.delimiter, delimiter);
  }
  const dash = assertSameAsGeneral('a-b-c\n-5-1\n-6-2\n', 'run.csv', csvTwin, '-');
  assert.deepEqual(
    [numbers(dash, 'a'), numbers(dash, 'b')],
    [
      [-5, -6],
      [1, 2],
    ],
  ); // "-5" is a number, not an empty cell
});

test('text cells cut by chunk boundaries at every byte parse identically', () => {
  const rows = Array.from(
    { length: 40 },
    (_, i) => `${['résumé', '日本語', 'a"b', '😀'][i % 4]},${i},${i % 6 === 0 ? 'nan' : (i / 3).toFixed(2)}`,
  );
  const text = `run,step,loss\r\n${rows.join('\r\n')}\r\n`;
  const reference = assertSameAsGeneral(text, 'run.csv', csvTwin);
  for (let chunkSize = 1; chunkSize <= 24; chunkSize++) {
    assert.deepEqual(
      plain(parseText(text, { fileName: 'run.csv', chunkSize })),
      plain(reference),
      `chunkSize ${chunkSize}`,
    );
  }
});

test('W&B chart exports: plain rows are reshaped as before', () => {
  const rows = Array.from(
    { length: 1200 },
    (_, i) =>
      `${i},${(3 - i / 1000).toFixed(3)},${i % 3 ? '' : (3.1 - i / 1000).toFixed(3)},${(3.2 - i / 1000).toFixed(3)}`,
  );
  const table = assertSameAsGeneral(
    `Step,r1 - loss,r1 - loss__MIN,r2 - loss\n${rows.join('\n')}\n`,
    'export.csv',
    csvTwin,
  );
  assert.equal(table.format, 'wandb-csv');
  assert.deepEqual(names(table), ['Step', 'run', 'loss']);
  assert.equal(table.rowCount, 2400);
});

test('W&B chart exports: text cells in plain rows are reshaped as the general path does', () => {
  const cell = (i: number) =>
    i % 50 === 7 ? 'oops' : i % 50 === 8 ? 'nan' : i % 50 === 9 ? ' ' : (3 - i / 1000).toFixed(3);
  const rows = Array.from(
    { length: 1200 },
    (_, i) => `${i},${cell(i)},${i % 3 ? '' : '3.1'},${i % 100 === 3 ? 'résumé' : cell(i + 1)}`,
  );
  const table = assertSameAsGeneral(
    `Step,r1 - loss,r1 - loss__MIN,r2 - loss\n${rows.join('\n')}\n`,
    'export.csv',
    csvTwin,
  );
  assert.equal(table.format, 'wandb-csv');
  const warning = problem(table, 'cell-not-numeric');
  assert.deepEqual([warning.line, warning.column], [5, charColumn(rows[3], 'résumé')]);
  assert.deepEqual(column(table, 'loss').text?.dictionary, ['résumé', 'oops', 'NaN']);
});

// ------------------------------------------------------------------------------------------------ JSONL

test('flat JSONL objects of numbers: exact values, as JSON.parse reads them', () => {
  const lines = Array.from({ length: 2000 }, (_, i) =>
    JSON.stringify({ step: i, lr: 3e-4 * (1 - i / 2000), loss: 2 + 1 / (i + 1), tokens: i * 2048 }),
  );
  const table = assertSameAsGeneral(`${lines.join('\n')}\n`, 'run.jsonl', jsonlTwin);
  assert.equal(numbers(table, 'lr')[7], 3e-4 * (1 - 7 / 2000));
  assert.equal(table.rowCount, 2000);
});

test('JSONL numbers: -0, exponents, huge and tiny values, 17+ digits', () => {
  const text =
    '{"a":-0,"b":1e-5,"c":1E+3,"d":1e400,"e":-1e400,"f":1e-400,"g":123456789012345678901,"h":0.1234567890123456789}\n';
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
  assert.deepEqual(names(table), [
    'step',
    'run',
    'n',
    'flag',
    'x',
    'e',
    'train/loss',
    'train/opt/lr',
    'm',
    'clé',
    '__proto__',
    'emoji',
  ]);
  assert.deepEqual(texts(table, 'run'), ['a', 'résumé', '日本語', null]);
  assert.deepEqual(texts(table, 'flag'), ['true', 'false', 'true', null]);
  assert.equal(column(table, 'n').suffixes[0], 'B');
  const warning = problem(table, 'cell-not-numeric');
  assert.deepEqual([warning.line, warning.column], [3, text.split('\n')[2].indexOf('"m"') + 1]);
});

test('JSONL strings repeated row after row (run names, phases, numeric strings) read as on the general path', () => {
  // Repeats are answered from the text memo: every kind of cell must come out as the first occurrence did.
  const long = 'x'.repeat(200); // longer than the memo keeps
  const values = ['train', ' ', '', '12B', 'nan', '1,500', 'é', long, 'train', '3.5'];
  const lines = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({
      step: i,
      phase: values[i % values.length],
      run: i % 7 ? 'run-a' : 'run-b',
      note: values[(i * 3) % values.length],
    }),
  );
  const table = assertSameAsGeneral(`${lines.join('\n')}\n`, 'run.jsonl', jsonlTwin);
  assert.deepEqual(texts(table, 'phase').slice(0, 3), ['train', null, null]);
  assert.equal(texts(table, 'phase')[7], long);
  assert.equal(texts(table, 'run')[1], 'run-a');
});

test('JSONL lines the fast path leaves to JSON.parse give the same cells and problems', () => {
  const text = [
    '{"step":1,"loss":2.5}',
    '{"step":2,"note":"say \\"hi\\""}',
    '{"step":2.1,"tab":"a\\tb"}',
    '{"step":2.2,"u":"\\u00e9","k\\/":1}', // escapes
    '{"step":3,"hist":[1,2]}',
    '{"step":3.1,"img":{"_type":"image-file","path":"a.png"}}', // arrays, W&B media
    '{"step":4,"loss":NaN,"g":-Infinity,"h":Infinity}', // Python's non-finite floats
    '{"step":5,"loss":"oops","run":"r","loss":2.3}', // duplicate key: the last value, at the first one's place
    '{"b":1,"10":2,"2":3,"step":6}', // index-like keys come first in Object.keys
    '{"a/b":1,"a":{"b":2},"step":7}', // one name reached twice
    '{"step":8,"loss":01}',
    '{"step":9,"loss":+1}',
    '{"step":10,"loss":.5}',
    '{"step":11,"loss":1.}', // not JSON
    '{"step":12} x',
    '{"step":13,}',
    '[1,2]',
    '"text"',
    '# comment',
    '',
    '\t{"step":14}\t',
    '\u00a0{"step":15}',
    '{"step":16,"ctl":"a\u0001b"}',
    '{"step":17,"deep":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}}',
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
  const bytes = Buffer.concat([
    Buffer.from('{"step":1,"run":"a'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('b","loss":2}\n{"step":2,"run":"c","loss":3}\n'),
  ]);
  const files = tempFiles({
    'bad.jsonl': bytes,
    'twin.jsonl': Buffer.from(jsonlTwin(bytes.toString('latin1')), 'latin1'),
  });
  return (async () => {
    try {
      const fast = await readTable(files.path('bad.jsonl'), { displayName: 'x' });
      const general = await readTable(files.path('twin.jsonl'), { displayName: 'x' });
      assert.deepEqual(cells(fast), cells(general));
      assert.deepEqual(texts(fast, 'run'), ['a\ufffd(\ufffdb', 'c']);
    } finally {
      files.cleanup();
    }
  })();
});

test('JSONL keys: unicode, escapes and a key first seen late', () => {
  const lines = Array.from({ length: 600 }, (_, i) =>
    i < 500 ? `{"ステップ":${i},"a\\"b":${i}}` : `{"ステップ":${i},"a\\"b":${i},"late":${i}}`,
  );
  const table = assertSameAsGeneral(`${lines.join('\n')}\n`, 'run.jsonl', jsonlTwin);
  assert.deepEqual(names(table), ['ステップ', 'a"b', 'late']);
  assert.equal(column(table, 'late').emptyCount, 500);
});
