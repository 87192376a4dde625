// Issue 13, the reader on any input: every class of hostile file the issue names, generated here at the sizes it names
// (never committed). Each is read without a throw, in time and memory that grow with its bytes (not with its shape),
// keeps the rows it can, and says what it left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseText, readTable } from '../../../src/core/table';
import { MAX_COLUMNS, MAX_NESTING } from '../../../src/core/table/limits';
import type { Table } from '../../../src/core/table/types';
import { codes, column, names, numbers, problem, tempFiles, texts } from './helpers';

/** Bytes the table holds: its numeric columns, the line index and its text dictionaries (as fuzz.test.ts counts). */
function tableBytes(table: Table): number {
  let bytes = table.lines.byteLength;
  for (const c of table.columns) {
    bytes += c.values.byteLength;
    if (c.text) bytes += c.text.codes.byteLength + c.text.dictionary.reduce((n, s) => n + 2 * s.length + 16, 0);
  }
  return bytes;
}

/** Parses `text`, checking that it took at most `seconds` and a table of at most `perByte` bytes per input byte. */
function read(text: string, fileName: string, seconds = 10, perByte = 24): Table {
  const started = performance.now();
  const table = parseText(text, { fileName });
  const elapsed = (performance.now() - started) / 1000;
  assert.ok(elapsed < seconds, `${fileName}: ${elapsed.toFixed(1)} s`);
  assert.ok(tableBytes(table) <= 64 * 1024 + perByte * text.length, `${fileName}: ${tableBytes(table)} bytes`);
  return table;
}

function lossRows(count: number, eol = '\n', first = 1): string {
  let out = '';
  for (let i = first; i < first + count; i++) out += `${i},0.001,${(4 - i / 1e6).toFixed(5)}${eol}`;
  return out;
}

// ------------------------------------------------------------------------------------------------ shapes and sizes

test('a JSONL line nested 10,000 deep loses only what is below the nesting limit, not the file', () => {
  const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
  const good = Array.from({ length: 20 }, (_, i) => JSON.stringify({ step: i + 1, loss: 3 - i / 100, lr: 1e-3 }));
  const text = [...good.slice(0, 10), `{"step":11,"loss":2.5,"deep":${deep}}`, ...good.slice(10)].join('\n');
  const table = read(text, 'deep.jsonl', 5);
  assert.equal(table.rowCount, 21);
  assert.equal(numbers(table, 'loss')[10], 2.5);
  const ignored = problem(table, 'jsonl-value-ignored');
  assert.equal(ignored.line, 11);
  assert.match(ignored.message, new RegExp(`nested more than ${MAX_NESTING} levels deep`));
  assert.ok(names(table).every((name) => name.length < 200));
});

test('a JSONL log of 200,000 bare NaN losses (as Python writes them) reads about as fast as one of text losses', () => {
  let nan = '';
  let text = '';
  for (let i = 1; i <= 200_000; i++) {
    nan += `{"step":${i},"loss":NaN}\n`;
    text += `{"step":${i},"loss":"x"}\n`;
  }
  const timed = (content: string) => {
    const started = performance.now();
    const table = parseText(content, { fileName: 'run.jsonl' });
    assert.equal(table.rowCount, 200_000);
    return performance.now() - started;
  };
  const plain = timed(text);
  // Each NaN line was parsed, failed, and parsed again quoted: 13 times the text file's time, 25 s for a million.
  const nans = timed(nan);
  assert.ok(nans < 6 * plain + 500, `NaN lines ${nans.toFixed(0)} ms, text lines ${plain.toFixed(0)} ms`);
});

