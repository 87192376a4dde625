// What-if schedules for the loss-curve laws: build a per-step LR from a few knobs (constant, cosine, WSD,
// multi-step, each with a linear warmup), then predict its loss curve with the fitted law (the LR-annealing law's
// areas from lrAreas, the multi-power law's exact loss-drop sum, compressed but for the final step on a long
// schedule), as in the fit: a what-if is the fit's own prediction. Under a mean of both laws it is the mean, each law
// weighted at each step of the schedule by the inverse of its bootstrap spread there, from the refits the analysis
// weighed the logged curves with (spreadWeights.ts).
import { mixReplicates } from '../analysis/combinedLoss';
import { reachS1, scheduleReachProblem } from '../analysis/areaReach';
import { beyondReach, farReason, reachOf } from '../analysis/reach';
import { isLossLaw, isSizeLaw } from '../analysis/lossLaw';
import { fitLawName, LAW_NAMES } from '../analysis/lawNames';
import { modelSchedule, predictMultiPower, type MultiPowerModel } from '../analysis/multiPowerFit';
import { inverseSpreadWeights, isLoss, SPREAD_POINTS, weightedAt, type LawWeights } from '../analysis/spreadWeights';
import { areaConvention, type WarmupConventionOption } from '../analysis/options';
import type { Analysis, FitResult, LawRefits, LogEndSums, LossLawId, Series } from '../analysis/types';
import { lrAnnealingLaw } from '../laws/lrAnnealing';
import { lrAnnealingSizeLaw } from '../laws/lrAnnealingSize';
import { multiPowerCoefficients, multiPowerLaw, multiPowerPoints, type MultiPowerPoints } from '../laws/multiPower';
import { belowFloor, fell } from '../analysis/unseenDrop';
import { gammaAssumed } from '../analysis/dropLevels';
import { CarriedDrops, carriedTerms, type DropSchedule } from '../laws/lossDrop';
import { lrAreas, StepLr, type AreaResume, type LoggedSchedule, type WarmupConvention } from '../laws/schedule';
import { maxOf, pick, thinIndices, minOf } from '../util/arrays';
import { distinctDigits, formatCompact, formatNumber, formatSizes } from '../util/format';
import type { Outcome, WhatIfCurve, WhatIfDefaults, WhatIfSpec } from './types';
import { checkSpec, lrOfSpec } from './whatIfSpec';

export { checkSpec, defaultSpec, lrAt, lrOfSpec, MAX_WHATIF_SPECS, MAX_WHATIF_STEPS } from './whatIfSpec';

/** The spec as a logged schedule at every step, the form lrAreas reads. */
export function scheduleOf(spec: WhatIfSpec): LoggedSchedule {
  const T = Math.round(spec.totalSteps);
  const steps = new Float64Array(T);
  const lr = new Float64Array(T);
  const lrOf = lrOfSpec(spec);
  for (let i = 0; i < T; i++) {
    steps[i] = i + 1;
    lr[i] = lrOf(i + 1);
  }
  return { steps, lr };
}

/**
 * Integer query steps, log-spaced from `from` to T (plus T itself): the curve's shape in `points` samples. `from` is
 * where the fitted runs' logs start, so a what-if is drawn over the same steps as the runs beside it.
 */
export function querySteps(total: number, points: number, from = 1): number[] {
  const T = Math.round(total);
  const start = Math.min(Math.max(1, Math.round(from)), T);
  const out = new Set<number>([start, T]);
  const [a, b] = [Math.log(start), Math.log(T)];
  for (let k = 0; k < points; k++) out.add(Math.round(Math.exp(a + ((b - a) * k) / (points - 1))));
  // A linear sprinkle too, so a decay late in a long run is resolved on a log-x or a linear-x axis.
  for (let k = 1; k < points; k++) out.add(Math.round((T * k) / points));
  return [...out].filter((s) => s >= start && s <= T).sort((x, y) => x - y);
}

/** What a what-if curve needs from a loss-curve fit (any of the laws), read from the FitResult. */
export type LawSettings =
  | { law: 'lr-annealing'; params: Float64Array; etaMax: number; lambda: number; warmup: WarmupConvention }
  | { law: 'mpl'; model: MultiPowerModel }
  | {
      law: 'lr-annealing-size';
      params: Float64Array;
      etaMax: number;
      lambda: number;
      warmup: WarmupConvention;
      /** N / N_ref of the model predicted: the solver's size unit. */
      n: number;
    };

export const NO_LOSS_FIT =
  'A what-if schedule needs a loss-curve fit (an LR-annealing fit, a multi-power-law fit or a model-size-law fit); this file has none.';

/** What of a fit (the chosen one or a runner-up) its predictions need. */
export type LawOfFit = Pick<FitResult, 'law' | 'normalized' | 'settings'>;
/** A fit a mean of both laws may be (meanLoss reads its selection and the multi-power law's fit; a runner-up has neither). */
export type MeanOfFit = LawOfFit & Partial<Pick<FitResult, 'selection' | 'runnerUpFit'>>;

