// TensorBoard event files: the CRC and protobuf layers, both scalar encodings, what is skipped, rotation and
// sub-folders, restarts and duplicate steps as TensorBoard resolves them, corrupt and partial records, the
// incremental tail read, Keras' and Lightning's quirks, and fits on runs written from a known law.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSources } from '../../../src/core/sources';
import { crc32c, maskedCrc32c } from '../../../src/core/sources/tensorboard/crc32c';
import { ProtoReader } from '../../../src/core/sources/tensorboard/protobuf';
import { readEvents, type EventSink } from '../../../src/core/sources/tensorboard';
import type { Table } from '../../../src/core/table/types';
import { EventFileWriter, Proto, recordOffset, tfrecord, type ScalarEncoding } from '../../helpers/eventWriter';
import { scratchDir } from '../../helpers/scratch';

const tmp = (prefix: string) => scratchDir(`sl-tb-${prefix}-`);

async function readOne(path: string): Promise<Table> {
  const { tables } = await readSources([path]);
  assert.equal(tables.length, 1, 'one table');
  return tables[0];
}

/** A column's values by name, NaN (a step it did not log) as null. */
function column(table: Table, name: string): (number | null)[] {
  const c = table.columns.find((col) => col.name === name);
  assert.ok(c, `column ${name} in ${table.columns.map((col) => col.name).join(', ')}`);
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
}

const steps = (table: Table) => column(table, 'step');
const codes = (table: Table) => table.problems.map((p) => p.code);

test("CRC-32C matches the known check values; the mask is TensorFlow's", () => {
  const ascii = (s: string) => new TextEncoder().encode(s);
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  // Every length through the 8-byte loop and its tail agrees with the bytewise definition.
  const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
  for (let n = 0; n <= data.length; n++) assert.equal(crc32c(data, 0, n), bitwiseCrc32c(data.subarray(0, n)));
  assert.equal(maskedCrc32c(new Uint8Array(0)), 0xa282ead8);
});

function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

test('protobuf: varints of every length, negative int64, and unknown fields of every wire type skipped', () => {
  const r = new ProtoReader(Uint8Array.from([0x96, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f]), 0, 7);
  assert.equal(r.varint(), 150);
  assert.equal(r.varint(), 2 ** 32 - 1);
  const big = new ProtoReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x08]), 0, 8);
  assert.equal(big.varint(), 2 ** 52);
  const minusOne = new ProtoReader(Uint8Array.from([...new Array(9).fill(0xff), 0x01]), 0, 10);
  assert.equal(minusOne.varint(), -1);
  const cut = new ProtoReader(Uint8Array.from([0x80, 0x80]), 0, 2);
  cut.varint();
  assert.ok(cut.failed, 'a varint cut short marks the reader failed');

  // An Event with unknown fields of wire types 0, 1, 2, 5 and a group (3..4) around a known scalar.
  const w = new EventFileWriter(false).scalar('loss', 7, 2.5);
  const known = w.events[0];
  const unknown = Uint8Array.from([
    (11 << 3) | 0,
    0xac,
    0x02, // varint
    (12 << 3) | 1,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // fixed64
    (13 << 3) | 2,
    3,
    9,
    9,
    9, // length-delimited
    (14 << 3) | 5,
    1,
    2,
    3,
    4, // fixed32
    (15 << 3) | 3,
    (1 << 3) | 0,
    5,
    (15 << 3) | 4, // group with one varint inside
  ]);
  const seen: [string, number, number][] = [];
  const sink: EventSink = {
    scalar: (tag, step, value) => seen.push([tag, step, value]),
    sessionStart: () => assert.fail('no restart'),
    skipped: () => assert.fail('nothing skipped'),
    corrupt: (offset, reason) => assert.fail(`corrupt at ${offset}: ${reason}`),
  };
  const dir = tmp('proto');
  writeFileSync(join(dir, 'x.tfevents'), tfrecord(Uint8Array.from([...unknown, ...known])));
  return readEvents(join(dir, 'x.tfevents'), 0, sink).then((read) => {
    assert.equal(read.error, undefined);
    assert.deepEqual(seen, [['loss', 7, 2.5]]);
    assert.equal(read.records, 1);
  });
});

