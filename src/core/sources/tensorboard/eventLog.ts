// The sink calls of a read, kept as a compact log of typed arrays: how the worker of a read in two (split.ts) hands
// its part of a file to the reading thread, which replays the log into its own sink. A few bytes per event, moved
// between threads without a copy.
import { doubled } from '../../util/arrays';
import type { EventSink, SkippedKind } from './eventFile';

const OP_RECORD = 0;
const OP_SCALAR = 1;
const OP_SESSION_START = 2;
const OP_SKIPPED = 3;
const OP_CORRUPT = 4;
/** A record whose first call is a scalar (nearly every record of a run): one op instead of two. */
const OP_RECORD_SCALAR = 5;

/** Arrays given back are kept up to this many parts. */
const MAX_SPARE = 4;

/** The whole buffers of a part's log: moved to the reading thread with the part, and given back once replayed. */
export interface LogBuffers {
  ops: ArrayBuffer;
  nums: ArrayBuffer;
  ints: ArrayBuffer;
}

interface Spare {
  ops: Uint8Array<ArrayBuffer>;
  nums: Float64Array<ArrayBuffer>;
  ints: Int32Array<ArrayBuffer>;
}

/** The sink calls of a part, in order: an op per call, its numbers and its strings (tags, kinds, reasons) by index. */
export interface LoggedEvents {
  ops: Uint8Array;
  nums: Float64Array;
  ints: Int32Array;
  strings: string[];
}

/** Growable typed arrays: a sink that keeps every call as a few numbers, a few bytes per event. */
export class EventLog implements EventSink {
  /** Whole records logged since the last take. */
  records = 0;
  private ops = new Uint8Array(1 << 16);
  private nums = new Float64Array(1 << 16);
  private ints = new Int32Array(1 << 14);
  private opCount = 0;
  private numCount = 0;
  private intCount = 0;
  /** Whether the last op is a record's, not yet followed by any call (a scalar then joins it). */
  private recordOpen = false;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  /** The id of the last tag logged, and for each tag's id the id of the tag logged after it the last time. */
  private lastTag = -1;
  private readonly tagAfter: number[] = [];
  /** Arrays given back by the other thread, to write the next parts into. */
  private readonly spare: Spare[] = [];

  record(offset: number): void {
    this.records++;
    this.op(OP_RECORD);
    this.num(offset);
    this.recordOpen = true;
  }

  scalar(tag: string, step: number, value: number): void {
    if (this.recordOpen) this.ops[this.opCount - 1] = OP_RECORD_SCALAR;
    else this.op(OP_SCALAR);
    this.recordOpen = false;
    this.int(this.tagId(tag));
    this.num(step);
    this.num(value);
  }

  sessionStart(step: number): void {
    this.op(OP_SESSION_START);
    this.num(step);
  }

  skipped(kind: SkippedKind): void {
    this.op(OP_SKIPPED);
    this.int(this.stringId(kind));
  }

  corrupt(offset: number, reason: string): void {
    this.op(OP_CORRUPT);
    this.num(offset);
    this.int(this.stringId(reason));
  }

  /**
   * The log since the last take, as views of the arrays written (their buffers are then moved to the other thread);
   * the next part is written into arrays given back (`recycle`) or new ones, of the same capacity.
   */
  take(): LoggedEvents {
    const log = {
      ops: this.ops.subarray(0, this.opCount),
      nums: this.nums.subarray(0, this.numCount),
      ints: this.ints.subarray(0, this.intCount),
      strings: this.strings.slice(),
    };
    const reused = this.spare.pop();
    this.ops = reused?.ops.length === this.ops.length ? reused.ops : new Uint8Array(this.ops.length);
    this.nums = reused?.nums.length === this.nums.length ? reused.nums : new Float64Array(this.nums.length);
    this.ints = reused?.ints.length === this.ints.length ? reused.ints : new Int32Array(this.ints.length);
    this.opCount = this.numCount = this.intCount = this.records = 0;
    this.recordOpen = false;
    return log;
  }

