import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, readTable } from '../../../src/core/table';
import { numbers, plain, tempFiles } from './helpers';

/** Documents whose tricky bytes (quotes, CRLF, BOM, multi-byte characters) land on every chunk boundary. */
const DOCUMENTS: Record<string, string> = {
  'quotes.csv':
    '\ufeffrun,note,loss\r\n"a,b","say ""hi""",1.5\r\n"x\r\ny",plain,2.25e-3\r\n# comment\r\n\r\nc,"""",3\r\n',
  'ragged.csv': 'step,lr,loss\n1,0.1\n2,0.2,3,4\n3,"0.3",12B\n4,1_000,"12,000,000,000"\n5,nan,-inf',
  'unclosed.csv': 'run,loss\na,1\nb,"2\nc,3\nd,4',
  'lenient.csv': 'run,loss\na,1\n"b,2\nc,3\nd,"4',
  'utf8.tsv': 'modèle\tperte\nrésumé\t1.5\n日本語\t2\n',
  'wide.csv': 'Step,"r1 - loss","r1 - loss__MIN","r2 - loss"\r\n1,3.5,3.4,3.9\r\n2,,,3.7\r\n',
  'history.jsonl':
    '{"_step":0,"train":{"loss":4.5}}\r\n\r\n{"_step":1,"eval/loss":NaN}\r\n{"bad": }\r\n{"_step":2,"train":{"loss":"4.1"}}',
};

const SNIFF = 48;

for (const [name, text] of Object.entries(DOCUMENTS)) {
  test(`chunk boundaries: ${name} parses identically with 1..13-byte chunks`, () => {
    const reference = plain(parseText(text, { fileName: name, sniffBytes: SNIFF }));
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 13]) {
      const chunked = plain(parseText(text, { fileName: name, sniffBytes: SNIFF, chunkSize }));
      assert.deepEqual(chunked, reference, `chunkSize ${chunkSize}`);
    }
  });
}

test('chunk boundaries: the small sniff sample detects the same as the default one', () => {
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    assert.deepEqual(
      plain(parseText(text, { fileName: name, sniffBytes: SNIFF })),
      plain(parseText(text, { fileName: name })),
      name,
    );
  }
});

test('parseText and readTable give the same table for the same content', async () => {
  const files = tempFiles(DOCUMENTS);
  try {
    for (const [name, text] of Object.entries(DOCUMENTS)) {
      const path = files.path(name);
      assert.deepEqual(
        plain(await readTable(path, { chunkSize: 5 })),
        plain(parseText(text, { fileName: path })),
        name,
      );
      assert.deepEqual(plain(await readTable(path)), plain(parseText(text, { fileName: path })), name);
    }
  } finally {
    files.cleanup();
  }
});

test('a few-MB file streams through several 1 MiB chunks with every row intact', async () => {
  const rows = 120000;
  const lines = ['step,lr,loss,tokens'];
  for (let i = 0; i < rows; i++)
    lines.push(`${i},${(3e-4 * (1 - i / rows)).toPrecision(17)},${(2 + 1 / (i + 1)).toFixed(6)},${i * 4096}`);
  const text = `${lines.join('\n')}\n`;
  assert.ok(text.length > 4 * 1024 * 1024);
  const files = tempFiles({ 'big.csv': text });
  try {
    const table = await readTable(files.path('big.csv'));
    assert.equal(table.rowCount, rows);
    assert.equal(table.problemCount, 0);
    assert.equal(table.bytesRead, Buffer.byteLength(text));
    const lr = numbers(table, 'lr');
    for (let i = 0; i < rows; i += 997) assert.equal(lr[i], Number((3e-4 * (1 - i / rows)).toPrecision(17)));
    assert.equal(numbers(table, 'tokens')[rows - 1], (rows - 1) * 4096);
    assert.equal(table.lines[rows - 1], rows + 1);
    assert.equal(table.columns[0].values.length, rows, 'columns are trimmed to the row count');
  } finally {
    files.cleanup();
  }
});

test('readTable of a missing file is an error value, not an exception', async () => {
  const table = await readTable('/nonexistent/run.csv');
  assert.equal(table.problems[0].code, 'file-unreadable');
  assert.match(table.problems[0].message, /does not exist/);
});

test('readTable refuses a file over maxBytes without reading it', async () => {
  const files = tempFiles({ 'run.csv': 'step,loss\n1,2\n' });
  try {
    const table = await readTable(files.path('run.csv'), { maxBytes: 4, displayName: 'run.csv' });
    assert.equal(table.problems[0].code, 'file-too-large');
    assert.equal(table.bytesRead, 0);
  } finally {
    files.cleanup();
  }
});

test('readTable of a directory is an error value', async () => {
  const files = tempFiles({});
  try {
    const table = await readTable(files.path(''));
    assert.equal(table.problems[0].code, 'file-unreadable');
  } finally {
    files.cleanup();
  }
});

test('readTable of a gzip file says to decompress it', async () => {
  const { gzipSync } = await import('node:zlib');
  const files = tempFiles({ 'run.csv.gz': gzipSync(Buffer.from('step,loss\n'.repeat(1000))) });
  try {
    const table = await readTable(files.path('run.csv.gz'));
    assert.equal(table.problems[0].code, 'file-not-text');
    assert.match(table.problems[0].message, /gzip/);
  } finally {
    files.cleanup();
  }
});
