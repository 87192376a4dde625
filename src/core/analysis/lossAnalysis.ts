// Fit a law of the loss under an LR schedule on some loss curves, predict the others and any target step, and score
// every prediction: one pipeline for every loss-curve law (lossLaw.ts). The law is the one asked for, or under
// 'auto' the one lawChoice.ts picks. Query steps and LR areas are in lossAreas.ts, the bootstrap bands in lossBands.ts.
import { finding, type Hint } from '../findings';
import { assumedLrPhrase } from './assumedLr';
import { pick, thinIndices, concat, appendAll, upperBound } from '../util/arrays';
import type { Random } from '../util/random';
import { applyDepartures, findDepartures } from './departure';
import { applyDisagreement } from './disagreement';
import { isCombined } from './combinedLoss';
import { chooseLossLaw, combination, type LawChoice } from './lawChoice';
import { atQueries, prepare, type PreparedCurve } from './lossAreas';
import { bandAt, logBand, type ThinBand } from './lossBands';
import type { LossCurveLaw, LossFitInput, LossLawFit, LossReplicates } from './lossLaw';
import type { LossCurve } from './lossCurves';
import { averageMetrics, scoreFit, withOutlierCheck } from './metrics';
import { mplLossLaw } from './mplLoss';
import { reportRunnerUp } from './runnerUp';
import type { AnalysisOptions } from './options';
import { tissueLossLaw } from './tissueLoss';
import type { CurveReport, Finding, LawAnalysis, LawId, Metrics, OneStepLanding, Prediction, Series } from './types';
import { gammaAssumed } from './dropLevels';
import type { LossWarmStart } from './warmStart';
import { dropSumsTooLongFix } from './multiPowerFit';
import { formatCompact, formatCount, plural } from '../util/format';
import { StepLr } from '../laws/schedule';
import { listItems } from '../options/kinds';
import { medianOf } from '../util/select';
import {
  earlierCut,
  findUnseenDrops,
  markUndetermined,
  scoreShown,
  withheldFrom,
  type WithheldFrom,
} from './unseenDrop';
import { areaReachCuts } from './areaReach';
import { withheld } from './trust';
import { fittedLrPeaks } from './lrPeaks';
import { warmupCoversFinding, warmupCoversLog, warmupUnfinished, warmupUnfinishedFinding } from './warmupFall';

/** Points per curve at which bands are estimated (and interpolated in between): bands need shape, not every row. */
const BAND_POINTS = 600;

/** How a followed run's fit started (warmStart.ts). */
export const WARM_START =
  'warm: refined from the previous fit of this run, its law and lambda kept, its bootstrap refits moved with it (the multi-power law draws them again when it refines every parameter)';
export const COLD_START = 'cold: the full search (the run is new, was replaced, or has doubled since its last one)';

/** The law a forced `law` option names; undefined under 'auto' (chosen by backtest). */
function forcedLaw(options: AnalysisOptions): LossCurveLaw | undefined {
  if (options.law === 'mpl') return mplLossLaw;
  if (options.law === 'auto') return undefined;
  return tissueLossLaw;
}

/**
 * Loss points a fit needs at least: one more than the law's coefficients (auto falls back to the LR-annealing law
 * alone below the multi-power law's own count), else the solver has more freedom than the data has points.
 */
function minFitPoints(options: AnalysisOptions): number {
  return (forcedLaw(options) ?? tissueLossLaw).coefficients + 1;
}

/**
 * The error of loss curves with too few points to fit: `fitPoints` of them, `why` said after the count, located at
 * the first curve (or at the file whose rows all were left out, when there is no curve).
 */
export function tooFewLossPoints(
  options: AnalysisOptions,
  fitPoints: number,
  why: string,
  at: { file: string; line: number },
  hints?: Hint[],
): Finding {
  const named = forcedLaw(options) ?? tissueLossLaw;
  return finding('too-few-points', 'error', {
    message: `${named.name} has ${named.coefficients} coefficients and needs at least ${minFitPoints(options)} loss points with an LR to fit; ${fitPoints} ${fitPoints === 1 ? 'is' : 'are'} available${why}.`,
    ...at,
    ...(hints && { hints }),
  });
}

