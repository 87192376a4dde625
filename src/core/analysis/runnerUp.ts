// The runner-up of the automatic choice of loss-curve law (lawChoice.ts): the law not chosen, already fitted on the
// same curves, reported beside the chosen one so that a user can see what it would have predicted (the chart's
// overlay); under a mean of both laws, the member whose coefficients the fit does not report (MPL) alone. Its fit is described and scored like the chosen one's, with its own bootstrap band, but with the sums a
// backtest uses where a law has cheaper ones (LossLawFit.forComparison); each curve keeps its values only at the
// steps a chart draws (RUNNER_UP_POINTS of its logged steps, and its targets), never at every row.
import { concat, lowerBound, pick } from '../util/arrays';
import type { Random } from '../util/random';
import { atQueries, type PreparedCurve } from './lossAreas';
import { logBand } from './lossBands';
import type { LossFitInput, LossLawFit } from './lossLaw';
import { averageMetrics, scoreFit, withOutlierCheck } from './metrics';
import { fitProblems } from './trust';
import type { LawAnalysis, Metrics, RunnerUpSeries, Series } from './types';
import { scoreShown, withheldFrom, type WithheldFrom } from './unseenDrop';

/**
 * Bootstrap refits behind the runner-up's band at most: it is drawn for comparison, not read for a number, and the
 * LR-annealing law's 200 would cost a tenth of a second more on every fit (the multi-power law draws 24 anyway).
 */
export const RUNNER_UP_BOOTSTRAP = 24;
/** Logged steps per curve the runner-up is kept at: half evenly spaced (a linear x-axis), half log-spaced (a log one). */
export const RUNNER_UP_POINTS = 600;

/**
 * Adds the runner-up to a loss analysis the chosen fit was reported in (reportCurves): its fit, scores and band as
 * `runnerUpFit` of that fit, and its prediction of each curve as the curve's `runnerUp`.
 */
export function reportRunnerUp(
  input: LossFitInput,
  runnerUp: LossLawFit,
  fitNames: ReadonlySet<string>,
  drops: (WithheldFrom | undefined)[],
  random: Random,
  out: LawAnalysis<Series>,
  predicted = false,
): void {
  const chosen = out.fits[out.fits.length - 1];
  if (!chosen) return;
  // Compared and drawn, never a reported prediction: the cheaper sums do (MPL's exact ones cost ~0.7 s per fit),
  // unless its predictions are made already (`predicted`: a member of the mean), whose second copy in the cheaper
  // sums would cost a million-row log about 25 MB and the time to sum them.
  const fit = predicted ? runnerUp : (runnerUp.forComparison?.() ?? runnerUp);
  const replicates = fit.bootstrap(Math.min(input.options.bootstrapSamples, RUNNER_UP_BOOTSTRAP));
  const fitted: FittedCurve[] = [];
  const heldOut: Metrics[] = [];
  input.prepared.forEach((p, i) => {
    // Withheld where the chosen law's are: past an LR drop the fit curves never show, neither law knows the answer.
    const predicted = withheldFrom(fit.predict(i), p.queries, drops[i]);
    const atPoints = atQueries(predicted, p.pointIndex);
    const scored = scoreShown(p.curve, atPoints, drops[i]);
    if (fitNames.has(p.curve.name)) fitted.push({ observed: p.curve.loss, predicted: atPoints, scored });
    else if (scored) heldOut.push(scored);
    const at = chartQueries(p, RUNNER_UP_POINTS);
    const base = pick(predicted, at);
    const band = replicates.count > 1 ? logBand(replicates.at(i, at), base, replicates.residuals, random) : null;
    const series: RunnerUpSeries = {
      law: fit.law,
      x: Array.from(at, (q) => p.queries[q]),
      predicted: Array.from(base),
      low: Array.from(base, (v, k) => (band ? v * Math.exp(band.lo[k]) : NaN)),
      high: Array.from(base, (v, k) => (band ? v * Math.exp(band.hi[k]) : NaN)),
    };
    const report = out.curves.find((c) => c.name === p.curve.name && c.file === p.curve.file && c.role !== 'unfitted');
    if (report) report.runnerUp = series;
  });
  const quality = fittedQuality(fitted);
  chosen.runnerUpFit = {
    ...fit.describe(replicates),
    objective: fit.solver.objective,
    converged: fit.solver.converged,
    quality,
    heldOut: averageMetrics(heldOut),
  };
  // Judged as the chosen fit is (trust.ts): a runner-up the data do not support shows no prediction either, only
  // its course through the log, and says why.
  const unsupported = fitProblems({ ...chosen.runnerUpFit, atBounds: fit.atBounds, points: quality.points });
  if (unsupported.length === 0) return;
  chosen.runnerUpFit.unsupported = unsupported;
  runnerUpsWithinLogs(out);
}

/** Every curve's runner-up series cut at its last logged step: a runner-up the data do not support predicts nothing. */
export function runnerUpsWithinLogs(out: LawAnalysis<Series>): void {
  for (const c of out.curves) {
    const x = c.points.x;
    if (c.runnerUp && x.length) c.runnerUp = withinLog(c.runnerUp, x[x.length - 1]);
  }
}

/** A runner-up series without its points past `lastStep` (its targets). */
function withinLog(series: RunnerUpSeries, lastStep: number): RunnerUpSeries {
  const n = lowerBound(series.x, lastStep + 1);
  return {
    ...series,
    x: series.x.slice(0, n),
    predicted: series.predicted.slice(0, n),
    low: series.low.slice(0, n),
    high: series.high.slice(0, n),
  };
}

/** A fitted curve's points, the runner-up's predictions there, and its score (scoreShown's). */
interface FittedCurve {
  observed: Float64Array;
  predicted: Float64Array;
  scored: Metrics | undefined;
}

/**
 * The score over every fitted point. One fitted curve scored whole (nothing withheld) has it already: the same
 * numbers, where scoring it again cost a followed million-row run 10 ms and two 8 MB copies per update.
 */
function fittedQuality(fitted: FittedCurve[]): Metrics {
  const [only] = fitted;
  // With the chosen fit's outlier check (r2WithoutOutliers), which the verdict reads: one spike fails neither law.
  if (fitted.length === 1 && only.scored?.points === only.observed.length)
    return withOutlierCheck(only.scored, only.observed, only.predicted);
  return scoreFit(concat(fitted.map((f) => f.observed)), concat(fitted.map((f) => f.predicted)));
}

/**
 * Indices into a curve's queries a chart draws a law at: at most `max` of its logged steps, half evenly spaced and
 * half evenly spaced in log(step) (so the early steps of a log x-axis are drawn too), and every target; ascending.
 */
export function chartQueries(p: PreparedCurve, max: number): Int32Array {
  const steps = p.curve.steps;
  const n = steps.length;
  const chosen = new Set<number>(p.targetIndex);
  if (n <= max) p.pointIndex.forEach((q) => chosen.add(q));
  else {
    const half = Math.floor(max / 2);
    for (let k = 0; k < half; k++) chosen.add(p.pointIndex[Math.round((k * (n - 1)) / (half - 1))]);
    // The first positive step starts the log grid (a log has no log(0)).
    let first = 0;
    while (first < n - 1 && !(steps[first] > 0)) first++;
    const [a, b] = [Math.log(steps[first]), Math.log(steps[n - 1])];
    for (let k = 0; k < half; k++) {
      const index = lowerBound(steps, Math.exp(a + ((b - a) * k) / (half - 1)), first);
      chosen.add(p.pointIndex[Math.min(index, n - 1)]);
    }
  }
  return Int32Array.from(chosen).sort();
}
