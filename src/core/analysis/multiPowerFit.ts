// Fit the multi-power law on loss curves and predict any schedule with it. The fit minimises the summed Huber of
// log residuals (fitRobust) on the compressed loss-drop sum; predictions use the exact sum.
import { parametersAtBounds, type BoundHit } from '../fit/bounds';
import { fitRobust, refineOnModel, refineRobust, type RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import {
  COMPRESSION_WINDOW,
  compressedLossDrop,
  DropSchedule,
  dropSchedulesFit,
  dropTermsFit,
  exactLossDrop,
  dropScheduleSteps,
  longestDropSchedule,
  MAX_TERMS_PER_POINT,
  MAX_DROP_STEPS,
  type DropScheduleOptions,
  type LossDropConvention,
} from '../laws/lossDrop';
import {
  concatPoints,
  multiPowerCoefficients,
  multiPowerLaw,
  multiPowerParams,
  multiPowerPoints,
  multiPowerStarts,
  pickPoints,
  type MultiPowerCoefficients,
  type MultiPowerPoints,
  type MultiPowerScale,
  withRepeats,
} from '../laws/multiPower';
import { SaturationTable } from '../laws/saturation';
import { StepLr, type LoggedSchedule } from '../laws/schedule';
import { concat, minOf, pick, samePrefix, thinIndices, maxOf } from '../util/arrays';
import { formatNumber } from '../util/format';
import { anchored, MODEL_GROWTH, MODEL_RISE, modelRise, type AnchoredFit } from './grownFit';
import type { LossCurve } from './lossCurves';

export interface MultiPowerOptions {
  convention: LossDropConvention;
  /** A linear warmup from 0 that ended at this step, for logs without warmup rows. */
  warmupSteps?: number;
  /** Huber delta on log loss. */
  delta: number;
  /**
   * Above this many fitted points, each curve is thinned evenly and its points weighted by (its points / kept), so
   * the objective still estimates the sum over every point: a loss curve's shape needs ~1000 points, not a million.
   */
  maxFitPoints: number;
  /** Steps summed exactly before each point in the compressed loss-drop sum. */
  window: number;
  /** Best starts of the variable-projection scan handed to the solver. */
  starts: number;
  /**
   * Start from these coefficients instead of the scan (a refit of part of the same curves, e.g. a backtest's
   * prefix): one start in the right basin, converted to this fit's normalisation and held inside the box.
   */
  warmStart?: MultiPowerCoefficients;
  /** Iteration cap of the solver (default: the solver's own). */
  maxIterations?: number;
}

export const DEFAULT_MULTI_POWER_OPTIONS: MultiPowerOptions = {
  convention: 'paper',
  delta: 1e-3,
  maxFitPoints: 2000,
  window: COMPRESSION_WINDOW,
  starts: 8,
};

/** What a prediction needs: the fitted parameters and the conventions they hold in. */
export interface MultiPowerModel {
  /** Normalised parameters (L0, a, alpha, b, ln c, beta, gamma), as the solver sees them. */
  params: Float64Array;
  coefficients: MultiPowerCoefficients;
  scale: MultiPowerScale;
  convention: LossDropConvention;
  warmupSteps?: number;
}

export interface MultiPowerFit extends MultiPowerModel {
  /**
   * The solver's result on normalised parameters. Its objective is the summed log-Huber over the points fitted with
   * the compressed loss-drop sum; when curves were thinned, points carry weights so it estimates the sum over all.
   */
  fit: AnchoredFit;
  /** Points the solver saw at the anchor's full refinement (a grown run's refits on its model add theirs). */
  anchorPointsFitted: number;
  /** The law with the box it was fitted in (parametersAtBounds reads it). */
  law: Law<MultiPowerPoints>;
  /** Normalised parameters left on their bounds: not identified by the fit curves. */
  atBounds: BoundHit[];
  fittedOn: string[];
  /** Points on the fitted curves, and how many of them the solver saw. */
  points: number;
  pointsFitted: number;
}

/**
 * Why the multi-power laws cannot sum loss drops over these curves (every curve the analysis fits or predicts),
 * naming the longest, in a clause; undefined when they can (lossDrop.ts, dropSchedulesFit).
 */
export function dropSumsTooLong(curves: readonly LossCurve[], warmupSteps?: number): string | undefined {
  if (curves.length === 0) return undefined;
  if (dropSchedulesFit(curves, warmupSteps)) return dropTermsTooMany(curves, warmupSteps);
  const long = longestDropSchedule(curves, warmupSteps);
  const last = Math.max(
    long.steps[long.steps.length - 1] ?? 0,
    long.schedule.steps[long.schedule.steps.length - 1] ?? 0,
  );
  const together =
    curves.length > 1
      ? ` (here ${formatNumber(dropScheduleSteps(curves, warmupSteps))} over ${curves.length} curves, fitted and predicted together)`
      : '';
  return `"${long.name}" runs to step ${formatNumber(last)}, and its loss-drop sum is built step by step: at most ${formatNumber(MAX_DROP_STEPS)} steps in all, or 8 per logged point${together}`;
}

/**
 * Why the compressed loss-drop sums over these curves take too many terms, naming the curve whose points take most,
 * in a clause; undefined when they do not. Counted as a fit counts them (its kept points, dropTermsFit, in the
 * paper's convention: the other adds only the warmup's rise, a few terms), and as a prediction does (each curve at
 * its own points, firstOverTermBudget).
 */
function dropTermsTooMany(curves: readonly LossCurve[], warmupSteps?: number): string | undefined {
  const fitting = curves.filter((c) => c.steps.length > 0 && c.schedule.steps.length > 0);
  if (fitting.length === 0) return undefined;
  const etaRef = maxOf(fitting.map((c) => new StepLr(c.schedule, warmupSteps).peak));
  if (!(etaRef > 0 && etaRef < Infinity)) return undefined;
  const kept = keptPoints(fitting, DEFAULT_MULTI_POWER_OPTIONS.maxFitPoints);
  const parts = fitting.map((c, i) => ({
    curve: c,
    schedule: new DropSchedule(c.schedule, { etaRef, convention: 'paper', warmupSteps }),
    steps: pick(c.steps, kept[i]),
  }));
  const over = firstOverTermBudget(parts.map((p) => ({ schedule: p.schedule, steps: p.curve.steps })));
  if (over < 0 && dropTermsFit(parts)) return undefined;
  const worst = over >= 0 ? parts[over] : (parts.find((p) => !dropTermsFit([p])) ?? parts[0]);
  return `the LR of "${worst.curve.name}" moves by large factors between logged steps again and again (as an LR of 0 or a tiny stray one every other row does), so its loss-drop sum cannot be compressed: it takes over ${formatNumber(MAX_TERMS_PER_POINT)} terms a point, where a decaying schedule takes a few hundred`;
}

/** Points of a curve whose terms firstOverTermBudget counts, evenly chosen (its first and last among them). */
const TERM_CHECK_POINTS = 256;

/**
 * The first curve whose compressed loss-drop sums at its points would take over MAX_TERMS_PER_POINT terms a point on
 * average (dropTermsFit), -1 when none would. Every curve the law predicts (held out or only predicted as well as
 * fitted) is summed at each of its rows, and a schedule whose LR jumps by large factors every row splits to single
 * steps, so its predictions' work follows rows x steps (a held-out run of 20,000 rows with every other LR 0: 20 s).
 * Each curve is counted apart, at evenly chosen points: the terms a point takes follow its step.
 */
export function firstOverTermBudget(parts: readonly { schedule: DropSchedule; steps: Float64Array }[]): number {
  return parts.findIndex(
    ({ schedule, steps }) =>
      steps.length > 0 &&
      !dropTermsFit([{ schedule, steps: pick(steps, thinIndices(steps.length, TERM_CHECK_POINTS)) }]),
  );
}

/**
 * dropSumsTooLong as a sentence a user acts on: what to do instead, `instead` being the law without loss-drop sums
 * ("the LR-annealing law").
 */
export function dropSumsTooLongFix(
  curves: readonly LossCurve[],
  warmupSteps: number | undefined,
  instead: string,
): string | undefined {
  const why = dropSumsTooLong(curves, warmupSteps);
  if (why === undefined) return undefined;
  return dropSchedulesFit(curves, warmupSteps)
    ? `${why}. Fit with ${instead}, or correct the LR column.`
    : `${why}. Fit with ${instead}, leave the longest curves out, or log optimizer steps in the step column.`;
}

export interface FitPoints {
  data: MultiPowerPoints;
  observed: Float64Array;
  weights?: Float64Array;
}

/**
 * Fits the law on every given curve with loss points and an LR (the caller picks the fit curves, and reports the
 * others); null when there is none, the LR is 0 throughout, or no start gave a finite fit.
 */
export function fitMultiPower(
  curves: LossCurve[],
  partial: Partial<MultiPowerOptions> = {},
  cache: ScheduleCache = new Map(),
): MultiPowerFit | null {
  const options = { ...DEFAULT_MULTI_POWER_OPTIONS, ...partial };
  const fitting = curves.filter((c) => c.steps.length > 0 && c.schedule.steps.length > 0);
  if (fitting.length === 0) return null;
  if (!dropSchedulesFit(fitting, options.warmupSteps)) return null;
  const etaRef = maxOf(fitting.map((c) => new StepLr(c.schedule, options.warmupSteps).peak));
  if (!(etaRef > 0 && etaRef < Infinity)) return null;
  const units = { etaRef, convention: options.convention, warmupSteps: options.warmupSteps };
  const schedules = fitting.map((c) => cachedSchedule(cache, c.schedule, units));
  const kept = keptPoints(fitting, options.maxFitPoints);
  if (!dropTermsFit(fitting.map((c, i) => ({ schedule: schedules[i], steps: pick(c.steps, kept[i]) })))) return null;
  // Steps ascend, so each curve's largest S1 is at its last point.
  const s1MaxNormalised = maxOf(fitting.map((c, i) => schedules[i].area(c.steps[c.steps.length - 1])));
  const scale: MultiPowerScale = { etaRef, s1Max: s1MaxNormalised * etaRef };
  const points = fitPoints(fitting, schedules, kept, s1MaxNormalised, options.window);
  const law = multiPowerLaw(minOf(fitting.map((c) => minOf(c.loss))));
  const warm = options.warmStart && intoBox(law, multiPowerParams(options.warmStart, scale));
  // A warm start sits near the optimum, where damped Gauss-Newton needs a handful of evaluations.
  const total = fitting.reduce((n, c) => n + c.steps.length, 0);
  const fit = anchored(
    warm
      ? refineRobust(law, points.data, points.observed, warm, {
          delta: options.delta,
          weights: points.weights,
          maxIterations: options.maxIterations,
        })
      : solve(law, points, options),
    total,
  );
  if (!fit) return null;
  return {
    params: fit.params,
    coefficients: multiPowerCoefficients(fit.params, scale),
    scale,
    convention: options.convention,
    warmupSteps: options.warmupSteps,
    fit,
    law,
    atBounds: parametersAtBounds(law, fit.params),
    fittedOn: fitting.map((c) => c.name),
    points: total,
    pointsFitted: points.observed.length,
    anchorPointsFitted: points.observed.length,
  };
}

/** Appended points past this many are thinned evenly (and weighted) for a refit on the anchor's model. */
const MAX_APPENDED_POINTS = 256;
/** Parameters 4-6 (ln c, beta, gamma): the shape of the loss-drop term. */
const SHAPE_FROM = 4;

/**
 * A grown run's refit without a pass over the points the last full refinement covered (grownFit.ts): the points
 * appended since are evaluated exactly, the earlier ones through the anchor's quadratic model, with the drop term's
 * shape (ln c, beta, gamma) held where that refinement left it, so every earlier row's loss-drop sum is carried as it
 * was (mplLoss.ts) and a followed run's update costs its appended rows, not its length. `curve` must be the one
 * curve `previous` was fitted on, grown (the caller checks its earlier points are the same bits); `grownFrom`, the
 * schedule the last fit summed against, is extended rather than built again (kept in `schedules` for the fit). Null
 * when the anchor's model cannot be trusted: no anchor, appended points past MODEL_GROWTH of it, another peak LR, or
 * a move that raises the anchor's points' objective past MODEL_RISE: the caller then refines on every fitted point
 * (a new anchor, a new shape).
 */
export function refitGrownMultiPower(
  previous: MultiPowerFit,
  curve: LossCurve,
  delta: number,
  schedules: ScheduleCache = new Map(),
  grownFrom?: DropSchedule,
): MultiPowerFit | null {
  const anchor = previous.fit.anchor;
  if (!anchor || previous.fittedOn.length !== 1) return null;
  const appended = curve.steps.length - anchor.points;
  if (appended < 0 || appended > MODEL_GROWTH * anchor.points) return null;
  if (!dropSchedulesFit([curve], previous.warmupSteps)) return null;
  if (new StepLr(curve.schedule, previous.warmupSteps).peak !== previous.scale.etaRef) return null;
  const ds = scheduleIn(schedules, previous, curve.schedule, grownFrom);
  const kept = thinIndices(appended, Math.min(appended, MAX_APPENDED_POINTS)).map((k) => k + anchor.points);
  const data = multiPowerPoints(ds, pick(curve.steps, kept), previous.scale.s1Max / previous.scale.etaRef);
  const weights = kept.length < appended ? new Float64Array(kept.length).fill(appended / kept.length) : undefined;
  const law = multiPowerLaw(minOf(curve.loss));
  const held = {
    ...law,
    lower: law.lower.map((v, j) => (j >= SHAPE_FROM ? previous.params[j] : v)),
    upper: law.upper.map((v, j) => (j >= SHAPE_FROM ? previous.params[j] : v)),
  };
  // From inside the box: an appended row below every earlier loss lowers L0's bound under the last optimum's L0.
  const start = intoBox(held, previous.params);
  if (!start) return null;
  // Converged far tighter (ftol) than a full pass could afford: its evaluations cost only the appended points.
  const model = refineOnModel(held, data, pick(curve.loss, kept), anchor.evaluation, start, {
    delta,
    weights,
    ftol: 1e-14,
  });
  if (!model || !(modelRise(anchor, model.params) <= MODEL_RISE)) return null;
  // Held exactly: the box pins them, and a projected step could leave them a rounding away.
  for (let j = SHAPE_FROM; j < model.params.length; j++) model.params[j] = previous.params[j];
  return {
    ...previous,
    params: model.params,
    coefficients: multiPowerCoefficients(model.params, previous.scale),
    fit: { ...model, anchor },
    law,
    atBounds: parametersAtBounds(law, model.params),
    points: curve.steps.length,
    pointsFitted: previous.anchorPointsFitted + kept.length,
  };
}

/** Parameters clamped into the law's box (a start outside it would be projected anyway, less predictably). */
function intoBox(law: Law<MultiPowerPoints>, params: Float64Array): Float64Array | null {
  if (!params.every(Number.isFinite)) return null;
  return params.map((v, j) => Math.min(law.upper[j], Math.max(law.lower[j], v)));
}

/** Terms per objective call up to which every start runs on every fitted point (the public curves have ~50,000). */
const DIRECT_TERMS = 200_000;
/** Terms per objective call of the thinned copy the starts are screened on (~64 points of a million-step log). */
const SCREEN_TERMS = 30_000;
const MIN_SCREEN_POINTS = 32;
/** Iterations a start gets while starts are screened: enough to tell the basins apart, not to converge. */
const SCREEN_ITERATIONS = 50;
/**
 * Damped Newton iterations a long log's refinements get before L-BFGS finishes. From a start in the basin Newton
 * converges in a handful; when it has not in this many its Gauss-Newton curvature is a poor model (with most log
 * residuals past the Huber delta, only the few inside it give curvature) and it crawls: on a 1.7M-row cosine it
 * took 2000 iterations (2,898 passes over 844,000 terms, 50 s) to get a third of the way, where L-BFGS then
 * converged in 62 passes.
 */
const LONG_NEWTON_ITERATIONS = 50;
/** Quasi-Newton iterations each start gets before the best is refined by Gauss-Newton. */
const EXPLORE_ITERATIONS = 20;

/**
 * The variable-projection starts, each taken to its optimum by the bounded quasi-Newton solver; the best wins. On a
 * long log (hundreds of terms per point) that costs minutes, so there the starts are screened on a thinned copy
 * with a capped iteration count, the best is converged on that copy, and then on every fitted point (damped
 * Newton, then L-BFGS: refineRobust). The expensive evaluations are then a handful of Newton steps.
 */
/**
 * A fit set small enough to fit on every term: each start explores for a few quasi-Newton iterations, then damped
 * Gauss-Newton takes the best to the optimum in far fewer evaluations than quasi-Newton would (about 220 instead of
 * 900 on the public fit sets, the same optimum). The benchmark times exactly this against scipy.
 */
export function solveFromStarts<D>(
  law: Law<D>,
  points: { data: D; observed: Float64Array; weights?: Float64Array },
  starts: Float64Array[],
  delta: number,
): RobustFit | null {
  const { data, observed, weights } = points;
  const explored = fitRobust(law, data, observed, { delta, starts, weights, maxIterations: EXPLORE_ITERATIONS });
  if (!explored) return null;
  const refined = refineRobust(law, data, observed, explored.params, { delta, weights });
  if (!refined || refined.objective > explored.objective) return explored;
  return {
    ...refined,
    evaluations: explored.evaluations + refined.evaluations,
    startsTried: explored.startsTried,
    bestStart: explored.bestStart,
  };
}

function solve(law: Law<MultiPowerPoints>, points: FitPoints, options: MultiPowerOptions): RobustFit | null {
  const { data, observed, weights } = points;
  if (data.terms.weight.length <= DIRECT_TERMS)
    return solveFromStarts(law, points, multiPowerStarts(data, observed, options.starts), options.delta);
  const screen = thinned(points, SCREEN_TERMS);
  const starts = multiPowerStarts(screen.data, screen.observed, options.starts);
  const screened = fitRobust(law, screen.data, screen.observed, {
    delta: options.delta,
    starts,
    weights: screen.weights,
    maxIterations: SCREEN_ITERATIONS,
  });
  if (!screened) return null;
  const coarse =
    refineRobust(law, screen.data, screen.observed, screened.params, {
      delta: options.delta,
      weights: screen.weights,
      newtonIterations: LONG_NEWTON_ITERATIONS,
    }) ?? screened;
  const fine = refineRobust(law, data, observed, coarse.params, {
    delta: options.delta,
    weights,
    newtonIterations: LONG_NEWTON_ITERATIONS,
  });
  if (!fine) return null;
  const evaluations = screened.evaluations + coarse.evaluations + fine.evaluations;
  return { ...fine, evaluations, startsTried: screened.startsTried, bestStart: screened.bestStart };
}

/** An evenly thinned copy with about `maxTerms` terms, reweighted so its objective estimates the full one. */
function thinned(points: FitPoints, maxTerms: number): FitPoints {
  const { data, observed, weights } = points;
  const n = observed.length;
  const idx = thinIndices(n, Math.max(MIN_SCREEN_POINTS, Math.floor((n * maxTerms) / data.terms.weight.length)));
  const share = n / idx.length;
  return {
    data: pickPoints(data, idx),
    observed: pick(observed, idx),
    weights: Float64Array.from(idx, (i) => (weights ? weights[i] : 1) * share),
  };
}

/** Indices of each curve's points the solver sees: all, or an even share of maxFitPoints per curve. */
export function keptPoints(curves: LossCurve[], maxFitPoints: number): Int32Array[] {
  const total = curves.reduce((n, c) => n + c.steps.length, 0);
  return curves.map((c) => {
    const n = c.steps.length;
    return total <= maxFitPoints
      ? thinIndices(n, n)
      : thinIndices(n, Math.max(2, Math.round((maxFitPoints * n) / total)));
  });
}

function fitPoints(
  curves: LossCurve[],
  schedules: DropSchedule[],
  kept: Int32Array[],
  s1MaxNormalised: number,
  window: number,
): FitPoints {
  const parts = curves.map((c, i) => multiPowerPoints(schedules[i], pick(c.steps, kept[i]), s1MaxNormalised, window));
  const isThinned = curves.some((c, i) => kept[i].length < c.steps.length);
  const keys = scheduleKeys(curves.map((c) => c.schedule));
  return {
    data: withRepeats(
      concatPoints(parts),
      curves.flatMap((c, i) => Array.from(kept[i], (k) => `${keys[i]}:${c.steps[k]}`)),
    ),
    observed: concat(curves.map((c, i) => pick(c.loss, kept[i]))),
    weights: isThinned
      ? concat(curves.map((c, i) => new Float64Array(kept[i].length).fill(c.steps.length / kept[i].length)))
      : undefined,
  };
}

/**
 * A key per schedule naming its content (its steps and LRs, the same bits): runs of a sweep on one schedule share
 * it, so their points at the same step are the same data (withRepeats), whose sums the law makes once. Schedules
 * are told apart by a hash, and those that share one by their bits.
 */
export function scheduleKeys(schedules: readonly LoggedSchedule[]): string[] {
  const byHash = new Map<number, LoggedSchedule[]>();
  return schedules.map((schedule) => {
    const hash = contentHash(schedule);
    const seen = byHash.get(hash) ?? [];
    byHash.set(hash, seen);
    let k = seen.findIndex((other) => sameContent(other, schedule));
    if (k < 0) k = seen.push(schedule) - 1;
    return `${hash}.${k}`;
  });
}

/** FNV-1a over the bits of a schedule's steps and LRs. */
function contentHash({ steps, lr }: LoggedSchedule): number {
  let hash = 0x811c9dc5;
  for (const values of [steps, lr]) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < words.length; i++) hash = Math.imul(hash ^ words[i], 0x01000193);
  }
  return hash >>> 0;
}

