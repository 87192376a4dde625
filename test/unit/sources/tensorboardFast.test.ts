// The TensorBoard reader's hot path: the CRC over 32-bit words at any alignment, the decoder's fast path for the
// common scalar shape (it must hand on exactly what the general decoder would, and leave every other shape to it),
// and the tag cache's guess of the next tag when a writer changes the order of its tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c, maskedCrc32c, viewOf } from '../../../src/core/sources/tensorboard/crc32c';
import { headerValid } from '../../../src/core/sources/tensorboard/records';
import { readSources } from '../../../src/core/sources';
import { readEvents, type EventSink, type SkippedKind } from '../../../src/core/sources/tensorboard';
import { EventFileWriter, Proto } from '../../helpers/eventWriter';
import { scratchDir } from '../../helpers/scratch';

const tmp = (prefix: string) => scratchDir(`sl-tbfast-${prefix}-`);

function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** Reads raw events framed as one file; what the sink saw, in order. */
async function decodeAll(
  events: Uint8Array[],
): Promise<{ scalars: [string, number, number][]; skipped: SkippedKind[] }> {
  const w = new EventFileWriter(false);
  for (const e of events) w.raw(e);
  const path = join(tmp('events'), 'x.tfevents');
  writeFileSync(path, w.bytes());
  const scalars: [string, number, number][] = [];
  const skipped: SkippedKind[] = [];
  const sink: EventSink = {
    scalar: (tag, step, value) => scalars.push([tag, step, value]),
    sessionStart: () => assert.fail('no restart'),
    skipped: (kind) => skipped.push(kind),
    corrupt: (offset, reason) => assert.fail(`corrupt at ${offset}: ${reason}`),
  };
  const read = await readEvents(path, 0, sink);
  assert.equal(read.error, undefined);
  assert.equal(read.records, events.length);
  return { scalars, skipped };
}

/** One scalar event as PyTorch writes it (wall_time, step, summary{value{tag, simple_value}}). */
const scalarEvent = (tag: string, step: number, value: number) =>
  new EventFileWriter(false).scalar(tag, step, value).events[0];

test('CRC-32C over words agrees with the bytewise definition at every length, offset and buffer alignment', () => {
  const backing = Uint8Array.from({ length: 80 }, (_, i) => (i * 91 + 7) & 0xff);
  for (let byteOffset = 0; byteOffset < 4; byteOffset++) {
    const bytes = backing.subarray(byteOffset);
    for (let start = 0; start < 9; start++)
      for (let end = start; end <= 48; end++)
        assert.equal(
          crc32c(bytes, start, end),
          bitwiseCrc32c(bytes.subarray(start, end)),
          `${byteOffset}/${start}/${end}`,
        );
  }
});

test("a header's CRC is checked against its own bytes whichever length last used its remembered slot", () => {
  // 5, 261 and 517 share a slot (the same low byte); 2^32 - 1 and 2^40 are lengths of eight bytes with a high word.
  const lengths = [5, 261, 5, 517, 261, 2 ** 32 - 1, 2 ** 40, 5, 2 ** 40, 300, 44, 300];
  for (const length of lengths) {
    const header = new Uint8Array(12);
    const view = viewOf(header);
    view.setUint32(0, length % 2 ** 32, true);
    view.setUint32(4, Math.floor(length / 2 ** 32), true);
    const crc = maskedCrc32c(header, 0, 8);
    view.setUint32(8, crc, true);
    assert.equal(headerValid(view, 0), true, `length ${length}`);
    for (const bit of [0, 7, 31]) {
      view.setUint32(8, (crc ^ (1 << bit)) >>> 0, true);
      assert.equal(headerValid(view, 0), false, `length ${length}, CRC bit ${bit} flipped`);
    }
    // The same CRC under another length of the same slot: the length's own CRC is what counts.
    view.setUint32(8, crc, true);
    header[0] ^= 1;
    assert.equal(headerValid(view, 0), false, `length ${length} with its low bit flipped`);
  }
});

test('tags that differ only in their first, a middle or their last byte stay apart', async () => {
  const tags = ['train/lossA', 'train/lossB', 'xrain/lossA', 'train/loXsA', 'abcd', 'abce', 'abcdefgh', 'abcdefgi'];
  const events: Uint8Array[] = [];
  const expected: [string, number, number][] = [];
  for (let step = 1; step <= 3; step++)
    for (const tag of [...tags, ...tags.slice().reverse()]) {
      events.push(scalarEvent(tag, step, step + tag.charCodeAt(tag.length - 1)));
      expected.push([tag, step, step + tag.charCodeAt(tag.length - 1)]);
    }
  const { scalars } = await decodeAll(events);
  assert.deepEqual(scalars, expected);
});

