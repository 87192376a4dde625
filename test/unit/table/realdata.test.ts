import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { detectRoles, readTable } from '../../../src/core/table';

// The shared data folder sits next to the repository; these tests are skipped where it is not checked out.
const SHARED = join(__dirname, '../../../../shared/data');
const LUO = join(SHARED, 'multipowerlaw-luo2025/csv_25/cosine_24000.csv');
const CHINCHILLA = join(SHARED, 'chinchilla/chinchilla_epoch_derived.csv');
const skip = (path: string) =>
  existsSync(path) ? false : `${path} is not present (../shared/data is not checked out)`;

test('real data: multi-power-law cosine loss curve (step, lr, loss)', { skip: skip(LUO) }, async () => {
  const table = await readTable(LUO);
  assert.equal(table.format, 'csv');
  assert.equal(table.problemCount, 0);
  assert.ok(table.rowCount > 100);
  assert.deepEqual(Array.from(table.columns[0].values.slice(0, 2)), [2160, 2288]);
  assert.equal(table.columns[1].values[1], 0.0002999771173709568);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.deepEqual(roles.roles, { step: 0, lr: 1, loss: 2 });
});

test('real data: Chinchilla compute sweep (params_N, tokens_D, flop_C, loss)', { skip: skip(CHINCHILLA) }, async () => {
  const table = await readTable(CHINCHILLA);
  assert.equal(table.problemCount, 0);
  assert.equal(table.columns[0].values[0], 6795600349.289497);
  assert.equal(table.columns[2].values[0], 9.993852799709755e18);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'compute');
  assert.deepEqual(roles.roles, { params: 0, tokens: 1, compute: 2, loss: 3 });
});