function sameContent(a: LoggedSchedule, b: LoggedSchedule): boolean {
  const n = a.steps.length;
  return (
    n === b.steps.length &&
    a.lr.length === b.lr.length &&
    samePrefix(a.steps, b.steps, n) &&
    samePrefix(a.lr, b.lr, a.lr.length)
  );
}

/** The schedule as the model sees it (LR in units of its eta_ref, its warmup convention). */
export function modelSchedule(
  model: MultiPowerModel,
  schedule: LoggedSchedule,
  grownFrom?: DropSchedule,
): DropSchedule {
  const options = { etaRef: model.scale.etaRef, convention: model.convention, warmupSteps: model.warmupSteps };
  return new DropSchedule(schedule, options, grownFrom);
}

/**
 * Schedules as fits see them, by the logged schedule they come from: each costs a pass over the steps, and its
 * block sums another. A fit's cache serves its predictions, and the refits of its backtest (the same schedules, cut
 * later: 4 builds of every fit curve's schedule in one).
 */
export type ScheduleCache = Map<LoggedSchedule, DropSchedule>;

/** The schedule as the model sees it, made once per cache (cachedSchedule). */
export function scheduleIn(
  cache: ScheduleCache,
  model: MultiPowerModel,
  schedule: LoggedSchedule,
  grownFrom?: DropSchedule,
): DropSchedule {
  const units = { etaRef: model.scale.etaRef, convention: model.convention, warmupSteps: model.warmupSteps };
  return cachedSchedule(cache, schedule, units, grownFrom);
}