/**
 * The error of fit curves that each hold one loss point: a W&B runs table (one row of final values per run, 16 runs
 * at step 5000) read as 16 curves. The loss-curve laws fit how a run's loss falls over its steps, which no such curve
 * shows; fitted together they took the runs' differences for the law's and said only that its coefficients were not
 * pinned ("infinitely many times as far past the fitted S1"). Undefined while one curve has two points or more.
 */
export function singlePointCurves(fitting: readonly LossCurve[]): Finding | undefined {
  if (fitting.length < 2 || fitting.some((c) => c.steps.length !== 1)) return undefined;
  const steps = [...new Set(fitting.map((c) => c.steps[0]))].sort((a, b) => a - b);
  const where =
    steps.length === 1
      ? `all at step ${formatCount(steps[0])}`
      : `at ${steps.length} steps from ${formatCount(steps[0])} to ${formatCount(steps[steps.length - 1])}`;
  return finding('too-few-points', 'error', {
    message:
      `Each of the ${fitting.length} curves has a single loss point (${where}), and a loss-curve law fits how a ` +
      "run's loss falls over its steps, which no curve here shows. A file of one row per run holds the runs' final " +
      "results (a W&B runs-table export), not their loss histories: export each run's history (a W&B chart " +
      "panel's CSV, or the run's history) and fit that.",
    file: fitting[0].file,
    line: fitting[0].firstLine,
  });
}

/**
 * The findings without the data-repeated warnings of loss curves none of which holds two points (a runs table: one
 * row of final values per run, each past its first epoch): no loss-curve law is fitted on them, so the warning that
 * a fit past the first epoch may not hold is moot, and it came once per run beside the one error that says why.
 */
export function withoutMootRepeats(findings: Finding[], curves: readonly LossCurve[]): Finding[] {
  if (curves.some((c) => c.steps.length > 1)) return findings;
  const files = new Set(curves.map((c) => c.file));
  return findings.filter((f) => f.code !== 'data-repeated' || !files.has(f.file));
}

/**
 * Why no curve can be fitted, after the count: when none has a loss at all (a log whose loss goes by a name no role
 * knows, `total` beside `lr`), the loss column is what to map, which "see the findings on each" (each an info that
 * the curve has a schedule and no loss) did not say.
 */
function noCurveWhy(curves: readonly LossCurve[]): { why: string; hints?: Hint[] } {
  if (curves.length > 0 && curves.every((c) => c.steps.length === 0)) {
    // A loss column whose every cell was left out was recognised: mapping it again would change nothing.
    const leftOut = curves.reduce((n, c) => n + (c.lossesLeftOut ?? 0), 0);
    if (leftOut > 0)
      return {
        why: ` (every loss value was left out, ${plural(leftOut, 'row')}: a loss must be a finite number > 0 at a step >= 1; see the findings on the rows)`,
      };
    return {
      why: ' (no curve has a loss value: no column was recognised as the loss; map the one that holds it)',
      hints: [{ kind: 'map-role', roles: ['loss'] }],
    };
  }
  return { why: ' (no curve can be fitted: see why in the findings on each)' };
}

/**
 * `warm`: a followed run's previous fit (warmStart.ts); the law is fitted from its optimum when it allows, and the
 * fit made is recorded in it.
 */
