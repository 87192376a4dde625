// Runs an AnalysisJob in a worker thread. Aborting terminates the worker: a new edit cancels the running fit at
// once instead of waiting for it, and the server's own thread stays free for hovers and lenses. The worker runs with
// a heap limit and a time limit, so a hostile or pathological file ends its own analysis with a message, never the
// server or the other files' analyses.
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../core/util/bundled';
import { collectGarbage } from './gc';
import type { Analysis, Series } from '../core/analysis/types';
import type { AnalysisJob, JobResult, WorkerMessage } from './job';

/**
 * Runs a job; `provisional` is given a provisional analysis before the result when the job asks for one
 * (AnalysisJob.provisionalFromRows) and the run is still wanted then.
 */
export type Runner = (
  job: AnalysisJob,
  signal: AbortSignal,
  provisional?: (analysis: Analysis<Series>) => void,
) => Promise<JobResult | 'cancelled'>;

export interface WorkerLimits {
  /** V8 heap of the worker (typed-array column data lives outside it and is bounded by the file size limit). */
  heapMb: number;
  /** Wall-clock time one analysis may take. */
  timeMs: number;
}

/** Far above a million-row log (about 200 MB of heap, a second or two), far below what a runaway input would take. */
export const WORKER_LIMITS: WorkerLimits = { heapMb: 2048, timeMs: 120_000 };

export const runInWorker: Runner = (job, signal, provisional) => runLimited(job, signal, WORKER_LIMITS, provisional);

/** The time limit counts from the job's start to its result: a provisional analysis on the way does not reset it. */
export function runLimited(
  job: AnalysisJob,
  signal: AbortSignal,
  limits: WorkerLimits,
  provisional?: (analysis: Analysis<Series>) => void,
): Promise<JobResult | 'cancelled'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('cancelled');
    const file = bundledWorker('analysisWorker.js');
    if (!file)
      return resolve({
        ok: false,
        message: 'The analysis worker (dist/analysisWorker.js) is missing: rebuild the extension (npm run build).',
      });
    const worker = new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: limits.heapMb } });
    // Before encoding a copy of the document: what the message that brought the text left behind goes first.
    collectGarbage();
    // Nobody to show a provisional analysis to: the worker does not make one.
    const posted = toWorkerJob(provisional ? job : { ...job, provisionalFromRows: undefined });
    worker.postMessage(posted.job, posted.transfer);
    // This thread now waits for the worker: collect what the previous analysis and the edits left behind first.
    collectGarbage();
    let settled = false;
    const finish = (value: JobResult | 'cancelled') => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const deadline = setTimeout(() => {
      void worker.terminate();
      finish(timeLimitFailure(job.path, limits));
    }, limits.timeMs);
    const onAbort = () => {
      void worker.terminate();
      finish('cancelled');
    };
    signal.addEventListener('abort', onAbort);
    worker.on('message', (message: WorkerMessage) => {
      if ('provisional' in message) {
        if (!settled) provisional?.(message.provisional);
        return;
      }
      finish(message.result);
      void worker.terminate();
    });
    worker.once('error', (error: Error & { code?: string }) => finish(workerFailure(job.path, limits, error)));
    worker.once('exit', (code) => finish(exitFailure(job.path, code)));
  });
}

/** An analysis that ran past its time limit. */
export function timeLimitFailure(path: string, limits: WorkerLimits): JobResult {
  const seconds = Math.round(limits.timeMs / 100) / 10;
  return {
    ok: false,
    message: `Scaling Lens stopped analysing ${path} after ${seconds} s, its time limit. The file may be far larger or stranger than a run log; the other files are not affected.`,
  };
}

/** A worker that failed: out of memory, or an error it did not catch. */
export function workerFailure(path: string, limits: WorkerLimits, error: Error & { code?: string }): JobResult {
  return {
    ok: false,
    message:
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `Scaling Lens stopped analysing ${path}: it needed more than ${limits.heapMb} MB of memory. The other files are not affected.`
        : `Scaling Lens analysis failed for ${path}: ${error.message}`,
  };
}

/** A worker that ended before it answered. */
export function exitFailure(path: string, code: number): JobResult {
  return code === 0
    ? { ok: false, message: `analysis of ${path} ended without a result` }
    : { ok: false, message: `analysis of ${path} stopped (exit code ${code}); the file may be too large for memory` };
}

/**
 * The job as posted to a worker, with what to transfer. A document's text goes as UTF-8 bytes whose buffer moves
 * to the worker: posting the string would copy it into the worker, which would then encode a second copy.
 */
function toWorkerJob(job: AnalysisJob): { job: AnalysisJob; transfer: ArrayBuffer[] } {
  if (job.source.kind !== 'text') return { job, transfer: [] };
  // TextEncoder gives a buffer of its own (a small Buffer.from may sit in a shared pool, which must not move).
  const bytes = new TextEncoder().encode(job.source.text);
  return { job: { ...job, source: { kind: 'bytes', bytes } }, transfer: [bytes.buffer as ArrayBuffer] };
}
