// Synthetic loss logs of the model-size law (exactly its loss, or with seeded noise) for models of 25M, 100M and
// 400M parameters under three schedules: the model-size law's analysis and chart tests share them.
import { analyseTables } from '../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../src/core/analysis/options';
import { denormaliseSized } from '../../src/core/laws/lrAnnealingSize';
import { lrAreas } from '../../src/core/laws/schedule';
import { parseText } from '../../src/core/table';
import { seededRandom } from '../../src/core/util/random';

export const PEAK = 3e-4;
/** Raw-unit truth: L0, A, alpha, B, beta, C, gamma (N in parameters, LR as logged). */
export const TRUE = denormaliseSized([2.0, 1.2, 0.5, 0.6, 0.35, 4e-4, 0.2], PEAK, 4e8);

export type Kind = 'constant' | 'cosine' | 'wsd';

function lrOf(kind: Kind, s: number): number {
  if (kind === 'constant') return PEAK;
  if (kind === 'cosine') return 0.1 * PEAK + 0.45 * PEAK * (1 + Math.cos((Math.PI * s) / 10000));
  return s < 8000 ? PEAK : PEAK * (1 - (s - 8000) / 2000) * 0.9 + 0.1 * PEAK;
}

/**
 * A log of one schedule for a model of N parameters, its loss exactly the law's; `params`: write N as a column;
 * `noise`: relative noise of each loss, from a seeded draw.
 */
export function log(kind: Kind, n: number, params: boolean, noise = 0) {
  const random = seededRandom(n);
  const steps = Array.from({ length: 100 }, (_, k) => (k + 1) * 100);
  const schedule = { steps: Float64Array.from(steps), lr: Float64Array.from(steps, (s) => lrOf(kind, s)) };
  const { s1, s2 } = lrAreas(schedule, steps, { lambda: 0.999, warmup: 'peak' });
  const rows = steps.map((s, i) => {
    const loss =
      TRUE.L0 +
      TRUE.A * Math.pow(s1[i], -TRUE.alpha) +
      TRUE.B * Math.pow(n, -TRUE.beta) -
      TRUE.C * s2[i] * Math.pow(n, TRUE.gamma);
    return `${s},${schedule.lr[i]},${loss * (1 + noise * (random() - 0.5))}${params ? `,${n}` : ''}`;
  });
  return `step,lr,loss${params ? ',params' : ''}\n${rows.join('\n')}\n`;
}

export const SIZES: Record<string, number> = { m25: 25e6, m100: 1e8, m400: 4e8 };

/** One file per (size folder, schedule): `m25/cosine.csv`. */
export function analyse(
  folders: string[],
  options: Partial<AnalysisOptions> = {},
  params = true,
  kinds: Kind[] = ['constant', 'cosine', 'wsd'],
  noise = 0,
) {
  const tables = folders.flatMap((folder) =>
    kinds.map((kind) => {
      const name = `/runs/${folder}/${kind}.csv`;
      return parseText(log(kind, SIZES[folder], params, noise), { fileName: name, displayName: name });
    }),
  );
  return analyseTables(tables, { law: 'lr-annealing-size', bootstrapSamples: 0, lambda: 0.999, ...options });
}