export function analyseLossCurves(
  curves: LossCurve[],
  options: AnalysisOptions,
  random: Random,
  warm?: LossWarmStart,
): LawAnalysis<Series> {
  const findings: Finding[] = [];
  const usable: LossCurve[] = [];
  for (const c of curves) {
    const problem = unusableReason(c, options.warmupSteps);
    if (problem) findings.push(problem);
    else usable.push(c);
  }
  const fitNames = resolveFitOn(usable, options.fitOn, findings);
  const fitting = usable.filter((c) => fitNames.has(c.name));
  const reports: CurveReport<Series>[] = curves.filter((c) => !usable.includes(c)).map((c) => unfittedReport(c));
  const result: LawAnalysis<Series> = { curves: reports, fits: [], predictions: [], findings };
  const forced = forcedLaw(options);

  const fitPoints = fitting.reduce((n, c) => n + c.steps.length, 0);
  const single = singlePointCurves(fitting);
  if (fitting.length === 0 || fitPoints < minFitPoints(options) || single) {
    const first = fitting[0] ?? usable[0] ?? curves[0];
    const { why, hints } = usable.length ? { why: '' } : noCurveWhy(curves);
    const at = { file: first?.file ?? '', line: first?.firstLine ?? 0 };
    findings.push(single ?? tooFewLossPoints(options, fitPoints, why, at, hints));
    appendAll(
      reports,
      usable.map((c) => unfittedReport(c)),
    );
    return result;
  }

  const prepared = usable.map((c) => prepare(c, targetSteps(c, options)));
  const input: LossFitInput = {
    prepared,
    fitted: prepared.flatMap((p, i) => (fitNames.has(p.curve.name) ? [i] : [])),
    options,
  };
  const { chosen, warmStarted } = chooseOrRefit(input, forced, warm, fitPoints, fitNames);
  warm?.released();
  const { runnerUp } = chosen;
  const fit = chosen.fit;
  if (!fit) {
    findings.push(
      finding('fit-failed', 'error', {
        message: `${chosen.law.name} could not be fitted: ${whyNotFitted(chosen.law, usable, options.warmupSteps)}`,
        file: fitting[0].file,
        line: fitting[0].firstLine,
      }),
    );
    appendAll(
      reports,
      usable.map((c) => unfittedReport(c)),
    );
    return result;
  }
  if (!fit.solver.converged) {
    findings.push(
      finding('fit-not-converged', 'warning', {
        message: `The fit stopped before converging (${fit.solver.reason} after ${fit.solver.iterations} iterations); treat its predictions with care.`,
        file: fitting[0].file,
        line: fitting[0].firstLine,
      }),
    );
  }
  const { floor, drops: unseen } = findUnseenDrops(
    prepared.map((p) => p.curve),
    (i) => input.fitted.includes(i),
    options.warmupSteps,
    findings,
  );
  // Targets past the fitted logs' reach in S1 are withheld too, from the first of them (areaReach.ts).
  const reach = areaReachCuts(
    prepared.map((p) => p.curve),
    prepared.map((p) => p.targets),
    input.fitted,
    options,
  );
  if (reach.found) findings.push(reach.found);
  const drops = unseen.map((d, i) => earlierCut(d, reach.cuts[i]));
  reportCurves(input, fit, fitNames, drops, random, result);
  // A member of the mean has its predictions already (the mean is made of them): reported as they are.
  const member = isCombined(fit) && fit.members.some((m) => m.fit === runnerUp);
  if (runnerUp) reportRunnerUp(input, runnerUp, fitNames, drops, random, result, member);
  // A combination's fitted curves are checked against the law that names it, refitted from its own fit.
  const own = isCombined(fit) ? fit.primary.fit : fit;
  const departures = findDepartures(chosen.law, own, input, (i) => atQueries(fit.predict(i), prepared[i].pointIndex));
  applyDepartures(result, departures, options);
  const reported = result.fits[result.fits.length - 1];
  // Curves whose levels the shared law does not give: the fit is a compromise, so nothing is predicted from it.
  applyDisagreement(result, reported);
  if (chosen.selection) reported.selection = chosen.selection;
  if (floor !== undefined) reported.lrFloor = floor;
  markUndetermined(reported);
  if (reach.reach) reported.s1Reach = reach.reach;
  const peaks = fittedLrPeaks(
    input.fitted.map((i) => prepared[i].curve),
    options.warmupSteps,
  );
  if (peaks) reported.lrPeaks = peaks;
  // A followed run says how its fit started: the hover and `watch --json` show it.
  if (warm) reported.settings.start = warmStarted ? WARM_START : COLD_START;
  return result;
}

/**
 * The law chosen (or forced) and fitted; for a followed run, the previous choice refitted from its optimum when it
 * may be, and the new one remembered in its place. The previous fit is referenced from this frame only, so that it
 * (its predictions, areas and curves: about 80 MB for a million-row run) is garbage once this returns, not held
 * through the reports and bands that follow.
 */
function chooseOrRefit(
  input: LossFitInput,
  forced: LossCurveLaw | undefined,
  warm: LossWarmStart | undefined,
  fitPoints: number,
  fitNames: Set<string>,
): { chosen: LawChoice; warmStarted: boolean } {
  const last = warm?.startFor(fitPoints, fitNames) ?? null;
  // A law forced since the last fit (or since a combination) is fitted cold.
  const previous = last && (!forced || (last.law === forced && !last.members)) ? last : null;
  const chosen: LawChoice = previous
    ? warmChoice(previous, input)
    : forced
      ? { fit: forced.fit(input), law: forced }
      : chooseLossLaw(input);
  // The runner-up is reported, not kept: a followed run's next update refits the chosen law only (a mean: both of
  // its members, MPL its runner-up again).
  const { runnerUp: _reportedOnce, ...kept } = chosen;
  warm?.remember(kept, fitPoints, fitNames, previous !== null);
  return { chosen, warmStarted: previous !== null };
}

