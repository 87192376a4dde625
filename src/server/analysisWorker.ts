// Worker-thread entry: runs one AnalysisJob and posts the JobResult back.
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type AnalysisJob } from './job';
import { packAnalysis } from './transfer';

runJob(workerData as AnalysisJob).then((result) => parentPort?.postMessage(result, result.ok ? packAnalysis(result.analysis) : []));
