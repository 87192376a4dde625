// Fit the LR-annealing law on some loss curves, predict the others and any target step, and score every prediction.
// The query steps and their LR areas are in lossAreas.ts, the bootstrap bands in lossBands.ts.
import { bootstrapParams } from '../fit/bootstrap';
import { fitRobust, refineRobust, type RobustFit } from '../fit/robust';
import { finding } from '../findings';
import { denormalise, lrAnnealingLaw, lrAnnealingStarts, type AreaPoints } from '../laws/lrAnnealing';
import { StepLr } from '../laws/schedule';
import { quantile, type Random } from '../util/random';
import { concat, pick, thinIndices } from '../util/arrays';
import { areasAt, atQueries, concatAreas, normalisedAreas, predictAt, prepare, type PreparedCurve } from './lossAreas';
import { bandAt, logBand, residualBlockReplicate } from './lossBands';
import type { LossCurve } from './lossCurves';
import { averageMetrics, scorePredictions } from './metrics';
import type { AnalysisOptions } from './options';
import type { CurveReport, Finding, FitResult, LawAnalysis, Metrics, Series } from './types';

export const LAMBDA_GRID = [0.99, 0.995, 0.999, 0.9995];
/** Above this many fitted points, starts are searched on an evenly thinned copy and only the best is refined on all. */
const THIN_FIT_POINTS = 5000;
/** Points per curve used in each bootstrap refit and in band estimation: bands need shape, not every row. */
const BAND_POINTS = 600;
const MIN_FIT_POINTS = 5;

function fitAll(data: AreaPoints, observed: Float64Array, delta: number): RobustFit | null {
  if (observed.length <= THIN_FIT_POINTS)
    return fitRobust(lrAnnealingLaw, data, observed, { delta, starts: lrAnnealingStarts(data, observed) });
  const idx = thinIndices(observed.length, THIN_FIT_POINTS);
  const thinData = { s1: pick(data.s1, idx), s2: pick(data.s2, idx) };
  const thinObs = pick(observed, idx);
  const coarse = fitRobust(lrAnnealingLaw, thinData, thinObs, { delta, starts: lrAnnealingStarts(thinData, thinObs) });
  if (!coarse) return null;
  const fine = refineRobust(lrAnnealingLaw, data, observed, coarse.params, { delta });
  return fine && { ...fine, startsTried: coarse.startsTried, bestStart: coarse.bestStart };
}

interface LambdaFit {
  lambda: number;
  /** Normalised areas at every query of each prepared curve. */
  areas: AreaPoints[];
  fit: RobustFit;
}

/** Fits the law at each lambda tried and keeps the best. Its own frame, so the fit's inputs are garbage once it returns. */
function chooseLambda(
  prepared: PreparedCurve[],
  fitNames: Set<string>,
  etaMax: number,
  options: AnalysisOptions,
): LambdaFit | null {
  const fitted = (p: PreparedCurve) => fitNames.has(p.curve.name);
  const observed = concat(prepared.filter(fitted).map((p) => p.curve.loss));
  const lambdas = options.lambda === 'auto' ? LAMBDA_GRID : [options.lambda];
  let chosen: LambdaFit | null = null;
  for (const lambda of lambdas) {
    const areas = prepared.map((p) => normalisedAreas(p, lambda, etaMax, options));
    const data = concatAreas(prepared.flatMap((p, i) => (fitted(p) ? [areasAt(areas[i], p.pointIndex)] : [])));
    const fit = fitAll(data, observed, options.lossDelta);
    if (fit && (!chosen || fit.objective < chosen.fit.objective)) chosen = { lambda, areas, fit };
  }
  return chosen;
}