test('a 2 MB JSONL file that adds a key on every line: keys past the budget are left out, memory stays with the bytes', () => {
  let text = '';
  for (let i = 0; text.length < 2 * 1024 * 1024; i++)
    text += `{"step":${i + 1},"loss":${(3 - i / 1e6).toFixed(6)},"k${i}":1}\n`;
  const table = read(text, 'keys.jsonl', 10, 24);
  assert.equal(table.rowCount, text.split('\n').length - 1);
  assert.equal(numbers(table, 'loss').length, table.rowCount);
  const capped = problem(table, 'columns-capped');
  assert.match(capped.message, /^\d+ columns were left out, from "k\d+" at line \d+ on: a table keeps at most/);
  assert.ok(table.columns.length < 200, `${table.columns.length} columns`);
});

test('100,000 distinct run names are read in time and memory proportional to the file', () => {
  let text = 'run,step,loss,lr\n';
  for (let i = 0; i < 100_000; i++) text += `run-${i},${1 + (i % 3)},${(3 - (i % 3) / 10).toFixed(3)},0.001\n`;
  const table = read(text, 'runs.csv', 5);
  assert.equal(table.rowCount, 100_000);
  assert.equal(column(table, 'run').text?.dictionary.length, 100_000);
  assert.equal(table.problemCount, 0);
});

test('one-line 5 MB files (a header of a million names, a JSON object of half a million keys) read in seconds', () => {
  const empty = read(','.repeat(5 * 1024 * 1024), 'empty-names.csv', 10);
  assert.equal(empty.columns.length, MAX_COLUMNS);
  assert.match(problem(empty, 'columns-capped').message, /^5238785 columns were left out, from "" at line 1 on/);
  assert.equal(empty.problems[0].code, 'columns-capped', 'said before the names it did read');

  const numbersLine = Array.from({ length: 800_000 }, (_, i) => i).join(',');
  const wide = read(numbersLine, 'numbers.csv', 10);
  assert.equal(wide.columns.length, MAX_COLUMNS);
  assert.deepEqual(codes(wide), ['columns-capped', 'no-data-rows']);

  const keys = `{${Array.from({ length: 500_000 }, (_, i) => `"k${i}":"v${i}"`).join(',')}}`;
  const object = read(keys, 'keys.jsonl', 10);
  assert.equal(object.rowCount, 1);
  assert.equal(object.columns.length, MAX_COLUMNS);
  assert.ok(codes(object).includes('columns-capped'));
});

test('a header of thousands of columns over rows of one value: columns, or rows, past the cell budget are left out', () => {
  const header = Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',');
  const full = Array.from({ length: 2000 }, () => '7').join(',');
  // The first 64 KiB show the short rows: the header is cut to the columns they can fill.
  const short = read(`${header}\n${'1\n'.repeat(1_000_000)}`, 'short-rows.csv', 20);
  assert.match(problem(short, 'columns-capped').message, /^1997 columns were left out, from "c3" at line 1 on/);
  assert.equal(short.rowCount, 1_000_000);
  // They show full rows, and the short ones come later: the rows past the budget are left out.
  const late = read(`${header}\n${`${full}\n`.repeat(40)}${'1\n'.repeat(1_000_000)}`, 'late-short-rows.csv', 20);
  assert.equal(late.columns.length, 2000);
  const capped = problem(late, 'rows-capped');
  assert.match(capped.message, /^the rows from line \d+ on are left out: 2000 columns of \d+ rows hold more numbers/);
  assert.ok(late.rowCount < 10_000);
});

// ------------------------------------------------------------------------------------------------ line ends

test('a 2 MB file of lone CR line ends reads every row, numbered as an editor numbers them', () => {
  const text = `step,lr,loss\r${lossRows(110_000, '\r')}`;
  assert.ok(text.length > 2 * 1024 * 1024);
  const table = read(text, 'mac.csv', 5);
  assert.equal(table.rowCount, 110_000);
  assert.deepEqual(names(table), ['step', 'lr', 'loss']);
  assert.equal(table.lines[109_999], 110_001);
  assert.equal(table.problemCount, 0, 'one kind of line end: nothing to say');
});

