// Laws of the loss over model sizes on loss curves of several sizes, fitted together: each curve's N from the file's
// params column or the `sizes` option, one fit over every fitted curve by the law asked for (SizedLaw: the
// LR-annealing model-size law here, lrAnnealingSize.ts; the multi-power one in mplSizeAnalysis.ts), and a prediction
// of every curve whose size the fit can speak for, at its logged steps and its target steps, with bands.
//
// Identifiability (docs/laws-loss.md, the model-size law): L0 + B·N^(-beta) takes one value per size, so with one
// size the size term is a constant (held at zero) and with two sizes L0, the size term's scale and its exponent are
// three unknowns for two values: fits of the same objective extrapolate to a third size 1-2 % apart. Then only the
// fitted sizes are predicted, unless the user holds the size exponent.
import { bootstrapParams } from '../fit/bootstrap';
import { parametersAtBounds } from '../fit/bounds';
import { fitRobust, refineRobust, type RobustFit } from '../fit/robust';
import { finding } from '../findings';
import {
  denormaliseSized,
  LR_ANNEALING_SIZE_PARAMETERS,
  lrAnnealingSizeLaw,
  lrAnnealingSizeStarts,
  type SizedAreaPoints,
  type SizeParameter,
} from '../laws/lrAnnealingSize';
import type { Law } from '../laws/law';
import { StepLr } from '../laws/schedule';
import type { Table } from '../table/types';
import { concat, pick, thinIndices } from '../util/arrays';
import { formatCompact } from '../util/format';
import type { Random } from '../util/random';
import { derivedIntervals } from './bands';
import {
  curveBand,
  reportCurve,
  resolveFitOn,
  targetReason,
  targetSteps,
  unfittedReport,
  unusableReason,
} from './lossAnalysis';
import { areasAt, atQueries, normalisedAreas, prepare, type PreparedCurve } from './lossAreas';
import { residualBlockReplicate, thinFitted } from './lossBands';
import { NO_REPLICATES, type LossReplicates } from './lossLaw';
import { LAMBDA_GRID } from './tissueLoss';
import type { LossCurve } from './lossCurves';
import { averageMetrics, scorePredictions } from './metrics';
import type { AnalysisOptions } from './options';
import type { CurveReport, Finding, FitResult, LawAnalysis, Metrics, Series, SizeLawId } from './types';

/** Above this many fitted points, starts are searched on an evenly thinned copy and the best refined on all. */
const THIN_FIT_POINTS = 5000;
/** Points per fitted curve in each bootstrap refit: bands need shape, not every row. */
const BOOTSTRAP_POINTS = 600;

// ---- N per curve ----

/**
 * Sets each curve's modelSize from the table's params column (one value per curve; when it varies within a curve,
 * the median, with a finding). Rows are found by their source line: curves keep the line of each point.
 */
export function attachModelSizes(table: Table, paramsColumn: number, curves: LossCurve[]): Finding[] {
  const values = table.columns[paramsColumn].values;
  const findings: Finding[] = [];
  for (const curve of curves) {
    const seen: number[] = [];
    for (const line of curve.lines) {
      const v = values[rowOfLine(table.lines, line)];
      if (Number.isFinite(v) && v > 0) seen.push(v);
    }
    if (!seen.length) continue;
    seen.sort((a, b) => a - b);
    curve.modelSize = seen[Math.floor(seen.length / 2)];
    if (seen[0] !== seen[seen.length - 1])
      findings.push(
        finding('size-varies', 'warning', {
          message: `The params column of "${curve.name}" takes several values (${formatCompact(seen[0])} to ${formatCompact(seen[seen.length - 1])}); a curve is one model, so its median ${formatCompact(curve.modelSize)} is used as its size N. Is the column the parameter count?`,
          file: curve.file,
          line: curve.firstLine,
          curve: curve.name,
        }),
      );
  }
  return findings;
}