test('the fast path and the general decoder give the same scalars: steps at every varint length, tags of any length', async () => {
  const steps = [0, 1, 127, 128, 2 ** 14 - 1, 2 ** 14, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 40, -5];
  const tags = ['', 'l', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(300), 'train/loss'];
  const events: Uint8Array[] = [];
  const expected: [string, number, number][] = [];
  for (const step of steps)
    for (const tag of tags) {
      const value = Math.fround(step / 7 + tag.length);
      events.push(scalarEvent(tag, step, value));
      expected.push([tag, step, value]);
    }
  // Without wall_time, and with the step after the summary (fields in another order): the same scalars.
  const withWall = scalarEvent('late', 300, 1.5);
  events.push(withWall.subarray(9));
  expected.push(['late', 300, 1.5]);
  const summary = new Proto().bytes(1, new Proto().bytes(1, 'swapped').float(2, 2.5));
  events.push(new Proto().bytes(5, summary).uint(2, 301).done());
  expected.push(['swapped', 301, 2.5]);
  const { scalars, skipped } = await decodeAll(events);
  assert.deepEqual(scalars, expected);
  assert.deepEqual(skipped, []);
});

test('a value with more fields than a tag and a simple_value is left to the general decoder', async () => {
  // Trailing bytes in the value (an unknown field) and a summary of two values: both scalars, every one of them.
  const valueWithExtra = new Proto().bytes(1, 'extra').float(2, 3).uint(15, 9);
  const two = new Proto()
    .bytes(1, new Proto().bytes(1, 'a').float(2, 1))
    .bytes(1, new Proto().bytes(1, 'b').float(2, 2));
  const events = [
    new Proto().double(1, 1).uint(2, 5).bytes(5, new Proto().bytes(1, valueWithExtra)).done(),
    new Proto().double(1, 1).uint(2, 6).bytes(5, two).done(),
  ];
  const { scalars } = await decodeAll(events);
  assert.deepEqual(scalars, [
    ['extra', 5, 3],
    ['a', 6, 1],
    ['b', 6, 2],
  ]);
});

test('a tag declared by another plugin on its first value keeps its later plain values skipped', async () => {
  const plugin = (name: string) => new Proto().bytes(1, new Proto().bytes(1, name));
  const declared = new Proto().bytes(1, 'weights').bytes(9, plugin('histograms')).float(2, 1);
  const events = [
    new Proto().double(1, 1).uint(2, 1).bytes(5, new Proto().bytes(1, declared)).done(),
    scalarEvent('weights', 2, 2), // the fast path's shape: still the histogram plugin's
    scalarEvent('loss', 2, 0.5),
  ];
  const { scalars, skipped } = await decodeAll(events);
  assert.deepEqual(scalars, [['loss', 2, 0.5]]);
  assert.deepEqual(skipped, ['histogram', 'histogram']);
});

test('tags logged in a changing order, new tags midway and many tags: every value under its own tag', async () => {
  const events: Uint8Array[] = [];
  const expected: [string, number, number][] = [];
  const log = (tag: string, step: number) => {
    const value = step * 1000 + tag.length;
    events.push(scalarEvent(tag, step, value));
    expected.push([tag, step, value]);
  };
  for (let s = 1; s <= 5; s++) for (const t of ['a', 'bb', 'ccc']) log(t, s);
  for (let s = 6; s <= 10; s++) for (const t of ['ccc', 'a', 'dddd', 'bb']) log(t, s);
  for (let s = 11; s <= 12; s++) for (let k = 0; k < 50; k++) log(`many/${(k * 7) % 50}`, s);
  const { scalars } = await decodeAll(events);
  assert.deepEqual(scalars, expected);
});

test('a run whose tags change order and grow midway: every column gets its own values', async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 5; s++) for (const t of ['a', 'bb', 'ccc']) w.scalar(t, s, s * 10 + t.length);
  for (let s = 6; s <= 10; s++) for (const t of ['ccc', 'a', 'dddd', 'bb']) w.scalar(t, s, s * 10 + t.length);
  const path = w.write(join(tmp('order'), 'run'));
  const { tables } = await readSources([path]);
  const column = (name: string) =>
    Array.from(tables[0].columns.find((c) => c.name === name)?.values ?? [], (v) => (Number.isNaN(v) ? null : v));
  for (const t of ['a', 'bb', 'ccc'])
    assert.deepEqual(
      column(t),
      Array.from({ length: 10 }, (_, i) => (i + 1) * 10 + t.length),
    );
  assert.deepEqual(column('dddd'), [null, null, null, null, null, 64, 74, 84, 94, 104]);
});

