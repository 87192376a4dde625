// Each law's weight at each prediction of a combination of loss-curve laws (combinedLoss.ts, used by lawChoice.ts when
// the fit curves cannot tell which law carries LR drops to other schedules): inversely proportional to the law's
// bootstrap spread at that step. The spread is how much the fit curves pin a law's prediction down there: it grows
// where a law is asked to go beyond what they show (a run longer than any fit curve, an LR drop faster than any they
// drop), and grows faster for the law whose extra terms they do not determine. So, prediction by prediction, the law
// the fit curves pin down gets the larger weight, and where both are pinned alike the combination is the plain mean.
// Weights are estimated at some steps of each curve and interpolated in step in between (held past the ends); a
// followed run's warm refit estimates them again from its moved refits (lossAnalysis.ts, warmChoice).
import { pick, thinIndices } from '../util/arrays';
import { between, forEachSegment, placeBetween, placeIn, valuesAtSteps } from '../util/stepInterpolation';
import type { LossFitInput, LossLawFit } from './lossLaw';
import type { LawRefits } from './types';
import { curveKey } from './lossCurves';
import { MPL_BOOTSTRAP_SAMPLES } from './mplLoss';

/**
 * Bootstrap refits each law's spread is measured from, whatever the band's setting (so that the predictions do not
 * depend on it): the multi-power law's cap, the cost of its bands.
 */
export const SPREAD_SAMPLES = MPL_BOOTSTRAP_SAMPLES;
/** Steps per curve the weights are estimated at (spreads change smoothly with the step, as bands do). */
export const SPREAD_POINTS = 200;
/** A spread below this is taken as this (relative, far below any loss noise): a law whose refits all agree. */
const MIN_SPREAD = 1e-12;

/** One law's weight at some ascending steps of one curve. */
export interface StepWeights {
  steps: Float64Array;
  weight: Float64Array;
}

/** Each law's weights (in the order of the fits), by curve (curveKey), with each law's mean and range over them. */
export interface SpreadWeighting {
  byCurve: Map<string, StepWeights>[];
  mean: number[];
  range: [number, number][];
  /** Each law's refits the spreads were measured from: what weighs a schedule never logged (a what-if) alike. */
  refits: (LawRefits | undefined)[];
}

/**
 * Each law's weight at SPREAD_POINTS steps of every curve (points and targets), proportional to the inverse of its
 * bootstrap spread there (the RMS over refits of the log ratio of refit to fit). Inverse spread rather than inverse
 * variance: the spread is read as the scale of a law's error far from its fit curves, which is mostly its misfit
 * there and not the noise the refits resample (the errors measured are 5-20 times the spreads), and the square
 * would trust the narrower law more than 24 refits can tell. Null when a law has fewer than two refits.
 */
export function spreadWeights(input: LossFitInput, fits: LossLawFit[]): SpreadWeighting | null {
  const replicates = fits.map((f) => f.bootstrap(SPREAD_SAMPLES));
  if (replicates.some((r) => r.count < 2)) return null;
  const byCurve = fits.map(() => new Map<string, StepWeights>());
  input.prepared.forEach((p, i) => {
    const at = thinIndices(p.queries.length, SPREAD_POINTS);
    const steps = Float64Array.from(at, (q) => p.queries[q]);
    const predicted = fits.map((f) => pick(f.predict(i), at));
    const weights = inverseSpreadWeights(
      predicted,
      replicates.map((r) => r.at(i, at)),
    );
    weights.forEach((weight, k) => byCurve[k].set(curveKey(p.curve), { steps, weight }));
  });
  const summaries = byCurve.map(summary);
  return {
    byCurve,
    mean: summaries.map((s) => s.mean),
    range: summaries.map((s) => s.range),
    refits: replicates.map((r) => r.refits),
  };
}

/**
 * Each law's weight at some points, from its predictions there (`predicted[k]`) and its replicates' (`sets[k][r]`):
 * its inverse spread over the laws' summed. One rule for the curves' weights (spreadWeights) and a what-if's.
 */
export function inverseSpreadWeights(predicted: Float64Array[], sets: Float64Array[][]): Float64Array[] {
  // A law that predicts no possible loss at a point (0 or below, not finite: MPL's drop term fitted huge, far past its
  // curves) has left its data behind there: no weight, or the mean would carry its impossible number.
  const inverse = predicted.map((own, k) =>
    // A spread of zero (a law whose refits all agree) is floored, so that it takes the whole weight, not NaN.
    Float64Array.from(own, (v, j) => (isLoss(v) ? 1 / Math.max(logSpread(sets[k], j, v), MIN_SPREAD) : 0)),
  );
  return inverse.map((mine, k) =>
    Float64Array.from(mine, (v, j) => {
      const total = inverse.reduce((s, w) => s + w[j], 0);
      if (Number.isFinite(total) && total > 0) return v / total;
      // No spread to tell the laws apart (none measurable, or every possible one infinite): equal weights among the
      // laws that predict a possible loss there (all of them when none does: the mean is then no loss either).
      const possible = predicted.filter((p) => isLoss(p[j])).length;
      return possible === 0 ? 1 / inverse.length : isLoss(predicted[k][j]) ? 1 / possible : 0;
    }),
  );
}

