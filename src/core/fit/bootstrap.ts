// Bootstrap refits behind every uncertainty band and interval. How a replicate is drawn (rows resampled, residual
// blocks resampled) is the caller's choice; refitting and collecting parameter sets is shared here.
import type { Law } from '../laws/law';
import { seededRandom, quantile, type Random } from '../util/random';
import { fitRobust, refineRobust, type RobustFit } from './robust';

export interface Replicate<Data> {
  data: Data;
  observed: Float64Array;
}

export interface BootstrapOptions<Data = unknown> {
  samples: number;
  seed: number;
  delta: number;
  /** Extra starting points tried on each replicate beside the point fit (keep few: this runs `samples` times). */
  extraStarts?: Float64Array[];
  /**
   * Starting points computed from each replicate (the law's own start grid), tried beside the point fit: along a flat
   * valley a refit started at the fit stops by it, so the refits agree only because they start there (bands.ts).
   */
  startsOf?: (data: Data, observed: Float64Array) => Float64Array[];
  maxIterations?: number;
  /**
   * Refit each replicate by damped Gauss-Newton from each start instead of quasi-Newton: a replicate's optimum lies
   * close to the point fit, where Gauss-Newton needs a handful of evaluations (a third of L-BFGS's passes on a
   * 2,000-point power-law replicate, the same optimum to the solver's tolerance).
   */
  gaussNewton?: boolean;
}

/** Refits the law on `samples` replicates, each warm-started at the point estimate; returns the parameter sets. */
export function bootstrapParams<Data>(
  law: Law<Data>,
  pointEstimate: Float64Array,
  draw: (random: Random) => Replicate<Data> | null,
  options: BootstrapOptions<Data>,
): Float64Array[] {
  return bootstrapStream(law, pointEstimate, draw, options)(options.samples);
}

/**
 * bootstrapParams as a stream: the parameter sets of the first `samples` replicates, drawn and refitted in order
 * from one seeded generator, so asking for more continues where the last call stopped. The first n of any count are
 * the sets of a count of n (each replicate's draw follows the ones before it, its refit depends on nothing else): a
 * law asked for a few refits (a mean's spread weights) and then more (its band) refits only the ones it lacks.
 */
export function bootstrapStream<Data>(
  law: Law<Data>,
  pointEstimate: Float64Array,
  draw: (random: Random) => Replicate<Data> | null,
  options: Omit<BootstrapOptions<Data>, 'samples'>,
): (samples: number) => Float64Array[] {
  const random = seededRandom(options.seed);
  // Replicate b's refit, null when it drew nothing or its refit failed (it takes its draws all the same).
  const refits: (Float64Array | null)[] = [];
  return (samples) => {
    while (refits.length < samples) refits.push(refit(law, pointEstimate, draw(random), options));
    return refits.slice(0, samples).filter((p): p is Float64Array => p !== null);
  };
}

/** One replicate's refit from the point estimate (bootstrapParams' options), or null. */
function refit<Data>(
  law: Law<Data>,
  pointEstimate: Float64Array,
  replicate: Replicate<Data> | null,
  options: Omit<BootstrapOptions<Data>, 'samples'>,
): Float64Array | null {
  if (!replicate) return null;
  const starts = [
    pointEstimate,
    ...(options.extraStarts ?? []),
    ...(options.startsOf?.(replicate.data, replicate.observed) ?? []),
  ];
  if (!options.gaussNewton)
    return (
      fitRobust(law, replicate.data, replicate.observed, {
        delta: options.delta,
        starts,
        maxIterations: options.maxIterations ?? 500,
      })?.params ?? null
    );
  // Each start refined by Gauss-Newton (L-BFGS finishing where it stalls); the lowest objective wins, as in fitRobust.
  let best: RobustFit | null = null;
  for (const start of starts) {
    const fit = refineRobust(law, replicate.data, replicate.observed, start, {
      delta: options.delta,
      maxIterations: options.maxIterations,
    });
    if (fit && Number.isFinite(fit.objective) && (!best || fit.objective < best.objective)) best = fit;
  }
  return best ? best.params : null;
}

/**
 * `count` indices of 0..n-1 drawn with replacement: n of them is case resampling; fewer, an m-out-of-n bootstrap,
 * whose refits spread sqrt(n/m) times wider than n rows' would (see narrowedSpread).
 */
export function resampleIndices(n: number, random: Random, count = n): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * n);
  return out;
}

/**
 * Refits of an m-out-of-n case bootstrap brought to the spread of n rows: each set's departure from the estimate
 * times sqrt(m/n). A coefficient's spread goes as 1/sqrt(rows), so refits on m resampled rows (a fixed cost) stand
 * for refits on all n (a cost that grows with the sweep) once narrowed; each set stays between its refit and the
 * estimate, so within the law's bounds. Sets of m = n are returned as they are.
 */
export function narrowedSpread(estimate: Float64Array, sets: Float64Array[], m: number, n: number): Float64Array[] {
  if (m >= n) return sets;
  const factor = Math.sqrt(m / n);
  return sets.map((set) => set.map((v, j) => estimate[j] + factor * (v - estimate[j])));
}

/**
 * The 95 % percentile interval of each coefficient over bootstrap refits, shown next to its estimate, widened to hold
 * the estimate when the refits fall on one side of it, as the bands are (bands.ts): a skewed bootstrap distribution
 * (a misspecified law's refits drift one way: the model-size law's gamma on the public split), a coefficient at its
 * bound, refits of a thinned or compressed form of the data centred a little off the fit (the multi-power law's). The
 * widened end is the estimate itself; an interval that left it out would be wrong to a reader. Empty with fewer than
 * two refits.
 */
export function bootstrapIntervals<T extends { [K in keyof T]: number }>(
  estimate: T,
  sets: readonly T[],
  level = 0.95,
): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  if (sets.length < 2) return out;
  const tail = (1 - level) / 2;
  for (const name of Object.keys(estimate) as (keyof T & string)[]) {
    const value = estimate[name];
    const values = Float64Array.from(sets, (s) => s[name]).sort();
    out[name] = [Math.min(quantile(values, tail), value), Math.max(quantile(values, 1 - tail), value)];
  }
  return out;
}
