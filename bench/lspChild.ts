// Workload 4 (`node --import tsx bench/lspChild.ts <file> <hovers>`): the bundled language server (dist/server.js)
// in its own process over stdio, as VS Code runs it (its analysis in a worker thread of that process), driven by the
// test client of test/helpers/lsp.ts on a loss log opened as an editor document. Prints one JSON line. Memory is
// the server process's peak RSS (VmHWM from /proc, worker thread included), read at the end.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { spawnTestServer } from '../test/helpers/lsp';
import { seededRandom } from '../src/core/util/random';

export interface LspOutcome {
  rows: number;
  bytes: number;
  firstLensMs: number;
  lenses: number;
  lensTitle: string;
  hoverMs: number[];
  hoversAnswered: number;
  refitMs: number;
  refitLensTitle: string;
  baselineRssMB: number;
  peakRssMB: number;
  rssAfterMB: number;
}

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

async function main(): Promise<void> {
  const [file, hoverArg] = process.argv.slice(2);
  const hovers = Number(hoverArg ?? 200);
  const text = readFileSync(file, 'utf8');
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
  const t1 = performance.now();
  await client.change(uri, cells.join(','), 2, {
    start: { line: mid, character: 0 },
    end: { line: mid, character: line.length },
  });
  const refitLenses = await client.lenses(uri);
  const refitMs = performance.now() - t1;

  const memory = serverMemory(client.pid);
  client.dispose();
  const outcome: LspOutcome = {
    rows,
    bytes: Buffer.byteLength(text),
    firstLensMs,
    lenses: lenses.length,
    lensTitle: lenses[0]?.command?.title ?? '',
    hoverMs,
    hoversAnswered: answered,
    refitMs,
    refitLensTitle: refitLenses[0]?.command?.title ?? '',
    baselineRssMB: baselineRss / 2 ** 20,
    peakRssMB: memory.peak / 2 ** 20,
    rssAfterMB: memory.rss / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  setTimeout(() => process.exit(0), 100);
}

void main();
