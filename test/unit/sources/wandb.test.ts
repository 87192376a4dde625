// Weights & Biases on disk: the legacy wandb-history.jsonl is read (by its _step and _runtime keys) as its own
// format; a current run folder, whose history is only in the binary .wandb file, is one run that says to export CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSources } from '../../../src/core/sources';
import { detectRoles } from '../../../src/core/table';
import { tempDir, wandbHistory, writeAt } from '../../helpers/jsonRuns';

test('wandb-history.jsonl is read as wandb-history, _step the step', async () => {
  const path = writeAt(tempDir('wandb'), 'wandb-history.jsonl', wandbHistory(40));
  const { tables } = await readSources([path]);
  assert.equal(tables[0].format, 'wandb-history');
  assert.equal(tables[0].rowCount, 40);
  const roles = detectRoles(tables[0]);
  assert.equal(tables[0].columns[roles.roles.step!].name, '_step');
  assert.equal(tables[0].columns[roles.roles.loss!].name, 'train/loss');
});

test('a W&B run folder with a .wandb file is one run with no rows and a message naming the CSV export', async () => {
  const root = tempDir('wandb');
  const run = 'wandb/run-20240102_030405-abc123xy';
  writeAt(root, `${run}/run-abc123xy.wandb`, Buffer.from([0x3a, 0x57, 0x26, 0x42, 0, 1, 0, 0, 9, 9]));
  writeAt(root, `${run}/files/wandb-summary.json`, '{"loss": 2.1}');
  writeAt(root, `${run}/files/config.yaml`, 'lr:\n  value: 0.001\n');
  // A legacy run folder beside it is read from its history.
  writeAt(root, 'wandb/run-20190102_030405-old1/wandb-history.jsonl', wandbHistory(10));
  const { tables, problems } = await readSources([root]);
  const byRun = new Map(tables.map((t) => [t.run, t]));
  assert.deepEqual([...byRun.keys()].sort(), ['wandb/run-20190102_030405-old1', `${run}`]);
  const binary = byRun.get(run)!;
  assert.equal(binary.format, 'wandb');
  assert.equal(binary.rowCount, 0);
  const message = binary.problems.find((p) => p.code === 'wandb-binary');
  assert.ok(message);
  assert.match(message.message, /binary \.wandb file.*export the run's history as CSV/);
  assert.equal(byRun.get('wandb/run-20190102_030405-old1')!.format, 'wandb-history');
  assert.equal(byRun.get('wandb/run-20190102_030405-old1')!.rowCount, 10);
  assert.ok(!problems.some((p) => p.code === 'folder-no-runs'));
  // The .wandb file named directly says the same.
  const direct = await readSources([`${root}/${run}/run-abc123xy.wandb`]);
  assert.ok(direct.tables[0].problems.some((p) => p.code === 'wandb-binary'));
});
