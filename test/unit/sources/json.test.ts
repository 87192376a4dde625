// Any JSON document: an array of records and an object of column arrays read as tables; other JSON said, naming what
// it holds; a document nested past the limit, one over the size limit and one record over the record cap refused
// with a located message, the rest kept; JSON Lines named .json still read as JSON Lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { readSources } from '../../../src/core/sources';
import { withCellColumns } from '../../../src/core/sources/cellLines';
import { detectRoles } from '../../../src/core/table';
import type { Table } from '../../../src/core/table/types';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { DocumentVisitor } from '../../../src/core/sources/json/document';
import { walkJsonFile } from '../../../src/core/sources/json/walk';
import { ProblemLog } from '../../../src/core/table/problems';
import { tempDir, writeAt } from '../../helpers/jsonRuns';
import { readOne } from '../../helpers/sourceTables';

const names = (table: Table) => table.columns.map((c) => c.name);

test('an array of records is a table, one row per record at its line, nested objects flattened', async () => {
  const records = [1, 2, 3].map((step) => ({ step, loss: 3 / step, lr: 1e-3, meta: { phase: 'train' } }));
  const path = writeAt(tempDir('json'), 'run.json', JSON.stringify(records, null, 2).replace('0.001', 'NaN'));
  const table = await readOne(path);
  assert.equal(table.format, 'json');
  assert.deepEqual(names(table), ['step', 'loss', 'lr', 'meta/phase']);
  assert.equal(table.rowCount, 3);
  assert.deepEqual(Array.from(table.lines), [2, 10, 18]);
  assert.ok(Number.isNaN(table.columns[2].values[0]));
  assert.equal(detectRoles(table).kind, 'loss-curve');
});

test('an object of column arrays is a table; a shorter column leaves its cells empty, said', async () => {
  const path = writeAt(
    tempDir('json'),
    'cols.json',
    '{"step": [1, 2, 3], "loss": [3.0, 2.5, 2.2], "lr": [0.001, 0.001]}',
  );
  const table = await readOne(path);
  assert.equal(table.format, 'json');
  assert.deepEqual(names(table), ['step', 'loss', 'lr']);
  assert.equal(table.rowCount, 3);
  assert.deepEqual(Array.from(table.columns[1].values), [3, 2.5, 2.2]);
  assert.equal(table.columns[2].emptyCount, 1);
  // Its values pair with the others' by position, wherever its steps were: never without a word.
  const [short] = table.problems.filter((p) => p.code === 'row-ragged');
  assert.match(short?.message ?? '', /^array "lr" holds 2 values where "step" holds 3: .* row 3 has no "lr"/);
  assert.equal(short.severity, 'warning');
  const mixed = await readOne(
    writeAt(tempDir('json'), 'mixed.json', '{"step": [1, 2, 3], "loss": [3, null, "NaN"], "phase": ["a", "b", true]}'),
  );
  const [, loss, phase] = mixed.columns;
  assert.deepEqual([loss.numericCount, loss.emptyCount, loss.text?.dictionary], [2, 1, ['NaN']]);
  assert.deepEqual([phase.textCount, phase.text?.dictionary], [3, ['a', 'b', 'true']]);
});

test('JSON that is neither records nor columns says what it holds', async () => {
  const path = writeAt(
    tempDir('json'),
    'config.json',
    '{"hidden_size": 64, "architectures": ["Gpt"], "rope": {"theta": 1e4}}',
  );
  const table = await readOne(path);
  assert.equal(table.rowCount, 0);
  const problem = table.problems.find((p) => p.code === 'json-shape');
  assert.ok(problem);
  assert.equal(problem.severity, 'error');
  assert.match(
    problem.message,
    /an object with 1 scalar key\(s\) \("hidden_size"\), 1 object key\(s\) \("rope"\), 1 array key\(s\) \("architectures"\)/,
  );
  assert.match(problem.message, /array of records.*object of column arrays.*trainer_state\.json/);
  const scalars = await readOne(writeAt(tempDir('json'), 'list.json', '[1, 2, 3]'));
  assert.match(
    scalars.problems.find((p) => p.code === 'json-shape')!.message,
    /an array of 3 value\(s\), none of them an object/,
  );
});

