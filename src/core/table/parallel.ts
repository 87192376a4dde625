// Two threads for one large file. readTable parses the first half itself while a worker (parseWorker.ts, the same
// parser code bundled as dist/parseWorker.js) parses the second half from the first line start after the middle.
// The worker's rows are appended only when that is provably what one thread reading in order would have produced:
//   - the first half ended exactly at a record boundary (no quoted field or over-long line runs across the split);
//   - the header maps field i to column i (W&B panel exports, reshaped as they stream, stay on one thread);
//   - the second half had no problem at all: problem messages name absolute lines, which only a read in order
//     knows, so any problem there (a ragged row, a bad JSON line, ...) makes the first thread read that half itself.
// In every other case the first thread simply reads on past the split, so the result is always the in-order one.
//
// The worker is started before the header is known, so its start-up overlaps the first chunk. It writes its rows
// straight into the first thread's arrays (shared memory, see TableBuilder.share), so merging only moves them down.
// When the first thread finishes first and the worker still has a long way to go (it started late, or got less
// CPU), the first thread takes the end of the worker's half: the worker's reads stop at a line start (the range's
// control, see ReadAhead) and the first thread reads from there to the end of the file as one more part, kept under
// the same rules (and the worker's part must then end exactly at that line start, at a record boundary).
//
// This module holds all of it: finding the split, the worker's life (startPart), the read of both halves and their
// join (readSplit, merge, takeTail) and the reading of a later part (readPart, the worker's side). TableReader
// (tableReader.ts) only offers what a join needs: the shape of the file, its arrays to share, absorb().

import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../util/bundled';
import { LF } from './bytes';
import type { CommaReading } from './decimalComma';
import { describeFsError } from './problems';
import { RANGE_ISSUED, RANGE_LIMIT, ReadAhead } from './stream';
import type { Placement, TablePart } from './tablePart';
import { DEFAULT_MAX_BYTES, pump, TableReader, type ReadTableOptions } from './tableReader';

/** Below this a second thread costs more (its start, the merge) than it saves. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Bytes searched after the middle of the file for a line start; a longer line there means no split. */
const SPLIT_SEARCH_BYTES = 64 * 1024;

/** How the second half is to be parsed: what the first thread learned from the sample and the header. */
export type PartShape =
  | { kind: 'jsonl'; recordBytes: number }
  | {
      kind: 'delimited';
      delimiter: string;
      /** The columns' names (unique), and the header's names as written (to tell the header repeated). */
      names: string[];
      header: string[];
      recordBytes: number;
      reading: CommaReading;
    };

/** What a worker is asked to do: parse [start, end of file) of `path` with this shape. */
export interface PartJob {
  path: string;
  start: number;
  /** The file size minus start, for the row estimate. */
  bytes: number;
  shape: PartShape;
  chunkSize: number;
  maxRecordBytes: number;
  /** The size limit left for this part (the limit minus start). */
  maxBytes: number;
  /** Where to write the rows: in the reading thread's arrays (shared memory), or null for the worker's own. */
  placement: Placement | null;
  /** A BigInt64Array's memory through which the reading thread may take the end of the range (see ReadAhead). */
  control: SharedArrayBuffer | null;
}

/** A part read: where its bytes ended, whether that was the end of the file, and if not, whether a record ended there. */
export interface PartRead {
  part: TablePart;
  end: number;
  complete: boolean;
  atBoundary: boolean;
}

export type PartReply = ({ ok: true } & PartRead) | { ok: false; reason: string };

/** Whether and why a read used a second thread, for tests and benchmarks. */
export interface SplitReport {
  merged: boolean;
  reason: string;
  /** The reading thread also read the end of the worker's half (the worker was behind). */
  tail?: boolean;
}

/** false: never; true: whenever a split point exists (tests); 'auto': for large files on a multi-core machine. */
export type ParallelMode = boolean | 'auto';

export function wantsSplit(mode: ParallelMode, size: number): boolean {
  if (mode === 'auto') return size >= PARALLEL_MIN_BYTES && availableParallelism() > 1;
  return mode && size > 0;
}

/** Offset of the first line start after the middle of the file, or -1 when there is none close to it. */
export function findSplit(handle: FileHandle, size: number): Promise<number> {
  return findLineStart(handle, Math.floor(size / 2), size);
}