export function analyseLossCurves(curves: LossCurve[], options: AnalysisOptions, random: Random): LawAnalysis<Series> {
  const findings: Finding[] = [];
  const usable: LossCurve[] = [];
  for (const c of curves) {
    const problem = unusableReason(c);
    if (problem) findings.push(problem);
    else usable.push(c);
  }
  const fitNames = resolveFitOn(usable, options.fitOn, findings);
  const fitting = usable.filter((c) => fitNames.has(c.name));
  const reports: CurveReport<Series>[] = curves.filter((c) => !usable.includes(c)).map((c) => unfittedReport(c));
  const result: LawAnalysis<Series> = { curves: reports, fits: [], predictions: [], findings };

  const fitPoints = fitting.reduce((n, c) => n + c.steps.length, 0);
  if (fitting.length === 0 || fitPoints < MIN_FIT_POINTS) {
    const first = fitting[0] ?? usable[0] ?? curves[0];
    findings.push(
      finding('too-few-points', 'error', {
        message: `The LR-annealing law has 4 coefficients and needs at least ${MIN_FIT_POINTS} loss points with an LR to fit; ${fitPoints} ${fitPoints === 1 ? 'is' : 'are'} available${usable.length ? '' : ' (no curve has both a loss and an LR)'}.`,
        file: first?.file ?? '',
        line: first?.firstLine ?? 0,
      }),
    );
    reports.push(...usable.map((c) => unfittedReport(c)));
    return result;
  }

  const prepared = usable.map((c) => prepare(c, targetSteps(c, options)));
  const etaMax = Math.max(...fitting.map((c) => new StepLr(c.schedule, options.warmupSteps).peak));
  const fitPrepared = prepared.filter((p) => fitNames.has(p.curve.name));
  const chosen = chooseLambda(prepared, fitNames, etaMax, options);
  if (!chosen) {
    findings.push(
      finding('fit-failed', 'error', {
        message:
          'The LR-annealing law could not be fitted: every start gave a non-finite loss. Check the LR and loss columns.',
        file: fitting[0].file,
        line: fitting[0].firstLine,
      }),
    );
    reports.push(...usable.map((c) => unfittedReport(c)));
    return result;
  }
  const { fit, areas, lambda } = chosen;
  if (!fit.converged) {
    findings.push(
      finding('fit-not-converged', 'warning', {
        message: `The fit stopped before converging (${fit.reason} after ${fit.iterations} iterations); treat its predictions with care.`,
        file: fitting[0].file,
        line: fitting[0].firstLine,
      }),
    );
  }

  // Bootstrap on thinned copies of the fitted curves.
  const fittedThin = fitPrepared.map((p) => {
    const i = prepared.indexOf(p);
    const idx = thinIndices(p.curve.steps.length, BAND_POINTS);
    const data = areasAt(
      areas[i],
      Int32Array.from(idx, (k) => p.pointIndex[k]),
    );
    const predicted = predictAt(fit.params, data);
    const obs = pick(p.curve.loss, idx);
    const logResidual = Float64Array.from(obs, (o, k) => Math.log(o / predicted[k]));
    return { data, predicted, logResidual };
  });
  const residuals = concat(fittedThin.map((c) => c.logResidual));
  const paramSets =
    options.bootstrapSamples > 0
      ? bootstrapParams(lrAnnealingLaw, fit.params, residualBlockReplicate(fittedThin), {
          samples: options.bootstrapSamples,
          seed: options.seed,
          delta: options.lossDelta,
          maxIterations: 200,
        })
      : [];

  const heldOutMetrics: Metrics[] = [];
  // The fitted curves' points and predictions, for the in-sample quality over all of them.
  const fittedObserved: Float64Array[] = [];
  const fittedPredicted: Float64Array[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i];
    const isFit = fitNames.has(p.curve.name);
    const predicted = predictAt(fit.params, areas[i]);
    const thin = thinIndices(p.queries.length, BAND_POINTS);
    const thinPoints = { s1: pick(areas[i].s1, thin), s2: pick(areas[i].s2, thin) };
    const logBandAtThin = paramSets.length > 1 ? logBand(paramSets, fit.params, thinPoints, residuals, random) : null;
    const band = logBandAtThin && { steps: pick(p.queries, thin), ...logBandAtThin };
    const pointPredicted = atQueries(predicted, p.pointIndex);
    const pointBand = bandAt(band, p.queries, predicted, p.pointIndex);
    const metrics = scorePredictions(p.curve.loss, pointPredicted);
    if (isFit) {
      fittedObserved.push(p.curve.loss);
      fittedPredicted.push(pointPredicted);
    } else heldOutMetrics.push(metrics);
    const { points, schedule } = loggedSeries(p.curve);
    reports.push({
      name: p.curve.name,
      file: p.curve.file,
      role: isFit ? 'fit' : 'heldout',
      law: 'lr-annealing',
      xName: 'step',
      metric: 'loss',
      points: { ...points, predicted: pointPredicted, low: pointBand.low, high: pointBand.high },
      schedule,
      metrics,
      firstLine: p.curve.firstLine,
    });
    const targetBand = bandAt(band, p.queries, predicted, p.targetIndex);
    p.targets.forEach((step, t) => {
      const value = predicted[p.targetIndex[t]];
      result.predictions.push({
        metric: 'loss',
        curve: p.curve.name,
        step,
        x: step,
        xName: 'step',
        value,
        low: targetBand.low[t],
        high: targetBand.high[t],
        reason: targetReason(p.curve, step, options),
      });
    });
  }

  // Scored as one series over every fitted point, as the papers report it.
  const quality = scorePredictions(concat(fittedObserved), concat(fittedPredicted));
  result.fits.push({
    ...fitResult(fit, fitPrepared, quality, etaMax, lambda, options, paramSets),
    heldOut: averageMetrics(heldOutMetrics),
  });
  return result;
}