/**
 * The cache's schedule when it is in these units (eta_ref, conventions), else one made and cached in its place: a
 * backtest's refit of fewer curves can have another eta_ref than the fit whose cache it shares. A schedule is a
 * function of the logged one and its units only, so a cached one gives the same sums as a new one.
 */
function cachedSchedule(
  cache: ScheduleCache,
  schedule: LoggedSchedule,
  units: DropScheduleOptions,
  grownFrom?: DropSchedule,
): DropSchedule {
  const known = cache.get(schedule);
  if (known?.sameOptions(units)) return known;
  const ds = new DropSchedule(schedule, units, grownFrom);
  cache.set(schedule, ds);
  return ds;
}

/**
 * The predicted loss at integer steps >= 1 of any schedule. 'exact' (for reports) costs O(K) per step, K = steps
 * where the LR changes; 'compressed' costs O(blocks) per step and stays within ~1e-6 of it (tested), for logs too
 * long for the exact sum at every row.
 */
export function predictMultiPower(
  model: MultiPowerModel,
  schedule: LoggedSchedule | DropSchedule,
  steps: ArrayLike<number>,
  lossDrop: 'exact' | 'compressed' | 'interpolated' = 'exact',
): Float64Array {
  const ds = schedule instanceof DropSchedule ? schedule : modelSchedule(model, schedule);
  const logArea = Float64Array.from(steps, (s) => Math.log(ds.area(s)));
  return lossFromDrops(model, multiPowerDrops(model, ds, steps, lossDrop), logArea);
}

