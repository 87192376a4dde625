import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, readTable } from '../../../src/core/table';
import { MAX_COLUMNS } from '../../../src/core/table/limits';
import type { Table } from '../../../src/core/table/types';
import { codes, column, names, numbers, problem, tempFiles, texts } from './helpers';

test('quoted field containing the delimiter', () => {
  const table = parseText('run,loss\n"a,b",1.5\n');
  assert.deepEqual(texts(table, 'run'), ['a,b']);
  assert.deepEqual(numbers(table, 'loss'), [1.5]);
  assert.equal(table.problemCount, 0);
});

test('doubled quotes inside a quoted field are one literal quote', () => {
  const table = parseText('run,loss\n"say ""hi""",2\n"""",3\n');
  assert.deepEqual(texts(table, 'run'), ['say "hi"', '"']);
});

test('newline inside a quoted field: the row keeps the line where it starts, later lines stay right', () => {
  const table = parseText('note,loss\n"two\nlines",1\nplain,2\n"three\r\nline\nnote",3\nx,4\n');
  assert.deepEqual(texts(table, 'note'), ['two\nlines', 'plain', 'three\r\nline\nnote', 'x']);
  assert.deepEqual(Array.from(table.lines), [2, 4, 5, 8]);
});

test('quoted numbers are numbers, quoted empty is empty', () => {
  const table = parseText('a,b\n"1.5",""\n');
  assert.deepEqual(numbers(table, 'a'), [1.5]);
  assert.equal(column(table, 'b').emptyCount, 1);
});

test('UTF-8 BOM is skipped', () => {
  const table = parseText('\ufeffstep,loss\n1,2\n');
  assert.deepEqual(names(table), ['step', 'loss']);
  assert.deepEqual(numbers(table, 'step'), [1]);
});

test('CRLF line endings', () => {
  const table = parseText('step,loss\r\n1,2.5\r\n2,2.25\r\n');
  assert.deepEqual(numbers(table, 'loss'), [2.5, 2.25]);
  assert.deepEqual(texts(table, 'loss'), [null, null]);
  assert.equal(table.problemCount, 0);
});

test('blank lines are skipped and do not shift line numbers', () => {
  const table = parseText('\n\nstep,loss\n\n1,2\n   \n\r\n2,3\n\n');
  assert.equal(table.headerLine, 3);
  assert.equal(table.rowCount, 2);
  assert.deepEqual(Array.from(table.lines), [5, 8]);
});

test('# comment lines are skipped, also before the header', () => {
  const table = parseText('# exported by train.py\n# lr=3e-4\nstep,loss\n1,2\n# checkpoint saved\n2,3\n');
  assert.equal(table.headerLine, 3);
  assert.deepEqual(numbers(table, 'step'), [1, 2]);
  assert.deepEqual(Array.from(table.lines), [4, 6]);
});

test('TSV is detected', () => {
  const table = parseText('step\tloss\tnote\n1\t2.5\ta, b\n2\t2.4\tc\n');
  assert.equal(table.format, 'tsv');
  assert.equal(table.delimiter, '\t');
  assert.deepEqual(texts(table, 'note'), ['a, b', 'c']);
});

test('semicolon-delimited is detected', () => {
  const table = parseText('step;loss\n1;2.5\n2;2.4\n');
  assert.equal(table.format, 'csv');
  assert.equal(table.delimiter, ';');
  assert.deepEqual(numbers(table, 'loss'), [2.5, 2.4]);
});

test('pipe-delimited is detected', () => {
  const table = parseText('step|loss\n1|2.5\n');
  assert.equal(table.delimiter, '|');
});

test('delimiter detection ignores delimiters inside quotes', () => {
  const table = parseText('name;loss\n"a;b;c";1\n"d;e";2\n');
  assert.equal(table.delimiter, ';');
  assert.deepEqual(texts(table, 'name'), ['a;b;c', 'd;e']);
});

test('delimiter override wins over detection', () => {
  const table = parseText('a,b;c\n1,2;3\n', { delimiter: ';' });
  assert.equal(table.delimiter, ';');
  assert.deepEqual(names(table), ['a,b', 'c']);
});

test('delimiter override accepts "tab" and "\\t"; an unusable one is reported and detection is used', () => {
  assert.equal(parseText('a\tb\n1\t2\n', { delimiter: '\\t' }).delimiter, '\t');
  assert.equal(parseText('a\tb\n1\t2\n', { delimiter: 'tab' }).delimiter, '\t');
  const table = parseText('a,b\n1,2\n', { delimiter: '::' });
  assert.equal(table.delimiter, ',');
  assert.equal(problem(table, 'delimiter-invalid').severity, 'warning');
});