/**
 * The previous choice's law refitted from its optimum; its selection (the reasons it was chosen) is kept. A mean of
 * both laws refits each and weighs them again by their spreads (combination): their refits are the previous ones
 * moved to the new optima, so that costs little, and the mean keeps its runner-up (MPL alone) and the refits a
 * what-if and the chart's line past the log weigh a schedule by (selection.spreadRefits), as its cold fit has them.
 */
function warmChoice(previous: LawChoice, input: LossFitInput): LawChoice {
  const kept = previous.selection && { selection: previous.selection };
  if (previous.members && previous.selection) {
    // A mean's members are the LR-annealing law and MPL, in that order (combination).
    const [tissue, mpl] = previous.members.map((m) => m.law.fit({ ...input, previous: m.fit }));
    const { weights: _weights, weightRange: _range, spreadRefits: _refits, ...reasons } = previous.selection;
    if (tissue && mpl) return combination(input, tissue, mpl, reasons);
  }
  const fit = previous.law.fit({
    ...input,
    previous: isCombined(previous.fit) ? previous.fit.primary.fit : (previous.fit ?? undefined),
  });
  return { law: previous.law, fit, ...kept };
}

/** Every curve's report and targets from the fit, with bands, and the fit's result with its quality. */
function reportCurves(
  input: LossFitInput,
  fit: LossLawFit,
  fitNames: Set<string>,
  drops: (WithheldFrom | undefined)[],
  random: Random,
  out: LawAnalysis<Series>,
): void {
  const { options } = input;
  const replicates = fit.bootstrap(options.bootstrapSamples);
  const heldOutMetrics: Metrics[] = [];
  // The fitted curves' points and predictions, for the in-sample quality over all of them.
  const fittedObserved: Float64Array[] = [];
  const fittedPredicted: Float64Array[] = [];
  const fittedMetrics: Metrics[] = [];
  input.prepared.forEach((p, i) => {
    const isFit = fitNames.has(p.curve.name);
    const own = fit.predict(i);
    const band = curveBand(replicates, i, p, own, random);
    const predicted = withheldFrom(own, p.queries, drops[i]);
    const pointPredicted = atQueries(predicted, p.pointIndex);
    const metrics = scoreShown(p.curve, pointPredicted, drops[i]);
    if (isFit && metrics) {
      fittedObserved.push(p.curve.loss);
      fittedPredicted.push(pointPredicted);
      fittedMetrics.push(metrics);
    } else if (metrics) heldOutMetrics.push(metrics);
    reportCurve(out, p, predicted, pointPredicted, band, {
      law: fit.law,
      role: isFit ? 'fit' : 'heldout',
      metrics,
      reason: (step) => targetReason(p.curve, step, options),
      withheldFrom: drops[i],
      ...(fit.oneStepLanding && { oneStepLanding: fit.oneStepLanding }),
    });
  });
  // Scored as one series over every fitted point, as the papers report it (one fitted curve: its own score, which a
  // million-point curve would otherwise pass over again).
  const quality =
    fittedMetrics.length === 1
      ? withOutlierCheck(fittedMetrics[0], fittedObserved[0], fittedPredicted[0])
      : scoreFit(concat(fittedObserved), concat(fittedPredicted));
  const { settings, ...described } = fit.describe(replicates);
  out.fits.push({
    ...described,
    objective: fit.solver.objective,
    converged: fit.solver.converged,
    stopReason: fit.solver.reason,
    iterations: fit.solver.iterations,
    startsTried: fit.solver.startsTried,
    atBounds: fit.atBounds,
    fittedOn: input.fitted.map((i) => input.prepared[i].curve.name),
    points: quality.points,
    settings,
    quality,
    heldOut: averageMetrics(heldOutMetrics),
  });
}