test('the decoder numbers each tag it keeps, on the fast path and the general one alike; a tag it does not keep has no number', async () => {
  // Two tags whose FNV-1a hashes (with the length) are equal: the second is decoded at each value, without a number.
  const [first, colliding] = ['tag/135zx', 'tag/1apcd'];
  const general = (tag: string, step: number) =>
    new Proto()
      .double(1, 1)
      .uint(2, step)
      .bytes(5, new Proto().bytes(1, new Proto().bytes(1, tag).float(2, step)))
      .uint(15, 1)
      .done();
  const events: Uint8Array[] = [];
  for (let step = 1; step <= 3; step++) {
    for (const tag of ['loss', 'lr', first, colliding]) events.push(scalarEvent(tag, step, step));
    events.push(general('lr', step)); // an unknown field: the general decoder's
  }
  // More tags than the decoder keeps (4,096): the later ones have no number.
  for (let k = 0; k < 4100; k++) events.push(scalarEvent(`many/${k}`, 1, k));
  const w = new EventFileWriter(false);
  for (const e of events) w.raw(e);
  const path = join(tmp('ids'), 'x.tfevents');
  writeFileSync(path, w.bytes());
  const ids = new Map<string, Set<number>>();
  const sink: EventSink = {
    scalar: (tag, _step, _value, tagId) => {
      if (!ids.has(tag)) ids.set(tag, new Set());
      ids.get(tag)!.add(tagId ?? -2);
    },
    sessionStart: () => assert.fail('no restart'),
    skipped: () => assert.fail('nothing skipped'),
    corrupt: (offset, reason) => assert.fail(`corrupt at ${offset}: ${reason}`),
  };
  await readEvents(path, 0, sink);
  const idOf = (tag: string) => [...ids.get(tag)!];
  assert.deepEqual(idOf('loss'), [0]);
  assert.deepEqual(idOf('lr'), [1], 'the same number from both paths');
  assert.deepEqual(idOf(first), [2]);
  assert.deepEqual(idOf(colliding), [-1]);
  assert.deepEqual(idOf('many/0'), [3]);
  assert.deepEqual(idOf('many/4092'), [4095]);
  assert.deepEqual(idOf('many/4093'), [-1]);
  assert.deepEqual(idOf('many/4099'), [-1]);
});

test('tag numbers are per file: files that number their tags in other orders, a sub-folder, unnumbered tags', async () => {
  const run = join(tmp('numbers'), 'run');
  const code: Record<string, number> = { loss: 1, lr: 2, 'tag/135zx': 3, 'tag/1apcd': 4, new: 5 };
  const log = (w: EventFileWriter, steps: number[], tags: string[], offset = 0) => {
    for (const s of steps) for (const t of tags) w.scalar(t, s, s * 10 + code[t] + offset);
    return w;
  };
  log(new EventFileWriter(), [1, 2, 3, 4], ['loss', 'lr', 'tag/135zx', 'tag/1apcd']).write(run, 1_000_000_000);
  log(new EventFileWriter(), [5, 6], ['lr', 'new', 'loss', 'tag/1apcd']).write(run, 1_000_000_001);
  log(new EventFileWriter(), [1, 2, 3, 4], ['lr', 'loss'], 0.5).write(join(run, 'eval'));
  const { tables } = await readSources([run], { parallel: false });
  const column = (name: string) =>
    Array.from(tables[0].columns.find((c) => c.name === name)?.values ?? [], (v) => (Number.isNaN(v) ? null : v));
  const expected = (tag: string, steps: number[], offset = 0) =>
    [1, 2, 3, 4, 5, 6].map((s) => (steps.includes(s) ? s * 10 + code[tag] + offset : null));
  assert.deepEqual(column('loss'), expected('loss', [1, 2, 3, 4, 5, 6]));
  assert.deepEqual(column('lr'), expected('lr', [1, 2, 3, 4, 5, 6]));
  assert.deepEqual(column('tag/135zx'), expected('tag/135zx', [1, 2, 3, 4]));
  assert.deepEqual(column('tag/1apcd'), expected('tag/1apcd', [1, 2, 3, 4, 5, 6]));
  assert.deepEqual(column('new'), expected('new', [5, 6]));
  assert.deepEqual(column('eval/loss'), expected('loss', [1, 2, 3, 4], 0.5));
  assert.deepEqual(column('eval/lr'), expected('lr', [1, 2, 3, 4], 0.5));
});

test('a run of many small event files allocates with their bytes, not 4 MiB a file', async () => {
  // Each file's read window was 4 MiB, allocated and zeroed whatever the file held: 5,000 files of ten records (3 MB)
  // made 20 GB of windows and took 8-25 s. The window is now sized to the file (it doubles when the file grows).
  const run = join(tmp('many'), 'run');
  let bytes = 0;
  for (let k = 0; k < 200; k++) {
    const w = new EventFileWriter();
    for (let s = 1; s <= 10; s++) w.scalar('loss', k * 10 + s, 3 - k / 1000);
    bytes += w.bytes().length;
    w.write(run, 1_700_000_000 + k);
  }
  // Counted by wrapping the global constructor the reader calls (Node's own buffers are not counted).
  const Original = globalThis.Uint8Array;
  let allocated = 0;
  globalThis.Uint8Array = class extends Original {
    constructor(...args: unknown[]) {
      super(...(args as unknown as [ArrayBuffer, number?, number?]));
      allocated += this.byteLength;
    }
  } as Uint8ArrayConstructor;
  let rows: number;
  try {
    rows = (await readSources([run])).tables[0].rowCount;
  } finally {
    globalThis.Uint8Array = Original;
  }
  assert.equal(rows, 2000);
  assert.ok(allocated < 20 * bytes + (4 << 20), `${allocated} bytes allocated to read ${bytes}`);
});