/**
 * A model size as the chart names it (its group, a what-if's label): N=25M, by the one number rule, to `digits`
 * significant digits: as many as tell the sizes of its fit apart (distinctDigits, worked out once for them all).
 */
export function sizeGroup(modelSize: number, digits: number): string {
  return `N=${formatCompact(modelSize, digits)}`;
}

/** Whether a fit predicts loss curves under any schedule: what lenses' extrapolations and what-ifs are drawn from. */
export function predictsSchedules(fit: FitResult): boolean {
  return isLossLaw(fit.law) || isSizeLaw(fit.law);
}

/**
 * The law a what-if curve is predicted with, as the what-if form names it: the fit's own (fitLawName), a mean of both
 * laws too. A mean whose multi-power fit was not reported (none is now: a followed run's warm refit keeps its
 * runner-up) predicts with the law whose coefficients the fit reports, alone, and says so.
 */
export function whatIfLawName(fit: Pick<FitResult, 'law' | 'selection' | 'runnerUpFit'>): string {
  if (!fit.selection?.weights) return LAW_NAMES[fit.law];
  return fit.runnerUpFit ? fitLawName(fit) : `${LAW_NAMES[fit.law]} alone`;
}

/** `modelSize`: the N to predict, for the model-size law (which needs one). */
export function lawSettings(fit: LawOfFit, modelSize?: number): Outcome<LawSettings> {
  if (fit.law === 'mpl') return mplSettings(fit);
  if (fit.law === 'lr-annealing-size') return sizeSettings(fit, modelSize);
  if (fit.law === 'mpl-size') return mplSizeSettings(fit, modelSize);
  const p = fit.normalized?.params;
  const etaMax = Number(fit.settings.etaMax);
  const lambda = Number(fit.settings.lambda);
  if (fit.law !== 'lr-annealing' || !p || !(etaMax > 0) || !(lambda > 0)) return { ok: false, message: NO_LOSS_FIT };
  const warmup = areaConvention(fit.settings.warmupConvention as WarmupConventionOption);
  return {
    ok: true,
    value: { law: 'lr-annealing', params: Float64Array.of(p.L0, p.A, p.alpha, p.C), etaMax, lambda, warmup },
  };
}

/** The model-size law at one model size from its FitResult: normalised parameters and their scales. */
function sizeSettings(fit: LawOfFit, modelSize: number | undefined): Outcome<LawSettings> {
  const p = fit.normalized?.params;
  const etaMax = Number(fit.settings.etaMax);
  const lambda = Number(fit.settings.lambda);
  const nRef = Number(fit.settings.nRef);
  if (!p || !(etaMax > 0) || !(lambda > 0) || !(nRef > 0)) return { ok: false, message: NO_LOSS_FIT };
  if (modelSize === undefined || !(modelSize > 0)) return { ok: false, message: NO_SIZE };
  const warmup = areaConvention(fit.settings.warmupConvention as WarmupConventionOption);
  const params = Float64Array.of(p.L0, p.A, p.alpha, p.B, p.beta, p.C, p.gamma);
  return { ok: true, value: { law: 'lr-annealing-size', params, etaMax, lambda, warmup, n: modelSize / nRef } };
}

const NO_SIZE = 'The model-size law predicts a model of a given size N: none was given.';

/**
 * The multi-power law with size at one size N is the multi-power law with L0 + e·n^(-eps) for L0 and b·n^zeta for b
 * (n = N / N_ref): its model, from the FitResult.
 */
function mplSizeSettings(fit: LawOfFit, modelSize: number | undefined): Outcome<LawSettings> {
  const p = fit.normalized?.params;
  const nRef = Number(fit.settings.nRef);
  if (!p || !(nRef > 0)) return { ok: false, message: NO_LOSS_FIT };
  if (modelSize === undefined || !(modelSize > 0)) return { ok: false, message: NO_SIZE };
  const n = modelSize / nRef;
  const params = {
    L0: p.L0 + p.e * Math.pow(n, -p.eps),
    a: p.a,
    alpha: p.alpha,
    b: p.b * Math.pow(n, p.zeta),
    c: Math.exp(p['ln c']),
    beta: p.beta,
    gamma: p.gamma,
  };
  return mplSettings({ ...fit, normalized: { params, note: fit.normalized!.note } });
}

