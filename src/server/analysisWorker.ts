// Worker-thread entry: runs one AnalysisJob and posts the JobResult back.
import { parentPort } from 'node:worker_threads';
import { runJob, type AnalysisJob } from './job';
import { packAnalysis } from './transfer';

// The job comes as a message rather than workerData, which a worker keeps for its whole life: the document text
// (tens of MB) can then be dropped as soon as it is parsed.
parentPort?.once('message', (job: AnalysisJob) => {
  void runJob(job).then((result) => parentPort?.postMessage(result, result.ok ? packAnalysis(result.analysis) : []));
});
