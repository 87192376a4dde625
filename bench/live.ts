// Workload 9: a followed run. A 1,000,000-row loss log is followed (src/core/live: fs.watch, a tail read of the new
// bytes, the fit warm-started from the last one, as `scaling-lens watch` does); 100 rows are appended at a time and
// the figure is the time from the write to the new analysis in hand. Its peer, measured in the same run: a cold
// analysis of the whole grown file (read and fit from scratch, as `scaling-lens fit` does). Same options both sides
// (the defaults: law auto, 200 bootstrap refits). The CPU time of each update is reported beside its wall time: on a
// shared, loaded machine the wall time is mostly waiting for a core. Measured by liveChild.ts in a process of its own,
// bundled as the command line and the language server ship (as the fits are).
import { spawnSync } from 'node:child_process';
import { fmtMs, median, type BenchRow } from './report';
import type { Workload } from './workloads';

const BUDGET_MS = 300;
export const APPENDED_ROWS = 100;

/** What the measuring child (liveChild.ts) reports. */
export interface LiveOutcome {
  /** From each append to its analysis in hand. */
  latencies: number[];
  /** CPU time of the process over each of them. */
  cpuMs: number[];
  parts: { readMs: number; fitMs: number; start: string }[];
  /** The peer: a cold analysis of the whole grown file. */
  coldMs: number;
  coldCpuMs: number;
  rows: number;
  firstMs: number;
}

/** `script`: liveChild.ts bundled, run in a process of its own. */
export function liveBench(w: Workload, rounds: number, script: string, log: (s: string) => void): BenchRow[] {
  const run = spawnSync(process.execPath, [script, w.path, String(rounds)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  for (const line of run.stderr.split('\n').filter(Boolean)) log(line);
  if (run.status !== 0) throw new Error(`live child failed (status ${run.status})`);
  const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!) as LiveOutcome;
  const { latencies, cpuMs, parts, coldMs, coldCpuMs, rows: grownRows } = outcome;
  const ours = median(latencies);
  const label = `${grownRows.toLocaleString('en')}-row log`;
  return [
    {
      group: 9,
      workload: `Live: ${label} followed, ${APPENDED_ROWS} rows appended -> new analysis (median of ${rounds})`,
      ours: fmtMs(ours),
      peer: `cold re-fit of the whole file ${fmtMs(coldMs)}`,
      ratio: `${(coldMs / ours).toFixed(1)}x faster`,
      budget: `< ${BUDGET_MS} ms`,
      met: ours < BUDGET_MS,
      data: { ...outcome },
      note: `per update: tail read ${fmtMs(median(parts.map((p) => p.readMs)))}, analysis ${fmtMs(median(parts.map((p) => p.fitMs)))} (${parts.map((p) => p.start).join(', ')} starts); worst ${fmtMs(Math.max(...latencies))}; CPU time per update ${fmtMs(median(cpuMs))} (cold re-fit ${fmtMs(coldCpuMs)})`,
    },
  ];
}
