// The worker side of following a file analysed from disk (followers.ts): the worker lives as long as the file is
// followed and holds a Follower (src/core/live), so each analysis after the first reads only what the run appended and
// fits the loss-curve law from the previous fit, as `scaling-lens watch` does.
import type { MessagePort } from 'node:worker_threads';
import { Follower } from '../core/live/follower';
import type { AnalysisJob, JobResult } from './job';
import { packAnalysis } from './transfer';

/** The first message to a follow worker: the job whose input it follows (answered as request 0). */
export interface FollowStart {
  follow: AnalysisJob;
}

/** Each later message: a request for the analysis as the input is now (an auto-fit on open, or asked for). */
export interface FollowRequest {
  id: number;
  onlyIfRunFile: boolean;
}

/** An answer, with the request it answers: one whose asker gave up is answered all the same, and ignored. */
export interface FollowAnswer {
  id: number;
  result: JobResult;
}

/** Answers the first message and each later one with an analysis of the input as it is then, one at a time. */
export async function serveFollow({ follow: job }: FollowStart, port: MessagePort): Promise<void> {
  const read = { displayName: job.path, maxBytes: job.maxBytes, format: job.format };
  let follower: Follower | null = null;
  let queue = Promise.resolve();
  const answer = async ({ id, onlyIfRunFile }: FollowRequest): Promise<void> => {
    let result: JobResult;
    try {
      follower ??= await Follower.open([job.path], { analysis: job.options, read });
      const { analysis } = (await follower.update(true))!;
      // As runJob: an auto-fit on open gives up quietly on a file that does not look like a run file.
      const skipped = onlyIfRunFile && analysis.kind === 'unknown' && (job.options.law ?? 'auto') === 'auto';
      result = { ok: true, analysis, skipped };
    } catch (error) {
      result = {
        ok: false,
        message: `Scaling Lens could not analyse ${job.path}: ${(error as Error)?.message ?? error}`,
      };
    }
    // Packed but copied, not moved: the follower keeps the arrays it grows (its tables, the last fit) for the next.
    if (result.ok) packAnalysis(result.analysis);
    port.postMessage({ id, result } satisfies FollowAnswer);
  };
  port.on('message', (request: FollowRequest) => (queue = queue.then(() => answer(request))));
  await answer({ id: 0, onlyIfRunFile: job.onlyIfRunFile });
}