/** Binary search of the row whose source line is `line` (lines ascend with rows). */
function rowOfLine(lines: Int32Array, line: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid] < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The size the `sizes` option gives a curve, by the most specific key that matches: the curve's name (or its name
 * before a disambiguating "(...)"), then its file path without extension ending in the key (`csv_25/cosine_24000`),
 * then a folder of its file (`csv_25`, or `runs/csv_25`). Among keys of the same kind, the longest wins.
 */
export function sizeFromOption(curve: LossCurve, sizes: Record<string, number>): number | undefined {
  const path = curve.file.replace(/\\/g, '/');
  const stem = path.replace(/\.[^./]*$/, '');
  const folder = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const endsWith = (whole: string, key: string) => whole === key || whole.endsWith(`/${key}`);
  let best: { rank: number; length: number; value: number } | undefined;
  for (const [key, value] of Object.entries(sizes)) {
    const k = key.replace(/\\/g, '/').replace(/\/+$/, '');
    const rank =
      curve.name === k || curve.name.startsWith(`${k} (`) ? 3 : endsWith(stem, k) ? 2 : endsWith(folder, k) ? 1 : 0;
    if (rank && (!best || rank > best.rank || (rank === best.rank && k.length > best.length)))
      best = { rank, length: k.length, value };
  }
  return best?.value;
}

// ---- the choice of law ----

/**
 * Whether the model-size law fits these curves, and why: asked for, or under 'auto' when the curves carry two or
 * more model sizes (a params column or the sizes option). One loss law over curves of several sizes would share one
 * L0 between models that do not share it, so the size is never ignored. Undefined: the loss-curve laws apply (one
 * size or none: N is then a constant and carries nothing the size term could use).
 */
export function sizeLawChoice(curves: LossCurve[], options: AnalysisOptions): string | undefined {
  if (options.law === 'lr-annealing-size' || options.law === 'mpl-size') return 'asked for';
  if (options.law !== 'auto') return undefined;
  const sizes = new Set(curves.flatMap((c) => sizeOf(c, options) ?? []));
  if (sizes.size < 2) return undefined;
  const listed = [...sizes].sort((a, b) => a - b).map(formatCompact);
  return `chosen automatically: the curves are of ${sizes.size} model sizes (${listed.join(', ')}), fitted together`;
}

/** A curve's model size: the sizes option's entry for it first, else its params column. */
function sizeOf(c: LossCurve, options: AnalysisOptions): number | undefined {
  return sizeFromOption(c, options.sizes) ?? c.modelSize;
}

// ---- the analysis ----

/** A curve a law over model sizes predicts: its queries, its model size N, and whether it has loss points. */
export interface SizedCurve {
  prepared: PreparedCurve;
  size: number;
  /** Has loss points (a schedule-only curve is predicted, never fitted or scored). */
  hasLoss: boolean;
}

/** What the shared analysis gives a law of the loss over model sizes to fit. */
export interface SizedFitInput {
  sized: SizedCurve[];
  /** Indices into `sized` of the curves whose points are fitted. */
  fitted: number[];
  /** The fitted sizes, ascending: the largest is N_ref, the unit N is counted in by the solver. */
  fittedSizes: number[];
  options: AnalysisOptions;
}

/** One law's fit over model sizes: its predictions at every query, bootstrap refits, and its own FitResult fields. */
export interface SizedLawFit {
  solver: RobustFit;
  /** Solver parameters held by their bounds (parameters held at a value left out). */
  atBounds: string[];
  /** The predicted loss at every query of sized curve i. */
  predict(i: number): Float64Array;
  /** Bootstrap refits (none for 0 samples) and the coefficients' 95 % intervals from them. */
  bootstrap(samples: number): { replicates: LossReplicates; intervals: Record<string, [number, number]> };
  describe(): Pick<FitResult, 'formula' | 'params' | 'units' | 'normalized' | 'settings'>;
}

/** A law of the loss over model sizes, fitted over curves of several sizes by analyseSizedCurves. */
export interface SizedLaw {
  id: SizeLawId;
  /** The law in a sentence, for messages: "The model-size law". */
  name: string;
  coefficients: number;
  fit(input: SizedFitInput): SizedLawFit | null;
}