/** The band of prepared curve i from bootstrap replicates, at thinned queries (null with fewer than two replicates). */
export function curveBand(
  replicates: LossReplicates,
  i: number,
  p: PreparedCurve,
  predicted: Float64Array,
  random: Random,
): ThinBand | null {
  if (replicates.count < 2) return null;
  const thin = thinIndices(p.queries.length, BAND_POINTS);
  const { lo, hi } = logBand(replicates.at(i, thin), pick(predicted, thin), replicates.residuals, random);
  return { steps: pick(p.queries, thin), lo, hi };
}

/** What one loss curve's report and target predictions say beyond its numbers. */
export interface CurveReportSpec {
  law: LawId;
  role: CurveReport['role'];
  metrics?: Metrics;
  reason: (step: number) => string;
  extra?: Record<string, number>;
  /** The model size the model-size law knows the curve by. */
  modelSize?: number;
  /** Where the curve's predictions stop being shown (unseenDrop.ts): its targets from there on are withheld. */
  withheldFrom?: WithheldFrom;
  /** The fit's curves drop to one LR only (FitResult.oneStepLanding): a curve falling elsewhere assumes its gamma. */
  oneStepLanding?: OneStepLanding;
}

/**
 * A loss curve's report (its points against the law, with the band where there is one) and a prediction at each of
 * its targets, from the law's predictions at every query of the curve: the one way every loss-curve law reports.
 */
export function reportCurve(
  out: Pick<LawAnalysis<Series>, 'curves' | 'predictions'>,
  p: PreparedCurve,
  predicted: Float64Array,
  pointPredicted: Float64Array,
  band: ThinBand | null,
  spec: CurveReportSpec,
): void {
  const pointBand = bandAt(band, p.queries, predicted, p.pointIndex);
  const { points, schedule } = loggedSeries(p.curve);
  out.curves.push({
    name: p.curve.name,
    file: p.curve.file,
    role: spec.role,
    law: spec.law,
    xName: 'step',
    metric: 'loss',
    points: { ...points, predicted: pointPredicted, low: pointBand.low, high: pointBand.high },
    schedule,
    metrics: spec.metrics,
    firstLine: p.curve.firstLine,
    ...(spec.modelSize !== undefined && { modelSize: spec.modelSize }),
    ...(spec.withheldFrom && { withheldFrom: { x: spec.withheldFrom.from, reason: spec.withheldFrom.reason } }),
  });
  const targetBand = bandAt(band, p.queries, predicted, p.targetIndex);
  p.targets.forEach((step, t) => {
    const prediction: Prediction = {
      metric: 'loss',
      curve: p.curve.name,
      step,
      x: step,
      xName: 'step',
      status: 'ok',
      value: predicted[p.targetIndex[t]],
      low: targetBand.low[t],
      high: targetBand.high[t],
      reason: spec.reason(step),
      ...(spec.extra && { extra: spec.extra }),
      ...assumption(p.curve.schedule, step, spec.oneStepLanding),
    };
    const drop = spec.withheldFrom;
    out.predictions.push(drop && step >= drop.from ? withheld(prediction, 'fit-unsupported', drop.reason) : prediction);
  });
}

/**
 * The steps to predict on a curve: the configured ones, else the end of the schedule the run's own configuration
 * plans (max_steps) when the log has not reached it, else twice the steps it trained: twice its last logged step, or
 * when its warmup is logged from a counter far past 1 (StepLr.untrained), twice the steps since the warmup started.
 */
export function targetSteps(curve: LossCurve, options: AnalysisOptions): number[] {
  const configured = configuredSteps(options);
  if (configured.length) return configured;
  const planned = plannedEnd(curve);
  const start = untrainedSteps(curve, options);
  return [planned ?? start + 2 * (curve.steps[curve.steps.length - 1] - start)];
}

/** The steps before a curve's logged warmup starts, not trained (StepLr.untrained); 0 for most logs. */
function untrainedSteps(curve: LossCurve, options: AnalysisOptions): number {
  return new StepLr(curve.schedule, options.warmupSteps).untrained;
}

/** The target steps the user set (`--predict-step`, scalingLens.predict.steps), whole, ascending, each once. */
export function configuredSteps(options: AnalysisOptions): number[] {
  const configured = options.predictSteps.filter((s) => Number.isFinite(s) && s >= 1).map(Math.round);
  return Array.from(new Set(configured)).sort((a, b) => a - b);
}

