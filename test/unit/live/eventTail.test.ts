// Following a TensorBoard event file or run folder (src/core/live/eventTail.ts): whatever the pieces a writer appends,
// cut anywhere (mid-header, mid-record), the followed table equals a whole read of what is on disk; a record cut short
// is not data yet; a new event file in the folder is read; a truncated or replaced file makes the run be read again
// from the start, with a note; a deleted one keeps its points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { EventTail } from '../../../src/core/live/eventTail';
import { tailFor } from '../../../src/core/live/tails';
import { TextTail } from '../../../src/core/live/textTail';
import { readSource } from '../../../src/core/sources';
import type { Table } from '../../../src/core/table/types';
import { seededRandom } from '../../../src/core/util/random';
import { EventFileWriter, recordOffset } from '../../helpers/eventWriter';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-event-tail-');

/** The table's content as plain data, to compare a followed table with a whole read. */
function content(table: Table) {
  return {
    format: table.format,
    run: table.run,
    rowCount: table.rowCount,
    lines: Array.from(table.lines),
    columns: table.columns.map((c) => ({ name: c.name, values: Array.from(c.values, (v) => (isNaN(v) ? 'NaN' : v)) })),
    problems: table.problems.map((p) => `${p.code} ${p.line}: ${p.message}`),
  };
}

/** The table `fit` reads from the path (a file, or a run folder as its scan names it). */
async function wholeRead(path: string): Promise<Table> {
  const read = await readSource(path);
  assert.equal(read.tables.length, 1);
  return read.tables[0];
}

/** A run writing loss and LR every 10 steps, with a restart, a histogram and a second encoding on the way. */
function run(points: number): EventFileWriter {
  const w = new EventFileWriter();
  for (let i = 1; i <= points; i++) {
    const step = 10 * i;
    w.scalar('train/loss', step, 2.5 + 3 / Math.sqrt(step), i % 3 ? 'simple' : 'double_val');
    w.scalar('train/lr', step, 3e-4 * (1 - i / (2 * points)));
    if (i === Math.floor(points / 2)) w.histogram('weights', step);
    if (i === Math.floor((2 * points) / 3)) w.sessionStart(step - 30);
  }
  return w;
}

test('a record appended in two halves is read once whole, and the table equals a whole read', async () => {
  const folder = join(dir, 'halves');
  const w = run(40);
  const bytes = w.bytes();
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'events.out.tfevents.1700000000.host');
  const cut = recordOffset(w, 30);
  writeFileSync(path, bytes.subarray(0, cut));
  const tail = new EventTail(path);
  assert.equal((await tail.update()).change, 'read');
  const before = tail.current().tables[0];
  assert.deepEqual(content(before), content(await wholeRead(path)));

  // Half of the next record: its header and part of its data. Not data yet.
  const half = cut + Math.floor((recordOffset(w, 31) - cut) / 2);
  appendFileSync(path, bytes.subarray(cut, half));
  const waiting = await tail.update();
  assert.equal(waiting.change, 'unchanged');
  assert.equal(waiting.bytes, 0);
  assert.equal(tail.current().tables[0].rowCount, before.rowCount);

  appendFileSync(path, bytes.subarray(half));
  const appended = await tail.update();
  assert.equal(appended.change, 'appended');
  assert.equal(appended.bytes, bytes.length - cut);
  const after = tail.current().tables[0];
  assert.ok(after.rowCount > before.rowCount);
  assert.deepEqual(content(after), content(await wholeRead(path)));
  // The earlier snapshot is not changed by later reads.
  assert.equal(before.rowCount, content(before).rowCount);
  assert.equal((await tail.update()).change, 'unchanged');
});