/** The multi-power model from its FitResult: normalised parameters, their scale and the warmup conventions. */
function mplSettings(fit: LawOfFit): Outcome<LawSettings> {
  const p = fit.normalized?.params;
  const scale = { etaRef: Number(fit.settings.etaRef), s1Max: Number(fit.settings.s1Max) };
  if (!p || !(scale.etaRef > 0) || !(scale.s1Max > 0)) return { ok: false, message: NO_LOSS_FIT };
  const params = Float64Array.of(p.L0, p.a, p.alpha, p.b, Math.log(p.c), p.beta, p.gamma);
  const warmupSteps = Number(fit.settings.warmupStepsOption);
  const model: MultiPowerModel = {
    params,
    coefficients: multiPowerCoefficients(params, scale),
    scale,
    convention: fit.settings.lossDropConvention === 'repository' ? 'repository' : 'paper',
    warmupSteps: warmupSteps > 0 ? warmupSteps : undefined,
  };
  return { ok: true, value: { law: 'mpl', model } };
}

/** The law's loss at ascending integer steps of a logged schedule, exactly as the analysis predicts it. */
export function predictLoss(law: LawSettings, schedule: LoggedSchedule, steps: ArrayLike<number>): number[] {
  if (law.law === 'mpl') return Array.from(multiPowerCurve(law.model, modelSchedule(law.model, schedule), steps));
  return Array.from(annealingAt(law, schedule, steps)(law.params));
}

/**
 * Loss-drop terms (query steps x schedule steps) above which a what-if's multi-power curve is summed with the
 * compressed sum (within ~1e-6 of the exact one, tested), its final step still exactly: the exact sum at 600 query
 * steps of a 100k-step schedule took 0.5-0.8 s, recomputed as the user types; this is about 50 ms of it.
 */
const WHATIF_EXACT_TERMS = 5e6;

/**
 * The multi-power law's loss at ascending steps of a schedule: exactly, or compressed but for the final step (a
 * what-if's final loss is a number shown); `exactLast` false: compressed there too (the chart's, anchored to the
 * analysis's exact predictions, where the final step's exact sum over a million-step log cost 50 ms).
 */
function multiPowerCurve(
  model: MultiPowerModel,
  ds: DropSchedule,
  steps: ArrayLike<number>,
  exactLast = true,
): Float64Array {
  if (steps.length * ds.last <= WHATIF_EXACT_TERMS) return predictMultiPower(model, ds, steps);
  const loss = predictMultiPower(model, ds, steps, 'compressed');
  const last = steps.length - 1;
  if (exactLast) loss[last] = predictMultiPower(model, ds, [steps[last]])[0];
  return loss;
}

/** The LR-annealing laws' loss at some steps of a schedule for any parameters: the LR areas are summed once. */
function annealingAt(
  law: Exclude<LawSettings, { law: 'mpl' }>,
  schedule: LoggedSchedule,
  steps: ArrayLike<number>,
  end?: LogEndSums,
): (params: Float64Array) => Float64Array {
  const areas = lrAreas(schedule, steps, { lambda: law.lambda, warmup: law.warmup }, resumeFor(law, steps, end));
  const points = { s1: areas.s1.map((v) => v / law.etaMax), s2: areas.s2.map((v) => v / law.etaMax) };
  const sized = law.law === 'lr-annealing-size' && { ...points, n: new Float64Array(steps.length).fill(law.n) };
  return (params) => {
    const out = new Float64Array(steps.length);
    if (sized) lrAnnealingSizeLaw().predict(params, sized, out);
    else lrAnnealingLaw.predict(params, points, out);
    return out;
  };
}

/**
 * Where the areas of a log's end (LogEndSums) let lrAreas resume: summed under the law's lambda and convention, and
 * the steps start at or after it (lrAreas gives a resumed pass's queries from there on only).
 */
function resumeFor(
  law: Exclude<LawSettings, { law: 'mpl' }>,
  steps: ArrayLike<number>,
  end: LogEndSums | undefined,
): AreaResume | undefined {
  const areas = end?.areas;
  if (!areas || areas.lambda !== law.lambda || areas.warmup !== law.warmup) return undefined;
  return steps.length > 0 && steps[0] >= areas.resume.step ? areas.resume : undefined;
}

/** The multi-power law's carried terms of a log's end (LogEndSums), when summed in the model's unit and conventions. */
function carriedFor(model: MultiPowerModel, end: LogEndSums | undefined): CarriedDrops | undefined {
  const drops = end?.drops;
  const same =
    drops &&
    drops.etaRef === model.scale.etaRef &&
    drops.convention === model.convention &&
    drops.warmupSteps === model.warmupSteps;
  return same ? new CarriedDrops(drops.terms) : undefined;
}

/**
 * A curve's sums at its log's end under the fit's laws (LogEndSums; under a mean, both), summed with the analysis so
 * the chart carries them on without a pass over the schedule. Undefined for a law that predicts no schedule alone.
 */
