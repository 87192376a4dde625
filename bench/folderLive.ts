// Workload 9c: a followed folder of runs. A folder of 20 CSV runs of 100,000 rows each is followed as `watch` and the
// language server follow it; 100 rows are appended to one run at a time and the figure is the update's read (the fit
// after it is the live row's). Its peer, in the same process, alternated: a whole read of the grown folder, which is
// what each update cost before each run of a folder had a tail of its own. Measured by folderLiveChild.ts, bundled.
import { spawnSync } from 'node:child_process';
import { fmtMs, liveReadRow, median, type BenchRow, type LiveReadOutcome } from './report';

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

/** What the folder poll child reports (folderPollChild.ts). */
export interface FolderPollOutcome {
  runs: number;
  sweepEvery: number;
  /** Polls with nothing changed, the runs to look at told by fs.watch (a periodic sweep among them). */
  pollMs: number[];
  /** The same polls sweeping the folder each time, as every poll did before. */
  sweepMs: number[];
  /** An update after one run grew, told, and swept. */
  grownMs: number;
  grownSweptMs: number;
}

/** A poll when nothing changed costs at most this share of a sweep of the folder (the median of the polls). */
const POLL_BUDGET = 0.05;

/**
 * Workload 9d: the cost of a poll of a followed folder of `runs` runs when nothing changed, told by fs.watch, against
 * a sweep of the folder (every entry stamped, every run's tail updated), which every poll was before; measured at 20
 * and 2,000 runs (`script`: folderPollChild.ts bundled, a process per count).
 */
export function folderPollBench(counts: readonly number[], script: string, log: (s: string) => void): BenchRow[] {
  return counts.map((runs) => {
    const run = spawnSync(process.execPath, [script, String(runs)], { encoding: 'utf8' });
    for (const line of run.stderr.split('\n').filter(Boolean)) log(line);
    if (run.status !== 0) throw new Error(`9d. folder poll child failed (status ${run.status})`);
    const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!) as FolderPollOutcome;
    const [ours, peer] = [median(outcome.pollMs), median(outcome.sweepMs)];
    log(`9d. folder poll, ${runs} runs: ${fmtMs(ours)} against a sweep ${fmtMs(peer)}`);
    return {
      group: 9,
      workload: `Poll of a followed folder of ${runs.toLocaleString('en')} CSV runs with nothing changed (median of ${outcome.pollMs.length}, alternated; a sweep every ${outcome.sweepEvery} polls as the safety net)`,
      ours: `${fmtMs(ours)} (mean ${fmtMs(mean(outcome.pollMs))}, the sweeps included); one run grown: ${fmtMs(outcome.grownMs)}`,
      peer: `a sweep of the folder at every poll, as before: ${fmtMs(peer)}; one run grown: ${fmtMs(outcome.grownSweptMs)}`,
      ratio: `${(ours / peer).toFixed(3)}x the time`,
      budget: `<= ${POLL_BUDGET}x a sweep`,
      met: ours <= POLL_BUDGET * peer,
      data: { ...outcome },
    };
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
