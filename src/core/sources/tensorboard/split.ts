// A large event file read by two threads, with exactly the result of one thread reading it in order.
//
// A worker (eventsWorker.ts, bundled as dist/eventsWorker.js) starts at the middle of the file and looks for the first
// offset where a whole record checks: its length's CRC and its data's CRC. It reads from there to the end with its
// own decoder and keeps what it decodes as a compact log (typed arrays, moved back, not copied). Meanwhile this thread
// reads the records that start before the middle. The log is replayed into the sink only when this thread's chain of
// records lands exactly on the worker's first offset (then the worker read precisely what this thread would have read
// from there) and no tag was declared with another plugin before it (the worker's decoder, started fresh, would not
// know it). Otherwise this thread reads on past the middle itself, as if there had been no worker. Either way, the
// bytes appended after the worker's end (a live writer) are read here after it.
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PARALLEL_MIN_BYTES, type ParallelMode, type SplitReport } from '../../table/parallel';
import { bundledWorker } from '../../util/bundled';
import { viewOf } from './crc32c';
import { EventDecoder, readEvents, type EventSink, type SkippedKind } from './eventFile';
import { dataValid, FOOTER_BYTES, HEADER_BYTES, headerValid, MAX_RECORD_BYTES, recordLength } from './records';
import type { RecordsRead } from './records';

/** Bytes searched from the middle for a record that checks; a larger record there (a huge graph) means no split. */
const SEARCH_BYTES = 4 << 20;

/** The worker's job: the file, and where to start looking for a record. */
export interface EventsJob {
  path: string;
  from: number;
}

/** The worker's answer: where it started and ended, what it decoded, and the plugin declarations it met. */
export type EventsReply =
  | {
      ok: true;
      start: number;
      end: number;
      records: number;
      declarations: [string, SkippedKind][];
      log: LoggedEvents;
    }
  | { ok: false; reason: string };

/** What a read in two gives: the read, and whether the worker's part was used (and if not, why). */
export interface SplitEventsRead extends RecordsRead {
  split: SplitReport | null;
}

// ---------------------------------------------------------------------------------------------------- the log

const OP_RECORD = 0;
const OP_SCALAR = 1;
const OP_SESSION_START = 2;
const OP_SKIPPED = 3;
const OP_CORRUPT = 4;

/** The sink calls of a part, in order: an op per call, its numbers and its strings (tags, kinds, reasons) by index. */
export interface LoggedEvents {
  ops: Uint8Array;
  nums: Float64Array;
  ints: Int32Array;
  strings: string[];
}

/** Growable typed arrays: a sink that keeps every call as a few numbers, a few bytes per event. */
export class EventLog implements EventSink {
  private ops = new Uint8Array(1 << 16);
  private nums = new Float64Array(1 << 16);
  private ints = new Int32Array(1 << 14);
  private opCount = 0;
  private numCount = 0;
  private intCount = 0;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  record(offset: number): void {
    this.op(OP_RECORD);
    this.num(offset);
  }

  scalar(tag: string, step: number, value: number): void {
    this.op(OP_SCALAR);
    this.int(this.stringId(tag));
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

  /** The log, trimmed to its length (a copy of what was written: the growable arrays are left behind). */
  done(): LoggedEvents {
    return {
      ops: this.ops.slice(0, this.opCount),
      nums: this.nums.slice(0, this.numCount),
      ints: this.ints.slice(0, this.intCount),
      strings: this.strings,
    };
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
    if (this.opCount === this.ops.length) this.ops = grown(this.ops);
    this.ops[this.opCount++] = op;
  }

  private num(v: number): void {
    if (this.numCount === this.nums.length) this.nums = grown(this.nums);
    this.nums[this.numCount++] = v;
  }

  private int(v: number): void {
    if (this.intCount === this.ints.length) this.ints = grown(this.ints);
    this.ints[this.intCount++] = v;
  }
}

function grown<T extends Uint8Array | Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as { new (n: number): T })(a.length * 2);
  b.set(a);
  return b;
}