test('both scalar encodings: simple_value and rank-0 tensors as float_val, double_val or tensor_content', async () => {
  const encodings: ScalarEncoding[] = ['simple', 'float_val', 'double_val', 'content_float', 'content_double'];
  const w = new EventFileWriter();
  for (const e of encodings) for (let s = 1; s <= 3; s++) w.scalar(`loss_${e}`, s * 10, 1 / 3 + s, e);
  w.scalars(40, { a: 1.5, b: 2.5 }, 'double_val');
  const table = await readOne(w.write(join(tmp('enc'), 'myrun')));
  assert.equal(table.format, 'tensorboard');
  assert.equal(table.run, 'myrun', 'a single file is named by its folder');
  assert.deepEqual(steps(table), [10, 20, 30, 40]);
  const f32 = Math.fround(1 / 3 + 1);
  assert.equal(column(table, 'loss_simple')[0], f32);
  assert.equal(column(table, 'loss_float_val')[0], f32);
  assert.equal(column(table, 'loss_content_float')[0], f32);
  assert.equal(column(table, 'loss_double_val')[0], 1 / 3 + 1, 'doubles keep their precision');
  assert.equal(column(table, 'loss_content_double')[2], 1 / 3 + 3);
  assert.deepEqual(column(table, 'b'), [null, null, null, 2.5], 'several values in one summary');
  assert.ok(!table.problems.some((p) => p.severity !== 'info'), JSON.stringify(table.problems));
});

test('graphs, histograms, images and string tensors are skipped, counted and said once as info', async () => {
  const w = new EventFileWriter().graph();
  for (let s = 1; s <= 3; s++) {
    w.scalar('loss', s, 3 - s / 10);
    w.histogram('weights', s);
    w.image('sample', s);
    w.text('notes', s, 'hello');
  }
  const table = await readOne(w.write(join(tmp('skip'), 'run')));
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['step', 'loss'],
  );
  const skipped = table.problems.filter((p) => p.code === 'event-values-skipped');
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].severity, 'info');
  assert.match(skipped[0].message, /1 graph\(s\), 3 histogram value\(s\), 3 image value\(s\), 3 text or string value/);
});

test('a rank-0 tensor holding several values is malformed: skipped and counted, never read as its first value', async () => {
  // TensorFlow refuses such a tensor (a shape of one element, three values); it was read as the first of them, and
  // two unpacked double_val made the whole record corrupt (the second value's bytes were parsed as field keys).
  const floats = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
  const doubles = (...v: number[]) => new Uint8Array(new Float64Array(v).buffer);
  const tensorEvent = (step: number, tensor: Proto) =>
    new Proto()
      .double(1, 1.7e9)
      .uint(2, step)
      .bytes(5, new Proto().bytes(1, new Proto().bytes(1, 'loss').bytes(8, tensor)));
  const scalarTensor = (dtype: number) => new Proto().uint(1, dtype).bytes(2, new Proto());
  const w = new EventFileWriter()
    .scalar('loss', 1, 3, 'float_val')
    .raw(tensorEvent(2, scalarTensor(1).bytes(5, floats(9, 8, 7))).done())
    .raw(tensorEvent(3, scalarTensor(2).double(6, 9).double(6, 8)).done())
    .raw(tensorEvent(4, scalarTensor(2).bytes(6, doubles(2.5))).done())
    .scalar('loss', 5, 2.4, 'double_val');
  const table = await readOne(w.write(join(tmp('several'), 'run')));
  assert.deepEqual(steps(table), [1, 4, 5]);
  assert.deepEqual(column(table, 'loss'), [3, 2.5, 2.4]);
  const skipped = table.problems.find((p) => p.code === 'event-values-skipped');
  assert.match(skipped?.message ?? '', /^2 other non-scalar value\(s\) skipped/);
  assert.ok(!table.problems.some((p) => p.code === 'event-record-corrupt'), JSON.stringify(table.problems));
});

test('several files in a folder are read in writer order: by the time in their names, then by name', async () => {
  const run = join(tmp('rot'), 'cosine');
  // 999999999 sorts after 1000000000 by name, before it by time.
  new EventFileWriter().scalar('loss', 1, 3).scalar('loss', 2, 2.9).write(run, 999_999_999);
  new EventFileWriter().scalar('loss', 3, 2.75).scalar('loss', 2, 2.875).write(run, 1_000_000_000);
  const table = await readOne(run);
  assert.equal(table.run, 'cosine', 'a run folder is named by its folder');
  assert.deepEqual(steps(table), [1, 2]);
  assert.deepEqual(column(table, 'loss'), [3, 2.875], 'the later file rewrote step 2 and dropped step 3');
});

