// Workload 9b: a followed MLflow run folder. A run of 1,000,000 steps (`metrics/loss` and `metrics/lr`, one
// `timestamp value step` line each) is followed as `watch` and the language server follow it; 100 lines are appended
// to each metric file at a time and the figure is the update's read (the fit after it is the live row's). Its peer, in
// the same process, alternated: a whole read of the grown run, which is what each update cost before metric files
// were read from where their last read ended (1.5-2.1 s). Measured by mlflowLiveChild.ts, bundled as shipped.
import { liveReadRow, type BenchRow, type LiveReadOutcome } from './report';

/** An update reads what was appended and appends its points to the run's table: a small part of a whole read. */
const BUDGET_RATIO = 10;

/** What the measuring child reports. */
export interface MlflowLiveOutcome extends LiveReadOutcome {
  steps: number;
  /** Rows of the run's table after the last update. */
  rows: number;
}

/** `script`: mlflowLiveChild.ts bundled, run in a process of its own. */
export function mlflowLiveBench(steps: number, rounds: number, script: string, log: (s: string) => void): BenchRow[] {
  return liveReadRow<MlflowLiveOutcome>(
    script,
    [steps, rounds],
    {
      label: '9b. MLflow live',
      workload: () =>
        `Live MLflow run: ${steps.toLocaleString('en')} steps followed, 100 lines appended to each metric file -> run read again (median of ${rounds})`,
      peer: 'whole read of the run',
      ratio: BUDGET_RATIO,
    },
    log,
  );
}