export function logEndSums(
  fit: MeanOfFit,
  schedule: { steps: ArrayLike<number>; lr: ArrayLike<number> },
): LogEndSums | undefined {
  const n = schedule.steps.length;
  if (n === 0) return undefined;
  const logged = { steps: Float64Array.from(schedule.steps), lr: Float64Array.from(schedule.lr) };
  const out: LogEndSums = {};
  for (const f of fit.runnerUpFit ? [fit, fit.runnerUpFit] : [fit]) {
    const law = lawSettings(f);
    if (!law.ok) continue;
    const v = law.value;
    if (v.law === 'lr-annealing') {
      const { resume } = lrAreas(logged, [Math.ceil(logged.steps[n - 1])], { lambda: v.lambda, warmup: v.warmup });
      out.areas = { lambda: v.lambda, warmup: v.warmup, resume };
    } else if (v.law === 'mpl') {
      const { scale, convention, warmupSteps } = v.model;
      const terms = carriedTerms(modelSchedule(v.model, logged));
      out.drops = { etaRef: scale.etaRef, convention, ...(warmupSteps !== undefined && { warmupSteps }), terms };
    }
  }
  return out.areas || out.drops ? out : undefined;
}

/** Whether ascending `steps` all lie past a schedule's last change of LR (`last`), in a sum multiPowerCurve compresses. */
function pastLongLog(last: number, steps: ArrayLike<number>): boolean {
  return steps.length > 0 && steps[0] >= last && steps.length * last > WHATIF_EXACT_TERMS;
}

/**
 * Each loss curve's sums at its log's end (CurveReport.logEnd) under the fit that predicts schedules, in place: the
 * analysis worker sums them after the fit, so the server's chart does not (a million-row log's pass is 0.1 s there).
 */
export function addLogEnds(analysis: Pick<Analysis<Series>, 'fits' | 'curves'>): void {
  const fit = analysis.fits.find(predictsSchedules);
  if (!fit) return;
  for (const c of analysis.curves) {
    const end = c.schedule && logEndSums(fit, c.schedule);
    if (end) c.logEnd = end;
  }
}

/** A law's loss at some steps and its refits' at some of them (withRefits). */
interface LawAndRefits {
  loss: Float64Array;
  sets: Float64Array[];
}

/**
 * One curve's schedule as the chart's laws past its log read it, and their sums over it kept: under a mean of both
 * laws the runner-up drawn beside it (MPL alone) is the mean's own member, the same law and refits summed over the
 * same schedule at the same drawn steps, which on a million-step log cost a few hundred ms each time. Its laws are
 * anchored to the analysis's exact predictions, so their multi-power sums are compressed throughout (multiPowerCurve).
 */
export interface PastLogSums {
  schedule: LoggedSchedule;
  /** The analysis's sums at the log's end (CurveReport.logEnd): where its laws' sums start past the log. */
  end?: LogEndSums;
  /** withRefits' answers, by the refits and the steps (and which of them the refits are at). */
  kept: WeakMap<LawRefits, Map<string, LawAndRefits>>;
}

/**
 * A curve's schedule (number[] or typed, copied once) with nothing summed over it yet. Typed ones are copied too: a
 * profile of the language server read the arrays the worker transferred markedly slower in these sums (the
 * LR-annealing law's areas 210 ms against 53 ms, at load 5, once each; a simulation saw no difference), and a copy
 * of a million-row schedule costs 10 ms.
 */
export function pastLogSums(
  schedule: { steps: ArrayLike<number>; lr: ArrayLike<number> },
  end?: LogEndSums,
): PastLogSums {
  return {
    schedule: { steps: Float64Array.from(schedule.steps), lr: Float64Array.from(schedule.lr) },
    ...(end && { end }),
    kept: new WeakMap(),
  };
}

/** The logged schedule itself, of a chart's sums or as it is. */
function loggedOf(schedule: LoggedSchedule | PastLogSums): LoggedSchedule {
  return 'kept' in schedule ? schedule.schedule : schedule;
}

/**
 * withRefits over a schedule of the chart's (`sums`), each law, refits and steps summed once; a LoggedSchedule: as a
 * what-if's, its final loss exact.
 */
function withRefitsOver(
  law: LawSettings,
  refits: LawRefits,
  schedule: LoggedSchedule | PastLogSums,
  steps: Float64Array,
  at: Int32Array,
): LawAndRefits {
  if (!('kept' in schedule)) return withRefits(law, refits, schedule, steps, at, true);
  let byRefits = schedule.kept.get(refits);
  if (!byRefits) schedule.kept.set(refits, (byRefits = new Map()));
  const key = `${law.law}|${steps.join(',')}|${at.join(',')}`;
  let answer = byRefits.get(key);
  if (!answer) byRefits.set(key, (answer = withRefits(law, refits, schedule.schedule, steps, at, false, schedule.end)));
  return answer;
}

/**
 * A law's loss at some steps of a schedule, and each bootstrap refit's at some of them (`at`), as the analysis's
 * replicates of a curve (tissueLoss.ts, mplLoss.ts): the LR-annealing law's refits predict alone; the multi-power
 * law's scale its prediction by refit / centre, both with the compressed loss-drop sum (a refit's exact sum over a
 * long schedule would cost as much as the prediction itself, times the refits). `exactLast`: see multiPowerCurve.
 */
