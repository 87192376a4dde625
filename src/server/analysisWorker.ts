// Worker-thread entry: runs one AnalysisJob and posts the JobResult back.
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type AnalysisJob } from './job';

runJob(workerData as AnalysisJob).then((result) => parentPort?.postMessage(result));
