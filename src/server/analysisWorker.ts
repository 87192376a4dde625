// Worker-thread entry: runs one AnalysisJob and posts the JobResult back; or, sent a FollowStart, follows a file
// analysed from disk and answers each later message with its analysis as it is then (followJob.ts).
import { parentPort } from 'node:worker_threads';
import { serveFollow, type FollowStart } from './followJob';
import { runJob, type AnalysisJob } from './job';
import { packAnalysis } from './transfer';

// The job comes as a message rather than workerData, which a worker keeps for its whole life: the document text
// (tens of MB) can then be dropped as soon as it is parsed.
parentPort?.once('message', (message: AnalysisJob | FollowStart) => {
  const port = parentPort!;
  if ('follow' in message) void serveFollow(message, port);
  else void runJob(message).then((result) => port.postMessage(result, result.ok ? packAnalysis(result.analysis) : []));
});