function withRefits(
  law: LawSettings,
  refits: LawRefits,
  schedule: LoggedSchedule,
  steps: Float64Array,
  at: Int32Array,
  exactLast: boolean,
  end?: LogEndSums,
): LawAndRefits {
  const thin = pick(steps, at);
  if (law.law !== 'mpl') {
    const refit = annealingAt(law, schedule, thin, end);
    // Refits at every step (a few, as past a curve's log): the areas are summed once, a million-row log's cost.
    const loss = (at.length === steps.length ? refit : annealingAt(law, schedule, steps, end))(law.params);
    return { loss, sets: refits.sets.map((p) => refit(Float64Array.from(p))) };
  }
  const { model } = law;
  const s1Max = model.scale.s1Max / model.scale.etaRef;
  const fromEnd = exactLast ? undefined : carriedFor(model, end);
  const ds = fromEnd && pastLongLog(fromEnd.terms.last, steps) ? undefined : modelSchedule(model, schedule);
  // Past a long log (the chart's, no exact final step, a sum multiPowerCurve compresses): the compressed sum's terms at
  // the log's end carried forward (CarriedDrops), the analysis's or one pass over the schedule here, instead of prefix
  // sums over all of it for blocks placed from each step. A short log's loss stays exact.
  const carried = ds
    ? !exactLast && pastLongLog(ds.last, steps)
      ? new CarriedDrops(carriedTerms(ds))
      : undefined
    : fromEnd;
  const points = multiPowerPoints(carried ?? ds!, thin, s1Max);
  const compressed = multiPowerLaw(Infinity);
  const predictAt = (params: ArrayLike<number>, at: MultiPowerPoints) => {
    const out = new Float64Array(at.logX1.length);
    compressed.predict(Float64Array.from(params), at, out);
    return out;
  };
  const all = carried && (thin.length === steps.length ? points : multiPowerPoints(carried, steps, s1Max));
  const loss = all ? predictAt(model.params, all) : multiPowerCurve(model, ds!, steps, exactLast);
  const refit = (params: ArrayLike<number>) => predictAt(params, points);
  const centre = refit(refits.centre ?? model.params);
  return { loss, sets: refits.sets.map((p) => refit(p).map((v, j) => (loss[at[j]] * v) / centre[j])) };
}

/** No refits: a law's own loss through withRefitsOver (pastLoss). */
const NO_REFITS: LawRefits = { sets: [] };

/**
 * One law's loss past a curve's log where no refits of it are kept (a law chosen, not auto's): summed as the chart's
 * other sums are, from the log end's sums where they apply and compressed throughout (the lens's numbers anchor it).
 */
export function pastLoss(law: LawSettings, sums: PastLogSums, steps: Float64Array): number[] {
  return Array.from(lawWithRefits(law, NO_REFITS, sums, steps).loss);
}

/**
 * One law's loss at a few steps and each of its refits' at every one of them (withRefits): the chart's band of one law
 * past a curve's log, where its refits are kept (selection.spreadRefits: the runner-up of a mean, MPL alone).
 */
export function lawWithRefits(
  law: LawSettings,
  refits: LawRefits,
  schedule: LoggedSchedule | PastLogSums,
  steps: Float64Array,
): LawAndRefits {
  return withRefitsOver(
    law,
    refits,
    schedule,
    steps,
    Int32Array.from(steps, (_, i) => i),
  );
}

/**
 * Under a mean of both laws (selection.weights, the multi-power law's fit its runnerUpFit): each law's prediction of
 * the schedule weighted at each step as the analysis weighs a curve's (spreadWeights.ts): by the inverse of its
 * spread over the same refits, at SPREAD_POINTS steps of this schedule and interpolated between them, so a schedule
 * unlike the curves gets its own weights; the weights the selection states when the spreads were not measured
 * (equal). Null when the fit is no mean. One mean for a what-if and for the chart's line past a curve's log.
 */
export function meanLoss(fit: MeanOfFit, schedule: LoggedSchedule, steps: Float64Array): Outcome<number[]> | null {
  const mean = meanWithRefits(fit, schedule, steps);
  return mean && (mean.ok ? { ok: true, value: mean.value.loss } : mean);
}

/**
 * meanLoss, and when the refits were measured at every step (no more steps than SPREAD_POINTS, as the chart's past a
 * curve's log) the mixture of both laws' refits there, each law's share its weight at each step: the replicates the
 * analysis's band of a mean is the quantiles of (combinedLoss.ts), so the chart's band between targets is that band.
 */