test('sub-folders of one run (add_scalars, Keras splits) prefix their tags; runs side by side stay several runs', async () => {
  const root = tmp('sub');
  // A run with its own file and an add_scalars sub-folder.
  new EventFileWriter().scalar('train/loss', 10, 3).write(join(root, 'a'));
  new EventFileWriter().scalar('loss', 10, 3.2).write(join(root, 'a', 'eval'));
  // A Keras run: only train/ and validation/ sub-folders.
  new EventFileWriter().scalar('epoch_loss', 1, 2).write(join(root, 'keras', 'train'));
  new EventFileWriter().scalar('epoch_loss', 1, 2.2).write(join(root, 'keras', 'validation'));
  // Two runs side by side inside a folder that is not a run.
  new EventFileWriter().scalar('loss', 5, 1).write(join(root, 'sweep', 'lr1e-3'));
  new EventFileWriter().scalar('loss', 5, 2).write(join(root, 'sweep', 'lr3e-4'));
  const { tables } = await readSources([root]);
  const byRun = new Map(tables.map((t) => [t.run, t]));
  assert.deepEqual([...byRun.keys()].sort(), ['a', 'keras', 'sweep/lr1e-3', 'sweep/lr3e-4']);
  assert.deepEqual(
    byRun.get('a')!.columns.map((c) => c.name),
    ['step', 'train/loss', 'eval/loss'],
  );
  assert.deepEqual(
    byRun.get('keras')!.columns.map((c) => c.name),
    ['step', 'train/epoch_loss', 'validation/epoch_loss'],
  );
  assert.ok(tables.every((t) => t.format === 'tensorboard'));
});

test('a SessionLog START at step T drops the points logged before it at steps >= T, for every tag', async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 5; s++) w.scalars(s * 100, { loss: 5 - s / 8, lr: 0.125 });
  w.sessionStart(300);
  w.scalars(300, { loss: 1.0 });
  w.scalars(400, { loss: 0.875 });
  const table = await readOne(w.write(join(tmp('start'), 'run')));
  assert.deepEqual(steps(table), [100, 200, 300, 400]);
  assert.deepEqual(column(table, 'loss'), [4.875, 4.75, 1.0, 0.875]);
  assert.deepEqual(column(table, 'lr'), [0.125, 0.125, null, null], 'the orphaned lr points are dropped too');
  const restart = table.problems.find((p) => p.code === 'event-restart');
  assert.ok(restart && /restarted at step 300/.test(restart.message), JSON.stringify(table.problems));
});

test('a tag whose step goes back is rewritten from there; a duplicate step keeps the later value', async () => {
  const w = new EventFileWriter();
  for (const s of [1, 2, 3, 4]) w.scalars(s, { loss: 10 + s, other: s });
  w.scalars(2, { loss: 20 }); // loss goes back to 2: its 3 and 4 are dropped, other keeps its own
  w.scalars(2, { loss: 21 }); // a duplicate: the later wins
  const table = await readOne(w.write(join(tmp('back'), 'run')));
  assert.deepEqual(steps(table), [1, 2, 3, 4]);
  assert.deepEqual(column(table, 'loss'), [11, 21, null, null]);
  assert.deepEqual(column(table, 'other'), [1, 2, 3, 4]);
  assert.ok(table.problems.some((p) => p.code === 'event-restart' && /went back from step 4 to 2/.test(p.message)));
});

function lossRun(n: number): EventFileWriter {
  const w = new EventFileWriter();
  for (let s = 1; s <= n; s++) w.scalar('loss', s, 4 - s / 100);
  return w;
}

test('a record whose data CRC fails is reported with its byte offset; the rest is read', async () => {
  const w = lossRun(10);
  const path = w.write(join(tmp('crc'), 'run'), 1700000000, { corrupt: { record: 4, where: 'data' } });
  const table = await readOne(path);
  assert.equal(table.rowCount, 9, 'only the corrupt record (step 4) is lost');
  assert.ok(!steps(table).includes(4));
  const corrupt = table.problems.filter((p) => p.code === 'event-record-corrupt');
  assert.equal(corrupt.length, 1);
  assert.equal(corrupt[0].severity, 'warning');
  assert.match(corrupt[0].message, new RegExp(`record at byte ${recordOffset(w, 4)} .*data fails its CRC`));
});

test('a record whose length CRC fails is skipped by scanning to the next valid header', async () => {
  const w = lossRun(10);
  const path = w.write(join(tmp('len'), 'run'), 1700000000, { corrupt: { record: 6, where: 'length' } });
  const table = await readOne(path);
  assert.deepEqual(steps(table), [1, 2, 3, 4, 5, 7, 8, 9, 10]);
  const corrupt = table.problems.filter((p) => p.code === 'event-record-corrupt');
  assert.equal(corrupt.length, 1);
  assert.match(corrupt[0].message, new RegExp(`byte ${recordOffset(w, 6)} .*length field fails`));
});

