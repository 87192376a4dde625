// Workload 9b: a followed MLflow run folder. A run of 1,000,000 steps (`metrics/loss` and `metrics/lr`, one
// `timestamp value step` line each) is followed as `watch` and the language server follow it; 100 lines are appended
// to each metric file at a time and the figure is the update's read (the fit after it is the live row's). Its peer, in
// the same process, alternated: a whole read of the grown run, which is what each update cost before metric files
// were read from where their last read ended (1.5-2.1 s). Measured by mlflowLiveChild.ts, bundled as shipped.
import { spawnSync } from 'node:child_process';
import { fmtMs, median, type BenchRow } from './report';

/**
 * An update reads what was appended, so it must cost a small part of a whole read (what remains is the run's table
 * built again from the points kept: about 70 ms of it at 1,000,000 steps, profiled).
 */
const BUDGET_RATIO = 10;

/** What the measuring child reports. */
export interface MlflowLiveOutcome {
  steps: number;
  /** Rows of the run's table after the last update. */
  rows: number;
  firstMs: number;
  /** Each update's read, after 100 lines were appended to each metric file. */
  updateMs: number[];
  /** The peer: a whole read of the grown run, after each update. */
  wholeMs: number[];
}

/** `script`: mlflowLiveChild.ts bundled, run in a process of its own. */
export function mlflowLiveBench(steps: number, rounds: number, script: string, log: (s: string) => void): BenchRow[] {
  const run = spawnSync(process.execPath, [script, String(steps), String(rounds)], { encoding: 'utf8' });
  for (const line of run.stderr.split('\n').filter(Boolean)) log(line);
  if (run.status !== 0) throw new Error(`mlflow live child failed (status ${run.status})`);
  const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!) as MlflowLiveOutcome;
  const [ours, whole] = [median(outcome.updateMs), median(outcome.wholeMs)];
  log(`9b. MLflow live: update ${fmtMs(ours)}, whole read ${fmtMs(whole)}, first read ${fmtMs(outcome.firstMs)}`);
  return [
    {
      group: 9,
      workload: `Live MLflow run: ${steps.toLocaleString('en')} steps followed, 100 lines appended to each metric file -> run read again (median of ${rounds})`,
      ours: fmtMs(ours),
      peer: `whole read of the run ${fmtMs(whole)}`,
      ratio: `${(whole / ours).toFixed(1)}x faster`,
      budget: `>= ${BUDGET_RATIO}x faster than the whole read`,
      met: whole / ours >= BUDGET_RATIO,
      data: { ...outcome },
      note: `updates ${outcome.updateMs.map(fmtMs).join(', ')}; whole reads ${outcome.wholeMs.map(fmtMs).join(', ')}; first read ${fmtMs(outcome.firstMs)}`,
    },
  ];
}
