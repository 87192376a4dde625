// The worker side of following a file analysed from disk (followers.ts): the worker lives as long as the file is
// followed and holds a Follower (src/core/live), so each analysis after the first reads only what the run appended and
// fits the loss-curve law from the previous fit, as `scaling-lens watch` does.
import type { MessagePort } from 'node:worker_threads';
import { Follower } from '../core/live/follower';
import type { AnalysisJob, JobResult } from './job';
import { packAnalysis } from './transfer';

/** The first message to a follow worker: the job whose input it follows; each later message asks for an update. */
export interface FollowStart {
  follow: AnalysisJob;
}

/** Answers each message on the port with an analysis of the input as it is now, one at a time. */
export async function serveFollow({ follow: job }: FollowStart, port: MessagePort): Promise<void> {
  const read = { displayName: job.path, maxBytes: job.maxBytes, format: job.format };
  let follower: Follower | null = null;
  let queue = Promise.resolve();
  const answer = async (): Promise<void> => {
    let result: JobResult;
    try {
      follower ??= await Follower.open([job.path], { analysis: job.options, read });
      const update = await follower.update(true);
      result = { ok: true, analysis: update!.analysis, skipped: false };
    } catch (error) {
      result = {
        ok: false,
        message: `Scaling Lens could not analyse ${job.path}: ${(error as Error)?.message ?? error}`,
      };
    }
    // Packed but copied, not moved: the follower keeps the arrays it grows (its tables, the last fit) for the next.
    if (result.ok) packAnalysis(result.analysis);
    port.postMessage(result);
  };
  port.on('message', () => (queue = queue.then(answer)));
  await answer();
}
