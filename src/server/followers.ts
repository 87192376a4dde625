// Files the server analyses from disk are analysed by a follower (followJob.ts) in a worker that lives while the file
// is followed: its first analysis is an ordinary one, each later one reads only what the run appended (a tail read)
// and re-fits the loss-curve law from the previous fit, so a followed file's lens, hover, Problems and chart update
// cheaply as it grows. The worker has the analysis worker's memory and time limits (per analysis); a run that fails,
// times out or is cancelled ends its worker, and the next analysis starts afresh. Other options (settings changed)
// are another follower. A listener is told of each follower's analyses (the Runs view shows a followed run by them).
// Each analysis is moved here from the worker, which keeps only what its next update needs; the last one is kept here
// (it is the file cache's, not a second copy) and answers a request made while the input has not changed.
import { Worker } from 'node:worker_threads';
import type { Analysis, Series } from '../core/analysis/types';
import { bundledWorker } from '../core/util/bundled';
import { collectGarbage } from './gc';
import type { FollowMessage, FollowRequest, FollowStart, Unchanged } from './followJob';
import type { AnalysisJob, JobResult } from './job';
import { exitFailure, timeLimitFailure, WORKER_LIMITS, workerFailure, type WorkerLimits } from './runner';

/** Told what the followers do, for what else shows a followed run (the Runs view): by the path followed. */
export interface FollowListener {
  /** A follower started: its analyses will follow. */
  started(path: string): void;
  /** A follower's analysis of its input as it is now, whether or not its asker still waits for it. */
  analysed(path: string, analysis: Analysis<Series>): void;
  /** A follower ended: the input is no longer followed (until a next analysis starts another). */
  stopped(path: string): void;
}

interface Followed {
  /** What the follower was started for: its input and options. */
  key: string;
  path: string;
  worker: Worker;
  /** The last request sent (the first analysis is request 0). */
  id: number;
  /** The worker's last analysis, moved here: the answer while the input has not changed. */
  last?: Analysis<Series>;
}

export class Followers {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly limits: WorkerLimits = WORKER_LIMITS,
    private readonly listener?: FollowListener,
  ) {}

  /**
   * The file's analysis by its follower (started for this job's input and options if it has none yet); `provisional`
   * as for a Runner, on a new follower's first (cold) analysis.
   */
  run(
    uri: string,
    job: AnalysisJob,
    signal: AbortSignal,
    provisional?: (analysis: Analysis<Series>) => void,
  ): Promise<JobResult | 'cancelled'> {
    if (signal.aborted) return Promise.resolve('cancelled');
    const { path, format, maxBytes, options, onlyIfRunFile } = job;
    const key = JSON.stringify({ path, format, maxBytes, options });
    let entry = this.followed.get(uri);
    if (entry?.key !== key) {
      this.stop(uri);
      const file = bundledWorker('analysisWorker.js');
      if (!file)
        return Promise.resolve({
          ok: false,
          message: 'The analysis worker (dist/analysisWorker.js) is missing: rebuild the extension (npm run build).',
        });
      const worker = new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb } });
      entry = { key, path, worker, id: 0 };
      this.followed.set(uri, entry);
      this.receive(entry);
      // The first message starts the follower, which answers it with the first analysis (a provisional one before
      // it only if someone is there to show it).
      const follow = provisional ? job : { ...job, provisionalFromRows: undefined };
      worker.postMessage({ follow } satisfies FollowStart);
    } else entry.worker.postMessage({ id: ++entry.id, onlyIfRunFile } satisfies FollowRequest);
    return this.answer(uri, entry, entry.id, path, signal, provisional);
  }

  /**
   * The worker's answer to request `id`, or why it gave none; a worker that failed is ended. A request given up
   * (a newer change, a cancel) lets a warm update finish in the worker, whose follower stays in step with the file;
   * giving up the first analysis (a cold one, the long one) ends the worker.
   */
  private answer(
    uri: string,
    entry: Followed,
    id: number,
    path: string,
    signal: AbortSignal,
    provisional?: (analysis: Analysis<Series>) => void,
  ): Promise<JobResult | 'cancelled'> {
    const { worker } = entry;
    return new Promise((resolve) => {
      const finish = (value: JobResult | 'cancelled', end: boolean) => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (end && this.followed.get(uri) === entry) this.stop(uri);
        resolve(value);
      };
      const deadline = setTimeout(() => finish(timeLimitFailure(path, this.limits), true), this.limits.timeMs);
      const onAbort = () => finish('cancelled', id === 0);
      const onMessage = (answer: FollowMessage) => {
        if (answer.id !== id) return;
        if ('provisional' in answer) return provisional?.(answer.provisional);
        const result = this.resultOf(entry, answer.result);
        finish(result, !result.ok);
      };
      const onError = (error: Error & { code?: string }) => finish(workerFailure(path, this.limits, error), true);
      const onExit = (code: number) => finish(exitFailure(path, code), true);
      signal.addEventListener('abort', onAbort);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** The file is no longer followed: its worker ends. */
  stop(uri: string): void {
    const entry = this.followed.get(uri);
    if (!entry) return;
    this.followed.delete(uri);
    void entry.worker.terminate();
    this.listener?.stopped(entry.path);
  }

  /**
   * Keeps each analysis the worker sends (the previous one is let go at once) and tells the listener of the new
   * follower and of each new analysis. Registered first, so it sees an answer before its asker does.
   */
  private receive(entry: Followed): void {
    this.listener?.started(entry.path);
    entry.worker.on('message', (message: FollowMessage) => {
      // A provisional analysis is only the asker's to show: the listener (the Runs view) waits for the real one.
      if ('provisional' in message) return;
      const { result } = message;
      if (!result.ok || 'unchanged' in result) return;
      entry.last = result.analysis;
      this.listener?.analysed(entry.path, result.analysis);
      // Once the asker took it (its promise settles first), the previous analysis is garbage: collected now, as this
      // thread barely allocates and would hold it (and each one before) until it does.
      setImmediate(collectGarbage);
    });
  }

  /** An answer as the asker takes it: an unchanged input's is the last analysis the worker sent. */
  private resultOf({ last, path }: Followed, result: JobResult | Unchanged): JobResult {
    if (!('unchanged' in result)) return result;
    // Never without one (the first answer is an analysis, and a failed one ends the worker); said if it ever is.
    if (!last) return { ok: false, message: `Scaling Lens lost the last analysis of ${path}; fit it again.` };
    return { ok: true, analysis: last, skipped: result.skipped };
  }

  dispose(): void {
    for (const uri of [...this.followed.keys()]) this.stop(uri);
  }
}
