// A small TensorBoard event-file writer for tests: protobuf by hand, TFRecord framing with masked CRC-32C, both
// scalar encodings (simple_value and rank-0 tensors as float_val, double_val or tensor_content), SessionLog START,
// graphs, histograms, images and string tensors, rotation into several files, a corrupted record and a cut-off tail.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskedCrc32c } from '../../src/core/sources/tensorboard/crc32c';

/** How a scalar is written: PyTorch's simple_value, or a TF2-style rank-0 tensor in one of its three forms. */
export type ScalarEncoding = 'simple' | 'float_val' | 'double_val' | 'content_float' | 'content_double';

export class Proto {
  private readonly parts: number[] = [];

  varint(v: number): this {
    let n = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    do {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      this.parts.push(n > 0n ? b | 0x80 : b);
    } while (n > 0n);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  uint(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }

  double(field: number, v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return this.key(field, 1).raw(b);
  }

  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.key(field, 5).raw(b);
  }

  bytes(field: number, b: Uint8Array | Proto | string): this {
    const data = typeof b === 'string' ? new TextEncoder().encode(b) : b instanceof Proto ? b.done() : b;
    return this.key(field, 2).varint(data.length).raw(data);
  }

  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function littleEndian(values: number[], width: 4 | 8): Uint8Array {
  const b = new Uint8Array(values.length * width);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => (width === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return b;
}

const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_STRING = 7;

function scalarValue(tag: string, value: number, encoding: ScalarEncoding, metadata: boolean): Proto {
  const v = new Proto().bytes(1, tag);
  if (metadata) v.bytes(9, new Proto().bytes(1, new Proto().bytes(1, 'scalars')));
  if (encoding === 'simple') return v.float(2, value);
  const tensor = new Proto().uint(1, encoding === 'float_val' || encoding === 'content_float' ? DT_FLOAT : DT_DOUBLE);
  tensor.bytes(2, new Proto()); // rank 0: an empty shape
  if (encoding === 'float_val') tensor.bytes(5, littleEndian([value], 4));
  else if (encoding === 'double_val') tensor.bytes(6, littleEndian([value], 8));
  else tensor.bytes(4, littleEndian([value], encoding === 'content_float' ? 4 : 8));
  return v.bytes(8, tensor);
}

/** Frames data as one TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function tfrecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** The events of one file, in order; `bytes()` frames them with optional damage. */
export class EventFileWriter {
  readonly events: Uint8Array[] = [];
  private readonly tagsSeen = new Set<string>();
  private wallTime = 1.7e9;

  constructor(withFileVersion = true) {
    if (withFileVersion) this.push(new Proto().double(1, this.wallTime).bytes(3, 'brain.Event:2'));
  }

  private event(step: number): Proto {
    this.wallTime += 0.5;
    const e = new Proto().double(1, this.wallTime);
    if (step !== 0) e.uint(2, step); // proto3: a zero step is absent
    return e;
  }

  private push(e: Proto): this {
    this.events.push(e.done());
    return this;
  }

  /** One scalar; tensor encodings carry the scalars plugin metadata on the tag's first value, as TF2 writes it. */
  scalar(tag: string, step: number, value: number, encoding: ScalarEncoding = 'simple'): this {
    const first = !this.tagsSeen.has(tag);
    this.tagsSeen.add(tag);
    const value_ = scalarValue(tag, value, encoding, first && encoding !== 'simple');
    return this.push(this.event(step).bytes(5, new Proto().bytes(1, value_)));
  }

  /** Several scalars in one event (one Summary with several values). */
  scalars(step: number, values: Record<string, number>, encoding: ScalarEncoding = 'simple'): this {
    const summary = new Proto();
    for (const [tag, value] of Object.entries(values)) summary.bytes(1, scalarValue(tag, value, encoding, false));
    return this.push(this.event(step).bytes(5, summary));
  }

  sessionStart(step: number): this {
    return this.push(this.event(step).bytes(7, new Proto().uint(1, 1)));
  }

  /** A graph_def of `bytes` bytes (large models' graphs run to megabytes). */
  graph(bytes = 64): this {
    return this.push(this.event(0).bytes(4, new Uint8Array(bytes).fill(7)));
  }

  histogram(tag: string, step: number): this {
    const histo = new Proto().double(1, 0).double(2, 1).double(3, 10);
    return this.push(this.event(step).bytes(5, new Proto().bytes(1, new Proto().bytes(1, tag).bytes(5, histo))));
  }

  image(tag: string, step: number): this {
    const image = new Proto()
      .uint(1, 2)
      .uint(2, 2)
      .bytes(4, new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    return this.push(this.event(step).bytes(5, new Proto().bytes(1, new Proto().bytes(1, tag).bytes(4, image))));
  }

  /** A rank-0 string tensor under the text plugin, as add_text writes. */
  text(tag: string, step: number, text: string): this {
    const tensor = new Proto().uint(1, DT_STRING).bytes(2, new Proto()).bytes(8, text);
    const meta = new Proto().bytes(1, new Proto().bytes(1, 'text'));
    const value = new Proto().bytes(1, tag).bytes(9, meta).bytes(8, tensor);
    return this.push(this.event(step).bytes(5, new Proto().bytes(1, value)));
  }

  /** Raw event bytes (not necessarily a well-formed Event). */
  raw(data: Uint8Array): this {
    this.events.push(data);
    return this;
  }

  /**
   * The framed file. `corrupt`: flip a byte of that record's data (its data CRC fails) or of its length (its header
   * CRC fails); `cutTail`: drop that many bytes from the end (a record still being written).
   */
  bytes(damage: { corrupt?: { record: number; where: 'data' | 'length' }; cutTail?: number } = {}): Uint8Array {
    const records = this.events.map((e, i) => {
      const r = tfrecord(e);
      if (damage.corrupt?.record === i) r[damage.corrupt.where === 'data' ? 12 + (e.length >> 1) : 1] ^= 0x5a;
      return r;
    });
    const all = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of records) {
      all.set(r, at);
      at += r.length;
    }
    return all.subarray(0, all.length - (damage.cutTail ?? 0));
  }

  /** Writes the file as `events.out.tfevents.<time>.<host>` in `folder`; returns its path. */
  write(folder: string, time = 1700000000, damage: Parameters<EventFileWriter['bytes']>[0] = {}): string {
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `events.out.tfevents.${time}.testhost.1.0`);
    writeFileSync(path, this.bytes(damage));
    return path;
  }
}

/** The byte offset of record `index` in a file of these events (no damage). */
export function recordOffset(writer: EventFileWriter, index: number): number {
  let at = 0;
  for (let i = 0; i < index; i++) at += 16 + writer.events[i].length;
  return at;
}

/**
 * A loss curve of a known law as a run folder, rotated into `files` event files by writer time (as a restarted
 * writer leaves them); scalars `train/loss` and `train/lr` in the given encoding.
 */
export function writeCurveRun(
  folder: string,
  points: readonly { step: number; loss: number; lr: number }[],
  options: { files?: number; encoding?: ScalarEncoding } = {},
): string[] {
  const files = options.files ?? 1;
  const per = Math.ceil(points.length / files);
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const w = new EventFileWriter();
    for (const p of points.slice(f * per, (f + 1) * per)) {
      w.scalar('train/loss', p.step, p.loss, options.encoding);
      w.scalar('train/lr', p.step, p.lr, options.encoding);
    }
    paths.push(w.write(folder, 1700000000 + f * 1000));
  }
  return paths;
}
