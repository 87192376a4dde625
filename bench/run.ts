// `npm run bench` (= npm run build && tsx bench/run.ts): every benchmark of issue 6 on generated workloads, each
// figure beside its peer measured in the same run, the budget, and whether it is met. Writes bench/results/latest.json.
//
//   tsx bench/run.ts            full run (~10 min on 2 cores; workloads generated once into bench/workloads/)
//   tsx bench/run.ts --quick    smoke run on tiny workloads (~30 s), e.g. from a test
//   --only=parse,lr,chinchilla,lsp,export,panel,mpl,tensorboard,runs,live,mlflow-live,folder-live,folder-poll,sweep,sizes,downstream   a subset
//
// Fairness: every parser runs in its own fresh process (so peak RSS is its own), timed around the parse only; the
// fits run bundled with esbuild (as the CLI and server ship), scipy in its own process, both timed around the fits
// only with the same starts, objective, gradient, scaling and stopping rule.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { ParseMode, ParseOutcome } from './parseChild';
import type { ExportOutcome } from './exportChild';
import type { LspOutcome } from './lspChild';
import { liveBench } from './live';
import { folderLiveBench, folderPollBench } from './folderLive';
import { mlflowLiveBench } from './mlflowLive';
import { panelBench } from './panel';
import { runsViewBench } from './runsView';
import { sweepBench } from './sweep';
import { sweepSizesBench } from './sweepSizes';
import { downstreamGroupBench } from './downstreamGroup';
import { BUILD_DIR, REPO_DIR, RESULTS_DIR } from './paths';
import { pythonPeer } from './python';
import { fmtMB, fmtMs, median, percentile, renderMarkdown, renderTable, type BenchRow } from './report';
import { lossLog, type Workload } from './workloads';
import { tensorboardBench } from './tensorboard';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const enabled = (name: string) => !only || only.includes(name);
const log = (s: string) => process.stderr.write(`${s}\n`);

const SIZES = quick
  ? { csvRows: 20_000, jsonlBytes: 1_000_000, lspRows: 20_000, hovers: 20, oursReps: 1 }
  : { csvRows: 4_000_000, jsonlBytes: 200_000_000, lspRows: 1_000_000, hovers: 200, oursReps: 3 };

