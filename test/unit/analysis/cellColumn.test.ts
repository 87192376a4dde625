// Findings about a row's cell carry the cell (Finding.cell), and the shells find its character column on the line:
// the parsed table keeps no positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { scratchDir } from '../../helpers/scratch';
import { cellColumn, locatedCell } from '../../../src/core/analysis/cellColumn';
import type { Finding } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';

test('a delimited field by its position (quoted delimiters do not count), a JSON value by its key', () => {
  const at = (column: number, endColumn: number) => ({ column, endColumn });
  assert.deepEqual(cellColumn('100,0.0003,nan', { name: 'loss', field: 2, delimiter: ',' }), at(12, 15));
  assert.deepEqual(cellColumn('100,0.0003,nan\r', { name: 'loss', field: 2, delimiter: ',' }), at(12, 15));
  assert.deepEqual(cellColumn('100,0.0003,nan', { name: 'step', field: 0, delimiter: ',' }), at(1, 4));
  assert.deepEqual(cellColumn('"a,b",100\t7', { name: 'x', field: 1, delimiter: ',' }), at(7, 12));
  assert.deepEqual(cellColumn('"a,b",100,7', { name: 'x', field: 0, delimiter: ',' }), at(1, 6));
  assert.deepEqual(cellColumn('100\t0.0003\tnan', { name: 'loss', field: 1, delimiter: '\t' }), at(5, 11));
  // An empty field still spans a character, so the editor's underline can be seen.
  assert.deepEqual(cellColumn('100,,3', { name: 'lr', field: 1, delimiter: ',' }), at(5, 6));
  assert.equal(cellColumn('1,2', { name: 'loss', field: 5, delimiter: ',' }), undefined);
  // The key as a key, not inside a value; spaces after the colon skipped; a string value to its closing quote.
  const line = '{"note": "loss", "loss":  NaN, "step": 3}';
  assert.deepEqual(cellColumn(line, { name: 'loss' }), at(line.indexOf('NaN') + 1, line.indexOf('NaN') + 4));
  const quoted = '{"lr": "N\\"aN", "step": 3}';
  assert.deepEqual(cellColumn(quoted, { name: 'lr' }), at(8, quoted.indexOf(', "step"') + 1));
  assert.deepEqual(cellColumn('{"step": 3}', { name: 'step' }), at(10, 11));
  assert.equal(cellColumn('{"step": 3}', { name: 'loss' }), undefined);
});

const GOOD = Array.from({ length: 30 }, (_, i) => [(i + 1) * 100, 0.0003, 2.5 + 4 * Math.pow((i + 1) * 100, -0.45)]);

function findingsOf(text: string, fileName: string): Finding[] {
  const table = parseText(text, { fileName, displayName: fileName });
  return analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 }).findings;
}

test('a NaN loss in CSV and in JSON Lines, and a negative step: each finding located at its cell', () => {
  const rows = GOOD.map((r) => [...r]);
  const lines = ['step,lr,loss', ...rows.map((r, i) => (i === 6 ? `${r[0]},${r[1]},nan` : r.join(',')))];
  lines[12] = `-5,0.0003,3.1`;
  const csv = lines.join('\n') + '\n';
  const lineText = (_: string, line: number) => csv.split('\n')[line - 1];
  const located = findingsOf(csv, 'run.csv').map((f) => locatedCell(f, lineText));
  const loss = located.find((f) => f.code === 'loss-invalid')!;
  assert.deepEqual([loss.line, loss.column, loss.endColumn], [8, lines[7].indexOf('nan') + 1, lines[7].length + 1]);
  const step = located.find((f) => f.code === 'step-negative')!;
  assert.deepEqual([step.line, step.column, step.endColumn], [13, 1, 3]);
  assert.ok(
    located.every((f) => f.cell === undefined),
    'the cell is dropped once located',
  );

  const jsonl =
    rows.map((r, i) => JSON.stringify({ step: r[0], lr: i === 4 ? 'NaN' : r[1], loss: r[2] })).join('\n') + '\n';
  const lr = findingsOf(jsonl, 'run.jsonl')
    .map((f) => locatedCell(f, (_, line) => jsonl.split('\n')[line - 1]))
    .find((f) => f.code === 'lr-invalid')!;
  const row = jsonl.split('\n')[4];
  assert.deepEqual([lr.line, lr.column, lr.endColumn], [5, row.indexOf('"NaN"') + 1, row.indexOf('"NaN"') + 6]);
});