test('a .json file of one value (null, a number, a string, true) says what it holds, not read as a CSV header', async () => {
  // Such a file started with no "{" or "[", so the text reader took its one value for a header naming one column.
  const cases = [
    ['null\n', /holds one value \(null\) and nothing else/],
    ['\uFEFF -3.5e2 ', /holds one number \(-350\) and nothing else/],
    ['"loss"', /holds one string \("loss"\) and nothing else/],
    ['true', /holds one value \(true\) and nothing else/],
  ] as const;
  for (const [text, said] of cases) {
    const table = await readOne(writeAt(tempDir('json'), 'one.json', text));
    assert.equal(table.format, 'json', text);
    assert.deepEqual(names(table), [], text);
    const problem = table.problems.find((p) => p.code === 'json-shape');
    assert.match(problem?.message ?? JSON.stringify(table.problems), said);
    assert.match(problem!.message, /array of records.*object of column arrays.*trainer_state\.json/);
  }
  // A CSV named .json, its header a name or a number, stays a CSV.
  for (const text of ['step,loss\n1,2\n', '1,2\n3,4\n'])
    assert.equal((await readOne(writeAt(tempDir('json'), 'c.json', text))).format, 'csv');
});

test('a value nested past the limit is left out, the records before and after it kept, without a crash', async () => {
  const record = '{"step": 1, "loss": 2},';
  const deep = `[${record.repeat(3)}${'['.repeat(200_000)}${']'.repeat(200_000)},{"step": 2, "loss": 1.9}]`;
  const table = await readOne(writeAt(tempDir('json'), 'deep.json', deep));
  assert.equal(table.rowCount, 4);
  const problem = table.problems.find((p) => p.code === 'json-too-deep');
  assert.ok(problem);
  assert.deepEqual([problem.line, problem.column, problem.severity], [1, 1 + 1 + record.length * 3 + 63, 'warning']);
  assert.match(
    problem.message,
    /a value nested more than 64 levels deep .* is left out; the rest of the document is read/,
  );
});

test('a syntax error is located; a document over the size limit is refused unread; a record over the cap skipped', async () => {
  const bad = await readOne(writeAt(tempDir('json'), 'bad.json', '[{"step": 1, "loss": 2},\n {"step": 2 "loss": 1}]'));
  assert.equal(bad.rowCount, 1);
  const syntax = bad.problems.find((p) => p.code === 'json-invalid')!;
  assert.deepEqual([syntax.line, syntax.column, syntax.severity], [2, 13, 'warning']);
  assert.match(
    syntax.message,
    /line 2, column 13: expected "," or "}", found '"'; the 1 record\(s\) before it are read/,
  );
  const big = await readOne(
    writeAt(tempDir('json'), 'big.json', JSON.stringify([{ step: 1, loss: 'x'.repeat(5000) }])),
    {
      maxBytes: 1000,
    },
  );
  assert.ok(big.problems.some((p) => p.code === 'file-too-large' && /over the 1000 bytes limit/.test(p.message)));
  const records = [
    { step: 1, loss: 2 },
    { step: 2, note: 'x'.repeat(5000) },
    { step: 3, loss: 1 },
  ];
  const capped = await readOne(writeAt(tempDir('json'), 'capped.json', JSON.stringify(records)), {
    maxRecordBytes: 1000,
  });
  assert.equal(capped.rowCount, 2);
  assert.ok(
    capped.problems.some(
      (p) => p.code === 'line-too-long' && /line 1 \(element 2\) spans more than 1000 bytes/.test(p.message),
    ),
    capped.problems.map((p) => p.message).join('\n'),
  );
});

test('JSON Lines in a .json file stay JSON Lines; a folder scan skips other JSON and takes records', async () => {
  const dir = tempDir('json');
  const lines = writeAt(dir, 'lines.json', '{"step": 1, "loss": 2}\n{"step": 2, "loss": 1.5}\n');
  const table = await readOne(lines);
  assert.equal(table.format, 'jsonl');
  assert.equal(table.rowCount, 2);
  // Lines longer than the first look at a file: still JSON Lines when the name does not say JSON document.
  const wide = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`metric_${i}`, i]));
  const long = writeAt(dir, 'train.log', `${JSON.stringify({ step: 1, loss: 2, ...wide })}\n`.repeat(3));
  const longTable = await readOne(long);
  assert.deepEqual([longTable.format, longTable.rowCount], ['jsonl', 3]);
  writeAt(dir, 'runs/a.json', JSON.stringify([{ step: 1, loss: 2 }]));
  writeAt(dir, 'runs/b.json', JSON.stringify({ step: [1, 2], loss: [2, 1] }));
  writeAt(dir, 'runs/vocab.json', JSON.stringify({ a: 1, b: 2 }));
  writeAt(dir, 'runs/special_tokens_map.json', JSON.stringify({ bos_token: '<s>' }));
  const { tables, problems } = await readSources([`${dir}/runs`]);
  assert.deepEqual(tables.map((t) => `${t.run}:${t.format}`).sort(), ['a:json', 'b:json']);
  assert.ok(problems.some((p) => p.code === 'source-skipped' && /2 file\(s\)/.test(p.message)));
});

