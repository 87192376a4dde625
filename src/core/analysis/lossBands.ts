// Bands of a loss fit: moving-block bootstrap replicates of the fitted curves, log-band quantiles at thinned
// queries, and the band at any query interpolated in step between them.
import { concat, pick, thinIndices } from '../util/arrays';
import { quantile, type Random } from '../util/random';
import { atQueries } from './lossAreas';
import { placeBetween } from '../util/stepInterpolation';
import type { LossFitInput } from './lossLaw';

/** Some evenly spaced points of one fitted curve with the fit's prediction and log residual there. */
export interface ThinFitted {
  /** Index of the curve among the prepared curves. */
  curve: number;
  /** Indices into the curve's queries of the points kept. */
  queries: Int32Array;
  predicted: Float64Array;
  logResidual: Float64Array;
}

/**
 * At most `perCurve` points of each fitted curve, with `predict(i)`'s values (every query of curve i) there. Past
 * about `total` points in all, an evenly spaced subset of the fit curves is kept (each still with its `perCurve`):
 * a refit costs the points it takes, and a sweep of thousands of short runs made each refit cost the whole sweep.
 * The refits then see fewer runs than the fit did, so their spread is, if anything, wider.
 */
export function thinFitted(
  input: LossFitInput,
  predict: (i: number) => Float64Array,
  perCurve: number,
  total = Infinity,
): ThinFitted[] {
  return bandCurves(input, perCurve, total).map((i) => {
    const p = input.prepared[i];
    const idx = thinIndices(p.curve.steps.length, perCurve);
    const queries = Int32Array.from(idx, (k) => p.pointIndex[k]);
    const predicted = atQueries(predict(i), queries).slice();
    const observed = pick(p.curve.loss, idx);
    const logResidual = Float64Array.from(observed, (o, k) => Math.log(o / predicted[k]));
    return { curve: i, queries, predicted, logResidual };
  });
}

/** The fitted curves thinFitted keeps: all of them, or an evenly spaced subset holding about `total` points. */
function bandCurves(input: LossFitInput, perCurve: number, total: number): number[] {
  const { fitted, prepared } = input;
  const points = fitted.reduce((n, i) => n + Math.min(perCurve, prepared[i].curve.steps.length), 0);
  if (points <= total) return fitted;
  const kept = Math.max(2, Math.floor((total * fitted.length) / points));
  return Array.from(thinIndices(fitted.length, kept), (k) => fitted[k]);
}

/**
 * Moving-block bootstrap of the log residuals of each fitted curve: residuals of a loss curve are correlated over
 * neighbouring steps, so whole blocks are resampled to keep that correlation in the replicates. `data` is the law's
 * data at each curve's thinned points, `join` puts several curves' data together.
 */
export function residualBlockReplicate<D>(fitted: ThinFitted[], data: D[], join: (parts: D[]) => D) {
  const joined = join(data);
  return (random: Random) => ({
    data: joined,
    observed: concat(fitted.map((c) => blockResampled(c.predicted, c.logResidual, random))),
  });
}

/**
 * One replicate of a curve's points in step order: `predicted` times its log residuals (times `scale`) resampled in
 * moving blocks of about cbrt(n) neighbours, which keep the correlation of neighbouring steps.
 */
export function blockResampled(
  predicted: Float64Array,
  logResidual: Float64Array,
  random: Random,
  scale = 1,
  block = Math.max(1, Math.round(Math.cbrt(logResidual.length))),
): Float64Array {
  const n = logResidual.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n;) {
    const start = Math.floor(random() * Math.max(1, n - block + 1));
    for (let k = 0; k < block && i < n; k++, i++) out[i] = predicted[i] * Math.exp(scale * logResidual[start + k]);
  }
  return out;
}

/**
 * Band quantiles of ln(draw / base) + noise at some points: `draws` are the replicates' predictions there, `base`
 * the fit's; the noise is a residual drawn from the fit, one per replicate for all its points. A residual drawn
 * afresh at every point gave each point's quantile of a few dozen draws its own noise, and the band's edges jumped
 * up and down from step to step where the law is smooth; each point's spread is the same either way.
 */
export function logBand(
  draws: Float64Array[],
  base: Float64Array,
  residuals: Float64Array,
  random: Random,
): { lo: Float64Array; hi: Float64Array } {
  const n = base.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const column = new Float64Array(draws.length);
  const noise = draws.map(() => (residuals.length ? residuals[Math.floor(random() * residuals.length)] : 0));
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < draws.length; b++)
      column[b] = draws[b][i] > 0 ? Math.log(draws[b][i] / base[i]) + noise[b] : Infinity;
    // Sorted in place: every entry is written afresh at the next point (a copy per point cost a 300,000-row sweep
    // 300,000 allocations).
    const sorted = column.sort();
    // The band holds the prediction it surrounds: with few refits (a --bootstrap of 10) its quantiles are near the
    // extremes, and all of them fell above the fit at one target by chance ("2.9826 [2.9827, 2.9849]").
    lo[i] = Math.min(quantile(sorted, 0.025), 0);
    hi[i] = Math.max(quantile(sorted, 0.975), 0);
  }
  return { lo, hi };
}

/** A log-band found at thinned queries: bands are smooth in the step, so they are interpolated in step in between. */
export interface ThinBand {
  steps: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * The band's ends at some queries (`at`: indices into the curve's queries): the prediction there times the band's
 * factor exp(log-band), interpolated in step between the thinned queries; NaN without a band. Computed only where
 * reported, never for every query. The factors are taken at the thinned queries and interpolated (not their logs):
 * one exp per thinned query instead of two per point (a million-point curve's every point is reported), and between
 * neighbouring thinned queries the two differ by the square of a log-band step, far below the band's own noise.
 */
export function bandAt(
  band: ThinBand | null,
  queries: Float64Array,
  predicted: Float64Array,
  at: Int32Array,
): { low: Float64Array; high: Float64Array } {
  if (!band) return { low: new Float64Array(at.length).fill(NaN), high: new Float64Array(at.length).fill(NaN) };
  const low = new Float64Array(at.length);
  const high = new Float64Array(at.length);
  const { steps } = band;
  const lo = band.lo.map(Math.exp);
  const hi = band.hi.map(Math.exp);
  const last = steps.length - 1;
  let k = 0;
  for (let j = 0; j < at.length;) {
    const first = queries[at[j]];
    // The segment search resumes where the previous query left it: queries come in ascending order.
    if (j > 0 && first < queries[at[j - 1]]) k = 0;
    while (k < last - 1 && steps[k + 1] < first) k++;
    // The queries up to the segment's end share its steps and factors, read once (a million-point curve's every point
    // is reported on each update of a followed run).
    const next = Math.min(k + 1, last);
    const end = k < last - 1 ? steps[k + 1] : Infinity;
    const [x0, x1, lo0, hi0] = [steps[k], steps[next], lo[k], hi[k]];
    const [loSlope, hiSlope] = [lo[next] - lo0, hi[next] - hi0];
    for (let before = first; j < at.length; j++) {
      const q = at[j];
      const s = queries[q];
      if (s > end || s < before) break;
      before = s;
      const t = placeBetween(x0, x1, s);
      low[j] = predicted[q] * (lo0 + t * loSlope);
      high[j] = predicted[q] * (hi0 + t * hiSlope);
    }
  }
  return { low, high };
}