test('mixed line ends (LF, CRLF, lone CR) lose no row, and the file is said to mix them', () => {
  const text = 'step,lr,loss\n1,0.001,3\r\n2,0.001,2.9\r3,0.001,2.8\n4,0.001,2.7\r\r\n5,0.001,2.6\r\r6,0.001,2.5';
  for (const chunkSize of [1, 2, 3, 1024]) {
    const table = parseText(text, { chunkSize });
    assert.deepEqual(numbers(table, 'step'), [1, 2, 3, 4, 5, 6], `chunkSize ${chunkSize}`);
    assert.deepEqual(
      Array.from(table.lines),
      [2, 3, 4, 5, 6, 8],
      'a CR before CRLF is part of it; "\\r\\r" has a blank line',
    );
    assert.deepEqual(codes(table), ['line-ends-mixed']);
    assert.equal(problem(table, 'line-ends-mixed').line, 3);
  }
});

test('a CRLF file with lone CRs far past its first chunk (read without scanning every line) loses no row either', () => {
  const late = `${lossRows(1000, '\r\n', 7000)}#note\r9,0.001,2.5\r\n10,0.001,2.4\r11,0.001,2.3\r\n`;
  const text = `step,lr,loss\r\n${lossRows(6000, '\r\n')}${late}`;
  assert.ok(text.indexOf('#note') > 128 * 1024);
  for (const chunkSize of [1000, 64 * 1024]) {
    const table = parseText(text, { chunkSize });
    assert.equal(table.rowCount, 7003, `chunkSize ${chunkSize}`);
    assert.deepEqual(numbers(table, 'step').slice(-3), [9, 10, 11]);
    assert.deepEqual(Array.from(table.lines).slice(-3), [7003, 7004, 7005]);
    assert.equal(problem(table, 'line-ends-mixed').line, 7002);
  }
  const jsonl = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ step: i + 1, loss: 3 })).join('\r\n');
  const lateJsonl = parseText(`${jsonl}\r\n{"step":3001,"loss":2}\r{"step":3002,"loss":1}\r\n`, {
    fileName: 'r.jsonl',
  });
  assert.equal(lateJsonl.rowCount, 3002);
  assert.equal(problem(lateJsonl, 'line-ends-mixed').line, 3001);
});

test('lone CRs in JSONL and in a lone-CR TSV', () => {
  const jsonl = parseText('{"step":1,"loss":3}\r{"step":2,"loss":2.9}\r\r{"step":3,"loss":2.8}\r', {
    fileName: 'r.jsonl',
  });
  assert.deepEqual(numbers(jsonl, 'step'), [1, 2, 3]);
  assert.deepEqual(Array.from(jsonl.lines), [1, 2, 4]);
  const tsv = parseText('step\tloss\r1\t3\r2\t2.9\r');
  assert.equal(tsv.format, 'tsv');
  assert.deepEqual(numbers(tsv, 'loss'), [3, 2.9]);
});

// ------------------------------------------------------------------------------------------------ NUL bytes

test('a crash-padded log (good rows, then NUL bytes) keeps its rows and says once where the padding starts', () => {
  for (const before of [10, 5000]) {
    // 10 rows: the NULs are in the first 64 KiB the format is detected from; 5000 rows: they are past it.
    const text = `step,lr,loss\n${lossRows(before)}${lossRows(1, '').slice(0, 5)}${'\u0000'.repeat(20_000)}`;
    const table = read(text, 'crashed.csv', 5);
    assert.equal(table.rowCount, before);
    assert.deepEqual(codes(table), ['nul-bytes']);
    const nul = problem(table, 'nul-bytes');
    assert.deepEqual([nul.severity, nul.line, nul.column], ['warning', before + 2, 6]);
    assert.match(
      nul.message,
      /^the file ends in 20000 NUL bytes from line \d+, column 6 .* the incomplete row before them are left out/,
    );
  }
});