export function meanWithRefits(
  fit: MeanOfFit,
  schedule: LoggedSchedule | PastLogSums,
  steps: Float64Array,
): Outcome<{ loss: number[]; mixture?: Float64Array[] }> | null {
  const weights = fit.selection?.weights;
  if (!weights || !fit.runnerUpFit) return null;
  const laws = [lawSettings(fit), lawSettings(fit.runnerUpFit)];
  const ids = [fit.law, fit.runnerUpFit.law] as LossLawId[];
  const refits = ids.map((id) => fit.selection?.spreadRefits?.[id]);
  const terms: { values: Float64Array; weights: LawWeights }[] = [];
  for (const law of laws) if (!law.ok) return law;
  const settings = laws.map((law) => (law as { ok: true; value: LawSettings }).value);
  let mixture: Float64Array[] | undefined;
  if (refits.every((r) => r && r.sets.length >= 2)) {
    const at = thinIndices(steps.length, SPREAD_POINTS);
    const parts = settings.map((law, k) => withRefitsOver(law, refits[k]!, schedule, steps, at));
    const shares = inverseSpreadWeights(
      parts.map((p) => pick(p.loss, at)),
      parts.map((p) => p.sets),
    );
    const knots = pick(steps, at);
    parts.forEach((p, k) => terms.push({ values: p.loss, weights: { steps: knots, weight: shares[k] } }));
    if (at.length === steps.length)
      mixture = mixReplicates(
        parts.map((p) => p.sets),
        shares,
        minOf(parts.map((p) => p.sets.length)),
      );
  } else
    settings.forEach((law, k) =>
      terms.push({ values: Float64Array.from(predictLoss(law, loggedOf(schedule), steps)), weights: weights[ids[k]] }),
    );
  return { ok: true, value: { loss: Array.from(weightedAt(terms, steps)), ...(mixture && { mixture }) } };
}

/** Steps a what-if curve is predicted at (querySteps), unless asked for others. */
const WHATIF_POINTS = 300;

/**
 * `sizes`: the model-size law's fitted sizes (WhatIfDefaults.sizes), which bound the sizes it may predict;
 * `departed`: why its runs' predictions are withheld (WhatIfDefaults.departed), which withholds the what-if too.
 */
export function whatIfCurve(
  fit: FitResult,
  spec: WhatIfSpec,
  label: string,
  options: {
    points?: number;
    fromStep?: number;
    logged?: LoggedSchedule;
    sizes?: WhatIfDefaults['sizes'];
    departed?: WhatIfDefaults['departed'];
  } = {},
): Outcome<WhatIfCurve> {
  const problem =
    checkSpec(spec) ??
    unsupportedProblem(fit) ??
    departedProblem(spec, options.departed) ??
    sizeProblem(fit, spec, options.sizes);
  if (problem) return { ok: false, message: `${label}: ${problem}` };
  const modelSize = spec.modelSize ?? options.sizes?.fitted.at(-1);
  const law = lawSettings(fit, modelSize);
  if (!law.ok) return law;
  // A model-size what-if names the size it predicts: two of them may differ in N alone.
  const named =
    isSizeLaw(fit.law) && modelSize
      ? `${label} · ${sizeGroup(modelSize, distinctDigits([...(options.sizes?.fitted ?? []), modelSize]))}`
      : label;
  const steps = querySteps(spec.totalSteps, options.points ?? WHATIF_POINTS, options.fromStep);
  const schedule = spec.shape === 'logged' ? loggedSchedule(spec, options.logged) : scheduleOf(spec);
  if (!schedule) return { ok: false, message: `${label}: this file has no logged LR schedule to continue.` };
  const lr = spec.shape === 'logged' ? lrOfSchedule(schedule, steps) : steps.map(lrOfSpec(spec));
  const unseen =
    lrReachProblem(fit, steps, lr) ??
    unseenDropProblem(fit, steps, lr) ??
    scheduleReachProblem(fit.s1Reach, schedule, steps);
  if (unseen) return { ok: false, message: `${label}: ${unseen}` };
  const mean = meanLoss(fit, schedule, Float64Array.from(steps));
  if (mean && !mean.ok) return mean;
  const loss = mean ? mean.value : predictLoss(law.value, schedule, steps);
  const impossible = impossibleLoss(loss, steps);
  if (impossible) return { ok: false, message: `${label}: ${impossible}` };
  const assumption = gammaAssumed(fit.oneStepLanding, lr, steps);
  return {
    ok: true,
    value: { label: named, spec, steps, loss, lr, finalLoss: loss[loss.length - 1], ...(assumption && { assumption }) },
  };
}

/**
 * Why a what-if curve is no loss curve: the law gives a loss of 0 or below, or none, at some step of the schedule (a
 * peak LR thousands of times the fit curves', a drop term carried far past them), as the analysis withholds such a
 * prediction (trust.ts). Null when every step has a possible loss.
 */