test('a bad header says how far the read jumps: to the next record header, or over the rest of the file', async () => {
  // A run whose middle was overwritten with zeros, and a text file named like an event file: each said only "the
  // record at byte N is corrupt", nothing of the 100,000 bytes (or the whole file) skipped after it.
  const w = lossRun(20);
  const bytes = w.bytes();
  const at = recordOffset(w, 10);
  const dir = join(tmp('jump'), 'run');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'events.out.tfevents.1.host'),
    Buffer.concat([bytes.subarray(0, at), new Uint8Array(100_000), bytes.subarray(at)]),
  );
  const table = await readOne(dir);
  assert.equal(steps(table).length, 20);
  const [zeros] = table.problems.filter((p) => p.code === 'event-record-corrupt');
  assert.match(
    zeros.message,
    new RegExp(`byte ${at} .*length field fails .*next record header is 100000 bytes on, at byte ${at + 100_000}`),
  );

  const text = join(tmp('text'), 'run');
  mkdirSync(text);
  writeFileSync(join(text, 'events.out.tfevents.1.host'), 'step,loss\n'.repeat(2000));
  const notEvents = await readOne(text);
  const [whole] = notEvents.problems.filter((p) => p.code === 'event-record-corrupt');
  assert.match(
    whole.message,
    /byte 0 .*no record follows it: the 20000 bytes from it to the end of the file are skipped/,
  );
});

test('random garbage between records costs only the damaged records', async () => {
  const w = lossRun(20);
  const bytes = w.bytes();
  const at = recordOffset(w, 10) + 5;
  const damaged = Uint8Array.from([...bytes.subarray(0, at), ...new Uint8Array(37).fill(0xab), ...bytes.subarray(at)]);
  const dir = join(tmp('garbage'), 'run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'events.out.tfevents.1.host'), damaged);
  const table = await readOne(dir);
  assert.equal(table.rowCount, 19);
  assert.ok(table.problems.some((p) => p.code === 'event-record-corrupt'));
});

test('a partial last record is not yet written: no error, an info; the tail read resumes at its first byte', async () => {
  const w = lossRun(5);
  const full = w.bytes();
  const cut = 9;
  const dir = join(tmp('tail'), 'run');
  mkdirSync(dir);
  const path = join(dir, 'events.out.tfevents.1.host');
  writeFileSync(path, full.subarray(0, full.length - cut));
  const table = await readOne(path);
  assert.equal(table.rowCount, 4);
  assert.ok(!table.problems.some((p) => p.severity !== 'info'), JSON.stringify(table.problems));
  assert.ok(table.problems.some((p) => p.code === 'event-record-partial'));

  // The incremental reader: the partial record stays unconsumed, and after the writer finishes it only the tail is read.
  const seen: number[] = [];
  const sink: EventSink = {
    scalar: (_tag, step) => seen.push(step),
    sessionStart: () => undefined,
    skipped: () => undefined,
    corrupt: (offset) => assert.fail(`corrupt at ${offset}`),
  };
  const first = await readEvents(path, 0, sink);
  assert.equal(first.end, recordOffset(w, 5));
  assert.deepEqual(first.partial, { offset: recordOffset(w, 5), bytes: full.length - cut - recordOffset(w, 5) });
  assert.deepEqual(seen, [1, 2, 3, 4]);
  appendFileSync(path, full.subarray(full.length - cut));
  const more = new EventFileWriter(false).scalar('loss', 6, 1).bytes();
  appendFileSync(path, more);
  const second = await readEvents(path, first.end, sink);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  assert.equal(second.records, 2);
  assert.equal(second.end, full.length + more.length);
  assert.equal(second.partial, null);
});

test('a zero-byte event file and a run folder without scalars are read without an error', async () => {
  const dir = join(tmp('zero'), 'run');
  mkdirSync(dir);
  const path = join(dir, 'events.out.tfevents.1700000000.host.1.0');
  writeFileSync(path, new Uint8Array(0));
  const table = await readOne(path);
  assert.equal(table.format, 'tensorboard');
  assert.equal(table.rowCount, 0);
  assert.ok(!table.problems.some((p) => p.severity === 'error'), JSON.stringify(table.problems));
  assert.ok(codes(table).includes('no-data-rows'));
  const onlyGraph = join(tmp('graph'), 'run');
  new EventFileWriter().graph().write(onlyGraph);
  const empty = await readOne(onlyGraph);
  assert.equal(empty.rowCount, 0);
  assert.ok(!empty.problems.some((p) => p.severity === 'error'));
});

test("Keras' epoch_* tags are left out when batch_* tags give the step axis; kept when they are all there is", async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 300; s++) w.scalar('batch_loss', s, 3 - s / 1000);
  for (let e = 0; e < 3; e++) w.scalar('epoch_loss', e, 2.9 - e / 10);
  const table = await readOne(w.write(join(tmp('keras'), 'run')));
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ['step', 'batch_loss'],
  );
  assert.deepEqual(steps(table).slice(0, 2), [1, 2], 'epoch numbers 0..2 do not join the batch axis');
  assert.ok(table.problems.some((p) => p.code === 'event-values-skipped' && /epoch_\*/.test(p.message)));
  const onlyEpochs = new EventFileWriter();
  for (let e = 0; e < 3; e++) onlyEpochs.scalar('epoch_loss', e, 3 - e / 4);
  const epochTable = await readOne(onlyEpochs.write(join(tmp('keras2'), 'run')));
  assert.deepEqual(column(epochTable, 'epoch_loss'), [3, 2.75, 2.5]);
});