test('one NUL in a cell makes that line bad, with its line and column; the rest of the file is read', () => {
  const table = read(`step,lr,loss\n${lossRows(3)}4,0.001,3.\u00001\n${lossRows(3, '\n', 5)}`, 'cell.csv');
  assert.deepEqual(numbers(table, 'step'), [1, 2, 3, 5, 6, 7]);
  const nul = problem(table, 'nul-bytes');
  assert.deepEqual([nul.severity, nul.line, nul.column], ['warning', 5, 11]);
  assert.equal(table.rowsRejected, 1);
  const jsonl = parseText('{"step":1,"loss":3}\n{"step":2,"loss":"a\u0000b"}\n{"step":3,"loss":2.8}\n', {
    fileName: 'n.jsonl',
  });
  assert.deepEqual(numbers(jsonl, 'step'), [1, 3]);
  assert.equal(problem(jsonl, 'nul-bytes').line, 2);
});

test('NUL bytes before the data (a log truncated under its writer) and a file of nothing else', () => {
  const truncated = read(`${'\u0000'.repeat(70_000)}\nstep,lr,loss\n${lossRows(5)}`, 'rotated.csv');
  assert.equal(truncated.rowCount, 5);
  assert.equal(truncated.headerLine, 2);
  assert.equal(problem(truncated, 'nul-bytes').severity, 'info');
  const nothing = parseText('\u0000'.repeat(100_000), { fileName: 'new.csv' });
  assert.match(problem(nothing, 'file-empty').message, /holds no text, only NUL bytes/);
});

test('zeros before a line on the same line (a log truncated while its writer kept its offset) keep the line after them', () => {
  for (const zeros of [16, 100_000]) {
    // At the start (the header after them), and in the middle (a row after them), as copytruncate leaves a log.
    const text = `${'\u0000'.repeat(zeros)}step,lr,loss\n${lossRows(3)}${'\u0000'.repeat(zeros)}${lossRows(2, '\n', 4)}`;
    const table = read(text, 'copytruncated.csv');
    assert.equal(table.headerLine, 1);
    assert.deepEqual(numbers(table, 'step'), [1, 2, 3, 4, 5]);
    assert.equal(table.rowsRejected, 0);
    const nuls = table.problems.filter((p) => p.code === 'nul-bytes');
    assert.deepEqual(
      nuls.map((p) => [p.severity, p.line]),
      [
        ['info', 1],
        ['info', 5],
      ],
    );
    assert.match(nuls[1].message, new RegExp(`^${zeros} NUL bytes before line 5 .*the line after them is read`));
  }
  // A NUL later in the same line still makes the line bad: only leading zeros are padding.
  const bad = read(`step,lr,loss\n${lossRows(2)}\u0000\u00003,0.001,3.\u00001\n${lossRows(1, '\n', 4)}`, 'bad.csv');
  assert.deepEqual(numbers(bad, 'step'), [1, 2, 4]);
  assert.equal(bad.rowsRejected, 1);
});

test('binary data is still refused by name: NULs scattered through it, or UTF-16 without a byte order mark', () => {
  const ints = Buffer.alloc(8192);
  for (let i = 0; i < 1024; i++) ints.writeInt32LE(i * 37, i * 8);
  const binary = parseText(ints.toString('latin1'), { fileName: 'weights.csv' });
  assert.match(problem(binary, 'file-not-text').message, /NUL bytes are scattered through it/);
  const utf16 = parseText(Buffer.from('step,loss\n1,2\n2,3\n', 'utf16le').toString('latin1'), { fileName: 'x.csv' });
  assert.match(problem(utf16, 'file-not-text').message, /UTF-16/);
});

// ------------------------------------------------------------------------------------------------ decimal commas

test('a TSV written with decimal commas is read as decimals, and says so', () => {
  const table = read('step\tloss\tlr\n12000\t3,958\t0,001\n13000\t3,912\t0,0009\n', 'eu.tsv');
  assert.deepEqual(numbers(table, 'loss'), [3.958, 3.912]);
  assert.deepEqual(numbers(table, 'lr'), [0.001, 0.0009]);
  const said = problem(table, 'decimal-comma');
  assert.equal(said.severity, 'info');
  assert.match(said.message, /as "0,001" at line 2 shows\), so they are read as decimals: "0,001" is 0\.001/);
});

