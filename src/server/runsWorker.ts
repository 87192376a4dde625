// Worker-thread entry of the Runs view: fits each run it is sent, alone, and posts its overview; the runs come one at
// a time (runs.ts keeps the queue, so a refresh can reorder it without stopping this worker's fit).
import { parentPort } from 'node:worker_threads';
import { overviewOfRun } from '../core/analysis/runOverview';
import type { RunsTask } from './runs';

let queue = Promise.resolve();
parentPort?.on('message', (task: RunsTask) => {
  queue = queue.then(async () => {
    const overview = await overviewOfRun(task.path, task.name, task.options, task.read).catch((error: unknown) => ({
      path: task.path,
      rows: 0,
      warnings: 0,
      errors: 1,
      problem: String(error),
    }));
    parentPort?.postMessage(overview);
  });
});
