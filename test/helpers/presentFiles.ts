// Small run files written once per test process and the helpers the presentation tests (test/server/lenses,
// hovers, diagnostics and present tests) read them with: a loss curve, two runs, a downstream sweep with a law break,
// a Chinchilla sweep and a ragged file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover } from 'vscode-languageserver';
import { analyseFiles } from '../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../src/core/analysis/options';
import type { Analysis } from '../../src/core/analysis/types';
import { scratchDir } from './scratch';

export const dir = scratchDir('scaling-lens-present-');

/** Writes a small run file and returns its path (the name its findings and curves carry). */
export function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A file's analysis, without bootstrap bands unless asked (the titles then carry no interval). */
export const analyse = (path: string, options: Partial<AnalysisOptions> = {}): Promise<Analysis> =>
  analyseFiles([path], { bootstrapSamples: 0, ...options });

export const lossAt = (step: number, amplitude = 4) => (2.5 + amplitude * Math.pow(step, -0.45)).toFixed(5);
export const steps = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) * 100);

export const LOSS = file('run.csv', ['step,lr,loss', ...steps(40).map((s) => `${s},0.0003,${lossAt(s)}`)]);
export const RUNS = file('runs.csv', [
  'run,step,lr,loss',
  ...steps(30).map((s) => `a,${s},0.0003,${lossAt(s)}`),
  ...steps(30).map((s) => `b,${s},0.0006,${lossAt(s, 3)}`),
]);

// Downstream: one group on the BLEU law, one that follows it for four points and then falls (a law break).
export const DP = Array.from({ length: 8 }, (_, k) => 0.5e9 * 2 ** k);
export const bleuAt = (dp: number, a: number, alpha: number) => Math.pow(a + alpha * Math.log(dp), 1.5);
export const ceAt = (dp: number, e: number, amp: number, alpha: number) => e + amp * Math.pow(dp / 1e9, -alpha);
export const SHORTFALL = [0, 0, 0, 0, 3, 5.5, 8, 10.5];
export const DOWNSTREAM = file('sweep.csv', [
  'mix,D_f,D_p,bleu,ce',
  ...DP.map((dp) => `aligned,42M,${dp},${bleuAt(dp, -6.39, 0.687).toFixed(2)},${ceAt(dp, 1.8, 0.55, 0.35).toFixed(4)}`),
  ...DP.map(
    (dp, k) =>
      `misaligned,42M,${dp},${(bleuAt(dp, -6, 0.62) - SHORTFALL[k]).toFixed(2)},${ceAt(dp, 1.9, 0.6, 0.3).toFixed(4)}`,
  ),
]);

// (N, D) sweep on a Chinchilla surface.
export const COMPUTE = file('compute.csv', [
  'params,tokens,flops,loss',
  ...[7e7, 1.6e8, 4e8, 1e9].flatMap((n) =>
    [2e9, 5e9, 1.2e10, 3e10].map(
      (d) => `${n},${d},${6 * n * d},${(1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28)).toFixed(5)}`,
    ),
  ),
]);

export const RAGGED = file('ragged.csv', [
  'step,lr,loss',
  '1,1e-3,4',
  '2,1e-3',
  '3,1e-3,3.5,9',
  '4,1e-3,3.4',
  '5,1e-3,3.3',
  '6,1e-3,3.2',
]);

export const uriOf = (path: string) => pathToFileURL(path).toString();
export const lines = (path: string) => readFileSync(path, 'utf8').split('\n');
export const titles = (lenses: CodeLens[]) => lenses.map((l) => l.command!.title);
export const markdown = (hover: Hover | null) => {
  assert.ok(hover, 'a hover');
  const contents = hover.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
};
export const noText = () => undefined;