/** Offset of the first line start after `from` (within 64 KiB), or -1 when there is none before the end. */
export async function findLineStart(handle: FileHandle, from: number, size: number): Promise<number> {
  if (from >= size) return -1;
  const buf = Buffer.allocUnsafe(Math.min(SPLIT_SEARCH_BYTES, size - from));
  const { bytesRead } = await handle.read(buf, 0, buf.length, from).catch(() => ({ bytesRead: 0 }));
  const lf = buf.subarray(0, bytesRead).indexOf(LF);
  const start = lf < 0 ? -1 : from + lf + 1;
  return start > 0 && start < size ? start : -1;
}

export interface PartRun {
  /** Hands the worker its part; call once. */
  send(job: PartJob): void;
  /** The worker's answer; never rejects (a crash is an answer with ok false). */
  reply: Promise<PartReply>;
  /** True once the answer is in. */
  readonly answered: boolean;
  stop(): void;
}

/**
 * Starts a worker that waits for its part (see PartRun.send), or returns null when no worker can be started.
 * Started before the part is known, so the thread's start-up overlaps the first chunk of the file.
 */
export function startPart(): PartRun | null {
  const file = bundledWorker('parseWorker.js');
  if (file === null) return null;
  let worker: Worker;
  try {
    worker = new Worker(file);
  } catch {
    return null;
  }
  const reply = new Promise<PartReply>((resolve) => {
    worker.once('message', (message: PartReply) => resolve(message));
    worker.once('error', (error) => resolve({ ok: false, reason: `worker failed: ${error.message}` }));
    worker.once('exit', (code) => resolve({ ok: false, reason: `worker exited (${code})` }));
  });
  let answered = false;
  void reply.then(() => (answered = true));
  return {
    send: (job) => worker.postMessage(job),
    reply,
    get answered() {
      return answered;
    },
    stop: () => void worker.terminate(),
  };
}

