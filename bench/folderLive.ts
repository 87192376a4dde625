// Workload 9c: a followed folder of runs. A folder of 20 CSV runs of 100,000 rows each is followed as `watch` and the
// language server follow it; 100 rows are appended to one run at a time and the figure is the update's read (the fit
// after it is the live row's). Its peer, in the same process, alternated: a whole read of the grown folder, which is
// what each update cost before each run of a folder had a tail of its own. Measured by folderLiveChild.ts, bundled.
import { liveReadRow, type BenchRow, type LiveReadOutcome } from './report';

/** An update reads one run's appended rows, so it must cost a small part of the folder's whole read. */
const BUDGET_RATIO = 20;

/** What the measuring child reports. */
export interface FolderLiveOutcome extends LiveReadOutcome {
  runs: number;
  /** Rows of the folder's tables after the last update. */
  rows: number;
}

/** `script`: folderLiveChild.ts bundled, run in a process of its own. */
export function folderLiveBench(
  runs: number,
  rows: number,
  rounds: number,
  script: string,
  log: (s: string) => void,
): BenchRow[] {
  return liveReadRow<FolderLiveOutcome>(
    script,
    [runs, rows, rounds],
    {
      label: '9c. folder live',
      workload: () =>
        `Live folder of ${runs} CSV runs x ${rows.toLocaleString('en')} rows followed, 100 rows appended to one run -> folder read again (median of ${rounds})`,
      peer: 'whole read of the folder',
      ratio: BUDGET_RATIO,
    },
    log,
  );
}
