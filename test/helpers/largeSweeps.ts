// Large synthetic sweeps of every law family the CLI fits besides the loss-curve laws, as CSV text: an (N, D)
// compute sweep, a power-law sweep over one x, downstream BLEU and CE groups, and loss curves of many model sizes
// fitted by the power law. Each follows its law with seeded lognormal noise, so a fit's answer is known; the
// scaling bench (bench/sweepSizes.ts) times `fit` on them and test/unit/compute/largeSweep.test.ts checks answers.
import { normal, seededRandom } from '../../src/core/util/random';

export type SweepFamily = 'compute' | 'power' | 'downstream' | 'sizes';

export const SWEEP_FAMILIES: readonly SweepFamily[] = ['compute', 'power', 'downstream', 'sizes'];

/** Hoffmann et al.'s fitted law (Chinchilla, approach 3), the truth of the compute sweep. */
export const CHINCHILLA_TRUTH = { A: 406.4, B: 410.7, E: 1.69, alpha: 0.34, beta: 0.28 };
/** The truth of the power-law sweeps: L(x) = E + A·(x / 1e6)^(-alpha). */
export const POWER_TRUTH = { E: 2, A: 3, alpha: 0.3 };

/** The CLI options that fit each family (the rest default: bootstrap 200 included). */
export const FAMILY_ARGS: Record<SweepFamily, string[]> = {
  compute: [],
  power: ['--law', 'power', '--power-x', 'tokens'],
  downstream: [],
  sizes: ['--law', 'power'],
};

/** What a family's file holds, for a bench's or test's label. */
export const FAMILY_LABELS: Record<SweepFamily, string> = {
  compute: '(N, D) compute sweep, Chinchilla law',
  power: 'power law over one x (tokens)',
  downstream: 'downstream BLEU and CE, 4 groups',
  sizes: 'loss curves of 100 model sizes, power law per size',
};

/** Evenly spread u in (0, 1) for row i of n, jittered by the seeded stream so rows are not a grid. */
function spread(i: number, n: number, random: () => number): number {
  return (i + 0.25 + 0.5 * random()) / n;
}

/** A family's sweep of `rows` data rows as CSV text (header first), 1 % lognormal noise, seeded. */
export function largeSweep(family: SweepFamily, rows: number, seed = 1): string {
  const random = seededRandom(seed);
  const noisy = (v: number, sd = 0.01) => v * Math.exp(sd * normal(random));
  const out: string[] = [];
  if (family === 'compute') {
    // N over 1e7..1e10 and D over 1e8..1e12, both log-uniform and independent: every size at many token counts.
    out.push('params,tokens,loss');
    const t = CHINCHILLA_TRUTH;
    for (let i = 0; i < rows; i++) {
      const n = 10 ** (7 + 3 * random());
      const d = 10 ** (8 + 4 * spread(i, rows, random));
      const loss = t.E + t.A / n ** t.alpha + t.B / d ** t.beta;
      out.push(`${n.toPrecision(6)},${d.toPrecision(6)},${noisy(loss).toFixed(6)}`);
    }
  } else if (family === 'power') {
    out.push('tokens,loss');
    for (let i = 0; i < rows; i++) {
      const x = 1e6 * 10 ** (4 * spread(i, rows, random));
      out.push(`${x.toPrecision(8)},${noisy(powerAt(x)).toFixed(6)}`);
    }
  } else if (family === 'downstream') {
    // Two mixes x two fine-tuning sizes, each group a dense D_p sweep (a checkpoint every few million tokens).
    out.push('mix,D_f,D_p,bleu,ce');
    const groups = [
      ['aligned', '42M'],
      ['aligned', '420M'],
      ['general', '42M'],
      ['general', '420M'],
    ];
    for (let i = 0; i < rows; i++) {
      const g = i % groups.length;
      const dp = 5e8 * 10 ** (2 * spread(Math.floor(i / groups.length), Math.ceil(rows / groups.length), random));
      const bleu = (3.2 + 0.12 * (g + 1) * Math.log(dp / 5e8)) ** 1.5;
      const ce = 1.8 + 0.55 * (dp / 1e9) ** -(0.3 + 0.02 * g);
      out.push(
        `${groups[g].join(',')},${dp.toPrecision(8)},${(bleu + 0.1 * normal(random)).toFixed(3)},${noisy(ce, 0.002).toFixed(5)}`,
      );
    }
  } else {
    // 100 model sizes, each a loss curve over its own steps (no run column: the size tells the curves apart).
    out.push('step,params,loss');
    const sizes = 100;
    const perSize = Math.ceil(rows / sizes);
    for (let i = 0; i < rows; i++) {
      const s = Math.floor(i / perSize);
      const step = 10 * ((i % perSize) + 1);
      const n = Math.round(1e7 * 10 ** (3 * (s / sizes)));
      const loss = 1.8 + 300 / n ** 0.3 + 3 * (step / 10) ** -0.3;
      out.push(`${step},${n},${noisy(loss).toFixed(6)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The power-law truth at x. */
export function powerAt(x: number): number {
  return POWER_TRUTH.E + POWER_TRUTH.A * (x / 1e6) ** -POWER_TRUTH.alpha;
}