function fitResult(
  fit: RobustFit,
  fitPrepared: PreparedCurve[],
  quality: Metrics,
  etaMax: number,
  lambda: number,
  options: AnalysisOptions,
  paramSets: Float64Array[],
): FitResult {
  const raw = denormalise(fit.params, etaMax);
  const intervals: Record<string, [number, number]> = {};
  if (paramSets.length > 1) {
    const rawSets = paramSets.map((s) => denormalise(s, etaMax));
    for (const name of ['L0', 'A', 'alpha', 'C'] as const) {
      const sorted = Float64Array.from(rawSets, (s) => s[name]).sort();
      intervals[name] = [quantile(sorted, 0.025), quantile(sorted, 0.975)];
    }
  }
  const warmups = fitPrepared.map((p) => new StepLr(p.curve.schedule, options.warmupSteps).warmupEnd);
  return {
    law: 'lr-annealing',
    formula: 'L(s) = L0 + A·S1(s)^(-alpha) - C·S2(s)',
    params: raw,
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      C: 'loss/(LR·steps)',
    },
    normalized: {
      params: { L0: fit.params[0], A: fit.params[1], alpha: fit.params[2], C: fit.params[3] },
      note: `areas divided by the peak LR eta_max = ${etaMax}: A~ = A·eta_max^(-alpha), C~ = C·eta_max (units: loss·steps^alpha, loss/steps)`,
    },
    intervals,
    objective: fit.objective,
    converged: fit.converged,
    stopReason: fit.reason,
    iterations: fit.iterations,
    startsTried: fit.startsTried,
    fittedOn: fitPrepared.map((p) => p.curve.name),
    points: quality.points,
    settings: {
      lambda,
      lambdaChosen: options.lambda === 'auto' ? 'best of 0.99, 0.995, 0.999, 0.9995' : 'fixed',
      warmupConvention: options.warmupConvention,
      warmupEndSteps: warmups.join(', '),
      warmupStepsOption: options.warmupSteps ?? 'none',
      etaMax,
      huberDelta: options.lossDelta,
      objective: 'sum of Huber(ln predicted - ln observed)',
      band: `${options.bootstrapSamples} moving-block bootstrap refits of the log residuals, plus residual noise; 95 % percentile band`,
    },
    quality,
  };
}

/** The steps to predict on a curve: the configured ones, else twice the curve's last logged step. */
export function targetSteps(curve: LossCurve, options: AnalysisOptions): number[] {
  const configured = options.predictSteps.filter((s) => Number.isFinite(s) && s >= 1).map(Math.round);
  if (configured.length) return Array.from(new Set(configured)).sort((a, b) => a - b);
  return [2 * curve.steps[curve.steps.length - 1]];
}

export function targetReason(curve: LossCurve, step: number, options: AnalysisOptions): string {
  const last = curve.schedule.steps[curve.schedule.steps.length - 1];
  const where =
    step > last
      ? `past the last logged LR (step ${last}); the LR is held at its last value`
      : 'within the logged schedule';
  return `${options.predictSteps.length ? 'configured target' : 'twice the last logged step'}, ${where}`;
}

export function unusableReason(c: LossCurve): Finding | null {
  const base = { file: c.file, line: c.firstLine, curve: c.name };
  if (c.schedule.steps.length === 0) {
    return finding('lr-missing', 'error', {
      ...base,
      message: `"${c.name}" has no learning-rate values (no column named lr, learning_rate, train_lr, lr-AdamW, ... or it is empty), and the LR-annealing law needs the LR at each step. Log the LR next to the loss, or map an existing column to the lr role.`,
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
  return null;
}

export function resolveFitOn(curves: LossCurve[], fitOn: string[], findings: Finding[]): Set<string> {
  if (fitOn.length === 0) return new Set(curves.map((c) => c.name));
  const names = new Set<string>();
  for (const wanted of fitOn) {
    const match = curves.filter((c) => c.name === wanted || c.name.startsWith(`${wanted} (`));
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
export function loggedSeries(c: LossCurve) {
  return {
    points: { x: c.steps, observed: c.loss, lines: c.lines },
    schedule: { steps: c.schedule.steps, lr: c.schedule.lr },
  };
}