test("Excel's sep= line names the delimiter, is not data, and lines are counted from it (BOM, CRLF, decimal commas)", () => {
  const rows = 'step;lr;loss\r\n1;0,001;4,5\r\n2;0,001;x\r\n';
  for (const text of [`sep=;\r\n${rows}`, `\ufeffsep=;\r\n${rows}`]) {
    const table = parseText(text, { chunkSize: 3 });
    assert.equal(table.delimiter, ';');
    assert.equal(table.headerLine, 2);
    assert.deepEqual(names(table), ['step', 'lr', 'loss']);
    assert.deepEqual(numbers(table, 'lr'), [0.001, 0.001]);
    assert.deepEqual(numbers(table, 'loss').slice(0, 1), [4.5]);
    assert.deepEqual(Array.from(table.lines), [3, 4]);
    assert.ok(!codes(table).includes('row-ragged'), JSON.stringify(table.problems));
    assert.equal(problem(table, 'delimiter-declared').severity, 'info');
    assert.equal(problem(table, 'delimiter-declared').line, 1);
    assert.equal(problem(table, 'decimal-comma').line, 3);
    assert.equal(problem(table, 'cell-not-numeric').line, 4);
  }
  for (const [line, delimiter] of [
    ['sep=,', ','],
    ['sep=\t', '\t'],
    ['sep=\\t', '\t'],
    ['SEP=|', '|'],
  ]) {
    const table = parseText(`${line}\na${delimiter}b\n1${delimiter}2\n`);
    assert.equal(table.delimiter, delimiter, line);
    assert.deepEqual(names(table), ['a', 'b'], line);
  }
});

test('a forced delimiter wins over a sep= line, which is still not data', () => {
  const table = parseText('sep=|\na,b\n1,2\n', { delimiter: ',' });
  assert.equal(table.delimiter, ',');
  assert.deepEqual(names(table), ['a', 'b']);
  assert.match(problem(table, 'delimiter-declared').message, /forced delimiter "," is used/);
});

test('.tsv extension breaks ties toward tab', () => {
  const table = parseText('a,b\tc,d\n1,2\t3,4\n', { fileName: 'x.tsv' });
  assert.equal(table.delimiter, '\t');
});

test('empty file: file-empty error, no rows', () => {
  const table = parseText('', { fileName: 'empty.csv' });
  assert.equal(table.rowCount, 0);
  assert.deepEqual(codes(table), ['file-empty']);
  const p = problem(table, 'file-empty');
  assert.equal(p.severity, 'error');
  assert.deepEqual([p.line, p.column, p.file], [1, 1, 'empty.csv']);
});

test('only comments and blank lines: file-empty (no header)', () => {
  const table = parseText('# nothing yet\n\n');
  assert.deepEqual(codes(table), ['file-empty']);
  assert.match(problem(table, 'file-empty').message, /no header/);
});

test('header only: zero rows and an info problem', () => {
  const table = parseText('step,loss\n');
  assert.equal(table.rowCount, 0);
  assert.deepEqual(names(table), ['step', 'loss']);
  assert.equal(problem(table, 'no-data-rows').severity, 'info');
});

test('header only without a trailing newline', () => {
  const table = parseText('step,loss');
  assert.deepEqual(names(table), ['step', 'loss']);
  assert.deepEqual(codes(table), ['no-data-rows']);
});

test('one data row', () => {
  const table = parseText('step,loss\n1,2\n');
  assert.equal(table.rowCount, 1);
  assert.deepEqual(Array.from(table.lines), [2]);
  assert.equal(table.problemCount, 0);
});

test('non-numeric cells are text; a mostly numeric column gets one warning at the first one', () => {
  const table = parseText('step,loss,schedule\n1,2.5,cosine\n2,oops,cosine\n3,2.3,wsd\n4,n/a,wsd\n');
  assert.deepEqual(texts(table, 'loss'), [null, 'oops', null, 'n/a']);
  assert.ok(Number.isNaN(numbers(table, 'loss')[1]));
  const loss = column(table, 'loss');
  assert.deepEqual([loss.numericCount, loss.textCount, loss.emptyCount], [2, 2, 0]);
  const warning = problem(table, 'cell-not-numeric');
  assert.deepEqual([warning.line, warning.column], [3, 3]);
  assert.match(warning.message, /"loss" has 2 non-numeric cells/);
  assert.equal(
    table.problems.filter((p) => p.code === 'cell-not-numeric').length,
    1,
    'text column schedule is not flagged',
  );
  assert.deepEqual(column(table, 'schedule').text?.dictionary, ['cosine', 'wsd']);
});