  /**
   * The buffers of a part the other thread has replayed, given back to write the next parts into: buffers in use
   * stay in the cache, where fresh ones would each cost a page fault per 4 KiB and a trip to memory.
   */
  recycle(buffers: LogBuffers): void {
    if (this.spare.length < MAX_SPARE)
      this.spare.push({
        ops: new Uint8Array(buffers.ops),
        nums: new Float64Array(buffers.nums),
        ints: new Int32Array(buffers.ints),
      });
  }

  /**
   * A tag's id. A writer logs its tags in the same order at every step (and the decoder hands on the same string
   * for the same tag), so the tag after the last one is tried first, by identity, before the lookup by name.
   */
  private tagId(tag: string): number {
    const guess = this.lastTag < 0 ? -1 : this.tagAfter[this.lastTag];
    let id = guess;
    if (guess < 0 || this.strings[guess] !== tag) {
      id = this.stringId(tag);
      if (this.lastTag >= 0) this.tagAfter[this.lastTag] = id;
    }
    while (this.tagAfter.length <= id) this.tagAfter.push(-1);
    this.lastTag = id;
    return id;
  }

  private stringId(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private op(op: number): void {
    if (this.opCount === this.ops.length) this.ops = doubled(this.ops);
    this.ops[this.opCount++] = op;
    this.recordOpen = false;
  }

  private num(v: number): void {
    if (this.numCount === this.nums.length) this.nums = doubled(this.nums);
    this.nums[this.numCount++] = v;
  }

  private int(v: number): void {
    if (this.intCount === this.ints.length) this.ints = doubled(this.ints);
    this.ints[this.intCount++] = v;
  }
}

/**
 * Makes the sink calls the log holds, in order; a part of records of one scalar each goes whole to a sink that takes
 * them so (`scalarRecords`: nums hold offset, step and value per record, ints the tags' ids, as this log writes them).
 */
export function replay(log: LoggedEvents, sink: EventSink): void {
  const { ops, nums, ints, strings } = log;
  if (sink.scalarRecords !== undefined && onlyScalarRecords(ops)) {
    if (sink.scalarRecords({ count: ops.length, nums, tagIds: ints, tags: strings })) return;
  }
  let n = 0;
  let k = 0;
  for (let i = 0; i < ops.length; i++) {
    switch (ops[i]) {
      case OP_RECORD_SCALAR:
        sink.record?.(nums[n]);
        sink.scalar(strings[ints[k++]], nums[n + 1], nums[n + 2]);
        n += 3;
        break;
      case OP_RECORD:
        sink.record?.(nums[n++]);
        break;
      case OP_SCALAR:
        sink.scalar(strings[ints[k++]], nums[n], nums[n + 1]);
        n += 2;
        break;
      case OP_SESSION_START:
        sink.sessionStart(nums[n++]);
        break;
      case OP_SKIPPED:
        sink.skipped(strings[ints[k++]] as SkippedKind);
        break;
      default:
        sink.corrupt(nums[n++], strings[ints[k++]]);
    }
  }
}

function onlyScalarRecords(ops: Uint8Array): boolean {
  for (let i = 0; i < ops.length; i++) if (ops[i] !== OP_RECORD_SCALAR) return false;
  return ops.length > 0;
}

/** The whole buffers of a part's log (its arrays are views of them). */
export function logBuffers(log: LoggedEvents): LogBuffers {
  const { ops, nums, ints } = log;
  return { ops: ops.buffer as ArrayBuffer, nums: nums.buffer as ArrayBuffer, ints: ints.buffer as ArrayBuffer };
}

/** The buffers of a part's log, to move (not copy) to the other thread. */
export function transferList(buffers: LogBuffers): ArrayBuffer[] {
  return [buffers.ops, buffers.nums, buffers.ints];
}