interface SizeFit {
  lambda: number;
  fit: RobustFit;
  /** Normalised areas at every query of each curve, in the order of the curves. */
  areas: SizedAreaPoints[];
}

/**
 * Fits `law` over every sized curve chosen to fit and predicts every curve whose size the fit can speak for.
 * `why`: how the law came to be used (sizeLawChoice), for the fit's settings.
 */
export function analyseSizedCurves(
  curves: LossCurve[],
  options: AnalysisOptions,
  random: Random,
  why = 'asked for',
  law: SizedLaw = tissueSizeLaw,
): LawAnalysis<Series> {
  const findings: Finding[] = [];
  const reports: CurveReport<Series>[] = [];
  const result: LawAnalysis<Series> = { curves: reports, fits: [], predictions: [], findings };
  const candidates: { curve: LossCurve; size: number; hasLoss: boolean }[] = [];
  for (const c of curves) {
    const problem = unusableReason(c);
    if (problem) findings.push(problem);
    const size = sizeOf(c, options);
    if (problem && problem.code !== 'loss-missing') reports.push(unfittedReport(c));
    else if (size === undefined) {
      findings.push(missingSize(c));
      reports.push(unfittedReport(c));
    } else candidates.push({ curve: c, size, hasLoss: !problem });
  }
  const withLoss = candidates.filter((c) => c.hasLoss).map((c) => c.curve);
  const fitNames = resolveFitOn(withLoss, options.fitOn, findings);
  const fitting = candidates.filter((c) => c.hasLoss && fitNames.has(c.curve.name));
  const fitPoints = fitting.reduce((n, c) => n + c.curve.steps.length, 0);
  const minPoints = law.coefficients + 1;
  if (fitPoints < minPoints) {
    const first = fitting[0]?.curve ?? curves[0];
    findings.push(
      finding('too-few-points', 'error', {
        message: `${law.name} has ${law.coefficients} coefficients and needs at least ${minPoints} loss points of curves with an LR and a model size; ${fitPoints} ${fitPoints === 1 ? 'is' : 'are'} available.`,
        file: first?.file ?? '',
        line: first?.firstLine ?? 0,
      }),
    );
    reports.push(...candidates.map((c) => unfittedReport(c.curve)));
    return result;
  }

  const fittedSizes = [...new Set(fitting.map((c) => c.size))].sort((a, b) => a - b);
  // Another size is predicted only when the fit pins the size term there: three sizes, or two and a held exponent.
  const extrapolates = fittedSizes.length >= 3 || (fittedSizes.length === 2 && options.sizeExponent !== undefined);
  const predictable = candidates.filter((c) => extrapolates || fittedSizes.includes(c.size));
  const withheld = candidates.filter((c) => !predictable.includes(c));
  if (!extrapolates) findings.push(tooFewSizes(fittedSizes, withheld, fitting[0].curve));
  reports.push(...withheld.map((c) => ({ ...unfittedReport(c.curve), modelSize: c.size })));

  const sized: SizedCurve[] = predictable.map((c) => ({
    prepared: prepare(c.curve, targetSteps(c.curve, options)),
    size: c.size,
    hasLoss: c.hasLoss,
  }));
  const fitted = sized.flatMap((s, i) => (s.hasLoss && fitNames.has(s.prepared.curve.name) ? [i] : []));
  const fit = law.fit({ sized, fitted, fittedSizes, options });
  if (!fit) {
    findings.push(
      finding('fit-failed', 'error', {
        message: `${law.name} could not be fitted: every start gave a non-finite loss. Check the LR, loss and model sizes.`,
        file: fitting[0].curve.file,
        line: fitting[0].curve.firstLine,
      }),
    );
    reports.push(...sized.map((s) => unfittedReport(s.prepared.curve)));
    return result;
  }
  const { solver } = fit;
  if (!solver.converged)
    findings.push(
      finding('fit-not-converged', 'warning', {
        message: `The fit stopped before converging (${solver.reason} after ${solver.iterations} iterations); treat its predictions with care.`,
        file: fitting[0].curve.file,
        line: fitting[0].curve.firstLine,
      }),
    );

  const { replicates, intervals } = fit.bootstrap(options.bootstrapSamples);
  const heldOut: Metrics[] = [];
  const fittedObserved: Float64Array[] = [];
  const fittedPredicted: Float64Array[] = [];
  sized.forEach((s, i) => {
    const p = s.prepared;
    const predicted = fit.predict(i);
    const band = curveBand(replicates, i, p, predicted, random);
    const pointPredicted = atQueries(predicted, p.pointIndex);
    const metrics = s.hasLoss ? scorePredictions(p.curve.loss, pointPredicted) : undefined;
    const isFitted = fitted.includes(i);
    if (metrics && isFitted) {
      fittedObserved.push(p.curve.loss);
      fittedPredicted.push(pointPredicted);
    } else if (metrics) heldOut.push(metrics);
    reportCurve({ curves: reports, predictions: result.predictions }, p, predicted, pointPredicted, band, {
      law: law.id,
      role: isFitted ? 'fit' : s.hasLoss ? 'heldout' : 'unfitted',
      metrics,
      reason: (step) => `${targetReason(p.curve, step, options)}; model size N = ${formatCompact(s.size)}`,
      extra: { N: s.size },
      modelSize: s.size,
    });
  });

  const quality = scorePredictions(concat(fittedObserved), concat(fittedPredicted));
  const { settings, ...described } = fit.describe();
  result.fits.push({
    law: law.id,
    ...described,
    intervals,
    objective: solver.objective,
    converged: solver.converged,
    stopReason: solver.reason,
    iterations: solver.iterations,
    startsTried: solver.startsTried,
    fittedOn: fitted.map((i) => sized[i].prepared.curve.name),
    points: quality.points,
    settings: {
      lawChoice: why,
      ...settings,
      nRef: fittedSizes[fittedSizes.length - 1],
      sizesFitted: fittedSizes.map((n) => formatCompact(n)).join(', '),
      sizesExtrapolate: extrapolates,
      band: replicates.method,
    },
    quality,
    atBounds: fit.atBounds,
    ...(heldOut.length ? { heldOut: averageMetrics(heldOut) } : {}),
  });
  return result;
}