test('NaN and Inf cells are numeric values', () => {
  const table = parseText('step,loss\n1,NaN\n2,inf\n3,-Infinity\n');
  const loss = numbers(table, 'loss');
  assert.ok(Number.isNaN(loss[0]));
  assert.deepEqual(loss.slice(1), [Infinity, -Infinity]);
  assert.equal(column(table, 'loss').numericCount, 3);
  assert.equal(table.problemCount, 0);
});

test('ragged row with fewer fields: missing cells empty, warning at the end of the line', () => {
  const table = parseText('step,lr,loss\n1,0.1,3\n2,0.2\n3,0.3,2\n');
  assert.equal(table.rowCount, 3);
  assert.ok(Number.isNaN(numbers(table, 'loss')[1]));
  const p = problem(table, 'row-ragged');
  assert.deepEqual([p.severity, p.line, p.column], ['warning', 3, 6]);
  assert.match(p.message, /line 3 has 2 fields but the header has 3; the missing cells are treated as empty/);
});

test('ragged row with more fields: known fields kept, warning at the first extra field', () => {
  const table = parseText('step,loss\n1,2,extra,more\n2,3\n');
  assert.deepEqual(numbers(table, 'loss'), [2, 3]);
  const p = problem(table, 'row-ragged');
  assert.deepEqual([p.line, p.column], [2, 5]);
  assert.match(p.message, /line 2 has 4 fields but the header has 2/);
});

test('truncated last line (no trailing newline) is a normal row', () => {
  const table = parseText('step,loss\n1,2\n2,3.5');
  assert.deepEqual(numbers(table, 'loss'), [2, 3.5]);
  assert.equal(table.problemCount, 0);
});

test('truncated last line ending in a delimiter has an empty last cell', () => {
  const table = parseText('a,b,c\n1,2,');
  assert.equal(table.rowCount, 1);
  assert.equal(column(table, 'c').emptyCount, 1);
  assert.equal(table.problemCount, 0);
});

test('unclosed quote at the end: error where the quote opened, that row rejected, earlier rows kept', () => {
  const table = parseText('run,loss\na,1\nb,2\nc,"3\n');
  assert.deepEqual(texts(table, 'run'), ['a', 'b']);
  assert.equal(table.rowsRejected, 1);
  const p = problem(table, 'quote-unclosed');
  assert.deepEqual([p.severity, p.line, p.column], ['error', 4, 3]);
});

test('a stray opening quote mid-file rejects its line only; following lines are read again', () => {
  const table = parseText('run,loss\n"a,1\nb,2\n');
  assert.deepEqual(texts(table, 'run'), ['b']);
  assert.equal(table.rowsRejected, 1);
  assert.deepEqual([problem(table, 'quote-unclosed').line, problem(table, 'quote-unclosed').column], [2, 1]);
});

test('an over-long open quote is abandoned at maxRecordBytes instead of swallowing the file', () => {
  const body = Array.from({ length: 200 }, (_, i) => `${i},${i}`).join('\n');
  const table = parseText(`a,b\n"x,1\n${body}\n`, { maxRecordBytes: 256, chunkSize: 64, sniffBytes: 64 });
  assert.equal(problem(table, 'quote-unclosed').line, 2);
  assert.match(problem(table, 'quote-unclosed').message, /still open after/);
  assert.equal(table.rowCount, 200);
});

/** Reads raw bytes from a temporary file: parseText takes a string, which is always valid UTF-8 once encoded. */
async function readBytes(name: string, bytes: Buffer): Promise<Table> {
  const files = tempFiles({ [name]: bytes });
  try {
    return await readTable(files.path(name), { displayName: name });
  } finally {
    files.cleanup();
  }
}

test('binary garbage: file-not-text error, no rows, no throw', async () => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const table = await readBytes('weights.bin', garbage);
  assert.equal(table.rowCount, 0);
  assert.equal(table.columns.length, 0);
  const p = problem(table, 'file-not-text');
  assert.deepEqual([p.severity, p.line, p.column, p.file], ['error', 1, 1, 'weights.bin']);
});

