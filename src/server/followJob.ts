// The worker side of following a file analysed from disk (followers.ts): the worker lives as long as the file is
// followed and holds a Follower (src/core/live), so each analysis after the first reads only what the run appended and
// fits the loss-curve law from the previous fit, as `scaling-lens watch` does.
import type { MessagePort } from 'node:worker_threads';
import { Follower, type ProvisionalRequest } from '../core/live/follower';
import type { Analysis, Series } from '../core/analysis/types';
import { collectGarbage } from './gc';
import type { AnalysisJob, JobResult } from './job';
import { copyForTransfer, provisionalForTransfer } from './transfer';

/** The first message to a follow worker: the job whose input it follows (answered as request 0). */
export interface FollowStart {
  follow: AnalysisJob;
}

/** Each later message: a request for the analysis as the input is now (an auto-fit on open, or asked for). */
export interface FollowRequest {
  id: number;
  onlyIfRunFile: boolean;
}

/**
 * The input has not changed since the worker's last analysis: that analysis is the answer. The worker moved it to the
 * server's thread (followers.ts keeps it), so it is not sent again. `skipped` as for an analysis (see answer).
 */
export interface Unchanged {
  ok: true;
  unchanged: true;
  skipped: boolean;
}

/** An answer, with the request it answers: one whose asker gave up is answered all the same, and ignored. */
export interface FollowAnswer {
  id: number;
  result: JobResult | Unchanged;
}

/** Before the first answer, when the job asks for one (AnalysisJob.provisionalFromRows): a provisional analysis. */
export interface FollowProvisional {
  id: number;
  provisional: Analysis<Series>;
}

/** What a follow worker posts. */
export type FollowMessage = FollowAnswer | FollowProvisional;

/**
 * Answers the first message and each later one with an analysis of the input as it is then, one at a time. Each
 * analysis's series are moved to the server's thread, not copied (copyForTransfer): the worker keeps only what the
 * follower needs for the next update.
 */
export async function serveFollow({ follow: job }: FollowStart, port: MessagePort): Promise<void> {
  const read = { displayName: job.path, maxBytes: job.maxBytes, format: job.format };
  let follower: Follower | null = null;
  /** The kind of the last analysis sent: what an unchanged answer's `skipped` depends on. */
  let kind: Analysis<Series>['kind'] | undefined;
  let queue = Promise.resolve();
  // As runJob: an auto-fit on open gives up quietly on a file that does not look like a run file.
  const skippedFor = (onlyIfRunFile: boolean) =>
    onlyIfRunFile && kind === 'unknown' && (job.options.law ?? 'auto') === 'auto';
  const answer = async ({ id, onlyIfRunFile }: FollowRequest): Promise<void> => {
    let result: JobResult | Unchanged;
    let transfer: ArrayBuffer[] = [];
    try {
      follower ??= await Follower.open([job.path], { analysis: job.options, read, collectGarbage });
      // Null when nothing changed since the last analysis (the first update always analyses): the follower's last
      // analysis was moved out, so the server answers with its own.
      const update = await follower.update(false, provisionalFor(id));
      if (update === null) result = { ok: true, unchanged: true, skipped: skippedFor(onlyIfRunFile) };
      else {
        const { analysis } = update;
        kind = analysis.kind;
        // What the fit left behind goes before the copies are made (a million rows: about 25 MB less at the peak).
        collectGarbage();
        transfer = copyForTransfer(analysis);
        result = { ok: true, analysis, skipped: skippedFor(onlyIfRunFile) };
      }
    } catch (error) {
      result = {
        ok: false,
        message: `Scaling Lens could not analyse ${job.path}: ${(error as Error)?.message ?? error}`,
      };
    }
    port.postMessage({ id, result } satisfies FollowAnswer, transfer);
    // What the fit left behind and the arrays just copied go before the next update allocates its own.
    collectGarbage();
  };
  // The first (cold) analysis may be long: a provisional one goes first, as copies (its arrays are the follower's).
  const provisionalFor = (id: number): ProvisionalRequest | undefined =>
    id === 0 && job.provisionalFromRows !== undefined
      ? {
          fromRows: job.provisionalFromRows,
          show: (provisional) => {
            port.postMessage({ id, provisional } satisfies FollowProvisional, provisionalForTransfer(provisional));
            // Its own arrays (predictions, bands) are garbage now: gone before the full fit allocates.
            collectGarbage();
          },
        }
      : undefined;
  port.on('message', (request: FollowRequest) => (queue = queue.then(() => answer(request))));
  await answer({ id: 0, onlyIfRunFile: job.onlyIfRunFile });
}