test('one array of records in a .jsonl file is read as that document, not skipped as a line that is no object', async () => {
  const dir = tempDir('json');
  const records = [1, 2, 3].map((step) => ({ step, loss: 3 / step, lr: 1e-3 }));
  for (const [name, text] of [
    ['dumped.jsonl', JSON.stringify(records)],
    ['pretty.ndjson', JSON.stringify(records, null, 2)],
  ]) {
    const table = await readOne(writeAt(dir, name, text));
    assert.deepEqual([table.format, table.rowCount], ['json', 3], name);
  }
  writeAt(dir, 'runs/dumped.jsonl', JSON.stringify(records));
  const { tables } = await readSources([`${dir}/runs`]);
  assert.deepEqual(
    tables.map((t) => [t.format, t.rowCount]),
    [['json', 3]],
  );
  // Lines that each hold an array stay JSON Lines (each said to be no object).
  const arrays = await readOne(writeAt(dir, 'arrays.jsonl', '[{"step": 1}]\n[{"step": 2}]\n'));
  assert.equal(arrays.format, 'jsonl');
});

test('an object of column arrays: a finding about a value points at it in its array, on one line or pretty-printed', async () => {
  const n = 30;
  const step = Array.from({ length: n }, (_, i) => (i + 1) * 100);
  const loss = step.map((s) => Number((2.5 + 4 * Math.pow(s, -0.45)).toFixed(5)));
  loss[7] = -1;
  step[9] = -5;
  const columns = { step, lr: step.map(() => 3e-4), loss };
  for (const [name, text] of [
    ['cols.json', JSON.stringify(columns)],
    ['cols-pretty.json', JSON.stringify(columns, null, 2)],
  ] as const) {
    const path = writeAt(tempDir('json'), name, text);
    const lines = text.split('\n');
    const analysis = await analyseFiles([path], { law: 'lr-annealing', bootstrapSamples: 0 });
    const findings = await withCellColumns(analysis.findings);
    const said = (code: string) => findings.find((f) => f.code === code)!;
    for (const [code, written] of [
      ['loss-invalid', '-1'],
      ['step-negative', '-5'],
    ] as const) {
      const f = said(code);
      const cell = lines[f.line - 1].slice(f.column! - 1, f.endColumn! - 1);
      assert.equal(cell, written, `${name} ${code}: line ${f.line}:${f.column}`);
    }
    // Pretty-printed, the loss is on its own line in the loss array, not on the step array's line of its row.
    if (name === 'cols-pretty.json') assert.ok(said('loss-invalid').line > lines.indexOf('  "loss": [') + 1);
  }
});

test('a trainer state or config holding a long array keeps none of it: only a document of arrays alone is columns', async () => {
  // A 2-million-number array beside log_history was held as a candidate column (16 bytes a value: a 60 MB state
  // took 800 MB) though a document with log_history, or any top-level scalar or object, is never read as columns.
  const long = `[${Array.from({ length: 2_000_000 }, () => '0').join(',')}]`;
  const history = '[{"step": 10, "loss": 3.1}, {"step": 20, "loss": 3.0}]';
  const dir = tempDir('long-array');
  for (const [name, text] of [
    ['after.json', `{"log_history": ${history}, "junk": ${long}}`],
    ['before.json', `{"junk": ${long}, "log_history": ${history}}`],
    ['scalar-first.json', `{"global_step": 20, "junk": ${long}, "log_history": ${history}}`],
    ['config.json', `{"vocab": ${long}, "name": "gpt"}`],
  ]) {
    const path = writeAt(dir, name, text);
    const visitor = new DocumentVisitor(new ProblemLog(path), () => text.length, 64 * 1024 * 1024);
    const handle = await open(path, 'r');
    await walkJsonFile(handle, visitor, 64 * 1024 * 1024).finally(() => handle.close());
    assert.equal(visitor.columns.length, 0, name);
  }
  // Those documents still read as before.
  const after = await readOne(join(dir, 'after.json'));
  assert.equal(after.format, 'hf-trainer-state');
  assert.equal(after.rowCount, 2);
});