test('a file written in random pieces, cut anywhere, is followed to the table of a whole read', async () => {
  const random = seededRandom(7);
  for (let trial = 0; trial < 12; trial++) {
    const folder = join(dir, `pieces-${trial}`);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, 'events.out.tfevents.1700000000.host');
    const bytes = run(60).bytes();
    writeFileSync(path, '');
    const tail = new EventTail(path);
    await tail.update();
    for (let at = 0; at < bytes.length;) {
      const next = Math.min(bytes.length, at + 1 + Math.floor(random() * 400));
      appendFileSync(path, bytes.subarray(at, next));
      at = next;
      if (random() < 0.5) await tail.update();
    }
    await tail.update();
    assert.deepEqual(content(tail.current().tables[0]), content(await wholeRead(path)), `trial ${trial}`);
  }
});

test('a new event file in a run folder is picked up, and the table equals a read of the folder', async () => {
  const folder = join(dir, 'rotating');
  const first = new EventFileWriter();
  const second = new EventFileWriter();
  for (let s = 10; s <= 200; s += 10) first.scalars(s, { 'train/loss': 3 / Math.sqrt(s) + 2, 'train/lr': 3e-4 });
  for (let s = 210; s <= 300; s += 10) second.scalars(s, { 'train/loss': 3 / Math.sqrt(s) + 2, 'train/lr': 2e-4 });
  second.scalar('eval/loss', 300, 2.4);
  first.write(folder, 1700000000);
  const tail = await tailFor(folder);
  assert.ok(tail instanceof EventTail, 'a TensorBoard run folder has an event tail');
  assert.equal((await tail.update()).change, 'read');
  assert.equal(tail.current().tables[0].rowCount, 20);

  second.write(folder, 1700001000);
  const update = await tail.update();
  assert.equal(update.change, 'appended');
  assert.equal(update.rows, 10);
  const table = tail.current().tables[0];
  assert.deepEqual(content(table), content(await wholeRead(folder)));
  assert.equal(table.run, 'rotating');
  assert.ok(table.columns.some((c) => c.name === 'eval/loss'));

  // A file older than those read (by writer time) changes what came before: the run is read again.
  const older = new EventFileWriter();
  older.scalars(5, { 'train/loss': 4, 'train/lr': 1e-4 });
  older.write(folder, 1600000000);
  assert.equal((await tail.update()).change, 'reread');
  assert.equal(tail.current().tables[0].rowCount, 31);
});

test('a truncated or replaced file is read again from the start, with a note; a deleted one keeps its points', async () => {
  const folder = join(dir, 'rewritten');
  const w = run(30);
  const path = w.write(folder);
  const tail = new EventTail(path);
  await tail.update();
  const full = tail.current().tables[0].rowCount;

  truncateSync(path, recordOffset(w, 21));
  const truncated = await tail.update();
  assert.equal(truncated.change, 'reread');
  const table = tail.current().tables[0];
  assert.ok(table.rowCount < full);
  const note = table.problems.find((p) => p.code === 'file-changed');
  assert.match(note?.message ?? '', /was truncated while it was followed: the run was read again from the start/);
  const rest = content(table);
  rest.problems = rest.problems.filter((p) => !p.startsWith('file-changed'));
  assert.deepEqual(rest, content(await wholeRead(path)));

  // Replaced by another file of the same name (another inode), even a longer one.
  const other = new EventFileWriter();
  for (let s = 1; s <= 50; s++) other.scalars(s, { 'train/loss': 3, 'train/lr': 1e-4 });
  const replacement = join(dir, 'replacement.tfevents');
  writeFileSync(replacement, other.bytes());
  renameSync(replacement, path);
  assert.equal((await tail.update()).change, 'reread');
  assert.equal(tail.current().tables[0].rowCount, 50);
  assert.match(
    tail.current().tables[0].problems.find((p) => p.code === 'file-changed')?.message ?? '',
    /was replaced while it was followed/,
  );

  rmSync(path);
  assert.equal((await tail.update()).change, 'deleted');
  const kept = tail.current().tables[0];
  assert.equal(kept.rowCount, 50);
  assert.match(kept.problems.find((p) => /deleted/.test(p.message))?.message ?? '', /50 steps read before are kept/);
  assert.equal((await tail.update()).change, 'unchanged');
});