function impossibleLoss(loss: number[], steps: number[]): string | null {
  const k = loss.findIndex((v) => !isLoss(v));
  if (k < 0) return null;
  const at = `step ${formatCompact(steps[k])}`;
  const what = Number.isFinite(loss[k])
    ? `a loss of ${formatNumber(loss[k])} at ${at}, and a loss cannot be 0 or below`
    : `no finite loss at ${at} (${formatNumber(loss[k])})`;
  return `the law gives ${what}: the fit does not describe this schedule (an LR far from the fit curves', or a run far longer), so it predicts nothing for it.`;
}

/**
 * Why a fit the data do not support (trust.ts: FitResult.unsupported) predicts no schedule: the analysis withholds its
 * every prediction, and a what-if is one more. Null when it is supported. A mean is judged by the law that names it,
 * as the analysis judges it.
 */
function unsupportedProblem(fit: Pick<FitResult, 'law' | 'unsupported' | 'selection' | 'runnerUpFit'>): string | null {
  if (!fit.unsupported?.length) return null;
  return `the ${whatIfLawName(fit)} fit is not supported by the data (${fit.unsupported.map((u) => u.reason).join('; ')}), so it predicts no schedule: see the Problems panel.`;
}

/**
 * Why the law predicts no what-if where the lens withholds its runs' predictions for leaving it (WhatIfDefaults.departed):
 * none when every fitted run left it, the 'logged' schedule when its run did. Null when it predicts this one.
 */
function departedProblem(spec: WhatIfSpec, departed: WhatIfDefaults['departed']): string | null {
  return departed?.all ?? (spec.shape === 'logged' ? departed?.logged : undefined) ?? null;
}

/**
 * The most total steps, from `least` to `most`, a schedule held at the peak LR after `spec`'s warmup (a constant one)
 * runs with its S1 within a fit's reach (FitResult.s1Reach), as whatIfCurve judges it. Past the warmup its S1 grows
 * by the LR a step, so the step is solved for from S1 at `least` and checked (each check a pass over the schedule: a
 * search by halves over a million-step log's took 1.5 s); by halves only when the sums' rounding put it a step off.
 * Undefined without a reach, or when not even `least` is within it.
 */
