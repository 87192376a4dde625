// The measuring side of workload 9 (live.ts): `node liveChild.js <log> <rounds>`, bundled as shipped (the command
// line's `watch` and the language server run bundled code), prints a LiveOutcome as JSON on its last line.
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../src/core/analysis/analyse';
import { followRuns, type LiveUpdate } from '../src/core/live/follower';
import { SCRATCH_DIR } from './paths';
import { fmtMs } from './report';
import { APPENDED_ROWS, type LiveOutcome } from './live';

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

async function measureLive(source: string, rounds: number, log: (s: string) => void): Promise<LiveOutcome> {
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const path = join(SCRATCH_DIR, 'live.csv');
  const { at, lines } = lastLines(source, rounds * APPENDED_ROWS);
  // The log without its last rounds x 100 rows: those are the rows the run writes while it is followed.
  rmSync(path, { force: true });
  copyPrefix(source, path, at);

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

  return { latencies, cpuMs, parts, coldMs, coldCpuMs, rows: grownRows, firstMs: first.readMs + first.fitMs };
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

const [source, rounds] = process.argv.slice(2);
measureLive(source, Number(rounds), (line) => process.stderr.write(`${line}\n`)).then(
  (outcome) => process.stdout.write(`${JSON.stringify(outcome)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
