import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { detectRoles, readTable } from '../../../src/core/table';
import { codes, names, numbers, problem, texts } from './helpers';

const fixture = (name: string) => join(__dirname, '../../fixtures/table', name);

test('TensorBoard scalar CSV: format, Step -> step, Value -> loss', async () => {
  const table = await readTable(fixture('run_cosine-tag-train_loss.csv'));
  assert.equal(table.format, 'tensorboard-csv');
  assert.deepEqual(names(table), ['Wall time', 'Step', 'Value']);
  assert.deepEqual(numbers(table, 'Step'), [100, 200, 300]);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.deepEqual(roles.roles, { step: 1, loss: 2 });
  assert.ok(
    roles.notes.some((n) => /tag "train_loss".*loss/.test(n)),
    roles.notes.join('\n'),
  );
});

test('TensorBoard export of a learning-rate tag maps Value to lr and says so', async () => {
  const table = await readTable(fixture('run_cosine-tag-train_learning_rate.csv'));
  const roles = detectRoles(table);
  assert.equal(roles.roles.lr, 2);
  assert.equal(roles.roles.loss, undefined);
  assert.equal(roles.kind, 'unknown');
  assert.ok(roles.notes.some((n) => /learning rate/.test(n)));
});

test('a plain CSV with a Value column is not TensorBoard: Value is not a loss alias there', () => {
  const table = { ...emptyTable(), columns: [col('step'), col('Value')] };
  assert.equal(detectRoles(table).roles.loss, undefined);
});

test('W&B chart-panel export (wide) is reshaped to long form with a run column', async () => {
  const table = await readTable(fixture('wandb_panel_export.csv'));
  assert.equal(table.format, 'wandb-csv');
  assert.deepEqual(names(table), ['Step', 'run', 'train/loss', 'train/lr']);
  // Row 100: both runs; row 200: only fluent-sun-12 has loss but dry-rain-7 has lr; row 300: only dry-rain-7.
  assert.deepEqual(texts(table, 'run'), ['fluent-sun-12', 'dry-rain-7', 'fluent-sun-12', 'dry-rain-7', 'dry-rain-7']);
  assert.deepEqual(numbers(table, 'Step'), [100, 100, 200, 200, 300]);
  const loss = numbers(table, 'train/loss');
  assert.deepEqual([loss[0], loss[1], loss[2], loss[4]], [3.5, 3.9, 3.1, 3.3]);
  assert.ok(Number.isNaN(loss[3]));
  assert.deepEqual(Array.from(table.lines), [2, 2, 3, 3, 4], 'reshaped rows keep the input line');
  const info = problem(table, 'wandb-reshaped');
  assert.equal(info.severity, 'info');
  assert.match(info.message, /4 __MIN\/__MAX band column\(s\) dropped/);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.deepEqual(roles.roles, { step: 0, run: 1, loss: 2, lr: 3 });
});

test('W&B history CSV export: sparse columns, _step vs trainer/global_step, validation loss preferred', async () => {
  const table = await readTable(fixture('wandb_history.csv'));
  assert.equal(table.format, 'csv');
  assert.deepEqual(codes(table), []);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.equal(table.columns[roles.roles.step as number].name, 'trainer/global_step');
  assert.equal(table.columns[roles.roles.loss as number].name, 'eval/loss');
  assert.equal(table.columns[roles.roles.lr as number].name, 'train/learning_rate');
  assert.ok(
    roles.notes.some((n) => /chose the evaluation loss "eval\/loss" over the training loss "train\/loss"/.test(n)),
    roles.notes.join('\n'),
  );
});

test('W&B history JSONL export reads to the same columns as the CSV export', async () => {
  const table = await readTable(fixture('wandb_history.jsonl'));
  assert.equal(table.format, 'jsonl');
  assert.deepEqual(
    new Set(names(table)),
    new Set([
      '_step',
      '_runtime',
      '_timestamp',
      'train/loss',
      'train/learning_rate',
      'trainer/global_step',
      'eval/loss',
    ]),
  );
  assert.deepEqual(numbers(table, 'trainer/global_step'), [0, 10, 20, 30]);
  assert.equal(detectRoles(table).kind, 'loss-curve');
});

function emptyTable() {
  return {
    file: 'x.csv',
    format: 'csv' as const,
    headerLine: 1,
    columns: [],
    rowCount: 1,
    lines: new Int32Array([2]),
    problems: [],
    problemCount: 0,
    rowsRejected: 0,
    bytesRead: 0,
  };
}

function col(name: string) {
  return { name, values: new Float64Array([1]), numericCount: 1, textCount: 0, emptyCount: 0, suffixes: [] };
}
