// Synthetic loss logs of the model-size law (exactly its loss, or with seeded noise) for models of 25M, 100M and
// 400M parameters under three schedules: the model-size law's analysis and chart tests share them.
import { analyseTables } from '../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../src/core/analysis/options';
import { DropSchedule, exactLossDrop } from '../../src/core/laws/lossDrop';
import { denormaliseSized } from '../../src/core/laws/lrAnnealingSize';
import { lrAreas } from '../../src/core/laws/schedule';
import { parseText } from '../../src/core/table';
import { seededRandom } from '../../src/core/util/random';

export const PEAK = 3e-4;
/** Raw-unit truth: L0, A, alpha, B, beta, C, gamma (N in parameters, LR as logged). */
export const TRUE = denormaliseSized([2.0, 1.2, 0.5, 0.6, 0.35, 4e-4, 0.2], PEAK, 4e8);

/**
 * Truth of the multi-power law with size, in the units the log is written in (LR / PEAK, area / 1e4, n = N / 400M):
 * L0, a, alpha, b, ln c, beta, gamma, e, eps, zeta.
 */
export const MPL_TRUE = [2.0, 0.6, 0.5, 0.3, Math.log(1e-3), 0.5, 0.5, 0.3, 0.3, 0.15];

/** Which law's loss a synthetic log follows. */
export type Truth = 'lr-annealing-size' | 'mpl-size';

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
export function log(kind: Kind, n: number, params: boolean, noise = 0, truth: Truth = 'lr-annealing-size') {
  const random = seededRandom(n);
  const steps = Array.from({ length: 100 }, (_, k) => (k + 1) * 100);
  const schedule = { steps: Float64Array.from(steps), lr: Float64Array.from(steps, (s) => lrOf(kind, s)) };
  const losses = truth === 'mpl-size' ? mplSizeLoss(schedule, steps, n) : tissueSizeLoss(schedule, steps, n);
  const rows = steps.map((s, i) => {
    const loss = losses[i];
    return `${s},${schedule.lr[i]},${loss * (1 + noise * (random() - 0.5))}${params ? `,${n}` : ''}`;
  });
  return `step,lr,loss${params ? ',params' : ''}\n${rows.join('\n')}\n`;
}

function tissueSizeLoss(schedule: { steps: Float64Array; lr: Float64Array }, steps: number[], n: number): number[] {
  const { s1, s2 } = lrAreas(schedule, steps, { lambda: 0.999, warmup: 'peak' });
  return steps.map(
    (_, i) =>
      TRUE.L0 +
      TRUE.A * Math.pow(s1[i], -TRUE.alpha) +
      TRUE.B * Math.pow(n, -TRUE.beta) -
      TRUE.C * s2[i] * Math.pow(n, TRUE.gamma),
  );
}

function mplSizeLoss(schedule: { steps: Float64Array; lr: Float64Array }, steps: number[], n: number): number[] {
  const [l0, a, alpha, b, logC, beta, gamma, e, eps, zeta] = MPL_TRUE;
  const ds = new DropSchedule(schedule, { etaRef: PEAK, convention: 'paper' });
  const drop = exactLossDrop(ds, steps, logC, beta, gamma);
  const relative = n / 4e8;
  return steps.map(
    (s, i) =>
      l0 +
      a * Math.pow(ds.area(s) / 1e4, -alpha) +
      e * Math.pow(relative, -eps) -
      b * Math.pow(relative, zeta) * drop[i],
  );
}

export const SIZES: Record<string, number> = { m25: 25e6, m100: 1e8, m400: 4e8 };

/** One file per (size folder, schedule): `m25/cosine.csv`. */
export function analyse(
  folders: string[],
  options: Partial<AnalysisOptions> = {},
  params = true,
  kinds: Kind[] = ['constant', 'cosine', 'wsd'],
  noise = 0,
  truth: Truth = 'lr-annealing-size',
) {
  const tables = folders.flatMap((folder) =>
    kinds.map((kind) => {
      const name = `/runs/${folder}/${kind}.csv`;
      return parseText(log(kind, SIZES[folder], params, noise, truth), { fileName: name, displayName: name });
    }),
  );
  return analyseTables(tables, { law: 'lr-annealing-size', bootstrapSamples: 0, lambda: 0.999, ...options });
}
