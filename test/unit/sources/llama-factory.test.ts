// LLaMA-Factory's trainer_log.jsonl: JSON Lines recognised by their current_steps and total_steps keys, reported as
// their own format, current_steps as the step and total_steps as where the schedule ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSources } from '../../../src/core/sources';
import { detectRoles } from '../../../src/core/table';
import { llamaFactoryLog, tempDir, writeAt } from '../../helpers/jsonRuns';

test('trainer_log.jsonl is read as llama-factory: current_steps the step, lr the LR, total_steps the schedule end', async () => {
  const path = writeAt(tempDir('llama'), 'saves/qwen/trainer_log.jsonl', llamaFactoryLog(500, 2000));
  const { tables } = await readSources([path]);
  const [table] = tables;
  assert.equal(table.format, 'llama-factory');
  assert.equal(table.rowCount, 50);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.equal(table.columns[roles.roles.step!].name, 'current_steps');
  assert.equal(table.columns[roles.roles.lr!].name, 'lr');
  assert.equal(table.hints?.maxSteps, 2000);
  assert.ok(table.problems.some((p) => p.code === 'run-hints' && /ends at step 2000 \(total_steps\)/.test(p.message)));
});

test('in a folder scan it is a run by its keys; other JSON Lines stay plain JSONL', async () => {
  const dir = tempDir('llama');
  writeAt(dir, 'a/trainer_log.jsonl', llamaFactoryLog(100, 1000));
  writeAt(dir, 'b/log.jsonl', '{"step": 1, "loss": 2}\n{"step": 2, "loss": 1.5}\n');
  const { tables } = await readSources([dir]);
  assert.deepEqual(tables.map((t) => `${t.run}:${t.format}`).sort(), ['a/trainer_log:llama-factory', 'b/log:jsonl']);
});

test('a total_steps that is no whole step count (1e300, 2.5) is no schedule end: the run is not predicted there', async () => {
  for (const total of [1e300, 2.5]) {
    const log = llamaFactoryLog(500, 2000).replace(/"total_steps": ?2000/g, `"total_steps": ${total}`);
    const [table] = (await readSources([writeAt(tempDir('llama'), 'trainer_log.jsonl', log)])).tables;
    assert.equal(table.hints?.maxSteps, undefined, String(total));
  }
});