test('a cell past the doubles (1e400) or written inf is quoted as written, not as the Infinity the table holds', () => {
  const lines = ['step,lr,loss,params', ...GOOD.map((r) => `${r.join(',')},1e8`)];
  lines[5] = `500,0.0003,1e400,1e8`;
  lines[6] = `600,inf,2.9,1e8`;
  lines[7] = `700,0.0003,2.9,-1e400`;
  lines[8] = `800,0.0003,"1e400",1e8`;
  const csv = lines.join('\n') + '\n';
  const findings = findingsOf(csv, 'run.csv');
  const located = findings.map((f) => locatedCell(f, (_, line) => csv.split('\n')[line - 1]));
  const said = (line: number) => located.find((f) => f.line === line)?.message ?? '';
  assert.match(said(6), /^Loss "1e400" cannot be fitted/);
  assert.match(said(7), /^Learning rate "inf" is not a finite non-negative number/);
  assert.match(said(8), /^Model size "-1e400" is not a parameter count/);
  assert.match(said(9), /^Loss "1e400" cannot be fitted/);
  // Where the line is not at hand the message keeps the value the table holds.
  assert.match(findings.find((f) => f.line === 6)!.message, /^Loss Infinity cannot be fitted/);

  const jsonl = GOOD.map((r, i) => `{"step": ${r[0]}, "lr": ${r[1]}, "loss": ${i === 3 ? '1e400' : r[2]}}`).join('\n');
  const [loss] = findingsOf(jsonl, 'run.jsonl')
    .map((f) => locatedCell(f, (_, line) => jsonl.split('\n')[line - 1]))
    .filter((f) => f.code === 'loss-invalid');
  assert.deepEqual([loss.line, loss.message.slice(0, 12)], [4, 'Loss "1e400"']);
});

test('the summary of many bad rows quotes the first row it counts as written (1e400), where the rows shown were nan', () => {
  const lines = ['step,lr,loss', ...GOOD.map((r) => r.join(','))];
  // Twenty nan losses get a finding each; the 21st bad loss, 1e400 on line 23, opens the summary.
  for (let i = 1; i <= 20; i++) lines[i] = `${i * 100},0.0003,nan`;
  lines[22] = `2200,0.0003,1e400`;
  const csv = lines.join('\n') + '\n';
  const summary = findingsOf(csv, 'run.csv')
    .map((f) => locatedCell(f, (_, line) => csv.split('\n')[line - 1]))
    .find((f) => f.code === 'loss-invalid' && f.rows !== undefined)!;
  assert.equal(summary.line, 23);
  assert.match(summary.message, /^1 more row like line 2 \(line 23\): Loss "1e400" cannot be fitted/);
});