function bundle(entry: string): string {
  const outfile = join(BUILD_DIR, entry.replace(/\.ts$/, '.js'));
  esbuild.buildSync({
    entryPoints: [join(__dirname, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const model = execFileSync('lscpu', { encoding: 'utf8' })
      .match(/Model name:\s*(.+)/)?.[1]
      ?.trim();
    if (model) cpu = model;
  } catch {
    // lscpu is optional
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((v) => Number(v.toFixed(2))),
  };
}

// ---------------------------------------------------------------------------------------------------- 1. parsing

function runParse(script: string, mode: ParseMode, file: string): ParseOutcome {
  // A generous heap so the peers that hold every row as an object can finish (papaparse needs ~3 GB for 250 MB).
  const run = spawnSync(process.execPath, ['--max-old-space-size=16384', script, mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`parse child ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as ParseOutcome;
}

function wcLines(file: string, reps: number): { ms: number; lines: number } | null {
  const times: number[] = [];
  let lines = 0;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const out = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (out.status !== 0) return null;
    lines = Number(out.stdout.trim().split(/\s+/)[0]);
    if (r > 0) times.push(ms); // the first call only warms the page cache
  }
  return { ms: Math.min(...times), lines };
}

function parseRows(script: string, w: Workload, format: 'csv' | 'jsonl'): BenchRow[] {
  const mb = w.bytes / 1e6;
  const label = `${format.toUpperCase()} ${mb.toFixed(0)} MB, ${(w.rows / 1e6).toFixed(w.rows >= 1e6 ? 1 : 3)}M rows x ${w.columns} numeric cols`;
  const wc = wcLines(w.path, 5);
  const baseline = runParse(script, 'baseline', w.path);
  log(`  ours (${SIZES.oursReps}x)`);
  const oursRuns = Array.from({ length: SIZES.oursReps }, () => runParse(script, 'ours', w.path));
  const oursMs = median(oursRuns.map((r) => r.ms));
  const oursRss = Math.max(...oursRuns.map((r) => r.maxRssMB));
  const mbps = (ms: number) => mb / (ms / 1000);
  const peers: ParseMode[] = format === 'csv' ? ['papaparse', 'csv-parse'] : ['json-lines'];
  const peerRuns = peers.map((mode) => {
    log(`  ${mode}`);
    return runParse(script, mode, w.path);
  });
  const checks = [...oursRuns, ...peerRuns].map((r) => ({ mode: r.mode, rows: r.rows, lossSum: r.lossSum }));
  const sameNumbers = checks.every((c) => c.rows === w.rows && Math.abs(c.lossSum / checks[0].lossSum - 1) < 1e-12);
  const rows: BenchRow[] = [];
  const data = {
    file: w.path,
    bytes: w.bytes,
    rows: w.rows,
    ours: oursRuns,
    peers: peerRuns,
    wc,
    baselineRssMB: baseline.maxRssMB,
    sameNumbers,
  };
  const peerNames: Record<string, string> = {
    papaparse: 'papaparse (dynamicTyping, whole file)',
    'csv-parse': 'csv-parse (stream, cast)',
    'json-lines': 'readline + JSON.parse',
  };
  peerRuns.forEach((p, i) => {
    const ratio = p.ms / oursMs;
    const isBudget = p.mode === 'papaparse';
    rows.push({
      group: 1,
      workload: `${label}: throughput vs ${peerNames[p.mode]}`,
      ours: `${mbps(oursMs).toFixed(0)} MB/s (${fmtMs(oursMs)})`,
      peer: `${mbps(p.ms).toFixed(1)} MB/s (${fmtMs(p.ms)})`,
      ratio: `${ratio.toFixed(1)}x faster`,
      budget: isBudget ? '>= 10x papaparse' : format === 'jsonl' ? '- (papaparse/csv-parse read no JSONL)' : '-',
      met: isBudget ? ratio >= 10 : null,
      data: i === 0 ? data : undefined,
    });
  });
  if (wc) {
    const times = oursMs / wc.ms;
    rows.push({
      group: 1,
      workload: `${label}: time vs wc -l (I/O floor, warm cache)`,
      ours: fmtMs(oursMs),
      peer: fmtMs(wc.ms),
      ratio: `${times.toFixed(0)}x wc's time`,
      budget: '<= 15x wc -l',
      met: times <= 15,
    });
  }
  const numericMB = w.numericBytes / 2 ** 20;
  const heaviest = peerRuns.reduce((a, b) => (b.maxRssMB > a.maxRssMB ? b : a));
  rows.push({
    group: 1,
    workload: `${label}: peak RSS (numeric columns ${fmtMB(numericMB)})`,
    ours: `${fmtMB(oursRss)} (${fmtMB(oursRss - baseline.maxRssMB)} over empty node)`,
    peer: `${fmtMB(heaviest.maxRssMB)} (${heaviest.mode})`,
    ratio: `${((oursRss - baseline.maxRssMB) / numericMB).toFixed(2)}x numeric size`,
    budget: `< 3x numeric (${fmtMB(3 * numericMB)})`,
    met: oursRss - baseline.maxRssMB < 3 * numericMB,
    note: sameNumbers ? undefined : 'WARNING: parsers disagree on rows or the loss checksum',
  });
  return rows;
}

function inspectRow(script: string, w: Workload): BenchRow {
  const r = runParse(script, 'ours-inspect', w.path);
  return {
    group: 1,
    workload: `CSV ${(w.bytes / 1e6).toFixed(0)} MB: the CLI's parse-only path (inspect: read + roles + curve extraction)`,
    ours: `${fmtMs(r.ms)}, ${fmtMB(r.maxRssMB)} peak`,
    peer: '',
    ratio: '',
    budget: '- (informational)',
    met: null,
    data: r as unknown as Record<string, unknown>,
  };
}

// ---------------------------------------------------------------------------------------------------- 2, 3, 6. fits

function fitRows(script: string, which: 'lr' | 'chinchilla' | 'mpl'): BenchRow[] {
  const run = spawnSync(process.execPath, [script, which, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`fits child ${which} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as BenchRow[];
}

// ---------------------------------------------------------------------------------------------------- 4. server

function lspRows(w: Workload): BenchRow[] {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'lspChild.ts'), w.path, String(SIZES.hovers)],
    { encoding: 'utf8', maxBuffer: 16 << 20, cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`language-server child failed (exit ${run.status})`);
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as LspOutcome;
  const label = `${r.rows.toLocaleString('en')}-row loss log (${(r.bytes / 1e6).toFixed(0)} MB)`;
  const p50 = percentile(r.hoverMs, 0.5);
  const p95 = percentile(r.hoverMs, 0.95);
  const data = { ...r, hoverP50: p50, hoverP95: p95 };
  return [
    {
      group: 4,
      workload: `Server, ${label}: open -> first CodeLens`,
      ours: fmtMs(r.firstLensMs),
      peer: '',
      ratio: '',
      budget: '< 3 s',
      met: r.firstLensMs < 3000 && r.lenses > 0,
      data,
      note: r.lensTitle,
    },
    {
      group: 4,
      workload: `Server, ${label}: open -> the fit's end (law auto's choice made; its lens replaces a provisional one)`,
      ours: fmtMs(r.finalLensMs),
      peer: '',
      ratio: '',
      budget: '- (informational)',
      met: null,
      note: r.finalLensTitle,
    },
    {
      group: 4,
      workload: `Server: hover on ${r.hoverMs.length} random rows after the fit`,
      ours: `p50 ${fmtMs(p50)}, p95 ${fmtMs(p95)}`,
      peer: '',
      ratio: '',
      budget: 'p95 < 20 ms',
      met: p95 < 20 && r.hoversAnswered === r.hoverMs.length,
    },
    {
      group: 4,
      workload:
        "Server: one-line edit (an incremental change, as VS Code sends it) -> refreshed CodeLens (re-fit); -> the re-fit's end",
      ours: `${fmtMs(r.refitMs)}; ${fmtMs(r.refitFinalMs)}`,
      peer: '',
      ratio: '',
      budget: '- (informational)',
      met: null,
    },
    {
      group: 4,
      workload: 'Server: peak memory (peak RSS of the server process, its analysis worker included)',
      ours: `${fmtMB(r.peakRssMB)} (idle server ${fmtMB(r.baselineRssMB)})`,
      peer: '',
      ratio: '',
      budget: '< 500 MB',
      met: r.peakRssMB < 500,
    },
    followedRow(r.followed),
  ];
}

/** Export Fit of a loss log fitted from disk: the server's peak RSS during the export, beside the CLI's `fit --json`. */
function exportRow(w: Workload): BenchRow {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'exportChild.ts'), w.path], {
    encoding: 'utf8',
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`export child failed (exit ${run.status})`);
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as ExportOutcome;
  const added = r.exportPeakRssMB - r.rssBeforeMB;
  return {
    group: 4,
    workload: `Server: Export Fit of a ${r.rows.toLocaleString('en')}-row \`step,lr,loss\` log fitted from disk (its ${(r.documentBytes / 1e6).toFixed(0)} MB document fetched page by page, as the client writes it): the server's peak RSS during the export`,
    ours: `${fmtMB(r.exportPeakRssMB)} (${fmtMB(r.rssBeforeMB)} before it: +${fmtMB(added)}); ${fmtMs(r.exportMs)}`,
    peer: `CLI \`fit --json\` of the file, whole process, fit included: ${fmtMB(r.cliPeakRssMB)}`,
    ratio: '',
    budget: '< 100 MB over the server before it',
    met: added < 100,
    data: { ...r },
  };
}

/** The same log fitted from disk and followed while it grows, listed in the Runs view, in a server of its own. */
function followedRow(f: LspOutcome['followed']): BenchRow {
  return {
    group: 4,
    workload: `Server: peak memory with the log fitted from disk, listed in the Runs view and followed while it grows (${f.refitMs.length} × ${f.appended} rows, each re-fitted warm)`,
    ours: `${fmtMB(f.peakRssMB)} (idle server ${fmtMB(f.baselineRssMB)}); first fit ${fmtMs(f.firstFitMs)}, append -> re-fit median ${fmtMs(median(f.refitMs))}; Runs view: ${f.listedWithOverview ? 'listed with the follower overview' : 'listed without an overview'}, ${f.runsUpdates} updates`,
    peer: '',
    ratio: '',
    budget: '< 500 MB',
    met: f.peakRssMB < 500 && f.listedWithOverview,
    data: { ...f },
  };
}

// ---------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const info = machine();
  log(
    `Scaling Lens benchmarks${quick ? ' (--quick)' : ''}: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}; load average ${info.loadAverageAtStart.join(' ')}`,
  );
  if (!existsSync(join(REPO_DIR, 'dist', 'analysisWorker.js'))) {
    log('building dist/ (the server runs its analysis in dist/analysisWorker.js)...');
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_DIR, stdio: 'inherit' });
  }
  const parseScript = bundle('parseChild.ts');
  const fitsScript = bundle('fitsChild.ts');
  const rows: BenchRow[] = [];
  const sections: { name: string; run: () => Promise<BenchRow[]> | BenchRow[] }[] = [
    {
      name: 'parse',
      run: () => {
        const csv = lossLog(quick ? 'quick-loss' : 'loss-4m', 'csv', SIZES.csvRows, { log });
        const jsonl = lossLog(quick ? 'quick-loss' : 'loss-200mb', 'jsonl', SIZES.csvRows, {
          maxBytes: SIZES.jsonlBytes,
          log,
        });
        log('1. parsing (CSV)');
        const out = parseRows(parseScript, csv, 'csv');
        out.push(inspectRow(parseScript, csv));
        log('1. parsing (JSONL)');
        out.push(...parseRows(parseScript, jsonl, 'jsonl'));
        return out;
      },
    },
    { name: 'lr', run: () => (log('2. LR-annealing fit'), fitRows(fitsScript, 'lr')) },
    { name: 'chinchilla', run: () => (log('3. Chinchilla fit + bootstrap'), fitRows(fitsScript, 'chinchilla')) },
    {
      name: 'lsp',
      run: () => {
        const w = lossLog(quick ? 'quick-lsp' : 'lsp-1m', 'csv', SIZES.lspRows, { columns: 4, log });
        log('4. language server');
        return lspRows(w);
      },
    },
    {
      name: 'export',
      run: () => {
        const w = lossLog(quick ? 'quick-export' : 'export-1m', 'csv', SIZES.lspRows, { columns: 3, log });
        log('4. language server: Export Fit');
        return [exportRow(w)];
      },
    },
    {
      name: 'panel',
      run: async () => {
        const w = lossLog(quick ? 'quick-lsp' : 'lsp-1m', 'csv', SIZES.lspRows, { columns: 4, log });
        log('5. chart panel');
        return [await panelBench({ file: w.path, rows: w.rows, quick, log })];
      },
    },
    { name: 'mpl', run: () => (log('6. multi-power law fit'), fitRows(fitsScript, 'mpl')) },
    {
      name: 'tensorboard',
      run: () => (log('7. TensorBoard event files'), tensorboardBench(bundle('tensorboardChild.ts'), { quick, log })),
    },
    { name: 'runs', run: () => runsViewBench({ quick, log }) },
    {
      name: 'live',
      run: () => {
        const w = lossLog(quick ? 'quick-lsp' : 'lsp-1m', 'csv', SIZES.lspRows, { columns: 4, log });
        log('9. live run');
        return liveBench(w, quick ? 2 : 5, bundle('liveChild.ts'), log);
      },
    },
    {
      name: 'mlflow-live',
      run: () => (
        log('9b. live MLflow run'),
        mlflowLiveBench(quick ? 20_000 : 1_000_000, 5, bundle('mlflowLiveChild.ts'), log)
      ),
    },
    {
      name: 'folder-live',
      run: () => (
        log('9c. live folder of runs'),
        folderLiveBench(20, quick ? 5_000 : 100_000, 5, bundle('folderLiveChild.ts'), log)
      ),
    },
    {
      name: 'folder-poll',
      run: () => (
        log('9d. folder poll'),
        folderPollBench(quick ? [20, 200] : [20, 2000], bundle('folderPollChild.ts'), log)
      ),
    },
    { name: 'sweep', run: () => sweepBench({ quick, log }) },
    { name: 'sizes', run: () => sweepSizesBench({ quick, log }) },
    { name: 'downstream', run: () => downstreamGroupBench({ quick, log }) },
  ];
  for (const section of sections) {
    if (!enabled(section.name)) continue;
    try {
      rows.push(...(await section.run()));
    } catch (error) {
      rows.push({
        group: 0,
        workload: `${section.name}: failed`,
        ours: (error as Error).message.split('\n')[0],
        peer: '',
        ratio: '',
        budget: '',
        met: false,
      });
    }
  }

  const python = pythonPeer();
  const notes = [
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, Node ${info.node}, ${python.ok ? python.version : `scipy peers skipped: ${python.reason}`}. Load average at start: ${info.loadAverageAtStart.join(' ')}${info.loadAverageAtStart[0] > info.cores ? ' (busy machine: timings are noisy)' : ''}.`,
    'Parsing: each parser in its own fresh node process, timed around the parse only; peak RSS = process maxRSS (an empty node process is subtracted for the budget); wc -l best of 5 after a warm-up (page cache warm for every parser).',
    'Fits: our code bundled with esbuild (as shipped); scipy.optimize.minimize(L-BFGS-B, jac=True) in python3 with single-threaded BLAS; same objective, analytic gradient, starts (ours, passed as JSON), per-start scaling, bounds and stopping rule; both sides do one untimed warm-up fit then the same number of timed fits (median shown); process start, imports and data loading excluded on both sides.',
    ...rows.filter((r) => r.note).map((r) => `${r.workload}: ${r.note}`),
  ];
  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const met = rows.filter((r) => r.met === true).length;
  const missed = rows.filter((r) => r.met === false).length;
  process.stdout.write(
    `\nbudgets met: ${met}, not met: ${missed}, informational/skipped: ${rows.length - met - missed}; total ${fmtMs(performance.now() - started)}\n`,
  );
  writeFileSync(
    join(RESULTS_DIR, quick ? 'quick.json' : 'latest.json'),
    JSON.stringify(
      { date: new Date().toISOString(), quick, machine: info, python, rows, notes, markdown: renderMarkdown(rows) },
      null,
      2,
    ),
  );
  process.stdout.write(`results written to ${join(RESULTS_DIR, quick ? 'quick.json' : 'latest.json')}\n`);
}

void main();
