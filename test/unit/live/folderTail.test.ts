// Following a folder of runs (src/core/live/folderTail.ts): each run has a tail of its own, so when one run grows only
// that run is read (a CSV or JSONL run only its appended lines), the others' tables kept as they were; the followed
// tables are always those a read of the folder gives, named and ordered as it names them; a run deleted keeps its rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTail, tailFor } from '../../../src/core/live/tails';
import { FolderTail, type FolderTailTuning } from '../../../src/core/live/folderTail';
import type { ChangedPaths } from '../../../src/core/live/watch';
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

/** A folder of `runs` CSV runs, followed by its FolderTail (its counts of sweeps and tail updates read by the test). */
async function followedRuns(name: string, runs: number, tuning?: FolderTailTuning) {
  const root = join(dir, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'nested'), { recursive: true });
  const file = (i: number) => join(root, i % 2 ? 'nested' : '', `run-${String(i).padStart(3, '0')}.csv`);
  for (let i = 0; i < runs; i++) writeFileSync(file(i), `step,lr,loss\n${csvRows(1, 5)}`);
  const tail = new FolderTail(root, {}, runTail, tuning);
  assert.equal((await tail.update()).change, 'read');
  const whole = async () => (await readSource(root)).tables.map(content);
  return { root, file, tail, whole };
}

test('a followed folder of runs looks at what the watch told changed: an idle poll at nothing, a grown run alone', async () => {
  const { root, file, tail, whole } = await followedRuns('told', 60);
  await tail.update(); // the sweep after the folders were first watched
  const [sweeps, updates] = [tail.sweeps, tail.tailUpdates];
  for (let poll = 0; poll < 5; poll++) assert.equal((await tail.update()).change, 'unchanged');
  assert.deepEqual([tail.sweeps, tail.tailUpdates], [sweeps, updates], 'idle polls: no sweep, no run looked at');
  appendFileSync(file(7), csvRows(5, 8));
  assert.deepEqual(await tail.update(), { change: 'appended', rows: 3, bytes: csvRows(5, 8).length });
  assert.deepEqual([tail.sweeps, tail.tailUpdates], [sweeps, updates + 1], 'the grown run alone');
  assert.deepEqual(tail.current().tables.map(content), await whole());
  // Truncated and written again, replaced by a rename, deleted: each read as a sweep would, without one.
  writeFileSync(file(8), `step,lr,loss\n${csvRows(1, 3)}`);
  assert.equal((await tail.update()).change, 'reread');
  writeFileSync(join(root, 'swap.tmp'), `step,lr,loss\n${csvRows(1, 9)}`);
  renameSync(join(root, 'swap.tmp'), file(10));
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(tail.current().tables.map(content), await whole());
  rmSync(file(9));
  assert.equal((await tail.update()).change, 'reread');
  assert.match(
    tail
      .current()
      .tables.find((t) => t.file.endsWith('run-009.csv'))
      ?.problems.at(-1)?.message ?? '',
    /was deleted while it was followed; the 4 rows read before are kept/,
  );
  // A new run in a new folder (a path of no run: swept, and the new folder watched) is read, and so are its writes.
  mkdirSync(join(root, 'late'));
  writeFileSync(join(root, 'late', 'z.csv'), `step,lr,loss\n${csvRows(1, 4)}`);
  assert.equal((await tail.update()).change, 'reread');
  await tail.update();
  appendFileSync(join(root, 'late', 'z.csv'), csvRows(4, 6));
  assert.equal((await tail.update()).change, 'appended');
  const tables = tail.current().tables.filter((t) => !t.file.endsWith('run-009.csv'));
  assert.deepEqual(tables.map(content), await whole());
  tail.close();
});

test('a watch that tells nothing (a mount that never notifies): the periodic sweep reads the change, then every poll sweeps', async () => {
  const silent: ChangedPaths = { watch: (folders) => folders.length, take: () => new Set(), close: () => undefined };
  const { file, tail, whole } = await followedRuns('silent', 6, { changes: () => silent, sweepEvery: 3 });
  appendFileSync(file(1), csvRows(5, 7));
  const changes = [];
  for (let poll = 0; poll < 4; poll++) changes.push((await tail.update()).change);
  assert.ok(changes.includes('appended'), `read by a sweep within ${changes.length} polls: ${changes}`);
  assert.deepEqual(tail.current().tables.map(content), await whole());
  // Missed once: no longer trusted, every poll sweeps (a change is read at the next poll).
  appendFileSync(file(2), csvRows(5, 6));
  assert.equal((await tail.update()).change, 'appended');
  const sweeps = tail.sweeps;
  await tail.update();
  assert.equal(tail.sweeps, sweeps + 1);
});

test('a run of a told folder whose append ends in a CR (its LF may follow) is read once found as it was, untold', async () => {
  const { root, tail, whole } = await followedRuns('cr', 4);
  writeFileSync(join(root, 'mac.csv'), 'step,lr,loss\r1,3e-4,3.0\r');
  for (let poll = 0; poll < 3; poll++) await tail.update();
  appendFileSync(join(root, 'mac.csv'), '2,3e-4,2.9\r');
  const changes = [(await tail.update()).change, (await tail.update()).change];
  assert.ok(changes.includes('appended'), `${changes}`);
  assert.deepEqual(tail.current().tables.map(content), await whole());
  assert.equal(tail.current().tables.find((t) => t.file.endsWith('mac.csv'))?.rowCount, 2);
  tail.close();
});
