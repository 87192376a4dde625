// The band method every single-x sweep law shares (power law, downstream BLEU and CE): a residual bootstrap on log
// residuals, so a band or an interval is computed one way wherever it is shown.
import { bootstrapIntervals, bootstrapParams, type Replicate } from '../fit/bootstrap';
import { pickData, sliceData, type RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import { pick, thinIndices } from '../util/arrays';
import { quantile, seededRandom, type Random } from '../util/random';
import { blockResampled, logBand } from './lossBands';
import type { FitResult, LawId } from './types';
import { plural } from '../util/format';

export const BAND_METHOD =
  'residual bootstrap: refits on the fitted predictions times resampled log residuals (inflated by sqrt(n/(n-p))), 95 % percentile band of the fitted law (parameter uncertainty; no extra noise)';

/**
 * The laws whose band is this file's, or the compute law's case bootstrap: where the fitted law lies (its coefficients'
 * uncertainty), not where a run's loss falls (no noise added, unlike the loss-curve laws' bands). A run scatters about
 * the law by its noise, so such a band holds far fewer than 95 % of the runs: on the public Chinchilla sweep the
 * compute law's band holds 31 % of the 240 fitted runs and 30 % of them held out ten at a time. Where a run falls is
 * their new-run band (newRunBand), beside it: 93 % of the same runs (test/unit/compute/bandCoverage.test.ts prints them).
 */
export const LAW_ONLY_BANDS: ReadonlySet<LawId> = new Set(['chinchilla', 'power', 'bleu', 'downstream-ce']);

/** Whether a fit's band is where its law lies only (LAW_ONLY_BANDS), not a power law's along one run's steps. */
export function lawOnlyBand(fit: Pick<FitResult, 'law' | 'nextPointBand'> | undefined): boolean {
  return fit !== undefined && LAW_ONLY_BANDS.has(fit.law) && !fit.nextPointBand;
}

/** A point prediction with its 95 % band at each point (NaN band ends without bootstrap sets). */
export interface BandedPrediction {
  value: number[];
  low: number[];
  high: number[];
  /** Where a new run at each point would land (newRunBand): given only with the fit's scatter (RunScatter). */
  runLow?: number[];
  runHigh?: number[];
}

/** The same map applied to every series of a band (a subset of its points, a cut at a law break). */
export function mapBand(band: BandedPrediction, f: (values: number[]) => number[]): BandedPrediction {
  const run = band.runLow && band.runHigh && { runLow: f(band.runLow), runHigh: f(band.runHigh) };
  return { value: f(band.value), low: f(band.low), high: f(band.high), ...run };
}

/** A prediction's new-run band at point i, as Prediction fields; none when the band has no new-run ends. */
export function runEnds(band: BandedPrediction, i: number): { runLow?: number; runHigh?: number } {
  return band.runLow && band.runHigh ? { runLow: band.runLow[i], runHigh: band.runHigh[i] } : {};
}

/** Fitted points a new-run band needs at least: fewer residuals say too little of how runs scatter about the law. */
export const RUN_BAND_MIN_POINTS = 5;

/**
 * How runs scatter about a fitted sweep law, for its new-run band: the fit's log residuals (the space every sweep law
 * is fitted in), scaled by sqrt(n/(n-p)) as the bootstrap's are (in-sample residuals are smaller than a new run's), and
 * the seed they are drawn by. `why`: there is none, and why (too few fitted points).
 */
export type RunScatter = { residuals: Float64Array; seed: number } | { residuals?: undefined; why: string };

export const RUN_BAND_METHOD =
  "each bootstrap refit's prediction times exp(one of the fit's log residuals drawn at random, scaled by sqrt(n/(n-p))), 2.5-97.5 % (the law's uncertainty and the runs' scatter about it)";

/** The band of a power law fitted along one run's log (nextPointBand). */
export const NEXT_POINT_BAND_METHOD =
  "moving-block residual bootstrap (log residuals resampled in blocks of about cbrt(n) neighbouring points, as a loss curve's), each refit's prediction times one of the fit's log residuals (scaled by sqrt(n/(n-p))), 2.5-97.5 %: where this run's next logged point falls (the law's uncertainty and the curve's noise)";

/** Why a power law fitted along one run's log has no new-run band (FitResult.noRunBand). */
export const NO_RUN_BAND_ALONG_RUN =
  "no new-run band: fitted to one run's logged points, so its band is where this run's next logged point falls (95 %: the law's uncertainty and the curve's noise, residuals resampled in blocks along the curve), not where a new run would land";

/**
 * The band of a law fitted along one run's log (a power law over its steps): where that run's next logged point
 * falls, so the refits plus a residual (the new-run band's ends, built from block-resampled refits) as its one band,
 * as a loss-curve law's band is. A "new run" there was the next logged point all along, and a law-only band beside
 * it read as something a run could fall in. Unchanged without a measured scatter (fewer than 5 points).
 */
export function nextPointBand(band: BandedPrediction): BandedPrediction {
  return band.runLow && band.runHigh ? { value: band.value, low: band.runLow, high: band.runHigh } : band;
}

/** A fit's note of why its predictions have no new-run band, when they have none (FitResult.noRunBand). */
export function noRunBand(scatter: RunScatter): { noRunBand?: string } {
  return scatter.residuals ? {} : { noRunBand: scatter.why };
}

/** The fit's setting naming how its new-run band was drawn, when it has one. */
export function runBandSetting(sets: readonly Float64Array[], scatter: RunScatter): { runBand?: string } {
  return sets.length && scatter.residuals ? { runBand: RUN_BAND_METHOD } : {};
}

/** A fit's log residuals at its points, ln(observed / predicted). */
function logResiduals(observed: Float64Array, predicted: Float64Array): Float64Array {
  return Float64Array.from(observed, (y, i) => Math.log(y) - Math.log(predicted[i]));
}

/** The scatter of a sweep law's fitted points about it (RunScatter), or why it cannot be measured. */
export function runScatter<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  params: Float64Array,
  seed: number,
): RunScatter {
  const n = observed.length;
  const p = law.parameterNames.length;
  if (n < RUN_BAND_MIN_POINTS || n <= p)
    return {
      why: `no new-run band: ${plural(n, 'fitted point')} (${RUN_BAND_MIN_POINTS} needed) ${n === 1 ? 'says' : 'say'} too little of how runs scatter about the law`,
    };
  const scale = Math.sqrt(n / (n - p));
  const predicted = new Float64Array(n);
  law.predict(params, data, predicted);
  const residuals = logResiduals(observed, predicted).map((r) => r * scale);
  return { residuals: residuals.filter(Number.isFinite), seed };
}