/** The LR-annealing law with model size (lrAnnealingSize.ts): lambda chosen by objective, bootstrap refits. */
export const tissueSizeLaw: SizedLaw = {
  id: 'lr-annealing-size',
  name: 'The model-size law',
  coefficients: LR_ANNEALING_SIZE_PARAMETERS.length,
  fit(input) {
    const { sized, fitted, fittedSizes, options } = input;
    const scales: Scales = {
      etaMax: Math.max(...fitted.map((i) => new StepLr(sized[i].prepared.curve.schedule, options.warmupSteps).peak)),
      nRef: fittedSizes[fittedSizes.length - 1],
    };
    const fixed = heldParameters(fittedSizes.length, options.sizeExponent);
    const law = lrAnnealingSizeLaw(fixed);
    const chosen = chooseLambda(input, law, fixed, scales);
    if (!chosen) return null;
    const predictions = sized.map((_, i) => predictWith(law, chosen.fit.params, chosen.areas[i]));
    return {
      solver: chosen.fit,
      atBounds: parametersAtBounds(law, chosen.fit.params).map((hit) => hit.name),
      predict: (i) => predictions[i],
      bootstrap(samples) {
        const { replicates, sets } = bootstrapSized(law, chosen, input, predictions, samples);
        return { replicates, intervals: sizeIntervals(sets, chosen.fit.params, scales, fixed) };
      },
      describe: () => ({ ...sizeDescription(chosen, scales), settings: sizeSettings(chosen, scales, fixed, options) }),
    };
  },
};

/** Parameters held instead of fitted, by how many sizes were fitted and whether the user gave beta. */
function heldParameters(sizeCount: number, sizeExponent: number | undefined): Partial<Record<SizeParameter, number>> {
  // One size: the size term is a constant beside L0 and gamma one factor of C; hold them (beta then has no effect).
  if (sizeCount < 2) return { B: 0, beta: sizeExponent ?? 0.5, gamma: 0 };
  return sizeExponent === undefined ? {} : { beta: sizeExponent };
}

