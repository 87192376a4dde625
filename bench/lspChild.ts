// Workload 4 (`node --import tsx bench/lspChild.ts <file> <hovers> [follow]`): the bundled language server (dist/server.js)
// in its own process over stdio, as VS Code runs it (its analysis in a worker thread of that process), driven by the
// test client of test/helpers/lsp.ts on a loss log opened as an editor document. Prints one JSON line. Memory is
// the server process's peak RSS (VmHWM from /proc, worker thread included), read at the end. Then a second server
// process follows the same log while it grows (see followGrowing), and its own peak RSS is read.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnTestServer } from '../test/helpers/lsp';
import { seededRandom } from '../src/core/util/random';
import { FitFileRequest, type FitSummary } from '../src/shared/protocol';
import { RunsRequest, RunsUpdatedNotification } from '../src/shared/runs';
import { SCRATCH_DIR } from './paths';

export interface LspOutcome {
  rows: number;
  bytes: number;
  /** Open to the first lens (under law auto on a long log, the provisional one). */
  firstLensMs: number;
  lenses: number;
  lensTitle: string;
  /** Open to the fit's end (auto's choice in hand: the summary is done), and the lens then. */
  finalLensMs: number;
  finalLensTitle: string;
  hoverMs: number[];
  hoversAnswered: number;
  /** The edit to its first lens (provisional on a long log), and to the re-fit's end with the lens then. */
  refitMs: number;
  refitLensTitle: string;
  refitFinalMs: number;
  refitFinalLensTitle: string;
  baselineRssMB: number;
  peakRssMB: number;
  rssAfterMB: number;
  followed: FollowOutcome;
}

/** The same log followed while it grows, in a server process of its own. */
export interface FollowOutcome {
  /** Rows when it was first fitted, and appended per round. */
  rows: number;
  appended: number;
  /** Fit from disk (cold), as the client asks for a file over 50 MB it cannot open as a document. */
  firstFitMs: number;
  /** Whether the Runs view listed the run with the follower's overview at once (no fit of its own). */
  listedWithOverview: boolean;
  /** Per round: from the append to the re-fit's summary (the disk poll, a tail read and a warm fit). */
  refitMs: number[];
  /** Runs view updates the client got for the run, unasked, and the last step in the last one. */
  runsUpdates: number;
  lastStepShown: number;
  baselineRssMB: number;
  peakRssMB: number;
}

const FOLLOW_ROUNDS = 5;
const FOLLOW_ROWS = 100;
/** Between appends: past the server's one re-fit per second, so no append waits for the last. */
const FOLLOW_GAP_MS = 1200;

/** The server process's resident memory now and at its peak (Linux /proc: VmRSS, VmHWM), in bytes. */
function serverMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Offset of the start of 0-based line `n`. */
function nthLineStart(text: string, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = text.indexOf('\n', at) + 1;
  return at;
}

/** The newest summary the server sent for `uri` that is not `than` and has finished, polled. */
async function nextDone(client: Awaited<ReturnType<typeof spawnTestServer>>, uri: string, than?: FitSummary) {
  for (;;) {
    const newest = await client.status(uri, () => true);
    if (newest !== than && newest.state !== 'fitting') return newest;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The log, without its last rounds' rows, copied to a folder of its own: fitted from disk (followed there), listed in
 * the Runs view (which takes the follower's overview), then grown 100 rows at a time, each re-fitted warm.
 */
async function followGrowing(text: string): Promise<FollowOutcome> {
  const folder = join(SCRATCH_DIR, 'lsp-follow');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'run.csv');
  let cut = text.length - 1;
  for (let i = 0; i < FOLLOW_ROUNDS * FOLLOW_ROWS; i++) cut = text.lastIndexOf('\n', cut - 1);
  const later = text
    .slice(cut + 1)
    .split('\n')
    .slice(0, -1);
  writeFileSync(path, text.slice(0, cut + 1));
  const uri = pathToFileURL(path).toString();

  const client = await spawnTestServer();
  const baselineRss = serverMemory(client.pid).rss;
  let runsUpdates = 0;
  let lastStepShown = 0;
  client.rpc.onNotification(RunsUpdatedNotification, ({ runs }) => {
    for (const run of runs.filter((r) => r.uri === uri)) {
      runsUpdates++;
      lastStepShown = run.overview?.lastStep ?? lastStepShown;
    }
  });
  const t0 = performance.now();
  await client.rpc.sendRequest(FitFileRequest, { uri });
  const firstFitMs = performance.now() - t0;
  const listed = await client.rpc.sendRequest(RunsRequest, { roots: [pathToFileURL(folder).toString()] });
  let last = await nextDone(client, uri);
  const refitMs: number[] = [];
  for (let round = 0; round < FOLLOW_ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, FOLLOW_GAP_MS));
    const written = performance.now();
    appendFileSync(path, `${later.slice(round * FOLLOW_ROWS, (round + 1) * FOLLOW_ROWS).join('\n')}\n`);
    last = await nextDone(client, uri, last);
    refitMs.push(performance.now() - written);
  }
  await new Promise((r) => setTimeout(r, 500)); // the Runs view's last update (sent within 250 ms)
  const memory = serverMemory(client.pid);
  client.dispose();
  rmSync(folder, { recursive: true, force: true });
  return {
    rows: (text.slice(0, cut + 1).match(/\n/g)?.length ?? 1) - 1,
    appended: FOLLOW_ROWS,
    firstFitMs,
    listedWithOverview: listed.runs.some((r) => r.uri === uri && r.overview !== undefined),
    refitMs,
    runsUpdates,
    lastStepShown,
    baselineRssMB: baselineRss / 2 ** 20,
    peakRssMB: memory.peak / 2 ** 20,
  };
}