test('decimal commas in `;` and `|` files, a column of d,ddd values alone, and `1.234,5`', () => {
  const semicolon = parseText('step;loss;lr\n100;2,95;0,0003\n200;2,9;0,0002\n');
  assert.deepEqual(numbers(semicolon, 'loss'), [2.95, 2.9]);
  const pipe = parseText('step|loss\n1|3,958\n2|3,412\n3|2,998\n');
  assert.deepEqual(numbers(pipe, 'loss'), [3.958, 3.412, 2.998]);
  const grouped = parseText('step;tokens\n1;1.234,5\n2;12.345.678,25\n');
  assert.deepEqual(numbers(grouped, 'tokens'), [1234.5, 12345678.25]);
});

test('thousands separators still read where they are unambiguous; a cell that could be either is refused by name', () => {
  const thousands = parseText('step\ttokens\n1\t12,000,000\n2\t1,234.5\n3\t4,096\n');
  assert.deepEqual(numbers(thousands, 'tokens'), [12e6, 1234.5, 4096]);
  assert.equal(thousands.problemCount, 0);
  const either = parseText('step\tloss\n1\t3,958\n2\t3.5\n');
  assert.deepEqual(texts(either, 'loss'), ['3,958', null]);
  const refused = problem(either, 'decimal-comma');
  assert.equal(refused.severity, 'warning');
  assert.match(
    refused.message,
    /"3,958" at line 2: with a decimal comma it is 3\.958, with a thousands separator 3958/,
  );
});

test('in a file of decimal commas a dot groups thousands: "1.000" is 1000, in `;`, tab and `|` files, quoted or not', () => {
  const rows = Array.from({ length: 300 }, (_, i) => [`${(i + 1).toLocaleString('de-DE')}.000`, `${i % 9},5`]);
  for (const [delimiter, quote] of [
    [';', ''],
    ['\t', ''],
    ['|', ''],
    [';', '"'],
  ]) {
    const text = `step${delimiter}loss\n${rows.map((r) => r.map((c) => `${quote}${c}${quote}`).join(delimiter)).join('\n')}\n`;
    const table = read(text, 'de.csv');
    const steps = numbers(table, 'step');
    assert.deepEqual([steps[0], steps[1], steps[299]], [1000, 2000, 300_000], JSON.stringify(delimiter + quote));
    assert.deepEqual(numbers(table, 'loss').slice(0, 2), [0.5, 1.5]);
  }
  // In a file of decimal points a dot is a decimal point, as ever.
  assert.deepEqual(numbers(parseText('step;loss\n1.000;2.5\n2.000;2.4\n'), 'step'), [1, 2]);
  // French: thousands grouped by a narrow no-break space (what toLocaleString('fr-FR') writes), or a no-break space.
  const french = parseText('step;loss\n1\u202f000;2,5\n12\u00a0000;2,4\n1\u202f000\u202f000;2,3\n');
  assert.deepEqual(numbers(french, 'step'), [1000, 12_000, 1_000_000]);
});

test('the whole file decides: a decimal comma seen only past the first 64 KiB still reads the earlier cells', () => {
  // Ambiguous cells among plain ones: the first 64 KiB cannot tell how to read them.
  const early = Array.from({ length: 8000 }, (_, i) => `${i}\t${i % 2 ? '2.5' : `${(i % 9) + 1},500`}\t1`).join('\n');
  const text = `step\tloss\tlr\n${early}\n8000\t2,5\t0,001\n`;
  assert.ok(text.indexOf('0,001') > 64 * 1024);
  const table = read(text, 'late.tsv');
  assert.equal(numbers(table, 'loss')[0], 1.5);
  assert.deepEqual(numbers(table, 'lr').slice(-1), [0.001]);
  assert.equal(problem(table, 'decimal-comma').severity, 'info');
});