/** The planned last step, when the run's configuration states one past its last logged step. */
function plannedEnd(curve: LossCurve): number | undefined {
  return plannedPast(curve.steps[curve.steps.length - 1], curve.plannedSteps);
}

function plannedPast(lastStep: number, plannedSteps: number | undefined): number | undefined {
  return plannedSteps !== undefined && plannedSteps > lastStep ? Math.round(plannedSteps) : undefined;
}

/**
 * The steps to predict a run's curve at when it is fitted against its step by a law without a schedule (the power
 * law): the configured steps, else the planned end as targetSteps gives it, else none (the caller's own defaults).
 */
export function plannedStepTargets(
  lastStep: number,
  plannedSteps: number | undefined,
  options: AnalysisOptions,
): { step: number; reason: string }[] {
  const configured = configuredSteps(options);
  if (configured.length) return configured.map((step) => ({ step, reason: 'configured target step' }));
  const planned = plannedPast(lastStep, plannedSteps);
  return planned === undefined
    ? []
    : [{ step: planned, reason: "the end of the run's schedule (the max steps its files state)" }];
}

export function targetReason(curve: LossCurve, step: number, options: AnalysisOptions): string {
  const last = curve.schedule.steps[curve.schedule.steps.length - 1];
  const where =
    step > last
      ? `past the last logged LR (step ${last}); the LR is held at its last value`
      : 'within the logged schedule';
  const why = options.predictSteps.length
    ? 'configured target'
    : plannedEnd(curve) !== undefined
      ? "the end of the run's schedule (the max steps its files state)"
      : `${twiceWhat(curve, options)}${finishedNote(curve)}`;
  return `${why}, ${where}`;
}

/** What the default target doubles: the last logged step, or the steps since a logged warmup started. */
function twiceWhat(curve: LossCurve, options: AnalysisOptions): string {
  const start = untrainedSteps(curve, options);
  return start > 0
    ? `twice the steps trained since step ${start}, where the logged warmup starts from an LR of 0`
    : 'twice the last logged step';
}

/**
 * Why a run whose files state its max steps is still predicted at twice its last step: it has reached them (a
 * finished run), which the reason says, as "twice the last logged step" alone read as if the plan had been missed.
 */
function finishedNote(curve: LossCurve): string {
  const last = curve.steps[curve.steps.length - 1];
  return curve.plannedSteps !== undefined && curve.plannedSteps <= last
    ? ` (the run has reached step ${Math.round(curve.plannedSteps)}, the max steps its files state)`
    : '';
}

/** Why a curve cannot be fitted (or, loss-missing, only predicted); null when it can. */
export function unusableReason(c: LossCurve, warmupSteps: number | undefined): Finding | null {
  const base = { file: c.file, line: c.firstLine, curve: c.name };
  if (c.schedule.steps.length === 0) {
    return finding('lr-missing', 'error', {
      ...base,
      message: `"${c.name}" has no learning-rate values (no column named lr, learning_rate, train_lr, lr-AdamW, ... holds a number, or every LR it logs is negative or not finite and was left out), and the LR-annealing law needs the LR at each step. Log the LR next to the loss, or map an existing column to the lr role; without an LR, the power law fits the loss against the step (no schedule in it, so it cannot foresee an LR decay).`,
    });
  }
  if (c.schedule.lr.every((v) => v === 0)) {
    return finding('lr-all-zero', 'error', {
      ...base,
      message: `The learning rate of "${c.name}" is 0 at every logged step, so no training progress can be modelled (S1 = 0). Is the LR column the right one?`,
    });
  }
  if (c.steps.length === 0) {
    return finding('loss-missing', 'info', {
      ...base,
      message: `"${c.name}" has an LR schedule but no loss values; it can only be predicted, not fitted or scored.`,
    });
  }
  if (warmupCoversLog(c, warmupSteps)) return warmupCoversFinding(c, warmupSteps);
  if (warmupUnfinished(c, warmupSteps)) return warmupUnfinishedFinding(c);
  // The scale only: the median of evenly spaced losses (of all, it cost a followed million-row run 20 ms an update).
  const typical = medianOf(pick(c.loss, thinIndices(c.loss.length, SCALE_SAMPLE)));
  if (typical < MIN_TYPICAL_LOSS) {
    return finding('loss-scale', 'error', {
      ...base,
      message: `The losses of "${c.name}" are around ${formatCompact(typical)} (their median), and the loss-curve laws are fitted on losses of 1e-6 and above only: their solvers' bounds and tolerances are absolute, and below that they stop pinning the law down (or run for minutes). Is this column a loss in nats or bits? If it is in other units, log it scaled up (times 1e${Math.ceil(-Math.log10(typical))} brings it to about 1).`,
    });
  }
  return null;
}

