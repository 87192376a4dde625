// A large event file read by two threads (split.ts) must make exactly the sink calls one thread makes, in the same
// order, wherever the middle falls: inside a record, on a record boundary, in a corrupt region; and it must fall back
// to one thread when its chain of records does not land where the worker started, or when a plugin was declared
// before the middle. The worker is the built dist/eventsWorker.js (the test runner builds first).
import { test } from 'node:test';
import { recorder } from '../../helpers/eventRecorder';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSources } from '../../../src/core/sources';
import { EventDecoder, readEvents } from '../../../src/core/sources/tensorboard';
import { coreIsFree, readEventsInTwo, type SplitEventsRead } from '../../../src/core/sources/tensorboard/split';
import { bundledWorker } from '../../../src/core/util/bundled';
import { EventFileWriter, Proto, recordOffset, tfrecord } from '../../helpers/eventWriter';
import { scratchDir } from '../../helpers/scratch';

const tmp = (prefix: string) => scratchDir(`sl-tbsplit-${prefix}-`);

/** A sink that writes down every call. */

/**
 * Reads the file in two from `splitAt` (the worker's log in parts of 7 records, so parts end at every kind of record)
 * and in one; asserts the same calls and read; returns the read in two.
 */
async function sameAsOneThread(path: string, splitAt: number, failAfterParts?: number): Promise<SplitEventsRead> {
  assert.ok(bundledWorker('eventsWorker.js'), 'dist/eventsWorker.js is built (node esbuild.mjs)');
  const one = recorder();
  const oneRead = await readEvents(path, 0, one.sink);
  const two = recorder();
  const twoRead = await readEventsInTwo(path, two.sink, new EventDecoder(two.sink), {
    mode: true,
    splitAt,
    recordsPerPart: 7,
    failAfterParts,
  });
  assert.deepEqual(two.calls, one.calls);
  const { split, ...read } = twoRead;
  assert.deepEqual(read, oneRead);
  assert.ok(split !== null, 'read in two');
  return twoRead;
}

function run(steps: number): EventFileWriter {
  const w = new EventFileWriter();
  for (let s = 1; s <= steps; s++) w.scalars(s, { loss: 4 - s / 100, lr: 1e-3 / s });
  return w;
}

function writeFile(bytes: Uint8Array): string {
  const dir = join(tmp('file'), 'run');
  mkdirSync(dir);
  const path = join(dir, 'events.out.tfevents.1.host');
  writeFileSync(path, bytes);
  return path;
}

test('the middle inside a record: the worker starts at the next record and its part is used', async () => {
  const w = run(200);
  // A tag declared with the histograms plugin after the middle: the worker's decoder skips its later plain values.
  const meta = new Proto().bytes(1, new Proto().bytes(1, 'histograms'));
  w.raw(
    new Proto()
      .uint(2, 200)
      .bytes(5, new Proto().bytes(1, new Proto().bytes(1, 'weights').bytes(9, meta)))
      .done(),
  );
  for (let s = 201; s <= 220; s++) w.scalar('weights', s, s).scalar('loss', s, 1 / s);
  const path = writeFile(w.bytes());
  const read = await sameAsOneThread(path, recordOffset(w, 100) + 7);
  assert.equal(read.split?.merged, true, read.split?.reason);
});

test('the worker failing midway: the parts it sent are used, and this thread reads on from the end of the last', async () => {
  const w = run(200);
  const path = writeFile(w.bytes({ corrupt: { record: 150, where: 'length' } }));
  const read = await sameAsOneThread(path, recordOffset(w, 100) + 7, 3);
  assert.equal(read.split?.merged, true);
  assert.match(read.split?.reason ?? '', /stopped midway .*stopped after 3 parts/);
});

test('the middle exactly on a record boundary: the worker starts there', async () => {
  const w = run(200);
  const path = writeFile(w.bytes());
  const read = await sameAsOneThread(path, recordOffset(w, 100));
  assert.equal(read.split?.merged, true, read.split?.reason);
});

test('the middle in a corrupt region (garbage, then a record whose data CRC fails): reported once, in order', async () => {
  const w = run(200);
  const clean = w.bytes({ corrupt: { record: 101, where: 'data' } });
  const at = recordOffset(w, 100) + 3;
  const bytes = Uint8Array.from([...clean.subarray(0, at), ...new Uint8Array(50).fill(0xab), ...clean.subarray(at)]);
  const path = writeFile(bytes);
  const one = recorder();
  await readEvents(path, 0, one.sink);
  assert.equal(one.calls.filter((c) => c.startsWith('corrupt')).length, 2, 'the garbage and the bad record');
  const read = await sameAsOneThread(path, at + 10);
  assert.equal(read.split?.merged, true, read.split?.reason);
});

test('a record framed inside another record at the middle: the chains differ, so one thread reads on', async () => {
  const w = run(100);
  // An event whose unknown field holds a whole framed record: the worker's search finds that inner record first.
  const inner = tfrecord(new EventFileWriter(false).scalar('inner', 1, 1).events[0]);
  const outer = new Proto().double(1, 1).uint(2, 100).bytes(15, inner).done();
  w.raw(outer);
  for (let s = 101; s <= 200; s++) w.scalars(s, { loss: 4 - s / 100, lr: 1e-3 / s });
  const path = writeFile(w.bytes());
  const read = await sameAsOneThread(path, recordOffset(w, 101) + 2);
  assert.equal(read.split?.merged, false);
  assert.match(read.split?.reason ?? '', /ended at byte \d+, the worker started at \d+/);
});

