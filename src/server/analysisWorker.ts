// Worker-thread entry: runs one AnalysisJob and posts the JobResult back (a provisional analysis before it when the
// job asks for one, WorkerMessage); or, sent a FollowStart, follows a file analysed from disk and answers each later
// message with its analysis as it is then (followJob.ts).
import { parentPort } from 'node:worker_threads';
import type { Analysis, Series } from '../core/analysis/types';
import { serveFollow, type FollowStart } from './followJob';
import { runJob, type AnalysisJob, type WorkerMessage } from './job';
import { collectGarbage } from './gc';
import { packAnalysis, provisionalForTransfer } from './transfer';

// The job comes as a message rather than workerData, which a worker keeps for its whole life: the document text
// (tens of MB) can then be dropped as soon as it is parsed.
parentPort?.once('message', (message: AnalysisJob | FollowStart) => {
  const port = parentPort!;
  if ('follow' in message) void serveFollow(message, port);
  else {
    // A provisional analysis shares the curves' arrays with the tables the full one is fitted on: it moves copies.
    // Its own arrays (predictions, bands) are garbage once posted: collected before the full fit allocates.
    const provisional = (analysis: Analysis<Series>) => {
      port.postMessage({ provisional: analysis } satisfies WorkerMessage, provisionalForTransfer(analysis));
      collectGarbage();
    };
    void runJob(message, provisional).then((result) =>
      port.postMessage({ result } satisfies WorkerMessage, result.ok ? packAnalysis(result.analysis) : []),
    );
  }
});