/**
 * The smallest median loss a curve is fitted with. The laws' fits give the same answer for any scale of the loss from
 * 1e-7 up (measured on a public curve multiplied by 1e-9 to 1e12); at 1e-10 they break, at 1e-30 they run 40-120 s.
 */
const MIN_TYPICAL_LOSS = 1e-6;
/** Losses the scale is read from (see unusableReason). */
const SCALE_SAMPLE = 1001;

/**
 * The curves `--fit-on` names. Each occurrence is first tried whole as one name, so a run named `lr=3e-4,bs=512` can
 * be named; one that matches no curve is a comma-separated list of names. A name matches a curve of that name, or
 * every size of it (`name (file)`).
 */
export function resolveFitOn(curves: LossCurve[], fitOn: string[], findings: Finding[]): Set<string> {
  if (fitOn.length === 0) return new Set(curves.map((c) => c.name));
  const named = (wanted: string) => curves.filter((c) => c.name === wanted || c.name.startsWith(`${wanted} (`));
  const names = new Set<string>();
  for (const given of fitOn) {
    const whole = named(given);
    if (whole.length) {
      whole.forEach((c) => names.add(c.name));
      continue;
    }
    for (const wanted of listItems([given])) {
      const match = named(wanted);
      if (match.length) match.forEach((c) => names.add(c.name));
      else
        findings.push(
          finding('fit-on-unknown', 'error', {
            message: `"${wanted}" was named as a curve to fit, but no curve has that name. Curves found: ${curves.map((c) => c.name).join(', ') || 'none'}.`,
            file: curves[0]?.file ?? '',
            line: 0,
          }),
        );
    }
  }
  return names;
}

export function unfittedReport(c: LossCurve): CurveReport<Series> {
  const { points, schedule } = loggedSeries(c);
  return {
    name: c.name,
    file: c.file,
    role: 'unfitted',
    xName: 'step',
    metric: 'loss',
    points: { ...points, predicted: [], low: [], high: [] },
    schedule,
    firstLine: c.firstLine,
  };
}

/** A curve's logged series as its report carries them: the curve's own arrays, not copies. */
/**
 * What a prediction assumes, as a field to spread: the LR past the log (none within it), and the gamma of a fit on
 * curves that drop to one LR only when this schedule, up to the step, falls to others (gammaAssumed).
 */
function assumption(
  schedule: LossCurve['schedule'],
  step: number,
  landing: OneStepLanding | undefined,
): { assumption?: string } {
  const upTo = upperBound(schedule.steps, step);
  const gamma = gammaAssumed(landing, schedule.lr.subarray(0, upTo), schedule.steps.subarray(0, upTo));
  const phrases = [assumedLrPhrase(schedule, step), gamma].filter((t) => t !== undefined && t !== '');
  return phrases.length ? { assumption: phrases.join(', and the ') } : {};
}

function loggedSeries(c: LossCurve) {
  return {
    points: {
      x: c.steps,
      observed: c.loss,
      lines: c.lines,
      ...(c.joinedLines && { joinedLines: c.joinedLines }),
      ...(c.metricFiles && { metricFiles: c.metricFiles }),
      ...(c.cellSteps && { cellSteps: c.cellSteps }),
    },
    schedule: { steps: c.schedule.steps, lr: c.schedule.lr },
  };
}

/**
 * Why a law gave no fit: the multi-power law sums its loss drops step by step over every curve it fits or predicts,
 * so schedules too long for that (a token count logged as the step) are named; otherwise no start reached a finite
 * loss.
 */
function whyNotFitted(law: LossCurveLaw, curves: LossCurve[], warmupSteps?: number): string {
  const long = law.id === 'mpl' ? dropSumsTooLongFix(curves, warmupSteps, 'the LR-annealing law') : undefined;
  return long ?? 'every start gave a non-finite loss. Check the LR and loss columns.';
}
