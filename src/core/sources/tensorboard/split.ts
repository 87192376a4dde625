// A large event file read by two threads, with exactly the result of one thread reading it in order.
//
// A worker (eventsWorker.ts, bundled as dist/eventsWorker.js) starts at FIRST_SHARE (half) of the file and looks
// for the first offset where a whole record checks: its length's CRC and its data's CRC. It reads from there to the
// end with its own decoder and keeps the sink calls it would make as a compact log (eventLog.ts), sent in parts as it
// goes (moved, not copied; their buffers come back to it once replayed). Meanwhile this thread reads the records that
// start before the worker's offset. The log is replayed into the sink only when this thread's chain of records lands
// exactly on the worker's first offset (then the worker read precisely what this thread would have read from there)
// and no tag was declared with another plugin before it (the worker's decoder, started fresh, would not know it).
// Otherwise this thread reads on itself, as if there had been no worker; and if the worker fails midway, this thread
// reads on from the end of the last part it replayed. Bytes appended after the worker's end (a live writer) are read
// here after it.
//
// This thread replays the whole later part too, so it reads no more than half of the file itself (FIRST_SHARE
// balances its read and replay against the worker's late start, read and log: docs/sources.md), and replays the parts
// the worker sends as soon as it is free, not all at the worker's end.
import { open, stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { wantsSplit, type ParallelMode, type SplitReport } from '../../table/parallel';
import { bundledWorker } from '../../util/bundled';
import { viewOf } from './crc32c';
import { EventDecoder, readEvents, type EventSink, type SkippedKind } from './eventFile';
import { EventLog, logBuffers, replay, transferList, type LoggedEvents } from './eventLog';
import { dataValid, FOOTER_BYTES, HEADER_BYTES, headerValid, MAX_RECORD_BYTES, recordLength } from './records';
import type { RecordsRead } from './records';

/** Bytes searched from the split for a record that checks; a larger record there (a huge graph) means no split. */
const SEARCH_BYTES = 4 << 20;
/**
 * The share of the file this thread reads itself (it also replays the rest, and the worker starts late: see above);
 * 0.4 while the replay went call by call, which cost this thread about twice as much as taking parts whole.
 */
const FIRST_SHARE = 0.5;
/**
 * Records per part of the worker's log: parts small enough to replay while the worker reads on, and whose buffers,
 * given back once replayed and written again, stay in the cache (about 0.5 MB a part; 2^17 records took the worker
 * some 15-20 % more CPU, writing 70 MB of fresh memory for the bench file).
 */
const RECORDS_PER_PART = 1 << 14;

/** The worker's job: the file, where to start looking for a record, and how many records go in a part of its log. */
export interface EventsJob {
  path: string;
  from: number;
  recordsPerPart: number;
  /** Tests: the worker fails after sending this many parts (this thread must then read on from the last one). */
  failAfterParts?: number;
}

export interface InTwoOptions {
  /**
   * Whether to use a second thread: 'auto' (large files on a multi-core machine with a core idle), always (tests) or
   * never.
   */
  mode?: ParallelMode;
  /** Tests: where the worker starts looking for a record (default: FIRST_SHARE of the file). */
  splitAt?: number;
  /** Tests: records per part of the worker's log. */
  recordsPerPart?: number;
  /** Tests: the worker fails after sending this many parts. */
  failAfterParts?: number;
}

/**
 * A message from the worker: a part of its log (the first starts at `start`; each ends where the next record
 * starts, `end`, with the records it holds and the plugin declarations first met in it), or why it stopped.
 */
export type EventsMessage =
  | {
      ok: true;
      start: number;
      end: number;
      records: number;
      declarations: [string, SkippedKind][];
      log: LoggedEvents;
      last: boolean;
    }
  | { ok: false; reason: string };

/** What a read in two gives: the read, and whether the worker's part was used (and if not, why). */
export interface SplitEventsRead extends RecordsRead {
  split: SplitReport | null;
}

// ---------------------------------------------------------------------------------------------------- the worker's side

/** Bytes first searched from the split: a record nearly always starts within a few hundred. */
const FIRST_SEARCH_BYTES = 64 << 10;

/**
 * The first offset at or after `from` where a whole record checks (length CRC and data CRC), searched within
 * SEARCH_BYTES; -1 when there is none there. The first 64 KiB are read first (4 MiB read and scanned cost the worker
 * some milliseconds before its first record), the rest only when a header there frames a record that runs past them.
 */
export async function findRecordStart(path: string, from: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    for (const size of [FIRST_SEARCH_BYTES, SEARCH_BYTES]) {
      const bytes = new Uint8Array(size);
      const { bytesRead } = await handle.read(bytes, 0, size, from);
      const at = firstWholeRecord(viewOf(bytes), bytesRead, bytesRead === size && size < SEARCH_BYTES);
      if (at !== NEEDS_MORE) return at < 0 ? -1 : from + at;
    }
    return -1;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const NEEDS_MORE = -2;

/**
 * The offset of the first whole record that checks in the view's first `length` bytes, -1 when there is none, or
 * NEEDS_MORE when `more` (a larger read would hold more) and a valid header frames a record that runs past them.
 */
function firstWholeRecord(view: DataView, length: number, more: boolean): number {
  for (let o = 0; o + HEADER_BYTES + FOOTER_BYTES <= length; o++) {
    if (!headerValid(view, o)) continue;
    const size = recordLength(view, o);
    if (size > MAX_RECORD_BYTES) continue;
    if (o + HEADER_BYTES + size + FOOTER_BYTES > length) {
      if (more) return NEEDS_MORE;
      continue;
    }
    if (dataValid(view, o + HEADER_BYTES, size)) return o;
  }
  return more ? NEEDS_MORE : -1;
}

/**
 * The worker's whole job: find its start, read from there to the end, and send its log in parts (each cut where a
 * record starts, so a part ends on the chain of records). Never throws.
 */
export async function readLaterPart(
  job: EventsJob,
  send: (message: EventsMessage) => void,
  log = new EventLog(),
): Promise<void> {
  try {
    const start = await findRecordStart(job.path, job.from);
    if (start < 0) return send({ ok: false, reason: 'no whole record starts near the split' });
    const sink: EventSink = {
      record(offset) {
        if (log.records >= job.recordsPerPart) {
          if (parts++ === job.failAfterParts) throw new Error(`stopped after ${job.failAfterParts} parts`);
          send(part(offset, false));
        }
        log.record(offset);
      },
      scalar: (tag, step, value) => log.scalar(tag, step, value),
      sessionStart: (step) => log.sessionStart(step),
      skipped: (kind) => log.skipped(kind),
      corrupt: (offset, reason) => log.corrupt(offset, reason),
    };
    const decoder = new EventDecoder(sink);
    let partStart = start;
    let declared = 0;
    let parts = 0;
    /** The log so far as a part ending at `end`, with the declarations first met in it. */
    const part = (end: number, last: boolean): EventsMessage => {
      const declarations = decoder.declarations().slice(declared);
      declared += declarations.length;
      const records = log.records;
      const message = { ok: true, start: partStart, end, records, declarations, log: log.take(), last } as const;
      partStart = end;
      return message;
    };
    const read = await readEvents(job.path, start, sink, decoder);
    send(read.error === undefined ? part(read.end, true) : { ok: false, reason: read.error });
  } catch (error) {
    send({ ok: false, reason: String(error) });
  }
}

// ---------------------------------------------------------------------------------------------------- this thread's side

/** The worker's messages in order; `next` waits for one. A crash or exit is a message that says so. */
class Inbox {
  private readonly queue: EventsMessage[] = [];
  private waiting: ((message: EventsMessage) => void) | null = null;

  push(message: EventsMessage): void {
    if (this.waiting !== null) {
      this.waiting(message);
      this.waiting = null;
    } else this.queue.push(message);
  }

  next(): Promise<EventsMessage> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

interface EventsRun {
  inbox: Inbox;
  /** Gives a replayed part's buffers back to the worker, which writes its next parts into them. */
  giveBack(log: LoggedEvents): void;
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
  const inbox = new Inbox();
  worker.on('message', (message: EventsMessage) => inbox.push(message));
  worker.once('error', (error) => inbox.push({ ok: false, reason: `worker failed: ${error.message}` }));
  worker.once('exit', (code) => inbox.push({ ok: false, reason: `worker exited (${code})` }));
  const giveBack = (log: LoggedEvents) => {
    const buffers = logBuffers(log);
    worker.postMessage(buffers, transferList(buffers));
  };
  return { inbox, giveBack, stop: () => void worker.terminate() };
}

/**
 * Reads the events of a whole file, in two threads when it is large: the same sink calls, in the same order, and the
 * same result as `readEvents(path, 0, sink, decoder)`.
 */
export async function readEventsInTwo(
  path: string,
  sink: EventSink,
  decoder: EventDecoder,
  options: InTwoOptions = {},
): Promise<SplitEventsRead> {
  const size = (await stat(path).catch(() => null))?.size ?? 0;
  const from = options.splitAt ?? Math.floor(size * FIRST_SHARE);
  const recordsPerPart = options.recordsPerPart ?? RECORDS_PER_PART;
  const mode = options.mode ?? 'auto';
  const two = wantsSplit(mode, size) && from > 0 && from < size && (mode !== 'auto' || coreIsFree());
  const run = two ? startWorker({ path, from, recordsPerPart, failAfterParts: options.failAfterParts }) : null;
  if (run === null) return { ...(await readEvents(path, 0, sink, decoder)), split: null };
  try {
    const first = await readEvents(path, 0, sink, decoder, from);
    if (first.error !== undefined || first.end < from)
      return { ...first, split: { merged: false, reason: 'the first part ended before the split' } };
    const message = await run.inbox.next();
    // This thread's chain may stop short of the worker's start (a record there failed its data CRC, which the worker
    // does not start on): it reads on up to that start, and must land exactly on it.
    const upTo =
      message.ok && first.end < message.start ? await readEvents(path, first.end, sink, decoder, message.start) : null;
    const mine = upTo === null ? first : { ...upTo, records: first.records + upTo.records };
    if (mine.error !== undefined) return { ...mine, split: { merged: false, reason: mine.error } };
    const reason = unusable(message, mine.end, decoder);
    if (reason !== undefined) {
      run.stop();
      const rest = await readEvents(path, mine.end, sink, decoder);
      return { ...rest, records: mine.records + rest.records, split: { merged: false, reason } };
    }
    const replayed = await replayParts(message, run, sink, decoder);
    run.stop();
    const rest = await readEvents(path, replayed.end, sink, decoder);
    const records = mine.records + replayed.records + rest.records;
    return { ...rest, records, split: { merged: true, reason: replayed.reason } };
  } finally {
    run.stop();
  }
}

/**
 * Whether a second thread would run beside this one rather than take turns with it: the load average leaves a core
 * idle besides this thread's. On a machine without one the worker's log and its replay are only extra work (the read
 * of the 196 MB bench file took 1.3-1.6x longer in two threads than in one at load 6-11 on 2 cores). Windows reports
 * no load average (0): the split is then chosen by size alone, as before.
 */
export function coreIsFree(load = loadavg()[0], cores = availableParallelism()): boolean {
  return load <= cores - 1;
}

/** Replays the worker's parts from the first until its last, or until it fails; where the replayed records end. */
async function replayParts(
  first: EventsMessage,
  { inbox, giveBack }: EventsRun,
  sink: EventSink,
  decoder: EventDecoder,
): Promise<{ end: number; records: number; reason: string }> {
  let end = 0;
  let records = 0;
  for (let message = first; ; message = await inbox.next()) {
    if (!message.ok) return { end, records, reason: `the worker stopped midway (${message.reason}); read on here` };
    replay(message.log, sink);
    if (!message.last) giveBack(message.log);
    decoder.adopt(message.declarations);
    end = message.end;
    records += message.records;
    if (message.last) return { end, records, reason: 'the worker started where this thread stopped' };
  }
}

/** Why the worker's part cannot be used, or undefined when it can. */
function unusable(message: EventsMessage, end: number, decoder: EventDecoder): string | undefined {
  if (!message.ok) return message.reason;
  if (message.start !== end)
    return `this thread's records ended at byte ${end}, the worker started at ${message.start}`;
  if (decoder.declarations().length > 0) return 'a tag was declared with another plugin before the split';
  return undefined;
}
