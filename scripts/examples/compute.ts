// Example (N, D) sweep: six model sizes, each trained for six token budgets, with losses from Chinchilla-like
// coefficients (Besiroglu et al. 2024 replication values) and 1 % multiplicative noise; fixed seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normal, seededRandom } from '../../src/core/util/random';

const SEED = 2022;
export const TRUE_COEFFICIENTS = { E: 1.82, A: 478, B: 2143, alpha: 0.347, beta: 0.367 } as const;
const SIZES = [70e6, 160e6, 410e6, 1e9, 2.8e9, 7e9];
/** Tokens per parameter trained, around the compute-optimal ~20. */
const RATIOS = [2.5, 5, 10, 20, 40, 80];
const NOISE = 0.01;

export function computeRows(seed = SEED, noise = NOISE): string[] {
  const random = seededRandom(seed);
  const k = TRUE_COEFFICIENTS;
  const rows = ['params,tokens,flops,loss'];
  for (const n of SIZES)
    for (const r of RATIOS) {
      const d = r * n;
      const loss = (k.E + k.A / n ** k.alpha + k.B / d ** k.beta) * Math.exp(noise * normal(random));
      rows.push(`${n},${d},${(6 * n * d).toExponential(4)},${loss.toFixed(5)}`);
    }
  return rows;
}

/** Writes compute_sweep.csv into outDir; returns its path. */
export function generate(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'compute_sweep.csv');
  writeFileSync(path, `${computeRows().join('\n')}\n`);
  return [path];
}
