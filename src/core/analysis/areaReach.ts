// The loss-curve and model-size laws' reach (reach.ts's rule, in the forward area S1; a what-if's too: whatIf.ts).
// A log of steps 20k-21k of a run resumed at a constant LR spans S1 by 5 %: L0, A and alpha are told apart only by
// the curvature of so short a stretch, so any alpha fits as well with L0 and A moved, and the bootstrap's refits,
// started at the fit, stay by it (0.05 % noise: step 100k predicted 2.347 [2.339, 2.356] where the law the points
// were drawn from gives 2.289). A log that covers at least half the area trained before its last point (steps
// 10-3000, 100-1000 of a run) shows the fall from near the run's start, and its prediction of the planned end held
// the truth, or missed it by under a band's width, in every case measured, however far past in log S1 (steps
// 100-3000 -> 100k is 1.03 spans); those are not limited. The others predict at most one span of their own log S1
// range past it.
import { finding } from '../findings';
import { lrAreas, type LoggedSchedule, type WarmupConvention } from '../laws/schedule';
import { formatCompact, formatCount, formatRange } from '../util/format';
import { areaConvention, type AnalysisOptions } from './options';
import type { LossCurve } from './lossCurves';
import { beyondReach, pastPhrase, reachOf, sideOf, type Reach } from './reach';
import type { Finding, FitResult } from './types';
import type { WithheldFrom } from './unseenDrop';

/** Fitted logs whose last S1 is at least this many times their first start near their runs' start: not limited. */
const FROM_START = 2;

/** S1 (raw LR units, the warmup convention given) of a schedule at ascending integer steps. */
function s1Under(
  schedule: LoggedSchedule,
  steps: ArrayLike<number>,
  warmup: WarmupConvention,
  warmupSteps?: number,
): Float64Array {
  return lrAreas(schedule, steps, { lambda: 0.999, warmup, warmupSteps }).s1;
}

function s1At(curve: LossCurve, steps: number[], options: AnalysisOptions): Float64Array {
  return s1Under(curve.schedule, steps, areaConvention(options.warmupConvention), options.warmupSteps);
}

/**
 * The reach of the fitted curves in S1, from the first to the last logged point of each; undefined when they start
 * near their runs' start (or show no positive area: nothing to judge).
 */
export function areaReach(curves: readonly LossCurve[], fitted: readonly number[], options: AnalysisOptions) {
  const ends = fitted.flatMap((i) => {
    const c = curves[i];
    if (!c.steps.length || !c.schedule.steps.length) return [];
    return Array.from(s1At(c, [c.steps[0], c.steps[c.steps.length - 1]], options));
  });
  if (!ends.length || !ends.every((v) => v > 0 && Number.isFinite(v))) return undefined;
  const reach = reachOf(ends);
  // Relative slack: areas summed step by step put steps 20k-40k a hair under twice.
  return reach.high >= FROM_START * reach.low * (1 - 1e-9) ? undefined : reach;
}

/**
 * Per curve, the first of its targets further past the fitted S1 than they span (its predictions from there on are
 * withheld), the one finding that says so, and the fitted logs' reach (FitResult.s1Reach, which a what-if keeps to);
 * none when the fitted logs start near their runs' start.
 */
export function areaReachCuts(
  curves: readonly LossCurve[],
  targets: readonly number[][],
  fitted: readonly number[],
  options: AnalysisOptions,
): { cuts: (WithheldFrom | undefined)[]; found: Finding | null; reach: FitResult['s1Reach'] } {
  const reach = areaReach(curves, fitted, options);
  let found: Finding | null = null;
  const cuts = curves.map((c, i) => {
    const steps = targets[i];
    if (!reach || !steps.length || !c.schedule.steps.length) return undefined;
    const s1 = s1At(c, steps, options);
    const t = steps.findIndex((_, k) => beyondReach(reach, s1[k]));
    if (t < 0) return undefined;
    const step = steps[t];
    found ??= lossRangeShort(c, reach, step, s1[t]);
    return { from: step, reason: areaFarReason(reach, step, s1[t]) };
  });
  return { cuts, found, reach: reach && { ...reach, warmup: areaConvention(options.warmupConvention) } };
}

/** S1 of a schedule at ascending steps, as a fit's reach (FitResult.s1Reach) is measured. */
export function reachS1(
  s1Reach: NonNullable<FitResult['s1Reach']>,
  schedule: LoggedSchedule,
  steps: readonly number[],
): Float64Array {
  return s1Under(schedule, steps, s1Reach.warmup);
}

/**
 * Why a what-if schedule cannot be predicted by a fit whose logs start late (FitResult.s1Reach): from the first of its
 * steps whose S1 lies past their reach, as their own targets are withheld. Null when every step is within it.
 */
export function scheduleReachProblem(
  s1Reach: FitResult['s1Reach'],
  schedule: LoggedSchedule,
  steps: readonly number[],
): string | null {
  if (!s1Reach || !steps.length) return null;
  const s1 = reachS1(s1Reach, schedule, steps);
  const k = steps.findIndex((_, i) => beyondReach(s1Reach, s1[i]));
  if (k < 0) return null;
  const side = sideOf(s1Reach, s1[k]);
  const fitted = formatRange(formatCompact(s1Reach.low), formatCompact(s1Reach.high));
  // Below the logs, fewer steps cannot help: the schedule has trained less by then than the run had (a lower LR).
  const [when, remedy] =
    side === 'below'
      ? ['at', "Ask for an LR nearer the logged run's (by then it trained less than the run had)"]
      : ['by', 'Ask for fewer steps'];
  return `${when} step ${formatCount(steps[k])} its S1 (${formatCompact(s1[k])}) lies more than one span of the fitted logs' S1 (${fitted}) ${side} them, in log S1: they cover less than half the area trained before them, so L0, A and alpha trade off there and this fit cannot predict the schedule. ${remedy}, or fit a log of the run from its start.`;
}

/** Why a curve's target is withheld past (or below) the fitted logs' reach in S1. */
export function areaFarReason(reach: Reach, step: number, s1: number): string {
  const side = sideOf(reach, s1);
  return `too far ${side} the data: step ${formatCount(step)}'s ${pastPhrase('S1', reach, s1)}, and the fitted logs cover less than half the area trained before them, so L0, A and alpha trade off; the law is trusted at most one span ${side} its data`;
}

function lossRangeShort(curve: LossCurve, reach: Reach, step: number, s1: number): Finding {
  return finding('loss-range-short', 'warning', {
    file: curve.file,
    line: curve.firstLine,
    curve: curve.name,
    message: `The loss law is asked to predict "${curve.name}" further ${sideOf(reach, s1)} the fitted logs than they reach: at step ${formatCount(step)} ${pastPhrase('S1', reach, s1)} (S1: the LR summed from the run's start). The fitted logs start far from their runs' start (they cover less than half the area trained before their last point), so over so short a stretch L0, A and alpha trade off and the band, from refits started at the fit, looks narrow all the same: predictions more than one span past or below are withheld. Fit a log of the run from its start (or a longer stretch of it), or predict nearer.`,
  });
}
