// Runs an AnalysisJob in a worker thread. Aborting terminates the worker: a new edit cancels the running fit at
// once instead of waiting for it, and the server's own thread stays free for hovers and lenses.
import { Worker } from 'node:worker_threads';
import { bundledWorker } from '../core/util/bundled';
import { collectGarbage } from './gc';
import type { AnalysisJob, JobResult } from './job';

export type Runner = (job: AnalysisJob, signal: AbortSignal) => Promise<JobResult | 'cancelled'>;

export const runInWorker: Runner = (job, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve('cancelled');
    const file = bundledWorker('analysisWorker.js');
    if (!file)
      return resolve({
        ok: false,
        message: 'The analysis worker (dist/analysisWorker.js) is missing: rebuild the extension (npm run build).',
      });
    const worker = new Worker(file);
    // Before encoding a copy of the document: what the message that brought the text left behind goes first.
    collectGarbage();
    const posted = toWorkerJob(job);
    worker.postMessage(posted.job, posted.transfer);
    // This thread now waits for the worker: collect what the previous analysis and the edits left behind first.
    collectGarbage();
    let settled = false;
    const finish = (value: JobResult | 'cancelled') => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => {
      void worker.terminate();
      finish('cancelled');
    };
    signal.addEventListener('abort', onAbort);
    worker.once('message', (result: JobResult) => {
      finish(result);
      void worker.terminate();
    });
    worker.once('error', (error) =>
      finish({ ok: false, message: `Scaling Lens analysis failed for ${job.path}: ${error.message}` }),
    );
    worker.once('exit', (code) =>
      finish(
        code === 0
          ? { ok: false, message: `analysis of ${job.path} ended without a result` }
          : {
              ok: false,
              message: `analysis of ${job.path} stopped (exit code ${code}); the file may be too large for memory`,
            },
      ),
    );
  });

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
