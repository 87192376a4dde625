// The band method every single-x sweep law shares (power law, downstream BLEU and CE): a residual bootstrap on log
// residuals, so a band or an interval is computed one way wherever it is shown.
import { bootstrapIntervals, bootstrapParams, type Replicate } from '../fit/bootstrap';
import type { RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import { pick, thinIndices } from '../util/arrays';
import { quantile, type Random } from '../util/random';

export const BAND_METHOD =
  'residual bootstrap: refits on the fitted predictions times resampled log residuals (inflated by sqrt(n/(n-p))), 95 % percentile band of the fitted law (parameter uncertainty; no extra noise)';

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
  const points = m < n ? pickPoints(data, kept, n) : data;
  const base = m < n ? pick(pred, kept) : pred;
  return (random) => ({
    data: points,
    observed: Float64Array.from(base, (v) => v * Math.exp(scale * residuals[Math.floor(random() * n)])),
  });
}

/** The points of a sweep law's data at `kept`: each of its per-point arrays (length n) picked there. */
function pickPoints<Data extends object>(data: Data, kept: Int32Array, n: number): Data {
  const entries = Object.entries(data).map(([key, value]) => [
    key,
    value instanceof Float64Array && value.length === n ? pick(value, kept) : value,
  ]);
  return Object.fromEntries(entries) as Data;
}

/** Bootstrap parameter sets of a fitted single-x law (empty when bands are disabled or impossible). */
export function residualBootstrapSets<Data extends object>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  fit: RobustFit,
  options: { samples: number; seed: number; delta: number },
): Float64Array[] {
  const draw = options.samples > 0 ? logResidualDraw(law, data, observed, fit.params) : null;
  if (!draw) return [];
  return bootstrapParams(law, fit.params, draw, {
    samples: options.samples,
    seed: options.seed,
    delta: options.delta,
    maxIterations: 300,
  });
}

/** Point prediction and 95 % percentile band at each point of `data`; NaN bands without bootstrap sets. */
export function predictWithBand<Data>(
  law: Law<Data>,
  params: Float64Array,
  sets: Float64Array[],
  data: Data,
): BandedPrediction {
  const n = law.size(data);
  const value = new Float64Array(n);
  law.predict(params, data, value);
  const draws = Array.from({ length: n }, () => [] as number[]);
  const buffer = new Float64Array(n);
  for (const set of sets) {
    law.predict(set, data, buffer);
    for (let i = 0; i < n; i++) if (Number.isFinite(buffer[i])) draws[i].push(buffer[i]);
  }
  const low: number[] = [];
  const high: number[] = [];
  draws.forEach((d, i) => {
    if (d.length < 2) {
      low.push(NaN);
      high.push(NaN);
      return;
    }
    const sorted = Float64Array.from(d).sort();
    // The band always contains the point prediction, even when the bootstrap distribution is skewed past it.
    low.push(Math.min(quantile(sorted, 0.025), value[i]));
    high.push(Math.max(quantile(sorted, 0.975), value[i]));
  });
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