/** Whether a value can be a loss (a cross-entropy): finite and above 0. */
export function isLoss(v: number): boolean {
  return v > 0 && Number.isFinite(v);
}

/** One law's mean weight and its range over every step of every curve it was estimated at. */
function summary(curves: Map<string, StepWeights>): { mean: number; range: [number, number] } {
  let [sum, count, lo, hi] = [0, 0, Infinity, -Infinity];
  for (const { weight } of curves.values())
    for (const w of weight) {
      sum += w;
      count++;
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
    }
  return { mean: sum / count, range: [lo, hi] };
}

/**
 * The RMS over replicates of log(replicate / prediction) at thinned query j: infinite when a refit predicts no possible
 * loss there (its log distance is unbounded; as NaN it made every law's weight equal).
 */
function logSpread(sets: Float64Array[], j: number, predicted: number): number {
  let sum = 0;
  for (const set of sets) sum += isLoss(set[j]) ? Math.log(set[j] / predicted) ** 2 : Infinity;
  return Math.sqrt(sum / sets.length);
}

/** A law's weight at some ascending steps: interpolated in step between those estimated, held past either end. */
export function weightsAt(w: StepWeights, steps: Float64Array): Float64Array {
  return valuesAtSteps(w.steps, w.weight, steps);
}

/** A law's weights in a combination: at some steps of the curve (interpolated as weightsAt does), or fixed. */
export type LawWeights = StepWeights | number;

/**
 * The laws' values weighted at each of some ascending steps, summed: each weight the number weightsAt gives there,
 * and the sum taken law by law from 0 (so the same bits as summing weightsAt's arrays times the values), in one pass
 * without an array per law. This runs at every row of a followed run's curve on each update; laws whose weights
 * share their steps (spreadWeights gives every law of a curve the same) share the segment search.
 */
export function weightedAt(terms: { values: Float64Array; weights: LawWeights }[], steps: Float64Array): Float64Array {
  const stepped = terms.flatMap((t) => (typeof t.weights === 'number' ? [] : [t.weights]));
  if (stepped.some((w) => w.steps !== stepped[0].steps)) return weightedByArrays(terms, steps);
  const knots = stepped.length ? stepped[0].steps : new Float64Array(1);
  const out = new Float64Array(steps.length);
  const values = terms.map((t) => t.values);
  const fixed = terms.map((t) => (typeof t.weights === 'number' ? t.weights : NaN));
  const byStep = terms.map((t) => (typeof t.weights === 'number' ? null : t.weights.weight));
  const [first, second] = byStep;
  const pair = byStep.length === 2 && first !== null && second !== null ? [first, second] : null;
  forEachSegment(knots, steps, (k, next, from, to) => {
    if (pair) return weighPair(out, pair, values, knots, k, next, steps, from, to);
    for (let j = from; j < to; j++) {
      const t = placeIn(knots, k, next, steps[j]);
      let sum = 0;
      for (let m = 0; m < terms.length; m++) {
        const w = byStep[m];
        sum += (w === null ? fixed[m] : between(w, k, next, t)) * values[m][j];
      }
      out[j] = sum;
    }
  });
  return out;
}

/**
 * weightedAt along one segment for two laws weighted by step (a mean of both laws: every row of a followed run's curve
 * on each update): each law's weight there and its slope read once, the rows in one tight loop. between's and
 * weightedAt's arithmetic in the same order, so the same bits.
 */
function weighPair(
  out: Float64Array,
  [a, b]: Float64Array[],
  [va, vb]: Float64Array[],
  knots: Float64Array,
  k: number,
  next: number,
  steps: Float64Array,
  from: number,
  to: number,
): void {
  const [a0, b0, x0, x1] = [a[k], b[k], knots[k], knots[next]];
  const [aSlope, bSlope] = [a[next] - a0, b[next] - b0];
  for (let j = from; j < to; j++) {
    const t = placeBetween(x0, x1, steps[j]);
    let sum = 0;
    sum += (a0 + t * aSlope) * va[j];
    sum += (b0 + t * bSlope) * vb[j];
    out[j] = sum;
  }
}

/** weightedAt's sum from each law's weight array (laws whose weights have different steps). */
function weightedByArrays(terms: { values: Float64Array; weights: LawWeights }[], steps: Float64Array): Float64Array {
  const out = new Float64Array(steps.length);
  for (const { values, weights } of terms) {
    const w = typeof weights === 'number' ? new Float64Array(steps.length).fill(weights) : weightsAt(weights, steps);
    for (let j = 0; j < out.length; j++) out[j] += w[j] * values[j];
  }
  return out;
}
