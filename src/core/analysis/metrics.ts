// The metrics of docs/laws-loss.md, Metrics, named and defined exactly as the laws' sources use them (listed there).
import type { Metrics } from './types';
import { medianOf } from '../util/select';

export function scorePredictions(observed: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  const n = observed.length;
  let sumRel = 0;
  let worst = 0;
  let sumAbs = 0;
  let sumSq = 0;
  // The mean and the largest magnitude in one pass over the observed values (a followed run scores a million on each
  // update): the same sums in the same order.
  let mean = 0;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const o = observed[i];
    mean += o / n;
    if (Math.abs(o) > largest) largest = Math.abs(o);
  }
  const scale = squaringScale(largest);
  // Times its inverse, a power of two too: each product is the exact quotient rounded once, the same bits as dividing.
  const inverse = 1 / scale;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const err = predicted[i] - observed[i];
    const rel = Math.abs(err) / Math.abs(observed[i]);
    sumRel += rel;
    worst = Math.max(worst, rel);
    sumAbs += Math.abs(err);
    sumSq += (err * inverse) ** 2;
    total += ((observed[i] - mean) * inverse) ** 2;
  }
  return {
    predE: n ? sumRel / n : NaN,
    worstE: n ? worst : NaN,
    r2: total > 0 ? 1 - sumSq / total : NaN,
    mae: n ? sumAbs / n : NaN,
    rmse: n ? Math.sqrt(sumSq / n) * scale : NaN,
    points: n,
  };
}

/**
 * The power of two the squares are taken over: about the largest observed magnitude (`largest`). Values near the ends of the
 * double range (losses of 1e300 or 1e-300) squared overflow to Infinity or underflow to 0, which made R² NaN, and
 * the verdict cannot judge a NaN. Dividing by a power of two is exact, so every other R² and RMSE is the same to the
 * last bit.
 */
function squaringScale(largest: number): number {
  // At least the least normal power, whose inverse (scorePredictions multiplies by it) is a double: below it the
  // scaled squares are far from underflow either way, and a power of two scales them exactly.
  return largest > 0 && Number.isFinite(largest) ? 2 ** Math.max(-1022, Math.floor(Math.log2(largest))) : 1;
}

/** Across several held-out curves: the average of the per-curve values (as the laws' sources report them: docs/laws-loss.md). */
export function averageMetrics(perCurve: Metrics[]): Metrics | undefined {
  if (perCurve.length === 0) return undefined;
  const avg = (f: (m: Metrics) => number) => perCurve.reduce((s, m) => s + f(m), 0) / perCurve.length;
  return {
    predE: avg((m) => m.predE),
    worstE: avg((m) => m.worstE),
    r2: avg((m) => m.r2),
    mae: avg((m) => m.mae),
    rmse: avg((m) => m.rmse),
    points: perCurve.reduce((s, m) => s + m.points, 0),
  };
}

/** An in-sample R² at or below this is computed again without outliers (a sort: only where the verdict may use it). */
export const RECHECK_R2 = 0.5;
/** A point whose residual is this many robust standard deviations (robustScale) from the median one is an outlier. */
export const OUTLIER_SIGMAS = 5;
/**
 * At most this share of a fit's points are left out as outliers. Spikes are few (3 of 91 in a diverging YOLO log);
 * more points far off the law are a stretch of the curve the law misses (a loss falling a hundredfold in its first
 * fifth, fitted only on its flat tail: 23 of 135 points), which the verdict must see, not leave out.
 */
export const MAX_OUTLIER_SHARE = 0.1;

/**
 * A fit's in-sample scores, as scorePredictions gives them, with R² again over the points that are not gross
 * outliers when R² is low (r2WithoutOutliers): the fit-quality verdict asks whether the law explains the data, and one
 * spike (a loss of 50 among 2.6s) takes R² to 0 by itself while a robust fit passes through the rest.
 */
export function scoreFit(observed: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  return withOutlierCheck(scorePredictions(observed, predicted), observed, predicted);
}

/** Scores already computed (scorePredictions of these points), with r2WithoutOutliers when R² is low. */
export function withOutlierCheck(metrics: Metrics, observed: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  if (!(metrics.r2 <= RECHECK_R2) || metrics.points < 3) return metrics;
  const r2 = r2WithoutOutliers(observed, predicted);
  return r2 === undefined ? metrics : { ...metrics, r2WithoutOutliers: r2 };
}

/**
 * R² over the points whose residual lies within OUTLIER_SIGMAS robust standard deviations of the median one;
 * undefined when more than MAX_OUTLIER_SHARE of them lie further: the law misses part of the curve, not a spike.
 */
export function r2WithoutOutliers(observed: ArrayLike<number>, predicted: ArrayLike<number>): number | undefined {
  const residuals = Float64Array.from(observed, (y, i) => y - predicted[i]);
  const { centre, sigma } = robustScale(residuals);
  // No spread to measure (a law through every point): nothing is an outlier.
  const kept = (i: number) => !(sigma > 0) || Math.abs(residuals[i] - centre) <= OUTLIER_SIGMAS * sigma;
  const keep = Array.from(residuals.keys()).filter(kept);
  if (residuals.length - keep.length > MAX_OUTLIER_SHARE * residuals.length) return undefined;
  return scorePredictions(
    keep.map((i) => observed[i]),
    keep.map((i) => predicted[i]),
  ).r2;
}

/** 1.4826 × MAD estimates the standard deviation of normal residuals. */
export const MAD_TO_SIGMA = 1.4826;

/** The median of some residuals and their robust standard deviation (MAD_TO_SIGMA × their median absolute deviation). */
export function robustScale(residuals: Float64Array): { centre: number; sigma: number } {
  const centre = medianOf(residuals);
  return { centre, sigma: MAD_TO_SIGMA * medianOf(residuals.map((r) => Math.abs(r - centre))) };
}