test('NUL bytes make their line bad, not the file', () => {
  const table = parseText('step,loss\n1,2\u0000\u0000\n2,3\n');
  assert.deepEqual(codes(table), ['nul-bytes']);
  assert.deepEqual(numbers(table, 'loss'), [3]);
  assert.match(problem(table, 'nul-bytes').message, /2 NUL bytes at line 2, column 4/);
});

test('mostly invalid UTF-8 (no NUL bytes) is not text either', async () => {
  const table = await readBytes('x.csv', Buffer.from(Array.from({ length: 2048 }, (_, i) => 0x80 + (i % 0x40))));
  assert.deepEqual(codes(table), ['file-not-text']);
  assert.match(problem(table, 'file-not-text').message, /not UTF-8/);
});

test('UTF-16 text is refused with advice to save it as UTF-8', async () => {
  const table = await readBytes('excel.csv', Buffer.from('\ufeffstep,loss\n1,2\n', 'utf16le'));
  assert.match(problem(table, 'file-not-text').message, /UTF-16.*UTF-8/);
});

test('a Latin-1 file with a few accented names is still text', async () => {
  const table = await readBytes('latin1.csv', Buffer.from('run,loss\ncaf\xe9,1\n', 'latin1'));
  assert.equal(table.rowCount, 1);
  assert.deepEqual(numbers(table, 'loss'), [1]);
});

test('duplicate header names are disambiguated with a warning', () => {
  const table = parseText('step,loss,loss,loss\n1,2,3,4\n');
  assert.deepEqual(names(table), ['step', 'loss', 'loss (2)', 'loss (3)']);
  const warnings = table.problems.filter((p) => p.code === 'header-duplicate');
  assert.equal(warnings.length, 2);
  assert.deepEqual([warnings[0].line, warnings[0].column], [1, 11]);
  assert.match(warnings[1].message, /this one is called "loss \(3\)"/);
  // A long name is shortened in the message, never its suffix.
  const long = 'validation/perplexity_ema_0.999/'.repeat(2);
  const [twice] = parseText(`step,${long},${long}\n1,2,3\n`).problems.filter((p) => p.code === 'header-duplicate');
  assert.match(twice.message, /this one is called "validation\/perplexity_ema_0\.999\/validat… \(2\)"/);
});

