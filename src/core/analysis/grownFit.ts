// A followed run's refit (src/core/live) without a pass over the points an earlier full refinement covered: their
// objective is that refinement's quadratic model (its anchor), the points appended since are evaluated exactly
// (fit/robust.ts refineOnModel). Both loss-curve laws keep their model only while the optimum stays near the anchor
// and the appended points stay few; otherwise they refine on every fitted point again and anchor there.
import type { Evaluation, RobustFit } from '../fit/robust';
import type { LossCurve } from './lossCurves';
import { samePrefix } from '../util/arrays';

/**
 * A refit on the anchor's model is kept while no parameter has moved by more than this fraction of its value since
 * the anchor's full pass. Measured for the LR-annealing law against a refinement on every point from the same start
 * (noisy synthetic runs of 18k-200k points, 100 rows a time): predictions within ~1e-6 and the exact objective no
 * higher while the move stays under ~3e-4 (the full refinement's own stopping rule leaves ~1e-5); the model's error
 * then grows faster than the move (1e-4 at a move of 2e-3, 1e-3 at 1e-2), so a larger move is refined on every point.
 */
export const MODEL_MOVE = 3e-4;
/** ... and while the points appended since the anchor are at most this share of those it covers. */
export const MODEL_GROWTH = 0.05;
/**
 * The multi-power law's refit on the model (its drop term's shape held) is kept while it raises the anchor's points'
 * objective by at most this share (modelRise): its parameters may move far along directions one run does not pin
 * down, at no cost in fit. Measured on a noisy synthetic cosine run of 3000 rows with 10-150 appended: rises of
 * 9e-6 to 7e-4; the held refit's predictions past the first tenth of the rows within 2e-4 to 9e-4 of a refinement of
 * all seven parameters from the same start, which itself moves the end-of-schedule prediction by 0.1-1 % from one
 * append to the next (the unpinned shape jumping along its valley), where the held refit moves smoothly.
 */
export const MODEL_RISE = 1e-3;

/** The objective's exact evaluation (a full pass) over a run's first `points` points of its fitted curve. */
export interface Anchor {
  evaluation: Evaluation;
  points: number;
}

export type AnchoredFit = RobustFit & { anchor?: Anchor };

/** The fit with the anchor a refinement on every point leaves (its evaluation at the optimum), over `points` points. */
export function anchored(fit: (RobustFit & { atOptimum?: Evaluation }) | null, points: number): AnchoredFit | null {
  if (!fit) return null;
  const { atOptimum, ...rest } = fit;
  return atOptimum ? { ...rest, anchor: { evaluation: atOptimum, points } } : rest;
}

/**
 * The objective's rise over the anchor's points from moving off the anchor's optimum to `params`, as a share of the
 * objective there: its quadratic model (d.H.d / 2, the gradient being ~0 at an optimum) over f. Unlike a parameter's
 * own move, it measures a move along a direction the data do not pin down (the multi-power law's flat valleys) as
 * the little it changes the fit.
 */
export function modelRise(anchor: Anchor, params: Float64Array): number {
  const { evaluation } = anchor;
  const k = params.length;
  let rise = 0;
  for (let j = 0; j < k; j++) {
    const dj = params[j] - evaluation.params[j];
    for (let l = 0; l < k; l++) rise += (dj * evaluation.curvature[j * k + l] * (params[l] - evaluation.params[l])) / 2;
  }
  return rise / Math.abs(evaluation.f);
}

/**
 * Parameter sets (a fit's bootstrap refits) moved with its optimum from `from` to `to`, held inside the law's box: a
 * run grown by a few rows has the same parameter uncertainty around a nearby optimum, so a refit carries its last
 * refits instead of drawing new ones. `relative`: a parameter positive at both optima is scaled by their ratio rather
 * than shifted by their difference, so each refit keeps its relative distance from the optimum.
 */
export function movedWithOptimum(
  sets: readonly Float64Array[],
  from: Float64Array,
  to: Float64Array,
  box: { lower: readonly number[]; upper: readonly number[] },
  relative = false,
): Float64Array[] {
  const { lower, upper } = box;
  const scaled = (k: number) => relative && from[k] > 0 && to[k] > 0;
  const move = (v: number, k: number) => (scaled(k) ? (v * to[k]) / from[k] : v + to[k] - from[k]);
  return sets.map((set) => set.map((v, k) => Math.min(upper[k], Math.max(lower[k], move(v, k)))));
}

/** Whether no parameter moved by more than `fraction` of its value. */
export function movedWithin(from: Float64Array, to: Float64Array, fraction: number): boolean {
  return from.every((v, j) => Math.abs(to[j] - v) <= fraction * Math.abs(v));
}

/**
 * Whether `now` is `before` grown: the same curve (name and file), whose first `points` points are the same steps
 * and losses, to the bit. The anchor's points are a prefix of the earlier fit's, so this compares them too.
 */
export function grownFrom(before: LossCurve, now: LossCurve, points: number): boolean {
  return (
    now.name === before.name &&
    now.file === before.file &&
    now.steps.length >= points &&
    samePrefix(before.steps, now.steps, points) &&
    samePrefix(before.loss, now.loss, points)
  );
}
