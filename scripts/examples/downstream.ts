// Example downstream sweep (Isik et al. 2024 style): BLEU and cross-entropy versus pretraining tokens D_p for three
// (mix, D_f) groups, with realistic run-to-run noise and a fixed seed so the file is identical on every run:
//  - aligned-en-de, D_f=42M: BLEU follows (ln(A*D_p^alpha))^beta and CE follows E + A/D_p^alpha;
//  - misaligned-en-fr, D_f=42M: BLEU follows the law for four points, then falls while CE keeps improving;
//  - aligned-en-de, D_f=1200M: so much fine-tuning data that pretraining barely helps (with a not-pretrained row).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normal, seededRandom } from '../../src/core/util/random';

const SEED = 20240206;
/** D_p grid: 0.5B .. 64B tokens, doubling. */
const DP = Array.from({ length: 8 }, (_, k) => 0.5e9 * 2 ** k);

/** BLEU law in natural log: (a + alpha*ln D_p)^beta. */
const bleuAt = (dp: number, a: number, alpha: number, beta: number) => Math.pow(a + alpha * Math.log(dp), beta);
const ceAt = (dp: number, e: number, amp: number, alpha: number) => e + amp * Math.pow(dp / 1e9, -alpha);

/** "12B", "0.5B": the suffixed style users write (one suffix per column, so units never look mixed). */
function suffixed(dp: number): string {
  return `${Number((dp / 1e9).toPrecision(4))}B`;
}

export function downstreamRows(seed = SEED): string[] {
  const random = seededRandom(seed);
  const noisy = (v: number, sd: number) => v + sd * normal(random);
  const rows = ['mix,D_f,D_p,bleu,ce'];
  const fmt = (v: number, digits: number) => v.toFixed(digits);
  // Aligned: BLEU 20 -> ~35, CE 2.5 -> 1.95.
  for (const dp of DP) rows.push(`aligned-en-de,42M,${suffixed(dp)},${fmt(noisy(bleuAt(dp, -6.39, 0.687, 1.5), 0.25), 2)},${fmt(noisy(ceAt(dp, 1.8, 0.55, 0.35), 0.004), 4)}`);
  // Misaligned: the law for four points, then BLEU falls while CE still improves (plain token counts here).
  const shortfall = [0, 0, 0, 0, 3, 5.5, 8, 10.5];
  DP.forEach((dp, k) =>
    rows.push(`misaligned-en-fr,42M,${dp},${fmt(noisy(bleuAt(dp, -6.0, 0.62, 1.5) - shortfall[k], 0.25), 2)},${fmt(noisy(ceAt(dp, 1.9, 0.6, 0.3), 0.004), 4)}`),
  );
  // Large D_f: a not-pretrained baseline (D_p = 0), then BLEU within noise of it; CE improves only slightly.
  rows.push(`aligned-en-de,1200M,0,${fmt(38.4, 2)},${fmt(1.62, 4)}`);
  for (const dp of DP.slice(0, 6)) rows.push(`aligned-en-de,1200M,${suffixed(dp)},${fmt(noisy(38.5 + 0.05 * Math.log2(dp / 0.5e9), 0.2), 2)},${fmt(noisy(ceAt(dp, 1.55, 0.06, 0.3), 0.002), 4)}`);
  return rows;
}

/** Writes downstream_sweep.csv into outDir; returns its path. */
export function generate(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'downstream_sweep.csv');
  writeFileSync(path, `${downstreamRows().join('\n')}\n`);
  return [path];
}
