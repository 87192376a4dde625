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

import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../util/bundled';
import { LF } from './bytes';
import type { Placement, TablePart } from './tableBuilder';

/** Below this a second thread costs more (its start, the merge) than it saves. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Bytes searched after the middle of the file for a line start; a longer line there means no split. */
const SPLIT_SEARCH_BYTES = 64 * 1024;

/** How the second half is to be parsed: what the first thread learned from the sample and the header. */
export type PartShape =
  | { kind: 'jsonl'; recordBytes: number }
  | { kind: 'delimited'; delimiter: string; names: string[]; recordBytes: number };

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
