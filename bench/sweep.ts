// Workload 10: a sweep's export of many short runs (one CSV with a run column: 200 runs of 20 loss rows, cosine,
// constant and WSD schedules) fitted by the command line under `--law auto`, the default, whole process. Its peer,
// measured in the same run on the same file: `--law lr-annealing`, one law without a backtest, a second bootstrap or
// spread weights. The figure is CPU time (the process's, every thread), not wall time: on 2 shared cores the wall
// time is mostly waiting. Auto fits, backtests and bootstraps both laws, so it costs a few times one law; the budget
// holds that multiple (3.9x before the replicate tables, the continued bootstrap, the shared schedules, the repeated
// points summed once and the twin runs' predictions copied; 2.2x after), so that work repeated per run (a table, a
// schedule, a sum or a prediction made per curve more often than needed) shows up as a ratio past it. The runs' 33 schedules (3 shapes x 11 lengths)
// are shared by several runs each, as in a sweep over anything but the LR. --quick runs each law once on the same 200 runs (about 8 s).
// A second row: the language server's thread after "Fit Scaling Law" on the same sweep, while it prepares the chart
// for Show Chart (ChartRequests.prepare, in slices between other requests): its longest block, against the model
// built in one piece (buildChart, as the server did), alternated in this process on the analysis as the server keeps
// it (packAnalysis: its long series typed). --quick measures each once, after its own analysis of the sweep (about
// 3 s more).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../src/core/analysis/analyse';
import type { Analysis, Series } from '../src/core/analysis/types';
import { buildChart } from '../src/core/chart/series';
import { ChartRequests } from '../src/server/chart';
import { packAnalysis } from '../src/server/transfer';
import { REPO_DIR } from './paths';
import { fmtMs, median, type BenchRow } from './report';
import { sweepLog, type Workload } from './workloads';

const GROUP = 10;
/** Auto's CPU time at most this many times the LR-annealing law's on the same sweep. */
const RATIO_BUDGET = 3;
/** Prints the process's CPU time (user + system, every thread, in µs) on stderr as it exits. */
/** The longest the server's thread may be held by the chart it prepares after a fit. */
const BLOCK_BUDGET_MS = 50;
export const CPU_AT_EXIT =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\ncpu-us "+JSON.stringify(process.cpuUsage())+"\\n"))';

interface Options {
  quick: boolean;
  log: (s: string) => void;
}

/** One `fit` of the sweep under a law: its CPU and wall time, and the law its JSON reports. */
interface SweepRun {
  cpuMs: number;
  wallMs: number;
  law: string;
  weights?: Record<string, number>;
}

export async function sweepBench(options: Options): Promise<BenchRow[]> {
  const runs = 200;
  const workload = `CLI \`fit\` of a sweep (${runs} runs x 20 loss rows, cosine/constant/WSD, one CSV), --law auto: CPU time, whole process`;
  const cli = join(REPO_DIR, 'dist', 'cli.js');
  if (!existsSync(cli)) return [skipped(workload, `${cli} not found: run node esbuild.mjs`)];
  const w = sweepLog(`sweep-${runs}x20`, runs, 20, options.log);
  const fit = (law: string): SweepRun => {
    const t0 = performance.now();
    const out = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, cli, 'fit', w.path, '--law', law, '--json'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const wallMs = performance.now() - t0;
    const cpu = out.stderr.match(/cpu-us (\{.*\})/)?.[1];
    if (out.status !== 0 || !cpu) throw new Error(`fit --law ${law} failed: exit ${out.status}, ${out.stderr.trim()}`);
    const { user, system } = JSON.parse(cpu) as { user: number; system: number };
    const report = JSON.parse(out.stdout) as {
      fits: { law: string; selection?: { weights?: Record<string, number> } }[];
    };
    return {
      cpuMs: (user + system) / 1000,
      wallMs,
      law: report.fits[0]?.law,
      weights: report.fits[0]?.selection?.weights,
    };
  };
  const reps = options.quick ? 1 : 3;
  options.log(`10. sweep: fit --law auto and --law lr-annealing x${reps}, alternated`);
  const auto: SweepRun[] = [];
  const single: SweepRun[] = [];
  for (let r = 0; r < reps; r++) {
    auto.push(fit('auto'));
    single.push(fit('lr-annealing'));
  }
  const [ours, peer] = [auto, single].map((runs) => median(runs.map((x) => x.cpuMs)));
  const ratio = ours / peer;
  const mean = auto[0].weights ? ` (a mean of both laws, weights ${JSON.stringify(auto[0].weights)})` : '';
  const prebuild = await prebuildRow(w, runs, reps, options.log);
  return [
    {
      group: GROUP,
      workload,
      ours: `${fmtMs(ours)} CPU (wall ${fmtMs(median(auto.map((x) => x.wallMs)))})`,
      peer: `--law lr-annealing ${fmtMs(peer)} CPU (wall ${fmtMs(median(single.map((x) => x.wallMs)))})`,
      ratio: `${ratio.toFixed(2)}x the LR-annealing law's CPU`,
      budget: `<= ${RATIO_BUDGET}x --law lr-annealing`,
      met: ratio <= RATIO_BUDGET,
      data: { file: w.path, runs, auto, single },
      note: `auto fitted ${auto[0].law}${mean}; CPU medians of ${reps}`,
    },
    prebuild,
  ];
}

/** The server's longest block while it prepares the sweep's chart in slices, against one piece; medians of `reps`. */
async function prebuildRow(w: Workload, runs: number, reps: number, log: (s: string) => void): Promise<BenchRow> {
  log(`10. sweep: the chart prepared after a fit, in slices and in one piece x${reps}, alternated`);
  const analysis = await analyseFiles([w.path], {});
  packAnalysis(analysis);
  const sliced: { longestMs: number; wallMs: number }[] = [];
  const whole: number[] = [];
  for (let r = 0; r < reps; r++) {
    sliced.push(await slicedPrebuild(analysis));
    const t0 = performance.now();
    buildChart(analysis);
    whole.push(performance.now() - t0);
  }
  const [ours, peer] = [median(sliced.map((x) => x.longestMs)), median(whole)];
  return {
    group: GROUP,
    workload: `Language server after "Fit Scaling Law" on the same sweep (${runs} runs): longest block of its thread while it prepares the chart for Show Chart`,
    ours: `${fmtMs(ours)} (slices; ${fmtMs(median(sliced.map((x) => x.wallMs)))} in all)`,
    peer: `the chart in one piece ${fmtMs(peer)}`,
    ratio: `${(peer / ours).toFixed(0)}x shorter`,
    budget: `< ${BLOCK_BUDGET_MS} ms`,
    met: ours < BLOCK_BUDGET_MS,
    data: { sliced, whole },
    note: `medians of ${reps}, in this process (the analysis as the server keeps it)`,
  };
}

/** One prebuild as the server runs it, and the longest gap between turns of the event loop meanwhile. */
async function slicedPrebuild(analysis: Analysis<Series>): Promise<{ longestMs: number; wallMs: number }> {
  const started = performance.now();
  let running = true;
  const done = new ChartRequests(async () => analysis).prepare(() => analysis).then(() => (running = false));
  let [last, longestMs] = [started, 0];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      longestMs = Math.max(longestMs, now - last);
      last = now;
      if (running) setImmediate(tick);
      else resolve();
    };
    setImmediate(tick);
  });
  await done;
  return { longestMs, wallMs: performance.now() - started };
}

function skipped(workload: string, note: string): BenchRow {
  return { group: GROUP, workload, ours: 'skipped', peer: '', ratio: '', budget: '', met: null, note };
}