test("a run folder's event file replaced by a folder, a link to /dev/zero or a FIFO keeps its points, said so", async () => {
  const replacements: [string, (path: string) => void, RegExp][] = [
    ['folder', (path) => mkdirSync(path), /1\.0 was replaced by a folder while the run was followed; the points/],
    ['/dev/zero', (path) => symlinkSync('/dev/zero', path), /1\.0 was replaced by a FIFO, a device or a socket/],
    ['FIFO', (path) => execFileSync('mkfifo', [path]), /1\.0 was replaced by a FIFO, a device or a socket/],
  ];
  for (const [name, replace, said] of replacements) {
    const folder = join(dir, `away-${name.replace('/', '')}`);
    const w = run(30);
    const path = w.write(folder);
    const tail = new EventTail(folder);
    await tail.update();
    const read = content(tail.current().tables[0]);
    rmSync(path);
    replace(path);
    await tail.update();
    // Read again from the start, the run had no points left: its fit was gone until the file came back.
    const table = tail.current().tables[0];
    assert.equal(table.rowCount, read.rowCount, name);
    assert.match(table.problems.find((p) => p.code === 'file-changed')?.message ?? '', said, name);
    assert.equal((await tail.update()).change, 'unchanged', `${name}: said once`);
    rmSync(path, { recursive: true });
    w.write(folder);
    assert.equal((await tail.update()).change, 'reread', `${name}: back, read from the start`);
    const back = content(tail.current().tables[0]);
    // Read from the start even were its inode the old one's again (then it was read on from the old end).
    assert.match(
      back.problems[0],
      /1\.0 was written again while it was followed: the run was read again from the start/,
    );
    assert.deepEqual({ ...back, problems: back.problems.slice(1) }, read, name);
  }
});

test('a file that does not exist yet is waited for; JSON Lines formats of their own get a text tail', async () => {
  const tail = new EventTail(join(dir, 'later', 'events.out.tfevents.1.host'));
  assert.equal((await tail.update()).change, 'waiting');
  assert.deepEqual(tail.current().tables, []);

  const llama = join(dir, 'trainer_log.jsonl');
  const line = (s: number) => `{"current_steps": ${s}, "total_steps": 1000, "loss": ${3 - s / 1000}, "lr": 1e-4}\n`;
  writeFileSync(llama, line(10) + line(20));
  const text = await tailFor(llama);
  assert.ok(text instanceof TextTail);
  await text.update();
  appendFileSync(llama, line(30));
  assert.equal((await text.update()).change, 'appended');
  const table = text.current().tables[0];
  assert.equal(table.format, 'llama-factory');
  assert.equal(table.rowCount, 3);
  assert.equal(table.hints?.maxSteps, 1000);
});

test(
  'an event file whose read permission is removed says so at once, and once it is readable again the error goes',
  { skip: process.getuid?.() === 0 && 'run as root, who reads a file whatever its permissions' },
  async () => {
    const folder = join(dir, 'unreadable');
    const w = run(20);
    const path = w.write(folder);
    const tail = new EventTail(folder);
    await tail.update();
    const before = w.bytes().length;
    for (let i = 21; i <= 30; i++) w.scalar('train/loss', 10 * i, 2.5 + 3 / Math.sqrt(10 * i));
    appendFileSync(path, w.bytes().subarray(before));
    chmodSync(path, 0o200);
    // It was 'unchanged': the table stood as it was, and nothing said the file could not be read.
    assert.equal((await tail.update()).change, 'appended');
    const unreadable = () => tail.current().tables[0].problems.filter((p) => p.code === 'file-unreadable');
    assert.match(unreadable()[0]?.message ?? '', /permission denied/);
    assert.equal((await tail.update()).change, 'unchanged', 'said once');
    chmodSync(path, 0o644);
    assert.deepEqual(await tail.update(), { change: 'appended', rows: 10, bytes: w.bytes().length - before });
    assert.equal(unreadable().length, 0);
  },
);
