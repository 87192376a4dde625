// Workload 7: the Runs view over 1,000 run folders. The figure is the time from "Refresh Runs" in a real VS Code host
// (code-server, scripts/vscode-host) until every run is listed with its prediction, and the longest the extension
// host's event loop was held up meanwhile. The peer is the same 1,000 overviews computed one after another in this
// process by the core (src/core/analysis/runOverview.ts): what the server's two workers divide between them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { runExtensionTests } from '../scripts/vscode-host/host.mjs';
import { overviewOfRun } from '../src/core/analysis/runOverview';
import { BUILD_DIR, REPO_DIR } from './paths';
import { fmtMs, type BenchRow } from './report';
import { makeScratch, removeScratch } from '../test/helpers/scratch';

const BUDGET_MS = 10_000;
const BLOCK_BUDGET_MS = 50;

/** A run of `rows` logged steps under a cosine schedule of its own length and peak, from the LR-annealing law. */
function runLog(seed: number, rows: number): string {
  const peak = 1e-4 * (1 + (seed % 7));
  const total = rows * 10;
  const lines = ['step,lr,loss'];
  let s1 = 0;
  let momentum = 0;
  let s2 = 0;
  let previous = peak;
  for (let step = 1; step <= total; step++) {
    const lr = peak * (0.55 + 0.45 * Math.cos((Math.PI * step) / total));
    s1 += lr;
    momentum = 0.999 * momentum + (previous - lr);
    s2 += momentum;
    previous = lr;
    if (step % 10 === 0) {
      const noise = 0.002 * Math.sin(step * 12.9898 + seed);
      lines.push(`${step},${lr.toPrecision(6)},${(2.5 + 0.1 * Math.pow(s1, -0.5) - 0.5 * s2 + noise).toFixed(5)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function runsViewBench(options: { quick: boolean; log: (s: string) => void }): Promise<BenchRow[]> {
  const count = options.quick ? 50 : 1000;
  const workspace = makeScratch('scaling-lens-runs-bench-');
  try {
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const folder = join(workspace, `sweep-${Math.floor(i / 100)}`, `run-${String(i).padStart(4, '0')}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'log.csv'), runLog(i, 200));
      paths.push(join(folder, 'log.csv'));
    }
    options.log(`8. Runs view: ${count} run folders`);
    const peerStarted = performance.now();
    for (const [i, path] of paths.entries()) await overviewOfRun(path, `run-${i}`, {});
    const peerMs = performance.now() - peerStarted;
    const suite = join(BUILD_DIR, 'runsHostSuite.js');
    esbuild.buildSync({
      entryPoints: [join(REPO_DIR, 'bench', 'runsHostSuite.ts')],
      outfile: suite,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'warning',
    });
    const host = await runExtensionTests({
      workspace,
      extensionDevelopmentPath: REPO_DIR,
      extensionTestsPath: suite,
      env: { SCALING_LENS_BENCH_RUNS: String(count) },
      timeoutMs: 400_000,
    });
    const r = host.resultsJson as
      | {
          allMs: number;
          listedMs: number;
          runs: number;
          withPrediction: number;
          worstGapMs: number;
          maxDelayMs: number;
        }
      | undefined;
    if (!r || typeof r.allMs !== 'number') throw new Error(`the in-host part reported nothing: ${host.testOutput}`);
    const complete = r.runs === count && r.withPrediction === count;
    return [
      {
        group: 8,
        workload: `Runs view: ${count} run folders listed with predictions`,
        ours: fmtMs(r.allMs),
        peer: fmtMs(peerMs),
        ratio: `${(peerMs / r.allMs).toFixed(1)}x faster than one thread`,
        budget: `< ${fmtMs(BUDGET_MS)}`,
        met: options.quick ? null : complete && r.allMs < BUDGET_MS,
        data: { ...r, peerMs, count },
        note: complete ? `listed in ${fmtMs(r.listedMs)}` : `only ${r.withPrediction} of ${count} with a prediction`,
      },
      {
        group: 8,
        workload: 'Runs view: longest extension-host block meanwhile',
        ours: fmtMs(Math.max(r.worstGapMs, r.maxDelayMs)),
        peer: '',
        ratio: '',
        budget: `< ${BLOCK_BUDGET_MS} ms`,
        met: options.quick ? null : Math.max(r.worstGapMs, r.maxDelayMs) < BLOCK_BUDGET_MS,
        data: { worstGapMs: r.worstGapMs, maxDelayMs: r.maxDelayMs },
      },
    ];
  } finally {
    removeScratch(workspace);
  }
}
