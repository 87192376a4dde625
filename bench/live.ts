// Workload 8: a followed run. A 1,000,000-row loss log is followed (src/core/live: fs.watch, a tail read of the new
// bytes, the fit warm-started from the last one, as `scaling-lens watch` does); 100 rows are appended at a time and
// the figure is the time from the write to the new analysis in hand. Its peer, measured in the same run: a cold
// analysis of the whole grown file (read and fit from scratch, as `scaling-lens fit` does). Same options both sides
// (the defaults: law auto, 200 bootstrap refits). The CPU time of each update is reported beside its wall time: on a
// shared, loaded machine the wall time is mostly waiting for a core.
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../src/core/analysis/analyse';
import { followRuns, type LiveUpdate } from '../src/core/live/follower';
import { SCRATCH_DIR } from './paths';
import { fmtMs, median, type BenchRow } from './report';
import type { Workload } from './workloads';

const BUDGET_MS = 300;
const APPENDED_ROWS = 100;
/** Quiet time between appends: past the follower's one-update-per-second pacing, so no append waits for it. */
const GAP_MS = 1200;

/** The last `rows` lines of a file and the byte where they start (the log is followed from there minus them). */
function lastLines(path: string, rows: number): { at: number; lines: string[] } {
  const size = statSync(path).size;
  const length = Math.min(size, 200 * rows * (APPENDED_ROWS + 1));
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  readSync(fd, buf, 0, length, size - length);
  closeSync(fd);
  const text = buf.toString('utf8');
  const lines = text.slice(0, -1).split('\n').slice(-rows);
  const tailBytes = Buffer.byteLength(`${lines.join('\n')}\n`);
  return { at: size - tailBytes, lines };
}

export async function liveBench(w: Workload, rounds: number, log: (s: string) => void): Promise<BenchRow[]> {
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const path = join(SCRATCH_DIR, 'live.csv');
  const { at, lines } = lastLines(w.path, rounds * APPENDED_ROWS);
  // The log without its last rounds x 100 rows: those are the rows the run writes while it is followed.
  rmSync(path, { force: true });
  copyPrefix(w.path, path, at);

  let waiting: ((update: LiveUpdate) => void) | null = null;
  const updates: LiveUpdate[] = [];
  const following = await followRuns(
    [path],
    {},
    (update) => {
      updates.push(update);
      waiting?.(update);
    },
    (error) => log(`live: update failed: ${String(error)}`),
  );
  const next = () => new Promise<LiveUpdate>((resolve) => (waiting = resolve));
  const first = updates[0] ?? (await next());
  log(`9. live: first analysis of ${first.inputs[0].rows} rows (cold) in ${fmtMs(first.readMs + first.fitMs)}`);
  const latencies: number[] = [];
  /** CPU time of this process from the write to the analysis in hand: the update's own work, whatever the load. */
  const cpuMs: number[] = [];
  const parts: { readMs: number; fitMs: number; start: string }[] = [];
  for (let round = 0; round < rounds; round++) {
    await new Promise((r) => setTimeout(r, GAP_MS));
    const rows = lines.slice(round * APPENDED_ROWS, (round + 1) * APPENDED_ROWS);
    const update = next();
    const cpu = process.cpuUsage();
    const written = performance.now();
    appendFileSync(path, `${rows.join('\n')}\n`);
    const got = await update;
    latencies.push(performance.now() - written);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    parts.push({ readMs: got.readMs, fitMs: got.fitMs, start: got.start });
  }
  following.stop();
  const grownRows = updates[updates.length - 1].inputs[0].rows;

  const coldCpu = process.cpuUsage();
  const coldStarted = performance.now();
  await analyseFiles([path]);
  const coldMs = performance.now() - coldStarted;
  const coldUsed = process.cpuUsage(coldCpu);
  const coldCpuMs = (coldUsed.user + coldUsed.system) / 1000;
  rmSync(path, { force: true });

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
      data: { latencies, cpuMs, parts, coldMs, coldCpuMs, rows: grownRows, firstMs: first.readMs + first.fitMs },
      note: `per update: tail read ${fmtMs(median(parts.map((p) => p.readMs)))}, analysis ${fmtMs(median(parts.map((p) => p.fitMs)))} (${parts.map((p) => p.start).join(', ')} starts); worst ${fmtMs(Math.max(...latencies))}; CPU time per update ${fmtMs(median(cpuMs))} (cold re-fit ${fmtMs(coldCpuMs)})`,
    },
  ];
}

/** Copies the first `bytes` bytes of a file. */
function copyPrefix(from: string, to: string, bytes: number): void {
  const source = openSync(from, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  appendFileSync(to, '');
  for (let at = 0; at < bytes;) {
    const n = readSync(source, buf, 0, Math.min(buf.length, bytes - at), at);
    if (n === 0) break;
    appendFileSync(to, buf.subarray(0, n));
    at += n;
  }
  closeSync(source);
}