/** The loss-drop sum LD at each step (predictMultiPower's sums), in the model's LR units. */
export function multiPowerDrops(
  model: MultiPowerModel,
  ds: DropSchedule,
  steps: ArrayLike<number>,
  lossDrop: 'exact' | 'compressed' | 'interpolated',
): Float64Array {
  const [, , , b, logC, beta, gamma] = model.params;
  return lossDrop === 'exact'
    ? exactLossDrop(ds, steps, logC, beta, gamma)
    : lossDrop === 'compressed'
      ? compressedAt(ds, logC, beta, gamma, steps)
      : interpolatedAt(ds, logC, beta, gamma, steps, INTERPOLATION_TOLERANCE / Math.max(b, 1e-300));
}

/** The predicted loss at steps from their loss-drop sums `ld` (multiPowerDrops) and ln S1 (`logArea`) there. */
export function lossFromDrops(model: MultiPowerModel, ld: Float64Array, logArea: Float64Array): Float64Array {
  const [l0, a, alpha, b] = model.params;
  const logS1Max = Math.log(model.scale.s1Max / model.scale.etaRef);
  const out = new Float64Array(ld.length);
  for (let i = 0; i < out.length; i++) out[i] = l0 + a * Math.exp(-alpha * (logArea[i] - logS1Max)) - b * ld[i];
  return out;
}