export function reachSteps(
  s1Reach: FitResult['s1Reach'],
  spec: WhatIfSpec,
  fromStep: number,
  least: number,
  most: number,
): number | undefined {
  if (!s1Reach) return undefined;
  const constant = (total: number) => scheduleOf({ ...spec, shape: 'constant', totalSteps: total });
  const within = (total: number) =>
    !scheduleReachProblem(s1Reach, constant(total), querySteps(total, WHATIF_POINTS, fromStep));
  const [at] = reachS1(s1Reach, constant(least), [least]);
  const guess = Math.min(most, Math.max(least, least + Math.floor((s1Reach.limit - at) / spec.peakLr)));
  if (within(guess) && (guess === most || !within(guess + 1))) return guess;
  if (!within(least)) return undefined;
  let [lo, hi] = [least, most];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (within(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Why the fit cannot predict a what-if whose LR falls lower than its fit curves' ever did (FitResult.lrFloor,
 * unseenDrop.ts): nothing in them shows how the loss answers that drop. Null when it can.
 */
function unseenDropProblem(fit: FitResult, steps: number[], lr: number[]): string | null {
  if (fit.lrFloor === undefined || lr.length === 0) return null;
  const peak = maxOf(lr);
  const top = lr.indexOf(peak);
  const k = lr.findIndex((v, i) => i > top && belowFloor(v / peak, fit.lrFloor!));
  if (k < 0) return null;
  return `its LR falls below what the fit curves were trained at from step ${formatCompact(steps[k])} (the fit curves ${fell(fit.lrFloor)}), so nothing in them shows how the loss answers that drop and this fit cannot predict the schedule. Fit on a run whose LR decays as well (a cosine, or a WSD cooldown).`;
}

/**
 * How far a what-if's LR may go past the peak LRs of the fit curves (FitResult.lrPeaks), as factors. The laws take the
 * LR through its areas, S1 and the drop term, and the two ends differ in what the runs show:
 * - Below: a decade under the lowest peak. A peak k times lower is a run whose S1 is k times smaller at every step:
 *   a decade down, at the runs' own length, S1 is where their logs were at a tenth of their steps, which a run's log
 *   usually spans (the public runs': steps 2160 to 24000), and their own decays ran at LRs that low. Further down,
 *   A·S1^(-alpha) is carried to areas no run had: a peak of 1e-300 gave losses of 1e151 to 1e273.
 * - Above: three times the highest peak. No run shows an LR above its peak, and the laws' answer to one is only a
 *   larger drop term (linear in the LR): on examples/loss/cosine.csv a cosine at 2× the runs' peak ends 0.19-0.24
 *   under the runs' cosine, more than the whole gain of their annealing over a constant LR (0.16), at 3× 0.38-0.47
 *   under, at 10× 1.6-2.1 under (a loss of 0.4-0.9 for 2.5): gains no LR sweep shows (its loss rises again past a
 *   tuned LR). Half a decade leaves a tuning step of room; the losses there are the law's form alone.
 */
export const WHATIF_LR_BELOW = 10;
export const WHATIF_LR_ABOVE = 3;

/**
 * Why the fit cannot predict a what-if whose LR goes past the peak LRs of its fit curves by more than those factors:
 * above WHATIF_LR_ABOVE times their highest at some step, or its own peak under their lowest by WHATIF_LR_BELOW. The
 * law was never seen to hold there. Null when it can.
 */
function lrReachProblem(fit: FitResult, steps: number[], lr: number[]): string | null {
  const peaks = fit.lrPeaks;
  if (!peaks || lr.length === 0) return null;
  const trained = `the fit curves were trained at (${lrSpan(peaks)})`;
  const advice = `Choose a peak LR from ${formatNumber(peaks.lowest / WHATIF_LR_BELOW)} to ${formatNumber(peaks.highest * WHATIF_LR_ABOVE)}, or fit runs trained near this LR.`;
  const above = lr.findIndex((v) => v > peaks.highest * WHATIF_LR_ABOVE);
  if (above >= 0)
    return `its LR of ${formatNumber(lr[above])} at step ${formatCompact(steps[above])} is over ${WHATIF_LR_ABOVE} times the highest peak LR ${trained}: nothing in them shows how the loss answers such an LR, so this fit cannot predict the schedule. ${advice}`;
  const top = maxOf(lr);
  if (top * WHATIF_LR_BELOW >= peaks.lowest) return null;
  return `its highest LR, ${formatNumber(top)} at step ${formatCompact(steps[lr.indexOf(top)])}, is over ${WHATIF_LR_BELOW} times lower than the lowest peak LR ${trained}: the law would be carried to LR areas no run had, so this fit cannot predict the schedule. ${advice}`;
}

/** The fit curves' peak LRs, in words: one value or a range. */
function lrSpan(peaks: { lowest: number; highest: number }): string {
  return peaks.lowest === peaks.highest
    ? formatNumber(peaks.lowest)
    : `${formatNumber(peaks.lowest)} to ${formatNumber(peaks.highest)}`;
}

/**
 * Why the model-size law cannot predict the spec's size: fitted on fewer than three sizes without a held exponent,
 * it only speaks for the sizes it was fitted on (the size term is not identified); else not past its reach (reach.ts).
 * Null when it can, or for others.
 */
function sizeProblem(fit: FitResult, spec: WhatIfSpec, sizes: WhatIfDefaults['sizes']): string | null {
  if (!isSizeLaw(fit.law) || !sizes) return null;
  if (spec.modelSize === undefined || sizes.fitted.includes(spec.modelSize)) return null;
  // Even a law that extrapolates in N is trusted only one span of the fitted sizes' log range past them (reach.ts).
  const reach = reachOf(sizes.fitted);
  if (sizes.extrapolates && beyondReach(reach, spec.modelSize))
    return `the model-size law is ${farReason('N', reach, spec.modelSize)}. Fit curves of sizes spread wider, or ask a size nearer them.`;
  if (sizes.extrapolates) return null;
  // Sizes to the digits that tell them apart: a size 1 away from a fitted one must not read as that one.
  const shown = formatSizes([...sizes.fitted, spec.modelSize]);
  const fitted = shown
    .slice(0, -1)
    .map((n) => `N = ${n}`)
    .join(' and ');
  return `the model-size law was fitted on curves of ${fitted} only, which do not pin down how the loss scales with N, so it predicts no other size (N = ${shown[shown.length - 1]}). Give the size exponent, or fit curves of a third size.`;
}

/**
 * The file's schedule for a 'logged' spec: rows up to the total steps, scaled to the spec's peak LR. Past its last row
 * the law holds the LR (StepLr), as the analysis's own predictions do. Undefined without a usable log.
 */
export function loggedSchedule(spec: WhatIfSpec, logged: LoggedSchedule | undefined): LoggedSchedule | undefined {
  if (!logged || logged.steps.length === 0) return undefined;
  const peak = maxOf(logged.lr);
  if (!(peak > 0)) return undefined;
  // Rows up to the total steps; at least the first (a run shorter than the log's first row sees its LR).
  let n = 1;
  while (n < logged.steps.length && logged.steps[n] <= spec.totalSteps) n++;
  const scale = spec.peakLr / peak;
  return { steps: logged.steps.slice(0, n), lr: logged.lr.slice(0, n).map((v) => v * scale) };
}

/** The LR the law sees at ascending steps of a logged schedule (interpolated between rows, held after the last). */
function lrOfSchedule(schedule: LoggedSchedule, steps: number[]): number[] {
  const stepLr = new StepLr(schedule);
  return steps.map((s) => stepLr.at(s));
}