test("Lightning's hp_metric placeholder of -1 is left out; a real hp_metric is kept", async () => {
  const w = new EventFileWriter().scalar('hp_metric', 0, -1);
  for (let s = 1; s <= 3; s++) w.scalar('train_loss', s, 2);
  w.scalar('hp_metric', 3, 0.75);
  const table = await readOne(w.write(join(tmp('hp'), 'version_0')));
  assert.deepEqual(steps(table), [1, 2, 3]);
  assert.deepEqual(column(table, 'hp_metric'), [null, null, 0.75]);
  assert.ok(table.problems.some((p) => p.code === 'event-values-skipped' && /hp_metric/.test(p.message)));
});

test('recognised by content without tfevents in the name, and not by name alone when the content is text', async () => {
  const dir = tmp('content');
  const bare = join(dir, 'renamed.bin');
  writeFileSync(bare, lossRun(3).bytes());
  assert.equal((await readOne(bare)).format, 'tensorboard');
  const csv = join(dir, 'tfevents-export.csv');
  writeFileSync(csv, 'step,loss\n1,3\n2,2.9\n');
  assert.equal((await readOne(csv)).format, 'csv');
});

// Layouts of public event files, rebuilt with our writer from what their repositories say they hold (the files are
// binary and not copied): orktes/go-tensorboard's TF2 test data (`tf.summary.scalar("my_metric", 0.5*step)`, steps
// 0..99, a file_version event first, the scalars plugin on the tag's first value; its reader test counts 99 events
// after the first two) and a public tensorboardX test-data generator (`loss` = 1/(step+1), `accuracy` =
// 0.8 + 0.02·step, steps 0..9, written to `tf_test_run`).
test('public layouts: a TF2 tf.summary.scalar file and a tensorboardX run', async () => {
  const tf2 = new EventFileWriter();
  for (let step = 0; step < 100; step++) tf2.scalar('my_metric', step, 0.5 * step, 'content_float');
  const tf2Dir = join(tmp('tf2'), 'tfevents');
  mkdirSync(tf2Dir);
  writeFileSync(join(tf2Dir, 'events.out.tfevents.1585499054.Jaakkos-Mac-mini.local.11684.5.v2'), tf2.bytes());
  const tf2Table = await readOne(tf2Dir);
  assert.equal(tf2.events.length, 101, 'a file_version event and 100 summaries');
  assert.deepEqual(
    steps(tf2Table),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.equal(column(tf2Table, 'my_metric')[99], 49.5);

  const tbx = new EventFileWriter();
  for (let step = 0; step < 10; step++) {
    tbx.scalar('loss', step, 1 / (step + 1));
    tbx.scalar('accuracy', step, 0.8 + 0.02 * step);
  }
  const tbxTable = await readOne(tbx.write(join(tmp('tbx'), 'tf_test_run')));
  assert.equal(tbxTable.run, 'tf_test_run');
  assert.equal(column(tbxTable, 'loss')[3], Math.fround(0.25));
  assert.equal(column(tbxTable, 'accuracy')[9], Math.fround(0.98));
});

test('a record larger than the read chunk (a 6 MB graph) is read whole, and the scalars around it too', async () => {
  const w = new EventFileWriter()
    .scalar('loss', 1, 3)
    .graph(6 << 20)
    .scalar('loss', 2, 2.5);
  const table = await readOne(w.write(join(tmp('big'), 'run')));
  assert.deepEqual(column(table, 'loss'), [3, 2.5]);
  assert.ok(table.problems.some((p) => p.code === 'event-values-skipped' && /1 graph/.test(p.message)));
  assert.ok(!table.problems.some((p) => p.severity !== 'info'));
});