/** The buffers of a part, moved (not copied) to the receiving thread; shared ones are already there. */
export function transferList(part: TablePart): ArrayBuffer[] {
  const arrays = [part.lines, ...part.columns.flatMap((c) => (c.codes === null ? [c.values] : [c.values, c.codes]))];
  return [...new Set(arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

/** The file readSplit reads, and where its second half starts. */
export interface SplitRead {
  path: string;
  file: string;
  size: number;
  split: number;
  options: ReadTableOptions;
}

/** Reads [0, split) here and [split, end) in a worker, keeping the worker's rows only when they are exact. */
export async function readSplit(reader: TableReader, handle: FileHandle, read: SplitRead): Promise<void> {
  const first = new ReadAhead(handle, reader.chunkSize, 0, read.split);
  let run = startPart();
  try {
    // The worker needs the dialect and the header, known after the first chunk or so.
    await pump(reader, first, read.file, () => reader.shape() !== null);
    const shape = reader.shape();
    const job = shape === null || run === null ? null : partJob(read, shape, reader);
    if (job === null) {
      run?.stop();
      run = null;
    } else {
      run?.send(job);
    }
    await pump(reader, first, read.file);
    const report =
      run === null || job === null
        ? { merged: false, reason: shape === null ? 'no plain header before the split' : 'no worker' }
        : await merge(reader, run, job, handle);
    read.options.onSplit?.(report);
    run?.stop(); // before reading on: a worker still parsing would only take CPU from this thread
    if (!report.merged) await pump(reader, new ReadAhead(handle, reader.chunkSize, read.split), read.file);
  } finally {
    run?.stop();
  }
}

/**
 * Appends the worker's rows when they are exact; says why not otherwise. When the worker is still far from the end,
 * this thread reads the end of its half meanwhile (see takeTail) rather than wait.
 */
async function merge(reader: TableReader, run: PartRun, job: PartJob, handle: FileHandle): Promise<SplitReport> {
  if (!reader.atRecordBoundary) return { merged: false, reason: 'the first half did not end at a record boundary' };
  reader.prefault();
  const tail = run.answered ? null : await takeTail(job, handle, run, reader.stealTail);
  const [reply, tailReply] = await Promise.all([run.reply, tail?.reply ?? null]);
  if (!reply.ok) return { merged: false, reason: reply.reason };
  if (reply.complete) return appended(reader, [reply.part], false);
  if (tail === null || tailReply === null)
    return { merged: false, reason: 'the worker stopped before the end of the file' };
  if (!tailReply.ok) return { merged: false, reason: tailReply.reason };
  if (reply.end !== tail.at || !reply.atBoundary || !tailReply.complete)
    return { merged: false, reason: "the worker's part and the end read here do not meet at a record" };
  return appended(reader, [reply.part, tailReply.part], true);
}

function appended(reader: TableReader, parts: TablePart[], tail: boolean): SplitReport {
  if (!reader.absorb(parts)) return { merged: false, reason: 'the part could not be appended' };
  return tail ? { merged: true, reason: 'merged', tail } : { merged: true, reason: 'merged' };
}

/** The worker's range is only shared when at least this much is left past its reads in flight. */
const TAIL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Takes the second half of what the worker has left: its reads stop at a line start `at` (through job.control, see
 * ReadAhead), and [at, end of file) is read here as one more part. Null when too little is left to be worth it;
 * `always` (tests): whenever anything is left.
 */
async function takeTail(
  job: PartJob,
  handle: FileHandle,
  run: PartRun,
  always: boolean,
): Promise<{ at: number; reply: Promise<PartReply> } | null> {
  if (job.control === null) return null;
  const control = new BigInt64Array(job.control);
  const size = job.start + job.bytes;
  const margin = 2 * job.chunkSize; // the reads the worker may have in flight
  const issued = Math.max(job.start, Number(Atomics.load(control, RANGE_ISSUED))); // the worker may not have begun
  const left = size - issued - margin;
  if (left <= 0 || (left < TAIL_MIN_BYTES && !always)) return null;
  const at = await findLineStart(handle, issued + margin + Math.floor(left / 2), size);
  // The worker read on while the line start was found: the cut must still come after its reads.
  if (at < 0 || run.answered || at < Number(Atomics.load(control, RANGE_ISSUED)) + job.chunkSize) return null;
  Atomics.store(control, RANGE_LIMIT, BigInt(at));
  const tail: PartJob = {
    ...job,
    start: at,
    bytes: size - at,
    maxBytes: job.maxBytes - (at - job.start),
    placement: null,
    control: null,
  };
  return { at, reply: readPart(tail) };
}

function partJob(read: SplitRead, shape: PartShape, reader: TableReader): PartJob {
  const control = new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
  control[RANGE_LIMIT] = BigInt(Number.MAX_SAFE_INTEGER); // to the end of the file, found as a short read
  return {
    path: read.path,
    start: read.split,
    bytes: read.size - read.split,
    shape,
    chunkSize: reader.chunkSize,
    maxRecordBytes: reader.maxRecordBytes,
    maxBytes: (read.options.maxBytes ?? DEFAULT_MAX_BYTES) - read.split,
    placement: reader.share(read.split / read.size),
    control: control.buffer as SharedArrayBuffer,
  };
}

/**
 * A later part of a file (a worker's, or the end of it taken back): parses [start, end of file) with a known shape,
 * or up to where job.control cuts the range; gives up at the first problem.
 */
export async function readPart(job: PartJob): Promise<PartReply> {
  let handle: FileHandle;
  try {
    handle = await open(job.path, 'r');
  } catch (error) {
    return { ok: false, reason: describeFsError(error, job.path) };
  }
  try {
    const options: ReadTableOptions = {
      chunkSize: job.chunkSize,
      maxRecordBytes: job.maxRecordBytes,
      maxBytes: job.maxBytes,
    };
    const reader = new TableReader(job.path, job.path, options, job.bytes, job.shape, job.placement);
    const control = job.control === null ? null : new BigInt64Array(job.control);
    await pump(
      reader,
      new ReadAhead(handle, reader.chunkSize, job.start, Infinity, control),
      job.path,
      () => reader.problemCount > 0,
    );
    if (reader.problemCount > 0) return { ok: false, reason: 'the second half has problems' };
    const part = reader.part();
    return {
      ok: true,
      part,
      end: job.start + part.bytesRead,
      complete: reader.done,
      atBoundary: reader.atRecordBoundary,
    };
  } finally {
    await handle.close();
  }
}