/** Whether two fits' loss-drop sums are the same function of the schedule: same shape, LR unit and conventions. */
export function sameDropTerm(a: MultiPowerModel, b: MultiPowerModel): boolean {
  return (
    a.scale.etaRef === b.scale.etaRef &&
    a.convention === b.convention &&
    a.warmupSteps === b.warmupSteps &&
    a.params.subarray(SHAPE_FROM).every((v, j) => Object.is(v, b.params[SHAPE_FROM + j]))
  );
}

/**
 * Largest loss error a stretch of interpolated predictions may show at its checked midpoint: half the compressed
 * sum's own error bound (1e-5, docs/laws-loss.md; 2e-6 measured), and above its step-to-step jitter (a few 1e-7, up
 * to a few 1e-6 on a log whose LR is written to 5 digits), so smooth stretches pass and only real bends are summed
 * row by row. At 1e-6 that jitter sent a third of a million-row log's rows to be summed one by one (5 s).
 */
const INTERPOLATION_TOLERANCE = 5e-6;
/** Logs shorter than this are summed at every row (interpolating saves little there). */
const INTERPOLATE_FROM = 50_000;
/** Stretches the queries are cut into before the midpoint checks (fewer for short logs: see interpolatedAt). */
const INTERPOLATION_STRETCHES = 4096;