test('a loss read as 0 is quoted as written (an underflow, -0, 0.0), a plain 0 as it is, in a summary too', () => {
  const lines = ['step,lr,loss', ...GOOD.map((r) => r.join(','))];
  lines[5] = '500,0.0003,1e-99999999999';
  lines[6] = '600,0.0003,-0';
  lines[7] = '700,0.0003,0';
  lines[8] = '800,0.0003,0.0';
  const csv = lines.join('\n') + '\n';
  const located = findingsOf(csv, 'run.csv').map((f) => locatedCell(f, (_, line) => csv.split('\n')[line - 1]));
  const said = (line: number) => located.find((f) => f.line === line)?.message ?? '';
  // The four are one finding of the run, at the first, quoted as written; the others linked.
  assert.match(said(6), /^4 losses of "run" are zero or below .* The first: Loss "1e-99999999999" cannot be fitted/);
  assert.deepEqual(
    located.find((f) => f.line === 6)?.related?.map((r) => r.line),
    [7, 8, 9],
  );
  // A single one is its own finding, quoted as written.
  const single = [...lines.slice(0, 5), ...lines.slice(9), '3100,0.0003,-0'].join('\n') + '\n';
  const alone = findingsOf(single, 'run.csv').find((f) => f.code === 'loss-invalid')!;
  assert.match(locatedCell(alone, (_, line) => single.split('\n')[line - 1]).message, /^Loss "-0" cannot be fitted/);

  const jsonl = GOOD.map((r, i) => `{"step": ${r[0]}, "lr": ${r[1]}, "loss": ${i === 3 ? '1e-400' : r[2]}}`).join('\n');
  const loss = findingsOf(jsonl, 'run.jsonl')
    .map((f) => locatedCell(f, (_, line) => jsonl.split('\n')[line - 1]))
    .find((f) => f.code === 'loss-invalid')!;
  assert.deepEqual([loss.line, loss.message.slice(0, 13)], [4, 'Loss "1e-400"']);

  // Twenty nan losses shown, then ten underflows in one finding of the run: its "10" is not the value.
  const many = ['step,lr,loss', ...GOOD.map((r) => r.join(','))];
  for (let i = 1; i <= 20; i++) many[i] = `${i * 100},0.0003,nan`;
  for (let i = 22; i <= 31; i++) many[i] = `${i * 100},0.0003,1e-400`;
  const text = many.join('\n') + '\n';
  const summary = findingsOf(text, 'run.csv')
    .map((f) => locatedCell(f, (_, line) => text.split('\n')[line - 1]))
    .find((f) => f.code === 'loss-invalid' && f.rows !== undefined)!;
  assert.match(summary.message, /^10 losses of "run" are zero or below .* The first: Loss "1e-400" cannot be fitted/);
});

test("a TensorBoard export's cell is found by its field; a W&B chart export's, reshaped to a row per run, is not guessed", () => {
  const loss = (i: number, r: number[]) => (i === 6 ? 'nan' : String(r[2]));
  const tensorboard = ['Wall time,Step,Value', ...GOOD.map((r, i) => `1700000000.5,${r[0]},${loss(i, r)}`)].join('\n');
  const [onField] = findingsOf(tensorboard, 'run-a-tag-loss.csv')
    .map((f) => locatedCell(f, (_, line) => tensorboard.split('\n')[line - 1]))
    .filter((f) => f.code === 'loss-invalid');
  assert.deepEqual([onField.line, onField.column], [8, tensorboard.split('\n')[7].indexOf('nan') + 1]);
  const header = 'Step,run - loss,run - loss__MIN,run - loss__MAX';
  const wandb = [header, ...GOOD.map((r, i) => `${r[0]},${loss(i, r)},${r[2]},${r[2]}`)].join('\n');
  const [reshaped] = findingsOf(wandb, 'wandb_export.csv').filter((f) => f.code === 'loss-invalid');
  assert.deepEqual([reshaped.line, reshaped.cell], [8, undefined]);
});

test("a cell of a pretty-printed object is found at its own key below the `{`, not a nested object's, else kept on the `{`", () => {
  const text = [
    '[',
    '  {',
    '    "note": "a } in a string",',
    '    "nested": {"loss": 1},',
    '    "loss": -1.5,',
    '    "step": 10',
    '  },',
    '  {"loss": 2, "step": 20}',
    ']',
  ];
  const lineText = (_: string, line: number) => text[line - 1];
  const at = (line: number): Finding => ({
    code: 'loss-invalid',
    severity: 'warning',
    message: 'Loss -1.5',
    file: 'h.json',
    line,
    cell: { name: 'loss', inObject: true },
  });
  const found = locatedCell(at(2), lineText);
  assert.deepEqual([found.line, found.column, found.endColumn], [5, 13, 17]);
  // An object on one line is not searched: which of its line's records is meant is not known.
  const inline = locatedCell(at(8), lineText);
  assert.deepEqual([inline.line, inline.column, inline.cell], [8, undefined, undefined]);
});