async function main(): Promise<void> {
  const [file, hoverArg, only] = process.argv.slice(2);
  const hovers = Number(hoverArg ?? 200);
  const text = readFileSync(file, 'utf8');
  // `follow` as third argument: the followed case alone (measured apart on a busy machine).
  if (only === 'follow') {
    process.stdout.write(`${JSON.stringify(await followGrowing(text))}\n`);
    setTimeout(() => process.exit(0), 100);
    return;
  }
  const rows = (text.match(/\n/g)?.length ?? 1) - 1;
  const uri = pathToFileURL(file).toString();

  const client = await spawnTestServer();
  const baselineRss = serverMemory(client.pid).rss;
  // Open: time until the first lens request answers with lenses (the request waits for the analysis in flight).
  const t0 = performance.now();
  await client.open(uri, text);
  let lenses = await client.lenses(uri);
  while (lenses.length === 0 && performance.now() - t0 < 120_000) {
    await new Promise((r) => setTimeout(r, 10));
    lenses = await client.lenses(uri);
  }
  const firstLensMs = performance.now() - t0;
  // The fit's end: the summary done (the first one for this document), then the lens as it is then.
  await nextDone(client, uri);
  const finalLensMs = performance.now() - t0;
  const finalLenses = await client.lenses(uri);

  // Hovers on random data rows (0-based editor lines 1..rows; line 0 is the header), one at a time.
  const random = seededRandom(99);
  const hoverMs: number[] = [];
  let answered = 0;
  for (let h = 0; h < hovers; h++) {
    const line = 1 + Math.floor(random() * rows);
    const t = performance.now();
    const hover = await client.hover(uri, line, 2);
    hoverMs.push(performance.now() - t);
    if (hover) answered++;
  }

  // One-line edit (a loss value in the middle of the file), sent as VS Code sends it to a server that syncs
  // incrementally: the changed line's range and its new text. Time until the lenses reflect the new version.
  const mid = Math.floor(rows / 2);
  const lineStart = nthLineStart(text, mid);
  const line = text.slice(lineStart, text.indexOf('\n', lineStart));
  const cells = line.split(',');
  cells[2] = (Number(cells[2]) * 1.01).toFixed(4);
  const before = await client.status(uri, () => true);
  const t1 = performance.now();
  await client.change(uri, cells.join(','), 2, {
    start: { line: mid, character: 0 },
    end: { line: mid, character: line.length },
  });
  const refitLenses = await client.lenses(uri);
  const refitMs = performance.now() - t1;
  await nextDone(client, uri, before);
  const refitFinalMs = performance.now() - t1;
  const refitFinalLenses = await client.lenses(uri);

  const memory = serverMemory(client.pid);
  client.dispose();
  const followed = await followGrowing(text);
  const outcome: LspOutcome = {
    rows,
    bytes: Buffer.byteLength(text),
    firstLensMs,
    lenses: lenses.length,
    lensTitle: lenses[0]?.command?.title ?? '',
    finalLensMs,
    finalLensTitle: finalLenses[0]?.command?.title ?? '',
    hoverMs,
    hoversAnswered: answered,
    refitMs,
    refitLensTitle: refitLenses[0]?.command?.title ?? '',
    refitFinalMs,
    refitFinalLensTitle: refitFinalLenses[0]?.command?.title ?? '',
    baselineRssMB: baselineRss / 2 ** 20,
    peakRssMB: memory.peak / 2 ** 20,
    rssAfterMB: memory.rss / 2 ** 20,
    followed,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  setTimeout(() => process.exit(0), 100);
}

void main();
