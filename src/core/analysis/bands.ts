// The band method every single-x sweep law shares (power law, downstream BLEU and CE): a residual bootstrap on log
// residuals, so a band or an interval is computed one way wherever it is shown.
import { bootstrapIntervals, bootstrapParams, type Replicate } from '../fit/bootstrap';
import { pickData, sliceData, type RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import { pick, thinIndices } from '../util/arrays';
import { quantile, type Random } from '../util/random';
import type { LawId } from './types';

export const BAND_METHOD =
  'residual bootstrap: refits on the fitted predictions times resampled log residuals (inflated by sqrt(n/(n-p))), 95 % percentile band of the fitted law (parameter uncertainty; no extra noise)';

/**
 * The laws whose band is this file's, or the compute law's case bootstrap: where the fitted law lies (its coefficients'
 * uncertainty), not where a run's loss falls (no noise added, unlike the loss-curve laws' bands). A run scatters about
 * the law by its noise, so such a band holds far fewer than 95 % of the runs: on the public Chinchilla sweep the
 * compute law's band holds 31 % of the 240 fitted runs and 30 % of them held out ten at a time, where the fit with
 * its residuals' 2.5-97.5 % quantiles holds 95 % (test/unit/compute/bandCoverage.test.ts prints them).
 */
export const LAW_ONLY_BANDS: ReadonlySet<LawId> = new Set(['chinchilla', 'power', 'bleu', 'downstream-ce']);

/** A point prediction with its 95 % band at each point (NaN band ends without bootstrap sets). */
export interface BandedPrediction {
  value: number[];
  low: number[];
  high: number[];
}

/**
 * Points the refits of a bootstrap work on at most. A sweep of tens of points refits them all; a group of 200,000
 * (a hostile file) would take minutes, 200 refits over every point, so its refits run on this many evenly spaced
 * points, their resampled residuals scaled by sqrt(m/n): a parameter's spread goes as sigma/sqrt(points), so m
 * points with sigma·sqrt(m/n) spread as n points with sigma do.
 */
export const BOOTSTRAP_POINTS = 2000;

/**
 * Residual-bootstrap replicates on log residuals: y*_i = pred_i * exp(s * r_J), J drawn with replacement,
 * s = sqrt(n / (n - p)) undoing the shrinkage of in-sample residuals. Rows stay put, so even 4-point groups keep
 * distinct D_p in every replicate (a case bootstrap would often draw fewer distinct points than parameters).
 * Over BOOTSTRAP_POINTS points, the replicates are of evenly spaced points with the residuals scaled down to match.
 * Returns null when n <= p: the fit is exact and the residuals say nothing about the noise.
 */
export function logResidualDraw<Data extends object>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  params: Float64Array,
): ((random: Random) => Replicate<Data> | null) | null {
  const n = observed.length;
  const p = law.parameterNames.length;
  if (n <= p) return null;
  const pred = new Float64Array(n);
  law.predict(params, data, pred);
  const residuals = Float64Array.from(observed, (y, i) => Math.log(y) - Math.log(pred[i]));
  const kept = thinIndices(n, BOOTSTRAP_POINTS);
  const m = kept.length;
  const scale = Math.sqrt(n / (n - p)) * Math.sqrt(m / n);
  const points = m < n ? pickData(data, kept, n) : data;
  const base = m < n ? pick(pred, kept) : pred;
  return (random) => ({
    data: points,
    observed: Float64Array.from(base, (v) => v * Math.exp(scale * residuals[Math.floor(random() * n)])),
  });
}

/** Bootstrap parameter sets of a fitted single-x law (empty when bands are disabled or impossible). */
export function residualBootstrapSets<Data extends object>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  fit: RobustFit,
  options: {
    samples: number;
    seed: number;
    delta: number;
    startsOf?: (data: Data, observed: Float64Array) => Float64Array[];
    /**
     * Refit by damped Gauss-Newton from the fit (bootstrapParams' gaussNewton): a third of L-BFGS's passes for the
     * same optimum where the law's optimum is well defined. Not along a flat valley (BLEU's alpha and beta over a
     * narrow D_p range), where each solver stops at its own place on the valley and the band would move with it.
     */
    gaussNewton?: boolean;
  },
): Float64Array[] {
  const draw = options.samples > 0 ? logResidualDraw(law, data, observed, fit.params) : null;
  if (!draw) return [];
  return bootstrapParams(law, fit.params, draw, {
    samples: options.samples,
    seed: options.seed,
    delta: options.delta,
    maxIterations: 300,
    startsOf: options.startsOf,
    gaussNewton: options.gaussNewton,
  });
}