test('one-line JSON records: a cell is found in its own record (a whole array on one line, a nested key of a JSON line), never guessed', async () => {
  const dir = scratchDir('scaling-lens-cell-');
  const records = GOOD.map(([step, lr, loss], i) => ({ step, lr, loss: i === 3 ? 1 : loss }));
  // A JSON array of records on one line: the record is known by where its `{` opens (Table.objectColumns).
  const array = JSON.stringify(records).replace('"loss":1}', '"loss":1e400}');
  const path = join(dir, 'run.json');
  writeFileSync(path, array);
  const [loss] = (await analyseFiles([path], { law: 'lr-annealing', bootstrapSamples: 0 })).findings
    .map((f) => locatedCell(f, () => array))
    .filter((f) => f.code === 'loss-invalid');
  const at = array.indexOf('1e400') + 1;
  assert.deepEqual(
    [loss.line, loss.column, loss.endColumn, loss.message.slice(0, 12)],
    [1, at, at + 5, 'Loss "1e400"'],
  );
  // A nested key (train/loss) is found under its object.
  const jsonl = records
    .map((r, i) => `{"step": ${r.step}, "lr": ${r.lr}, "train": {"loss": ${i === 3 ? '1e400' : r.loss}}}`)
    .join('\n');
  const [nested] = findingsOf(jsonl, 'run.jsonl')
    .map((f) => locatedCell(f, (_, line) => jsonl.split('\n')[line - 1]))
    .filter((f) => f.code === 'loss-invalid');
  const line4 = jsonl.split('\n')[3];
  assert.deepEqual([nested.line, nested.column], [4, line4.indexOf('1e400') + 1]);
  assert.equal(nested.message.slice(0, 12), 'Loss "1e400"');
  // A top-level key beside an object holding one of the same name: the record's own.
  const line = '{"eval": {"loss": 1}, "loss": NaN, "step": 3}';
  assert.deepEqual(cellColumn(line, { name: 'loss' }), {
    column: line.indexOf('NaN') + 1,
    endColumn: line.indexOf('NaN') + 4,
  });
  assert.equal(cellColumn('{"step": 3, "loss": [1, 2]}', { name: 'loss' }), undefined, 'an array is no cell');
  assert.equal(cellColumn('{"step": 3, "loss": 2', { name: 'loss' }), undefined, 'a record cut short');
});

test('1e400 whose cell is not found on its line (a name written twice) is still quoted as written', () => {
  const records = GOOD.map(([step, lr, loss]) => ({ step, lr, loss }));
  const jsonl = records.map((r) => `{"step": ${r.step}, "lr": ${r.lr}, "train": {"loss": ${r.loss}}}`).join('\n');
  // "train/loss" both as a key and as train's loss: which is the cell is not known, so no column is given.
  const once = '{"step": 400, "lr": 0.0003, "train": {"loss": 3}, "train/loss": 1e400}';
  const [quoted] = findingsOf(`${jsonl.split('\n').slice(0, 3).join('\n')}\n${once}`, 'once.jsonl')
    .map((f) => locatedCell(f, () => once))
    .filter((f) => f.code === 'loss-invalid');
  assert.deepEqual([quoted.column, quoted.message.slice(0, 12)], [undefined, 'Loss "1e400"']);
  // Two different infinities written on the line: which one is meant is not known, so the table's value is kept.
  const two = '{"step": 400, "lr": -1e999, "train": {"loss": 2e500}, "train/loss": 1e400}';
  const [kept] = findingsOf(`${jsonl.split('\n').slice(0, 3).join('\n')}\n${two}`, 'two.jsonl')
    .map((f) => locatedCell(f, () => two))
    .filter((f) => f.code === 'loss-invalid');
  assert.match(kept.message, /^Loss Infinity/);
  assert.equal(kept.column, undefined);
});