/** Makes the sink calls the log holds, in order. */
export function replay(log: LoggedEvents, sink: EventSink): void {
  const { ops, nums, ints, strings } = log;
  let n = 0;
  let k = 0;
  for (let i = 0; i < ops.length; i++) {
    switch (ops[i]) {
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

export function transferList(log: LoggedEvents): ArrayBuffer[] {
  return [log.ops.buffer, log.nums.buffer, log.ints.buffer] as ArrayBuffer[];
}

// ---------------------------------------------------------------------------------------------------- the worker's side

/**
 * The first offset at or after `from` where a whole record checks (length CRC and data CRC), searched within
 * SEARCH_BYTES; -1 when there is none there.
 */
export async function findRecordStart(path: string, from: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(SEARCH_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, from);
    const view = viewOf(bytes);
    for (let o = 0; o + HEADER_BYTES + FOOTER_BYTES <= bytesRead; o++) {
      if (!headerValid(view, o)) continue;
      const length = recordLength(view, o);
      if (length <= MAX_RECORD_BYTES && o + HEADER_BYTES + length + FOOTER_BYTES <= bytesRead)
        if (dataValid(view, o + HEADER_BYTES, length)) return from + o;
    }
    return -1;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The worker's whole job: find its start, read from there to the end into a log. Never throws. */
export async function readLaterPart(job: EventsJob): Promise<EventsReply> {
  try {
    const start = await findRecordStart(job.path, job.from);
    if (start < 0) return { ok: false, reason: 'no whole record starts near the middle' };
    const log = new EventLog();
    const decoder = new EventDecoder(log);
    const read = await readEvents(job.path, start, log, decoder);
    if (read.error !== undefined) return { ok: false, reason: read.error };
    return {
      ok: true,
      start,
      end: read.end,
      records: read.records,
      declarations: decoder.declarations(),
      log: log.done(),
    };
  } catch (error) {
    return { ok: false, reason: String(error) };
  }
}

// ---------------------------------------------------------------------------------------------------- this thread's side

interface EventsRun {
  reply: Promise<EventsReply>;
  stop(): void;
}

/** Starts the worker on its job, or returns null when no worker can be started (not built, no threads). */
function startWorker(job: EventsJob): EventsRun | null {
  const file = bundledWorker('eventsWorker.js');
  if (file === null) return null;
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData: job });
  } catch {
    return null;
  }
  const reply = new Promise<EventsReply>((resolve) => {
    worker.once('message', (message: EventsReply) => resolve(message));
    worker.once('error', (error) => resolve({ ok: false, reason: `worker failed: ${error.message}` }));
    worker.once('exit', (code) => resolve({ ok: false, reason: `worker exited (${code})` }));
  });
  return { reply, stop: () => void worker.terminate() };
}

/** Whether a file of `size` bytes is read in two ('auto': large enough to gain, and a second core to gain on). */
function wantsTwo(mode: ParallelMode, size: number): boolean {
  if (mode === 'auto') return size >= PARALLEL_MIN_BYTES && availableParallelism() > 1;
  return mode && size > 0;
}

/**
 * Reads the events of a whole file, in two threads when it is large: the same sink calls, in the same order, as
 * `readEvents(path, 0, sink, decoder)`. `splitAt` (tests) sets where the worker starts looking for a record.
 */
export async function readEventsInTwo(
  path: string,
  sink: EventSink,
  decoder: EventDecoder,
  mode: ParallelMode = 'auto',
  splitAt?: number,
): Promise<SplitEventsRead> {
  const size = (await stat(path).catch(() => null))?.size ?? 0;
  const from = splitAt ?? Math.floor(size / 2);
  const run = wantsTwo(mode, size) && from > 0 && from < size ? startWorker({ path, from }) : null;
  if (run === null) return { ...(await readEvents(path, 0, sink, decoder)), split: null };
  const first = await readEvents(path, 0, sink, decoder, from);
  const reply = first.error === undefined && first.end >= from ? await run.reply : null;
  run.stop();
  if (reply === null) return { ...first, split: { merged: false, reason: 'the first part ended before the middle' } };
  // This thread's chain may stop short of the worker's start (a record there failed its data CRC, which the worker
  // does not start on): it reads on up to that start, and must land exactly on it.
  const upTo =
    reply.ok && first.end < reply.start ? await readEvents(path, first.end, sink, decoder, reply.start) : null;
  const mine = upTo === null ? first : { ...upTo, records: first.records + upTo.records };
  if (mine.error !== undefined) return { ...mine, split: { merged: false, reason: mine.error } };
  const reason = unusable(reply, mine.end, decoder);
  if (reply.ok && reason === undefined) {
    replay(reply.log, sink);
    decoder.adopt(reply.declarations);
    const rest = await readEvents(path, reply.end, sink, decoder);
    const records = mine.records + reply.records + rest.records;
    return { ...rest, records, split: { merged: true, reason: 'the worker started where this thread stopped' } };
  }
  const rest = await readEvents(path, mine.end, sink, decoder);
  return { ...rest, records: mine.records + rest.records, split: { merged: false, reason: reason ?? '' } };
}

/** Why the worker's part cannot be used, or undefined when it can. */
function unusable(reply: EventsReply, end: number, decoder: EventDecoder): string | undefined {
  if (!reply.ok) return reply.reason;
  if (reply.start !== end) return `this thread's records ended at byte ${end}, the worker started at ${reply.start}`;
  if (decoder.declarations().length > 0) return 'a tag was declared with another plugin before the middle';
  return undefined;
}