test('a header repeated mid-file (cat of two logs, a resumed run) is one info finding; the line is left out', () => {
  const rows = (from: number, eol = '\n') =>
    Array.from({ length: 600 }, (_, i) => `${from + i},0.001,${(4 - i / 1000).toFixed(3)}${eol}`).join('');
  const cases = [
    { header: 'step,lr,loss\n', again: 'step,lr,loss\n' },
    { header: '"step","lr","loss"\n', again: '"step","lr","loss"\r\n' },
    { header: 'step, lr, loss\n', again: 'step,lr ,loss\n' },
    { header: 'step,lr,loss\r\n', again: '"step" , lr,loss\r\n' },
  ];
  for (const { header, again } of cases) {
    for (const chunkSize of [7, 1 << 20]) {
      const table = parseText(header + rows(1) + again + rows(601), { chunkSize });
      const label = JSON.stringify({ again, chunkSize });
      assert.deepEqual(codes(table), ['header-repeated'], label);
      const repeated = problem(table, 'header-repeated');
      assert.deepEqual([repeated.severity, repeated.line, repeated.column], ['info', 602, 1], label);
      assert.match(repeated.message, /^line 602 repeats the header \("step,lr,loss"/, label);
      assert.equal(table.rowCount, 1200, label);
      assert.equal(table.rowsRejected, 1, label);
      assert.equal(table.lines[600], 603, label);
    }
  }
});

test('a repeated header is told with a text first column and with an empty first name (pandas)', () => {
  const named = Array.from({ length: 300 }, (_, i) => `run-a,${i + 1},3.5\n`).join('');
  const table = parseText(`run,step,loss\n${named}run,step,loss\n${named}`);
  assert.deepEqual(codes(table), ['header-repeated']);
  assert.equal(table.rowCount, 600);
  const indexed = Array.from({ length: 300 }, (_, i) => `${i},${i + 1},3.5\n`).join('');
  const pandas = parseText(`,step,loss\n${indexed},step,loss\n${indexed}`);
  assert.deepEqual(
    codes(pandas).filter((code) => code !== 'header-empty-name'),
    ['header-repeated'],
  );
  // A row that only shares some names is data, and says its text as before.
  const partial = parseText('step,loss\n1,2\nstep,3\n');
  assert.deepEqual(codes(partial), ['cell-not-numeric']);
});

test('a repeated header with a name that reads as a number (a column called "1") is told, first or last', () => {
  const rows = (from: number, line: (step: number) => string) =>
    Array.from({ length: 300 }, (_, i) => `${line(from + i)}\n`).join('');
  const cases = [
    { header: 'step,loss,1', line: (step: number) => `${step},3.5,7` },
    { header: '1,step,loss', line: (step: number) => `7,${step},3.5` },
  ];
  for (const { header, line } of cases) {
    for (const chunkSize of [7, 1 << 20]) {
      const table = parseText(`${header}\n${rows(1, line)}${header}\n${rows(301, line)}`, { chunkSize });
      const label = JSON.stringify({ header, chunkSize });
      assert.deepEqual(codes(table), ['header-repeated'], label);
      assert.equal(problem(table, 'header-repeated').line, 302, label);
      assert.equal(table.rowCount, 600, label);
    }
  }
  // Names that are all numbers cannot be told from a row: such a line is data.
  assert.equal(parseText('1,2\n3,4\n1,2\n').rowCount, 2);
});

test('a repeated header of a file wider than the column limit is told: its kept names are compared', () => {
  const header = ['step', 'loss', ...Array.from({ length: MAX_COLUMNS }, (_, i) => `m${i}`)].join(',') + '\n';
  const rows = (from: number) =>
    Array.from({ length: 3 }, (_, i) => `${from + i},3.5${',1'.repeat(MAX_COLUMNS)}\n`).join('');
  const table = parseText(header + rows(1) + header + rows(4));
  assert.deepEqual(codes(table), ['columns-capped', 'header-repeated']);
  assert.equal(problem(table, 'header-repeated').line, 5);
  assert.equal(table.rowCount, 6);
});

test('empty header names get a placeholder name', () => {
  const table = parseText(',step,loss\n0,1,2\n');
  assert.deepEqual(names(table), ['column_1', 'step', 'loss']);
  assert.equal(problem(table, 'header-empty-name').severity, 'info');
});

test('header names are trimmed; numeric-looking header names stay names', () => {
  const table = parseText(' step , 1 \n5,6\n');
  assert.deepEqual(names(table), ['step', '1']);
});

test('too large: refused with size and limit named', () => {
  const table = parseText('step,loss\n1,2\n', { maxBytes: 8, fileName: 'run.csv' });
  assert.equal(table.rowCount, 0);
  const p = problem(table, 'file-too-large');
  assert.equal(p.severity, 'error');
  assert.match(p.message, /run\.csv is 14 bytes, over the 8 bytes limit/);
});

test('problems are capped at maxProblems while problemCount counts all', () => {
  const rows = Array.from({ length: 50 }, (_, i) => `${i}`).join('\n');
  const table = parseText(`a,b\n${rows}\n`, { maxProblems: 5 });
  assert.equal(table.problems.length, 5);
  assert.equal(table.problemCount, 50);
  assert.equal(table.rowCount, 50);
});

test('every problem names the file (displayName) with a 1-based line and column', () => {
  const table = parseText('a,a\n1\n"x\n', { displayName: 'my run' });
  assert.ok(table.problems.length >= 3);
  for (const p of table.problems) {
    assert.equal(p.file, 'my run');
    assert.ok(p.line >= 1 && p.column >= 1, JSON.stringify(p));
    assert.ok(p.message.length > 20);
  }
});

test('columns of problems count characters, not bytes', () => {
  const table = parseText('run,loss\nrésumé,1,2\n');
  assert.equal(problem(table, 'row-ragged').column, 10);
});

test('a line that is far too long is skipped with an error', () => {
  const table = parseText(`a,b\n${'9'.repeat(5000)}\n1,2\n`, { maxRecordBytes: 1024, chunkSize: 256, sniffBytes: 64 });
  assert.equal(problem(table, 'line-too-long').line, 2);
  assert.deepEqual(numbers(table, 'a'), [1]);
  assert.deepEqual(Array.from(table.lines), [3]);
});

test('single-column files work', () => {
  const table = parseText('loss\n3.2\n3.1\n');
  assert.deepEqual(numbers(table, 'loss'), [3.2, 3.1]);
  assert.equal(table.problemCount, 0);
});

test('spaces around numbers are tolerated', () => {
  const table = parseText('step, loss\n1, 2.5\n 2 ,2.4 \n');
  assert.deepEqual(numbers(table, 'loss'), [2.5, 2.4]);
  assert.deepEqual(numbers(table, 'step'), [1, 2]);
});