/**
 * The compressed LD at many ascending steps (a long log's every row), summed at the ends and the middle of each of
 * a few thousand stretches and interpolated in between: piecewise linear through those three, where the two-point
 * line misses the middle by at most `tolerance` (the error of the three-point line is smaller still). A stretch that
 * misses (an LR drop inside it, the fast early decay) is summed at every step. Work: O(stretches * blocks + rows)
 * instead of O(rows * blocks) (18 s for a million rows).
 */
function interpolatedAt(
  ds: DropSchedule,
  logC: number,
  beta: number,
  gamma: number,
  steps: ArrayLike<number>,
  tolerance: number,
): Float64Array {
  const n = steps.length;
  if (n < INTERPOLATE_FROM) return compressedAt(ds, logC, beta, gamma, steps);
  const spacing = Math.ceil(n / INTERPOLATION_STRETCHES);
  // Stretch j runs from query ends[j] to ends[j + 1]; its middle is mids[j].
  const ends: number[] = [];
  for (let i = 0; i < n - 1; i += spacing) ends.push(i);
  ends.push(n - 1);
  const mids = ends.slice(0, -1).map((e, j) => (e + ends[j + 1]) >> 1);
  const at = (indices: number[]) =>
    compressedAt(
      ds,
      logC,
      beta,
      gamma,
      Float64Array.from(indices, (i) => steps[i]),
    );
  const [atEnds, atMids] = [at(ends), at(mids)];
  const out = new Float64Array(n);
  const missed: number[] = [];
  for (let j = 0; j < mids.length; j++) {
    const [lo, mid, hi] = [ends[j], mids[j], ends[j + 1]];
    const [xLo, xMid, xHi] = [steps[lo], steps[mid], steps[hi]];
    const line = atEnds[j] + ((atEnds[j + 1] - atEnds[j]) * (xMid - xLo)) / (xHi - xLo);
    if (!(Math.abs(line - atMids[j]) <= tolerance)) {
      for (let i = lo + 1; i < hi; i++) missed.push(i);
      continue;
    }
    for (let i = lo + 1; i < hi; i++) {
      const [x0, y0, x1, y1] = i <= mid ? [xLo, atEnds[j], xMid, atMids[j]] : [xMid, atMids[j], xHi, atEnds[j + 1]];
      out[i] = y0 + ((y1 - y0) * (steps[i] - x0)) / (x1 - x0);
    }
  }
  ends.forEach((e, j) => (out[e] = atEnds[j]));
  mids.forEach((m, j) => (out[m] = atMids[j]));
  if (missed.length > 0) at(missed).forEach((v, k) => (out[missed[k]] = v));
  return out;
}

/**
 * compressedAt's table, built again only when beta changes (prepare): a fit predicts every curve with one beta, and a
 * table per call cost a sweep's hundreds of curves one build each (per backtest cut too). Its nodes depend on beta
 * alone, so the sums are the same bits whichever call built it.
 */
const compressedTable = new SaturationTable();

/** The compressed LD, summed without storing its terms (lossDrop.ts). */
function compressedAt(
  ds: DropSchedule,
  logC: number,
  beta: number,
  gamma: number,
  steps: ArrayLike<number>,
): Float64Array {
  compressedTable.prepare(beta);
  return compressedLossDrop(ds, steps, logC, gamma, compressedTable);
}