test('a record at the middle longer than the first bytes searched: the worker reads further and starts on it', async () => {
  const w = run(100);
  // A 100 kB graph whose bytes hold a framed record: a search of only its first 64 KiB would start on the inner one,
  // whose chain is not this thread's (then no split would be used).
  const graph = new Uint8Array(100_000).fill(7);
  graph.set(tfrecord(new EventFileWriter(false).scalar('inner', 1, 1).events[0]), 1000);
  w.raw(new Proto().double(1, 1).uint(2, 100).bytes(4, graph).done());
  for (let s = 101; s <= 200; s++) w.scalars(s, { loss: 4 - s / 100, lr: 1e-3 / s });
  const path = writeFile(w.bytes());
  const read = await sameAsOneThread(path, recordOffset(w, 101));
  assert.equal(read.split?.merged, true, read.split?.reason);
});

test('a tag declared with another plugin before the middle: one thread reads on', async () => {
  const w = run(100);
  const meta = new Proto().bytes(1, new Proto().bytes(1, 'histograms'));
  w.raw(
    new Proto()
      .uint(2, 100)
      .bytes(5, new Proto().bytes(1, new Proto().bytes(1, 'weights').bytes(9, meta)))
      .done(),
  );
  for (let s = 101; s <= 200; s++) w.scalar('weights', s, s); // skipped as histograms: the declaration holds
  const path = writeFile(w.bytes());
  const read = await sameAsOneThread(path, recordOffset(w, 150));
  assert.equal(read.split?.merged, false);
  assert.match(read.split?.reason ?? '', /declared with another plugin/);
});

test("a partial last record after the worker's part: the same end and partial as one thread", async () => {
  const w = run(200);
  const path = writeFile(w.bytes({ cutTail: 5 }));
  const read = await sameAsOneThread(path, recordOffset(w, 60) + 1);
  assert.equal(read.split?.merged, true, read.split?.reason);
  assert.ok(read.partial !== null);
});

test('restarts and duplicate steps across the middle: the same table from one thread and from two', async () => {
  const w = run(120);
  w.sessionStart(80);
  for (let s = 80; s <= 150; s++) w.scalars(s, { loss: 3 - s / 100, lr: 2e-3 / s });
  for (let s = 140; s <= 160; s++) w.scalar('loss', s, 1 + s / 1000); // goes back: rewritten from 140
  const path = writeFile(w.bytes());
  const one = await readSources([path], { parallel: false });
  const two = await readSources([path], { parallel: true });
  assert.deepEqual(two, one);
  assert.ok(one.tables[0].problems.some((p) => p.code === 'event-restart'));
});

test("a run's table is the same from two threads when the worker's parts are taken whole or call by call", async () => {
  // One scalar per record, as PyTorch writes: the worker's parts (2^14 records) go to the run whole, except the one
  // where a tag goes back, the one where a new tag appears and the one with Lightning's placeholder, which are
  // replayed call by call; the record numbers, restarts and columns must come out as one thread makes them.
  const w = new EventFileWriter();
  for (let s = 1; s <= 40_000; s++) {
    w.scalar('train/loss', s, 4 - s / 20_000).scalar('train/lr', s, 1e-3 / Math.sqrt(s));
    if (s === 27_000) for (let b = 26_990; b <= 27_000; b++) w.scalar('train/loss', b, 1 + b / 1e6); // goes back
    if (s >= 33_000 && s % 100 === 0) w.scalar('eval/loss', s, 3 - s / 40_000); // a new tag
    if (s === 100 || s === 20_000) w.scalar('hp_metric', s, s === 100 ? 0.5 : -1); // -1: the placeholder
  }
  const path = writeFile(w.bytes());
  const one = await readSources([path], { parallel: false });
  const two = await readSources([path], { parallel: true });
  assert.deepEqual(two, one);
  const table = one.tables[0];
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['step', 'train/loss', 'train/lr', 'hp_metric', 'eval/loss'],
  );
  assert.ok(table.problems.some((p) => p.code === 'event-restart'));
});

test('a file under the threshold is read by one thread when the choice is automatic', async () => {
  const w = run(50);
  const path = writeFile(w.bytes());
  const { sink } = recorder();
  const read = await readEventsInTwo(path, sink, new EventDecoder(sink), { mode: 'auto' });
  assert.equal(read.split, null);
  assert.equal(read.records, w.events.length);
});

test('automatic: a second thread only while the load average leaves a core idle besides the reading one', () => {
  assert.equal(coreIsFree(0, 2), true); // no load average (Windows), or a quiet machine
  assert.equal(coreIsFree(0.9, 2), true);
  assert.equal(coreIsFree(1, 2), true);
  assert.equal(coreIsFree(1.2, 2), false);
  assert.equal(coreIsFree(6.5, 2), false);
  assert.equal(coreIsFree(6.5, 8), true);
  assert.equal(coreIsFree(7.5, 8), false);
});
