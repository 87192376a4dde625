// In-host part of the Runs view benchmark (bench/runsView.ts): inside a real VS Code extension host, lists every run
// of the workspace through the Runs view and measures how long until each has its prediction, and how long the
// extension host's event loop was ever held up meanwhile (a 5 ms timer's lateness, the host's own thread).
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { RunEntry } from '../src/shared/runs';

export async function run(): Promise<void> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'scaling-lens');
  if (!ext) throw new Error('the extension is not installed in this host');
  const api = (ext.isActive ? ext.exports : await ext.activate()) as { runs: () => RunEntry[] };
  const expected = Number(process.env.SCALING_LENS_BENCH_RUNS ?? '0');
  const monitor = monitorEventLoopDelay({ resolution: 5 });
  let worstGapMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGapMs = Math.max(worstGapMs, now - last - 5);
    last = now;
  }, 5);
  monitor.enable();
  const started = performance.now();
  await vscode.commands.executeCommand('scalingLens.runs.refresh');
  const listedMs = performance.now() - started;
  let done = 0;
  for (;;) {
    const runs = api.runs();
    done = runs.filter((r) => r.overview !== undefined).length;
    if (runs.length >= expected && done >= expected) break;
    if (performance.now() - started > 300_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const allMs = performance.now() - started;
  clearInterval(ticker);
  monitor.disable();
  const withPrediction = api.runs().filter((r) => r.overview?.prediction).length;
  const out = process.env.SCALING_LENS_TEST_RESULTS;
  if (out)
    writeFileSync(
      out,
      JSON.stringify({
        listedMs,
        allMs,
        runs: api.runs().length,
        done,
        withPrediction,
        worstGapMs,
        maxDelayMs: monitor.max / 1e6,
        p99DelayMs: monitor.percentile(99) / 1e6,
      }),
    );
}