/** Points whose replicate predictions are held at once (sets x BAND_BLOCK numbers), not every point's. */
const BAND_BLOCK = 4096;

/**
 * Point prediction and 95 % percentile band at each point of `data`; NaN bands without bootstrap sets. Points are
 * taken a block at a time, the replicates' predictions of a block in one buffer: an array of draws per point held
 * 200 numbers for each of a 300,000-row sweep's points at once (60 million, over a gigabyte as JS arrays).
 */
export function predictWithBand<Data>(
  law: Law<Data>,
  params: Float64Array,
  sets: Float64Array[],
  data: Data,
): BandedPrediction {
  const n = law.size(data);
  const value = new Float64Array(n);
  law.predict(params, data, value);
  const low = new Array<number>(n).fill(NaN);
  const high = new Array<number>(n).fill(NaN);
  const size = Math.min(n, BAND_BLOCK);
  const draws = new Float64Array(sets.length * size);
  const column = new Float64Array(sets.length);
  for (let start = 0; sets.length && start < n; start += BAND_BLOCK) {
    const m = Math.min(n, start + BAND_BLOCK) - start;
    const block = n <= BAND_BLOCK ? data : sliceData(data, start, start + m);
    sets.forEach((set, s) => law.predict(set, block, draws.subarray(s * m, (s + 1) * m)));
    for (let i = 0; i < m; i++) {
      let count = 0;
      for (let s = 0; s < sets.length; s++) {
        const v = draws[s * m + i];
        if (Number.isFinite(v)) column[count++] = v;
      }
      if (count < 2) continue;
      const sorted = column.subarray(0, count).sort();
      // The band always contains the point prediction, even when the bootstrap distribution is skewed past it.
      low[start + i] = Math.min(quantile(sorted, 0.025), value[start + i]);
      high[start + i] = Math.max(quantile(sorted, 0.975), value[start + i]);
    }
  }
  return { value: Array.from(value), low, high };
}

/** Intervals of derived coefficients (bootstrapIntervals): the estimate and each bootstrap set mapped through `convert`. */
export function derivedIntervals(
  sets: Float64Array[],
  convert: (params: Float64Array) => Record<string, number>,
  estimate: Float64Array,
): Record<string, [number, number]> | undefined {
  if (sets.length < 2) return undefined;
  return bootstrapIntervals(convert(estimate), sets.map(convert));
}

/**
 * Points of a sweep a band is measured at, at most. A dense sweep (BLEU at every checkpoint of a pretraining run) has
 * hundreds of thousands: 200 refits predicted at each of them took seconds and 200 numbers per point in memory.
 */
export const BAND_POINTS = 2000;

/**
 * Point prediction and band at every x of a sweep sorted by x > 0: the prediction exact at each, the band measured at
 * BAND_POINTS evenly spaced ones and, between them, its ends as ratios to the prediction interpolated in ln x (a
 * band is as smooth in x as the law itself). Sweeps of fewer points are measured point by point.
 */
export function predictSweepWithBand<Data>(
  law: Law<Data>,
  params: Float64Array,
  sets: Float64Array[],
  x: number[],
  dataAt: (x: number[]) => Data,
): BandedPrediction {
  if (x.length <= BAND_POINTS || !sets.length) return predictWithBand(law, params, sets, dataAt(x));
  const kept = thinIndices(x.length, BAND_POINTS);
  const measured = predictWithBand(law, params, sets, dataAt(Array.from(kept, (i) => x[i])));
  const { value } = predictWithBand(law, params, [], dataAt(x));
  const low = new Array<number>(x.length);
  const high = new Array<number>(x.length);
  for (let k = 0; k + 1 < kept.length; k++) {
    const [from, to] = [kept[k], kept[k + 1]];
    const span = Math.log(x[to] / x[from]);
    const ratio = (ends: number[], j: number) => ends[j] / measured.value[j];
    for (let i = from; i <= to; i++) {
      const t = span > 0 ? Math.log(x[i] / x[from]) / span : 0;
      const at = (ends: number[]) => value[i] * (ratio(ends, k) + t * (ratio(ends, k + 1) - ratio(ends, k)));
      low[i] = Math.min(at(measured.low), value[i]);
      high[i] = Math.max(at(measured.high), value[i]);
    }
  }
  return { value, low, high };
}