interface Scales {
  etaMax: number;
  nRef: number;
}

/** Fits the law at each lambda tried and keeps the best (lambda 'auto': the grid of the LR-annealing law). */
function chooseLambda(
  { sized, fitted, options }: SizedFitInput,
  law: Law<SizedAreaPoints>,
  fixed: Partial<Record<SizeParameter, number>>,
  scales: Scales,
): SizeFit | null {
  const observed = concat(fitted.map((i) => sized[i].prepared.curve.loss));
  let chosen: SizeFit | null = null;
  for (const lambda of options.lambda === 'auto' ? LAMBDA_GRID : [options.lambda]) {
    const areas = sized.map((s) => {
      const { s1, s2 } = normalisedAreas(s.prepared, lambda, scales.etaMax, options);
      return { s1, s2, n: new Float64Array(s1.length).fill(s.size / scales.nRef) };
    });
    const points = fitted.map((i) => sizedAt(areas[i], sized[i].prepared.pointIndex));
    const fit = fitSized(law, fixed, concatSized(points), observed, options.lossDelta);
    if (fit && (!chosen || fit.objective < chosen.fit.objective)) chosen = { lambda, fit, areas };
  }
  return chosen;
}

function sizedAt(areas: SizedAreaPoints, index: Int32Array): SizedAreaPoints {
  return { ...areasAt(areas, index), n: atQueries(areas.n, index) };
}

function concatSized(parts: SizedAreaPoints[]): SizedAreaPoints {
  return { s1: concat(parts.map((d) => d.s1)), s2: concat(parts.map((d) => d.s2)), n: concat(parts.map((d) => d.n)) };
}

function fitSized(
  law: Law<SizedAreaPoints>,
  fixed: Partial<Record<SizeParameter, number>>,
  data: SizedAreaPoints,
  observed: Float64Array,
  delta: number,
): RobustFit | null {
  if (observed.length <= THIN_FIT_POINTS)
    return fitRobust(law, data, observed, { delta, starts: lrAnnealingSizeStarts(data, observed, fixed) });
  const idx = thinIndices(observed.length, THIN_FIT_POINTS);
  const thin = { s1: pick(data.s1, idx), s2: pick(data.s2, idx), n: pick(data.n, idx) };
  const thinObserved = pick(observed, idx);
  const coarse = fitRobust(law, thin, thinObserved, {
    delta,
    starts: lrAnnealingSizeStarts(thin, thinObserved, fixed),
  });
  if (!coarse) return null;
  const fine = refineRobust(law, data, observed, coarse.params, { delta });
  return fine && { ...fine, startsTried: coarse.startsTried, bestStart: coarse.bestStart };
}

function sizeDescription(
  { fit }: SizeFit,
  { etaMax, nRef }: Scales,
): Pick<FitResult, 'formula' | 'params' | 'units' | 'normalized'> {
  const normalised = Object.fromEntries(LR_ANNEALING_SIZE_PARAMETERS.map((name, j) => [name, fit.params[j]]));
  return {
    formula: 'L(s, N) = L0 + A·S1(s)^(-alpha) + B·N^(-beta) - C·S2(s)·N^gamma',
    params: denormaliseSized(fit.params, etaMax, nRef),
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      B: 'loss·N^beta',
      beta: '1',
      C: 'loss/(LR·steps)/N^gamma',
      gamma: '1',
    },
    normalized: {
      params: normalised,
      note: `areas divided by the peak LR eta_max = ${etaMax} and N by N_ref = ${nRef}: A~ = A·eta_max^(-alpha), B~ = B·N_ref^(-beta), C~ = C·eta_max·N_ref^gamma`,
    },
  };
}