test('in a `,` file quoted decimal commas ("2,95") are left out by name, not as text unsaid; quoted thousands still read', () => {
  const table = read('step,lr,loss\n1,"0,0003","2,95"\n2,"0,0003","2,9"\n', 'quoted.csv');
  assert.deepEqual(texts(table, 'loss'), ['2,95', '2,9']);
  const said = table.problems.filter((p) => p.code === 'decimal-comma');
  assert.deepEqual(
    said.map((p) => [p.severity, p.line]),
    [
      ['warning', 2],
      ['warning', 2],
    ],
  );
  assert.match(
    said[1].message,
    /column "loss" has "2,95" at line 2, a number with a decimal comma, quoted in a file whose delimiter is the comma/,
  );
  const thousands = read('step,tokens\n1,"12,000,000"\n2,"13,000,000"\n', 'tokens.csv');
  assert.deepEqual(numbers(thousands, 'tokens'), [12e6, 13e6]);
  assert.equal(thousands.problemCount, 0);
});

test('in a `,` file an unquoted decimal comma that splits a row is flagged and the row left out, not fitted', () => {
  const table = read('step,loss,lr\n1,3.1,0.001\n2,2,95,0.001\n3,2.9,0.001\n', 'split.csv');
  assert.deepEqual(numbers(table, 'step'), [1, 3]);
  const ragged = problem(table, 'row-ragged');
  assert.equal(ragged.line, 3);
  assert.match(ragged.message, /^line 3 has 4 fields but the header has 3, and "2,95" looks like one number/);
  assert.equal(table.rowsRejected, 1);
});

// ------------------------------------------------------------------------------------------------ files and streams

test('a FIFO is read as a stream; a character device is refused at once, not read to the size limit', async () => {
  const files = tempFiles({});
  try {
    const fifo = files.path('run.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'step,lr,loss\\n1,0.001,3\\n2,0.001,2.9\\n' > '${fifo}'`]);
    const table = await readTable(fifo);
    writer.kill();
    assert.deepEqual(numbers(table, 'loss'), [3, 2.9]);
    // /dev/zero was read to the size limit (4 GiB by default) before it was refused as too large.
    const started = performance.now();
    for (const device of ['/dev/null', '/dev/zero']) {
      const refused = await readTable(device);
      assert.deepEqual(codes(refused), ['file-unreadable']);
      assert.equal(
        refused.problems[0].message,
        `${device} is a character device, not a regular file or a pipe, so it is not read; open a CSV, TSV or JSONL file.`,
      );
    }
    assert.ok(performance.now() - started < 2000, 'refused at once');
  } finally {
    files.cleanup();
  }
});

test('a file rewritten under the read is read again; rewritten again, the table says so', async () => {
  const files = tempFiles({ 'run.csv': `step,lr,loss\n${lossRows(2000)}` });
  const path = files.path('run.csv');
  try {
    const restarted = await readTable(path, {
      duringRead: (attempt) => {
        if (attempt === 1) writeFileSync(path, `step,lr,loss\n${lossRows(10)}`);
      },
    });
    assert.equal(restarted.rowCount, 10);
    assert.equal(restarted.problemCount, 0);

    let size = 2000;
    const rewritten = await readTable(path, {
      duringRead: () => writeFileSync(path, `step,lr,loss\n${lossRows((size -= 100))}`),
    });
    const changed = problem(rewritten, 'file-changed');
    assert.equal(changed.severity, 'warning');
    assert.match(changed.message, /changed while it was read, and again when it was read a second time/);

    const appended = await readTable(path, { duringRead: () => appendFileSync(path, lossRows(5, '\n', 9000)) });
    const grew = problem(appended, 'file-changed');
    assert.equal(grew.severity, 'info');
    assert.match(grew.message, /grew while it was read/);
  } finally {
    files.cleanup();
  }
});
