// Worker-thread entry of the Runs view: fits each run it is sent, alone, and posts each overview as it finishes.
import { parentPort } from 'node:worker_threads';
import { overviewOfRun } from '../core/analysis/runOverview';
import type { RunsWork } from './runs';

parentPort?.once('message', (work: RunsWork) => {
  void (async () => {
    for (const [index, run] of work.runs.entries()) {
      const overview = await overviewOfRun(run.path, run.name, work.options, work.read).catch((error: unknown) => ({
        path: run.path,
        rows: 0,
        warnings: 0,
        errors: 1,
        problem: String(error),
      }));
      parentPort?.postMessage({ index, overview });
    }
    parentPort?.postMessage('done');
  })();
});