/**
 * A new run's 95 % band at some points, from the refits' predictions there (`draws`, one array per refit) and the
 * fit's (`base`): each refit's prediction times a residual drawn from the fit (logBand, as the loss-curve laws' bands
 * add their residuals), widened to hold the law's band [low, high] (a run scatters about a law anywhere in it).
 */
export function newRunBand(
  draws: Float64Array[],
  base: Float64Array,
  residuals: Float64Array,
  random: Random,
  lawBand: { low: ArrayLike<number>; high: ArrayLike<number> },
): { runLow: Float64Array; runHigh: Float64Array } {
  const { lo, hi } = logBand(draws, base, residuals, random);
  const [low, high] = [lawBand.low, lawBand.high];
  const ok = (i: number) => Number.isFinite(low[i]) && Number.isFinite(high[i]);
  return {
    runLow: base.map((v, i) => (ok(i) ? Math.min(v * Math.exp(lo[i]), low[i]) : NaN)),
    runHigh: base.map((v, i) => (ok(i) ? Math.max(v * Math.exp(hi[i]), high[i]) : NaN)),
  };
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
  blocks = false,
): ((random: Random) => Replicate<Data> | null) | null {
  const n = observed.length;
  const p = law.parameterNames.length;
  if (n <= p) return null;
  const pred = new Float64Array(n);
  law.predict(params, data, pred);
  const residuals = logResiduals(observed, pred);
  const kept = thinIndices(n, BOOTSTRAP_POINTS);
  const m = kept.length;
  const scale = Math.sqrt(n / (n - p)) * Math.sqrt(m / n);
  const points = m < n ? pickData(data, kept, n) : data;
  const base = m < n ? pick(pred, kept) : pred;
  // Along one run's log, neighbouring residuals are alike: drawn one by one, they averaged away in each refit, and
  // the refits agreed far more closely than the curve allows. Resampled in blocks, as a loss curve's are.
  if (blocks) {
    const along = m < n ? pick(residuals, kept) : residuals;
    const block = blockLength(along);
    return (random) => ({ data: points, observed: blockResampled(base, along, random, scale, block) });
  }
  return (random) => ({
    data: points,
    observed: Float64Array.from(base, (v) => v * Math.exp(scale * residuals[Math.floor(random() * n)])),
  });
}

