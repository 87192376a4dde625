// Two threads for one large file. readTable parses the first half itself while a worker (parseWorker.ts, the same
// parser code bundled as dist/parseWorker.js) parses the second half from the first line start after the middle.
// The worker's rows are appended only when that is provably what one thread reading in order would have produced:
//   - the first half ended exactly at a record boundary (no quoted field or over-long line runs across the split);
//   - the header maps field i to column i (W&B panel exports, reshaped as they stream, stay on one thread);
//   - the second half had no problem at all: problem messages name absolute lines, which only a read in order
//     knows, so any problem there (a ragged row, a bad JSON line, ...) makes the first thread read that half itself.
// In every other case the first thread simply reads on past the split, so the result is always the in-order one.

import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../util/bundled';
import { LF } from './bytes';
import type { TablePart } from './columns';

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
}

export type PartReply = { ok: true; part: TablePart } | { ok: false; reason: string };

/** Whether and why a read used a second thread, for tests and benchmarks. */
export interface SplitReport {
  merged: boolean;
  reason: string;
}

/** false: never; true: whenever a split point exists (tests); 'auto': for large files on a multi-core machine. */
export type ParallelMode = boolean | 'auto';

export function wantsSplit(mode: ParallelMode, size: number): boolean {
  if (mode === 'auto') return size >= PARALLEL_MIN_BYTES && availableParallelism() > 1;
  return mode && size > 0;
}

/** Offset of the first line start after the middle of the file, or -1 when there is none close to it. */
export async function findSplit(handle: FileHandle, size: number): Promise<number> {
  const middle = Math.floor(size / 2);
  const buf = Buffer.allocUnsafe(Math.min(SPLIT_SEARCH_BYTES, size - middle));
  const { bytesRead } = await handle.read(buf, 0, buf.length, middle).catch(() => ({ bytesRead: 0 }));
  const lf = buf.subarray(0, bytesRead).indexOf(LF);
  const split = lf < 0 ? -1 : middle + lf + 1;
  return split > 0 && split < size ? split : -1;
}

export interface PartRun {
  /** The worker's answer; never rejects (a crash is an answer with ok false). */
  reply: Promise<PartReply>;
  stop(): void;
}

/** Starts a worker on one part, or returns null when no worker can be started. */
export function startPart(job: PartJob): PartRun | null {
  const file = bundledWorker('parseWorker.js');
  if (file === null) return null;
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData: job });
  } catch {
    return null;
  }
  const reply = new Promise<PartReply>((resolve) => {
    worker.once('message', (message: PartReply) => resolve(message));
    worker.once('error', (error) => resolve({ ok: false, reason: `worker failed: ${error.message}` }));
    worker.once('exit', (code) => resolve({ ok: false, reason: `worker exited (${code})` }));
  });
  return { reply, stop: () => void worker.terminate() };
}

/** The buffers of a part, moved (not copied) to the receiving thread. */
export function transferList(part: TablePart): ArrayBuffer[] {
  const arrays = [part.lines, ...part.columns.flatMap((c) => (c.codes === null ? [c.values] : [c.values, c.codes]))];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}
