// Following a folder of runs (src/core/live/folderTail.ts): each run has a tail of its own, so when one run grows only
// that run is read (a CSV or JSONL run only its appended lines), the others' tables kept as they were; the followed
// tables are always those a read of the folder gives, named and ordered as it names them; a run deleted keeps its rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tailFor } from '../../../src/core/live/tails';
import { readSource } from '../../../src/core/sources';
import type { Table } from '../../../src/core/table/types';
import { EventFileWriter } from '../../helpers/eventWriter';
import { lawCurve, constantLr, writeDvclive, writeFile, writeLightningMetrics } from '../../helpers/frameworkRuns';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('sl-folder-tail-');

function content(table: Table) {
  return {
    run: table.run,
    file: table.file,
    format: table.format,
    rowCount: table.rowCount,
    lines: Array.from(table.lines),
    columns: table.columns.map((c) => [c.name, Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : v))]),
    problems: table.problems.map((p) => [p.code, p.file, p.line, p.column, p.message]),
  };
}

const csvRows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${from + i},3e-4,${(2.5 + 3 / Math.sqrt(from + i)).toFixed(6)}\n`).join(
    '',
  );
const jsonlRows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `{"step": ${from + i}, "loss": ${3 - (from + i) / 1000}}\n`).join('');

/** A folder of every kind of run: CSV, JSONL, Lightning versions, an HF output_dir, DVCLive, TensorBoard. */
function writeRuns(root: string): void {
  writeFileSync(join(root, 'a.csv'), `step,lr,loss\n${csvRows(1, 50)}`);
  writeFileSync(join(root, 'b.jsonl'), jsonlRows(1, 50));
  const points = lawCurve(constantLr, 2000, 100);
  writeLightningMetrics(join(root, 'lightning_logs', 'version_0'), points);
  writeLightningMetrics(join(root, 'lightning_logs', 'version_1'), points.slice(0, 10));
  const history = points.map((p) => ({ step: p.step, loss: p.loss, learning_rate: p.lr }));
  writeFile(join(root, 'hf', 'trainer_state.json'), JSON.stringify({ global_step: 2000, log_history: history }));
  writeDvclive(join(root, 'dvclive'), { loss: points.map((p) => ({ step: p.step, value: p.loss })) });
  const events = new EventFileWriter();
  for (const p of points) events.scalar('train/loss', p.step, p.loss);
  events.write(join(root, 'tb', 'run1'));
}

const byRun = (tables: readonly Table[]) => new Map(tables.map((t) => [t.run, t]));

test('a folder of runs followed reads only the run that changed; the others are kept as they were read', async () => {
  const root = join(dir, 'runs');
  mkdirSync(root, { recursive: true });
  writeRuns(root);
  const tail = await tailFor(root);
  assert.equal((await tail.update()).change, 'read');
  const whole = async () => (await readSource(root)).tables.map(content);
  assert.deepEqual(tail.current().tables.map(content), await whole());
  assert.deepEqual(tail.current().problems, (await readSource(root)).problems);
  assert.equal((await tail.update()).change, 'unchanged');

  // One CSV run grows: its new lines are appended; every other run's table is the one read before (not read again).
  const before = byRun(tail.current().tables);
  appendFileSync(join(root, 'a.csv'), csvRows(50, 60));
  assert.deepEqual(await tail.update(), { change: 'appended', rows: 10, bytes: csvRows(50, 60).length });
  assert.deepEqual(tail.current().tables.map(content), await whole());
  const after = byRun(tail.current().tables);
  assert.equal(after.size, 7);
  for (const [run, table] of after)
    if (run !== 'a')
      assert.ok(
        table.columns.every((c, i) => c.values.buffer === before.get(run)!.columns[i].values.buffer),
        `${run}: kept, not read again`,
      );

  // A Lightning version grows: that run is read again whole, the others kept.
  writeLightningMetrics(join(root, 'lightning_logs', 'version_1'), lawCurve(constantLr, 2000, 100).slice(0, 12));
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(tail.current().tables.map(content), await whole());
  const later = byRun(tail.current().tables);
  for (const run of ['a', 'b', 'hf', 'dvclive', 'lightning_logs/version_0', 'tb/run1'])
    assert.equal(later.get(run)!.columns[1].values.buffer, after.get(run)!.columns[1].values.buffer, run);

  // A new run is read from its start; a run deleted keeps its rows, said so (a read of the folder no longer has it).
  writeFileSync(join(root, 'c.csv'), `step,loss\n${csvRows(1, 5)}`);
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(tail.current().tables.map(content), await whole());
  rmSync(join(root, 'b.jsonl'));
  assert.equal((await tail.update()).change, 'reread');
  const kept = tail.current().tables.find((t) => t.run === 'b');
  assert.equal(kept?.rowCount, 49);
  assert.match(
    kept?.problems.find((p) => p.code === 'file-changed')?.message ?? '',
    /was deleted while it was followed/,
  );
  assert.deepEqual(
    tail
      .current()
      .tables.filter((t) => t.run !== 'b')
      .map(content),
    await whole(),
    'the other runs as a read of the folder gives them',
  );
  assert.equal((await tail.update()).change, 'unchanged', 'said once');
});

test('a file of a followed folder that becomes a run (a JSON document written over), or a new version folder, is read', async () => {
  const root = join(dir, 'later');
  mkdirSync(join(root, 'lightning_logs'), { recursive: true });
  writeFileSync(join(root, 'notes.json'), '{"note": "not a run yet"}\n');
  writeFileSync(join(root, 'a.csv'), `step,lr,loss\n${csvRows(1, 20)}`);
  const tail = await tailFor(root);
  await tail.update();
  const whole = async () => (await readSource(root)).tables.map(content);
  assert.equal(tail.current().tables.length, 1);
  writeFileSync(
    join(root, 'notes.json'),
    JSON.stringify([
      { step: 1, loss: 3 },
      { step: 2, loss: 2.9 },
    ]),
  );
  assert.equal((await tail.update()).change, 'reread');
  assert.equal(tail.current().tables.length, 2);
  assert.deepEqual(tail.current().tables.map(content), await whole());
  writeLightningMetrics(join(root, 'lightning_logs', 'version_0'), lawCurve(constantLr, 1000, 100));
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(tail.current().tables.map(content), await whole());
  assert.deepEqual(tail.current().problems, (await readSource(root)).problems);
});