/** The settings that shaped the fit, for FitResult.settings (the band method is the bootstrap's). */
function sizeSettings(
  { lambda }: SizeFit,
  { etaMax }: Scales,
  fixed: Partial<Record<SizeParameter, number>>,
  options: AnalysisOptions,
): FitResult['settings'] {
  return {
    lambda,
    lambdaChosen: options.lambda === 'auto' ? 'best of 0.99, 0.995, 0.999, 0.9995' : 'fixed',
    warmupConvention: options.warmupConvention,
    warmupStepsOption: options.warmupSteps ?? 'none',
    etaMax,
    held:
      Object.entries(fixed)
        .map(([name, value]) => `${name} = ${value}`)
        .join(', ') || 'none',
    huberDelta: options.lossDelta,
    objective: 'sum of Huber(ln predicted - ln observed)',
  };
}

/** 95 % intervals of the raw coefficients over the bootstrap refits; held coefficients have none. */
function sizeIntervals(
  sets: Float64Array[],
  estimate: Float64Array,
  { etaMax, nRef }: Scales,
  fixed: Partial<Record<SizeParameter, number>>,
): Record<string, [number, number]> {
  const intervals = derivedIntervals(sets, (params) => denormaliseSized(params, etaMax, nRef), estimate) ?? {};
  for (const name of Object.keys(fixed)) delete intervals[name];
  return intervals;
}

/** The law at every point of `data`. */
function predictWith(law: Law<SizedAreaPoints>, params: Float64Array, data: SizedAreaPoints): Float64Array {
  const out = new Float64Array(law.size(data));
  law.predict(params, data, out);
  return out;
}

/**
 * Moving-block bootstrap refits on thinned points of the fitted curves, as the LR-annealing law draws them
 * (lossBands.ts): each replicate resamples blocks of every fitted curve's log residuals and refits all sizes together.
 */
function bootstrapSized(
  law: Law<SizedAreaPoints>,
  { fit, areas }: SizeFit,
  { sized, fitted, options }: SizedFitInput,
  predictions: Float64Array[],
  samples: number,
): { replicates: LossReplicates; sets: Float64Array[] } {
  if (samples <= 0) return { replicates: NO_REPLICATES, sets: [] };
  const input = { prepared: sized.map((s) => s.prepared), fitted, options };
  const thin = thinFitted(input, (i) => predictions[i], BOOTSTRAP_POINTS);
  const data = thin.map((t) => sizedAt(areas[t.curve], t.queries));
  const sets = bootstrapParams(law, fit.params, residualBlockReplicate(thin, data, concatSized), {
    samples,
    seed: options.seed,
    delta: options.lossDelta,
    maxIterations: 200,
  });
  const replicates: LossReplicates = {
    count: sets.length,
    at: (i, queries) => {
      const points = sizedAt(areas[i], queries);
      return sets.map((params) => predictWith(law, params, points));
    },
    residuals: concat(thin.map((t) => t.logResidual)),
    method: `${samples} moving-block bootstrap refits of the log residuals of every fitted curve (all sizes refitted together), plus residual noise; 95 % percentile band`,
  };
  return { replicates, sets };
}

function missingSize(c: LossCurve): Finding {
  return finding('size-missing', 'warning', {
    message: `"${c.name}" has no model size N (its file has no params column and no size was given for it), so the model-size law can neither fit nor predict it.`,
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}

function tooFewSizes(fittedSizes: number[], withheld: { curve: LossCurve; size: number }[], at: LossCurve): Finding {
  const sizes = fittedSizes.map((n) => formatCompact(n)).join(' and ');
  const why =
    fittedSizes.length === 1
      ? `The fitted curves are of one model size (N = ${sizes}), so the size term (a scale times N to a power) cannot be told from L0 and is left out.`
      : `The fitted curves are of two model sizes (N = ${sizes}): L0 and the size term's scale and exponent are three unknowns for two values, so fits of the same quality extrapolate to a third size a percent or more apart. Give the size exponent, or fit curves of a third size.`;
  const left = withheld.length
    ? ` Not predicted: ${withheld.map((c) => `"${c.curve.name}" (N = ${formatCompact(c.size)})`).join(', ')}.`
    : ' Only curves of the fitted sizes are predicted.';
  return finding('sizes-too-few', 'warning', { message: why + left, file: at.file, line: at.firstLine });
}