/**
 * A moving block's length for residuals in x order: cbrt(n), or longer where neighbours are alike, (1 + r) / (1 - r)
 * for a lag-1 autocorrelation r (the points one independent residual is worth), at most a quarter of them. Blocks
 * shorter than the residuals' memory cut it, and the refits' spread is too small by as much.
 */
export function blockLength(residuals: Float64Array): number {
  const n = residuals.length;
  let [mean, lag, variance] = [0, 0, 0];
  for (const r of residuals) mean += r / n;
  for (let i = 0; i < n; i++) {
    variance += (residuals[i] - mean) ** 2;
    if (i > 0) lag += (residuals[i] - mean) * (residuals[i - 1] - mean);
  }
  const r = variance > 0 ? Math.min(Math.max(lag / variance, 0), 0.99) : 0;
  const memory = (1 + r) / (1 - r);
  return Math.max(1, Math.round(Math.min(Math.max(Math.cbrt(n), memory), n / 4)));
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
    /** Points along one run's log, in x order: residuals resampled in blocks (blockResampled), not one by one. */
    blocks?: boolean;
  },
): Float64Array[] {
  const draw = options.samples > 0 ? logResidualDraw(law, data, observed, fit.params, options.blocks) : null;
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
 * 200 numbers for each of a 300,000-row sweep's points at once (60 million, over a gigabyte as JS arrays). With the
 * fit's `scatter` measured, a new run's band too (newRunBand).
 */
export function predictWithBand<Data>(
  law: Law<Data>,
  params: Float64Array,
  sets: Float64Array[],
  data: Data,
  scatter?: RunScatter,
): BandedPrediction {
  const n = law.size(data);
  const value = new Float64Array(n);
  law.predict(params, data, value);
  const low = new Array<number>(n).fill(NaN);
  const high = new Array<number>(n).fill(NaN);
  const size = Math.min(n, BAND_BLOCK);
  const draws = new Float64Array(sets.length * size);
  const column = new Float64Array(sets.length);
  const residuals = scatter?.residuals;
  const run = residuals && { runLow: new Array<number>(n).fill(NaN), runHigh: new Array<number>(n).fill(NaN) };
  const random = seededRandom(scatter?.residuals ? scatter.seed : 0);
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
    if (!run || !residuals) continue;
    const rows = sets.map((_, s) => draws.subarray(s * m, (s + 1) * m));
    const lawBand = { low: low.slice(start, start + m), high: high.slice(start, start + m) };
    const ends = newRunBand(rows, value.subarray(start, start + m), residuals, random, lawBand);
    for (let i = 0; i < m; i++) [run.runLow[start + i], run.runHigh[start + i]] = [ends.runLow[i], ends.runHigh[i]];
  }
  return { value: Array.from(value), low, high, ...run };
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
  scatter?: RunScatter,
): BandedPrediction {
  if (x.length <= BAND_POINTS || !sets.length) return predictWithBand(law, params, sets, dataAt(x), scatter);
  const kept = thinIndices(x.length, BAND_POINTS);
  const measured = predictWithBand(law, params, sets, dataAt(Array.from(kept, (i) => x[i])), scatter);
  const { value } = predictWithBand(law, params, [], dataAt(x));
  // Each end as a ratio to the prediction, interpolated in ln x between the measured points.
  const between = (ends: number[], side: (v: number, end: number) => number) => {
    const out = new Array<number>(x.length);
    for (let k = 0; k + 1 < kept.length; k++) {
      const [from, to] = [kept[k], kept[k + 1]];
      const span = Math.log(x[to] / x[from]);
      const [r0, r1] = [ends[k] / measured.value[k], ends[k + 1] / measured.value[k + 1]];
      for (let i = from; i <= to; i++) {
        const t = span > 0 ? Math.log(x[i] / x[from]) / span : 0;
        out[i] = side(value[i], value[i] * (r0 + t * (r1 - r0)));
      }
    }
    return out;
  };
  const low = between(measured.low, Math.min);
  const high = between(measured.high, Math.max);
  if (!measured.runLow || !measured.runHigh) return { value, low, high };
  // A new run's band holds the law's, as measured.
  const runLow = between(measured.runLow, Math.min).map((v, i) => Math.min(v, low[i]));
  const runHigh = between(measured.runHigh, Math.max).map((v, i) => Math.max(v, high[i]));
  return { value, low, high, runLow, runHigh };
}
